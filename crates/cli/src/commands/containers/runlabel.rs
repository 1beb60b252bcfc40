//! `container runlabel`: runs (or with `--display` shows) the command an image's label holds.

use super::{out, Parsed};
use crate::cli::RunlabelArgs;
use berth_runtime::{RunlabelOptions, Runtime};

/// A parsed `runlabel`.
#[derive(Debug)]
pub struct Runlabel {
    opts: RunlabelOptions,
    display: bool,
    quiet: bool,
    replace: bool,
}

/// Turns `runlabel`'s arguments into the runtime's options.
pub(super) fn parse(a: RunlabelArgs) -> Parsed {
    Parsed::Runlabel(Box::new(Runlabel {
        opts: RunlabelOptions {
            label: a.label,
            image: a.image,
            args: a.args,
            name: a.name,
            engine: Vec::new(),
        },
        display: a.display,
        quiet: a.quiet,
        replace: a.replace,
    }))
}

impl Runlabel {
    /// The command's `podman`/`berth` becomes this binary with the global flags `g`.
    pub(super) fn set_engine(&mut self, g: &crate::cli::GlobalOptions) -> anyhow::Result<()> {
        let exe = std::env::current_exe()?.to_string_lossy().into_owned();
        self.opts.engine = std::iter::once(exe)
            .chain(crate::engine::global_args(g))
            .collect();
        Ok(())
    }
}

/// Runs `runlabel`: the command's exit status other than 0 is an error.
pub(super) fn run(rt: &Runtime, r: &Runlabel) -> anyhow::Result<u8> {
    let cmd = rt.runlabel_command(&r.opts)?;
    if r.display {
        let argv0 = std::env::args().next().unwrap_or_else(|| "berth".into());
        let shown: Vec<&str> = std::iter::once(argv0.as_str())
            .chain(cmd[1..].iter().map(String::as_str))
            .collect();
        out(&format!("command: {}\n", shown.join(" ")))?;
        return Ok(0);
    }
    if r.replace {
        if let Some(i) = cmd.iter().position(|w| w == "--name") {
            if let Some(name) = cmd.get(i + 1) {
                if rt.container_exists(name)? {
                    rt.remove_container(name, true, false)?;
                }
            }
        }
    }
    let mut c = std::process::Command::new(&cmd[0]);
    c.args(&cmd[1..]).env("PODMAN_RUNLABEL_NESTED", "1");
    if r.quiet {
        use std::process::Stdio;
        c.stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
    }
    let status = c
        .status()
        .map_err(|e| anyhow::anyhow!("running {}: {e}", cmd[0]))?;
    if !status.success() {
        anyhow::bail!(
            "{}: exit status {}",
            cmd[0],
            status
                .code()
                .map_or_else(|| "killed".into(), |c| c.to_string())
        );
    }
    Ok(0)
}
