/// mimalloc keeps freed large blocks for reuse: the landscape pass allocates and frees
/// several n-sized arrays in turn, and the system allocator would hand each one back to
/// the kernel and fault it in again.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    nasland::cli::main()
}
