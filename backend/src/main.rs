//! The `reel` binary: a thin shell around the library so integration tests run the same code.

fn main() -> std::process::ExitCode {
    reel::cli::main()
}
