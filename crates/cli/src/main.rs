//! The `berth` binary: everything lives in the `berth_cli` library.

use std::process::ExitCode;

fn main() -> ExitCode {
    berth_cli::error::install_panic_hook();
    match berth_cli::run(std::env::args_os()) {
        Ok(code) => ExitCode::from(code),
        Err(err) => {
            eprintln!("{}", berth_cli::error::render(&err));
            ExitCode::from(berth_cli::error::exit_code(&err))
        }
    }
}
