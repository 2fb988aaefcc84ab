/// mimalloc keeps freed large blocks for reuse: the landscape pass allocates and frees
/// several n-sized arrays in turn, and the system allocator would hand each one back to
/// the kernel and fault it in again.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    // `nasland info x.nasl | head` should end quietly when the reader goes away, as other
    // command-line tools do, not panic on a broken pipe.
    #[cfg(unix)]
    // SAFETY: restoring the default disposition of one signal before any thread starts.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    nasland::cli::main()
}
