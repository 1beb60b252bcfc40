//! Shell completions and man pages from the clap tree, for `cargo xtask`
//! (which only has to call [`write_completions`] and [`write_man_pages`]).

use crate::cli::Cli;
use clap::CommandFactory;
use clap_complete::Shell;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// The shells completions are generated for.
pub const SHELLS: &[Shell] = &[Shell::Bash, Shell::Zsh, Shell::Fish];

/// Writes the completion script for `shell` to `out`.
pub fn completion(shell: Shell, out: &mut dyn Write) {
    let mut cmd = Cli::command();
    clap_complete::generate(shell, &mut cmd, "berth", out);
}

/// Writes `berth.bash`, `_berth` (zsh) and `berth.fish` into `dir`
/// (created if missing) and returns their paths.
pub fn write_completions(dir: &Path) -> io::Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir)?;
    let mut written = Vec::new();
    for &shell in SHELLS {
        let mut cmd = Cli::command();
        written.push(clap_complete::generate_to(shell, &mut cmd, "berth", dir)?);
    }
    Ok(written)
}

/// Writes `berth.1` and one page per subcommand (`berth-container-list.1`,
/// `berth-ps.1`, ...) into `dir` (created if missing); returns their paths.
pub fn write_man_pages(dir: &Path) -> io::Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir)?;
    let mut cmd = Cli::command().disable_help_subcommand(true);
    cmd.build();
    let mut written = Vec::new();
    write_page(&cmd, "berth", dir, &mut written)?;
    Ok(written)
}

fn write_page(
    cmd: &clap::Command,
    name: &str,
    dir: &Path,
    written: &mut Vec<PathBuf>,
) -> io::Result<()> {
    let page = cmd.clone().display_name(name.to_owned());
    let path = clap_mangen::Man::new(page).generate_to(dir)?;
    written.push(path);
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        write_page(sub, &format!("{name}-{}", sub.get_name()), dir, written)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn completions_name_commands_and_flags() {
        let mut bash = Vec::new();
        completion(Shell::Bash, &mut bash);
        let bash = String::from_utf8(bash).unwrap();
        assert!(
            bash.contains("--publish") && bash.contains("container"),
            "bash completion"
        );
        let dir = tempfile::tempdir().unwrap();
        let files = write_completions(dir.path()).unwrap();
        assert_eq!(files.len(), 3);
        for f in files {
            assert!(
                std::fs::metadata(&f).unwrap().len() > 1000,
                "{}",
                f.display()
            );
        }
    }

    #[test]
    fn man_pages_for_every_command() {
        let dir = tempfile::tempdir().unwrap();
        let files = write_man_pages(dir.path()).unwrap();
        let names: Vec<String> = files
            .iter()
            .map(|f| f.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        for want in [
            "berth.1",
            "berth-ps.1",
            "berth-run.1",
            "berth-container-list.1",
            "berth-pod-create.1",
            "berth-system-reset.1",
        ] {
            assert!(
                names.iter().any(|n| n == want),
                "{want} missing from {names:?}"
            );
        }
        let run = std::fs::read_to_string(dir.path().join("berth-run.1")).unwrap();
        assert!(
            run.contains("publish") && run.contains("stop\\-timeout"),
            "run page"
        );
    }
}
