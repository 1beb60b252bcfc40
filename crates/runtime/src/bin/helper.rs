//! Test helper, not a user tool: the system tests spawn it (through
//! `CARGO_BIN_EXE_berth-runtime-helper`) as a second berth process and as conmon's exit
//! command. It only touches the directories named in the settings file it is given.
//!
//! `helper SETTINGS open` prints `refreshed=true|false`;
//! `helper SETTINGS cleanup ID` runs the container cleanup;
//! `helper SETTINGS churn N PREFIX` creates, starts, stops and removes N containers;
//! `helper SETTINGS logs ID TAIL` writes the container's log (`TAIL` lines, or `all`) to
//! stdout, then its own peak RSS as `maxrss_kib=N` to stderr.

#[path = "../../tests/common/settings.rs"]
mod settings;

use std::process::ExitCode;

use berth_runtime::ContainerCreateOptions;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 3 {
        eprintln!("usage: helper SETTINGS open|cleanup ID|churn N PREFIX");
        return ExitCode::from(2);
    }
    let settings = settings::Settings::load(std::path::Path::new(&args[1]));
    let rt = match settings.builder().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("helper: building the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = match (args[2].as_str(), &args[3..]) {
        ("open", []) => {
            println!("refreshed={}", rt.refreshed());
            Ok(())
        }
        ("cleanup", [id]) => rt.cleanup_container(id),
        ("churn", [n, prefix]) => churn(&rt, n.parse().unwrap_or(1), prefix),
        ("logs", [id, tail]) => logs(&rt, id, tail),
        _ => {
            eprintln!("helper: unknown command {:?}", &args[2..]);
            return ExitCode::from(2);
        }
    };
    let shut = rt.shutdown(false);
    match result.and(shut) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("helper: {e}");
            ExitCode::FAILURE
        }
    }
}

fn churn(rt: &berth_runtime::Runtime, n: usize, prefix: &str) -> berth_runtime::Result<()> {
    for i in 0..n {
        let mut o = ContainerCreateOptions::new("busybox", &["sleep", "60"]);
        o.name = Some(format!("{prefix}-{i}"));
        let id = rt.create_container(&o)?.config.id;
        rt.start_container(&id)?;
        rt.stop_container(&id, Some(std::time::Duration::from_secs(1)))?;
        rt.remove_container(&id, false, false)?;
    }
    println!("churned {n}");
    Ok(())
}

fn logs(rt: &berth_runtime::Runtime, id: &str, tail: &str) -> berth_runtime::Result<()> {
    let opts = berth_runtime::LogOptions {
        tail: tail.parse().ok(),
        ..Default::default()
    };
    rt.container_logs(id, &opts, &mut std::io::stdout().lock())?;
    let usage = nix::sys::resource::getrusage(nix::sys::resource::UsageWho::RUSAGE_SELF)
        .map_or(-1, |u| u.max_rss());
    eprintln!("maxrss_kib={usage}");
    Ok(())
}
