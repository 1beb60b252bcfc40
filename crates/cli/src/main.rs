//! The `berth` command: a podman-compatible command line over berth-runtime.
//!
//! Only `berth version` exists until the runtime lands (issue 8); no command
//! pretends to work before then.

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("version" | "--version") => {
            println!("berth version {}", env!("CARGO_PKG_VERSION"));
            ExitCode::SUCCESS
        }
        Some(other) => {
            eprintln!("Error: unrecognized command `berth {other}`");
            ExitCode::from(125)
        }
        None => {
            eprintln!("Error: missing command 'berth COMMAND'");
            ExitCode::from(125)
        }
    }
}
