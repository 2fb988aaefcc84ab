// An unwrap or expect on a path user input reaches would be a panic; each remaining one
// carries a local allow and the reason it cannot fail (docs/RELIABILITY.md).
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]
// println!/eprintln! panic when the stream cannot be written (`>/dev/full`); results go
// through cli::stdout's outln! and messages through cli::stderr's errln! instead.
#![cfg_attr(not(test), deny(clippy::print_stdout, clippy::print_stderr))]

/// mimalloc keeps freed large blocks for reuse: the landscape pass allocates and frees
/// several n-sized arrays in turn, and the system allocator would hand each one back to
/// the kernel and fault it in again. A default feature, so that the fuzz targets, which
/// link the library only, do not compile its C (fuzz/Cargo.toml).
#[cfg(feature = "mimalloc")]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Runs before the Rust runtime hides a closed standard output behind `/dev/null` (see
/// `nasland::cli::stdout`), so a command run with `>&-` can fail instead of exiting 0 with
/// its output lost. glibc and musl call every `.init_array` entry before `main`.
#[cfg(target_os = "linux")]
#[used]
#[link_section = ".init_array"]
static NOTE_CLOSED_STDOUT: extern "C" fn() = {
    extern "C" fn note() {
        nasland::cli::stdout::note_closed_stdout();
    }
    note
};

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
