fn main() -> std::process::ExitCode {
    nasland::cli::main()
}
