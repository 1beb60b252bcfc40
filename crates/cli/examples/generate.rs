//! Writes berth's shell completions and man pages; `cargo xtask dist` runs it.
//!
//! Usage: `generate OUT_DIR` → `OUT_DIR/completions/` and `OUT_DIR/man/`.

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let Some(out) = std::env::args_os().nth(1).map(PathBuf::from) else {
        eprintln!("usage: generate OUT_DIR");
        return ExitCode::from(2);
    };
    let result = berth_cli::generate::write_completions(&out.join("completions"))
        .and_then(|c| Ok((c, berth_cli::generate::write_man_pages(&out.join("man"))?)));
    match result {
        Ok((completions, pages)) => {
            println!(
                "{} completion scripts and {} man pages in {}",
                completions.len(),
                pages.len(),
                out.display()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("generate: writing into {}: {e}", out.display());
            ExitCode::FAILURE
        }
    }
}
