fn main() -> std::process::ExitCode {
    launchgate_core::command::main::<launchgate_mail::cli::Command>()
}
