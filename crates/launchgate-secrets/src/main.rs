fn main() -> std::process::ExitCode {
    launchgate_core::command::main::<launchgate_secrets::cli::Command>()
}
