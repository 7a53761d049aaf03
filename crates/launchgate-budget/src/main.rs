fn main() -> std::process::ExitCode {
    launchgate_core::command::main::<launchgate_budget::cli::Command>()
}
