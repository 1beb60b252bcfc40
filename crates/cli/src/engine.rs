//! Global flags → a [`berth_runtime::Runtime`] (for the image and registry
//! commands one that opens its state database only if it needs it), the
//! conmon exit command, and `--log-level` → tracing.
//!
//! `--root`, `--runroot` and `--tmpdir` alone isolate an instance: the
//! state database lives in `ROOT/state`, the tmp dir defaults to
//! `RUNROOT/tmp`, runc's state to `RUNROOT/runc`, network namespaces to
//! `TMPDIR/netns`. `BERTH_DEFAULT_BRIDGE=NAME:CIDR` (tests, the demo)
//! chooses the default network's bridge and subnet, and then keeps the
//! host-local IPAM data in `ROOT/cni-ipam`. `BERTH_BRIDGE_BASE=BASE` (tests)
//! changes only the default bridge's base name (`BASE0`, moving to `BASE1`, ...
//! as `berth0` would) and keeps the IPAM data in `ROOT/cni-ipam` too.
//! `BERTH_CGROUP_PARENT=NAME` (tests) puts containers under `/NAME/ID`
//! instead of `/berth/ID`.

use crate::cli::GlobalOptions;
use crate::error::CliError;
use berth_runtime::{CgroupManager, StorageDriver};
use berth_runtime::{Runtime, RuntimeBuilder};
use std::path::{Path, PathBuf};

/// The environment variable naming the default bridge and subnet.
pub const DEFAULT_BRIDGE_ENV: &str = "BERTH_DEFAULT_BRIDGE";

/// The environment variable naming only the default bridge's base name.
pub const BRIDGE_BASE_ENV: &str = "BERTH_BRIDGE_BASE";

/// The environment variable naming the default cgroup parent (tests: each
/// instance its own, so one instance's `system check` never sees another's).
pub const CGROUP_PARENT_ENV: &str = "BERTH_CGROUP_PARENT";

/// Sets up tracing on stderr at `--log-level` (`warn` by default).
pub fn init_logging(level: &str) {
    let level = match level {
        "warning" => "warn",
        "fatal" | "panic" => "error",
        l => l,
    };
    let filter = tracing_subscriber::EnvFilter::new(level);
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .try_init();
}

/// The argv prefix conmon runs when a container exits: this binary, the
/// same global flags, `container cleanup` (the runtime appends the id).
pub fn exit_command(g: &GlobalOptions) -> anyhow::Result<Vec<String>> {
    let exe = std::env::current_exe()
        .map_err(|e| anyhow::Error::new(e).context("finding the berth binary for conmon"))?;
    let mut argv = vec![exe.to_string_lossy().into_owned()];
    argv.extend(global_args(g));
    argv.push("container".into());
    argv.push("cleanup".into());
    Ok(argv)
}

/// The argv prefix of the healthcheck scheduler `start` spawns: this binary, the same
/// global flags, the hidden `healthcheck scheduler` (the runtime appends the id).
pub fn healthcheck_command(g: &GlobalOptions) -> anyhow::Result<Vec<String>> {
    let mut argv = exit_command(g)?;
    argv.truncate(argv.len() - 2);
    argv.push("healthcheck".into());
    argv.push("scheduler".into());
    Ok(argv)
}

/// The global flags as they were given, to pass on to another berth.
pub fn global_args(g: &GlobalOptions) -> Vec<String> {
    let mut a = Vec::new();
    let mut push = |flag: &str, v: Option<String>| {
        if let Some(v) = v {
            a.push(format!("--{flag}"));
            a.push(v);
        }
    };
    let p = |p: &Option<PathBuf>| p.as_ref().map(|p| abs(p).to_string_lossy().into_owned());
    push("root", p(&g.root));
    push("runroot", p(&g.runroot));
    push("config", p(&g.config));
    push("default-mounts-file", p(&g.default_mounts_file));
    push("namespace", g.namespace.clone());
    push("runtime", g.runtime.clone());
    push("conmon", p(&g.conmon));
    push("cgroup-manager", g.cgroup_manager.clone());
    push("storage-driver", g.storage_driver.clone());
    push("tmpdir", p(&g.tmpdir));
    push("cni-config-dir", p(&g.cni_config_dir));
    for h in &g.hooks_dir {
        push("hooks-dir", Some(abs(h).to_string_lossy().into_owned()));
    }
    push("volumepath", p(&g.volumepath));
    push("log-level", Some(g.log_level.clone()));
    // podman passes the events backend on, so conmon's cleanup records where this did.
    push("events-backend", g.events_backend.clone());
    // `=`: a flag value such as `--debug` is not taken for a flag of berth's.
    a.extend(g.runtime_flag.iter().map(|f| format!("--runtime-flag={f}")));
    a
}

/// A path made absolute against the current directory.
fn abs(p: &Path) -> PathBuf {
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        std::env::current_dir().map_or_else(|_| p.to_path_buf(), |d| d.join(p))
    }
}

/// The runtime binary candidates for `--runtime NAME|PATH`.
fn runtime_candidates(v: &str) -> Vec<PathBuf> {
    if v.contains('/') {
        vec![abs(Path::new(v))]
    } else {
        [
            "/usr/bin",
            "/usr/sbin",
            "/usr/local/bin",
            "/usr/local/sbin",
            "/bin",
            "/sbin",
        ]
        .iter()
        .map(|d| Path::new(d).join(v))
        .collect()
    }
}

/// The builder for these global flags, without the storage locations.
fn base_builder(g: &GlobalOptions) -> anyhow::Result<RuntimeBuilder> {
    let mut b = RuntimeBuilder::new();
    if let Some(c) = &g.config {
        b = b.config_file(abs(c));
    }
    if let Some(f) = &g.default_mounts_file {
        b = b.default_mounts_file(abs(f));
    }
    if let Some(ns) = &g.namespace {
        b = b.namespace(ns);
    }
    if let Some(r) = &g.runtime {
        b = b.runtime_paths(&runtime_candidates(r)).oci_runtime_name(r);
    }
    if let Some(c) = &g.conmon {
        b = b.conmon_paths(&[abs(c)]);
    }
    if let Some(v) = &g.volumepath {
        b = b.volume_path(abs(v));
    }
    if !g.runtime_flag.is_empty() {
        b = b.runtime_flags(&g.runtime_flag);
    }
    if let Some(m) = &g.cgroup_manager {
        b = b.cgroup_manager(if m == "systemd" {
            CgroupManager::Systemd
        } else {
            CgroupManager::Cgroupfs
        });
    }
    if let Some(d) = &g.storage_driver {
        b = b.storage_driver(driver(d));
    }
    if let Some(root) = &g.root {
        b = b.static_dir(abs(root).join("state"));
    }
    if let Some(e) = &g.events_backend {
        b = b.events_backend(e.parse().map_err(runtime_error)?);
    }
    let tmp = g
        .tmpdir
        .as_ref()
        .map(|t| abs(t))
        .or_else(|| g.runroot.as_ref().map(|r| abs(r).join("tmp")));
    if let Some(t) = &tmp {
        b = b.tmp_dir(t);
    }
    if let Some(r) = &g.runroot {
        b = b.runtime_root(abs(r).join("runc"));
    }
    if let Some(c) = &g.cni_config_dir {
        b = b.cni_config_dir(abs(c));
    }
    if !g.hooks_dir.is_empty() {
        let dirs: Vec<PathBuf> = g.hooks_dir.iter().map(|h| abs(h)).collect();
        b = b.hooks_dirs(&dirs);
    }
    if let Ok(v) = std::env::var(DEFAULT_BRIDGE_ENV) {
        let (bridge, subnet) = v.split_once(':').ok_or_else(|| {
            CliError::invalid(
                DEFAULT_BRIDGE_ENV,
                &v,
                "expected BRIDGE:SUBNET, e.g. berth9:10.99.0.0/24",
            )
        })?;
        b = b.default_bridge(bridge, subnet);
        if let Some(root) = &g.root {
            b = b.ipam_data_dir(abs(root).join("cni-ipam"));
        }
    } else if let Ok(base) = std::env::var(BRIDGE_BASE_ENV) {
        b = b.default_bridge_base(&base);
        if let Some(root) = &g.root {
            b = b.ipam_data_dir(abs(root).join("cni-ipam"));
        }
    }
    if let Ok(p) = std::env::var(CGROUP_PARENT_ENV) {
        b = b.default_cgroup_parent(&p);
    }
    Ok(b)
}

fn driver(d: &str) -> StorageDriver {
    if d == "vfs" {
        StorageDriver::Vfs
    } else {
        StorageDriver::Overlay
    }
}

/// The storage locations the flags give; the rest stay as configured (and keep the
/// configuration file as their origin in `info`).
fn storage_flags(g: &GlobalOptions, mut b: RuntimeBuilder) -> RuntimeBuilder {
    if let Some(r) = &g.root {
        b = b.graph_root(abs(r));
    }
    if let Some(r) = &g.runroot {
        b = b.run_root(abs(r));
    }
    if let Some(d) = &g.storage_driver {
        b = b.storage_driver(driver(d));
    }
    b
}

/// Builds the runtime for these global flags.
pub fn runtime(g: &GlobalOptions) -> anyhow::Result<Runtime> {
    storage_flags(g, base_builder(g)?)
        .exit_command(exit_command(g)?)
        .healthcheck_command(healthcheck_command(g)?)
        .build()
        .map_err(runtime_error)
}

/// The runtime for the image and registry commands: the state database is
/// opened only when a call needs it (`images`, `import`, `tag` never do),
/// which keeps them as fast as the store alone.
pub fn image_runtime(g: &GlobalOptions) -> anyhow::Result<Runtime> {
    storage_flags(g, base_builder(g)?)
        .exit_command(exit_command(g)?)
        .healthcheck_command(healthcheck_command(g)?)
        .lazy_state()
        .build()
        .map_err(runtime_error)
}

/// A runtime error as the CLI reports it (exit 125).
pub fn runtime_error(e: berth_runtime::Error) -> anyhow::Error {
    anyhow::Error::new(e)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_command_repeats_the_global_flags() {
        let g = GlobalOptions {
            root: Some("/r".into()),
            runroot: Some("/rr".into()),
            tmpdir: Some("/t".into()),
            cni_config_dir: Some("/c".into()),
            log_level: "warn".into(),
            events_backend: Some("file".into()),
            ..GlobalOptions::default()
        };
        let argv = exit_command(&g).unwrap();
        assert!(Path::new(&argv[0]).is_absolute());
        assert_eq!(
            &argv[1..],
            [
                "--root",
                "/r",
                "--runroot",
                "/rr",
                "--tmpdir",
                "/t",
                "--cni-config-dir",
                "/c",
                "--log-level",
                "warn",
                "--events-backend",
                "file",
                "container",
                "cleanup"
            ]
        );
    }

    #[test]
    fn runtime_names_search_the_usual_dirs() {
        assert_eq!(runtime_candidates("/x/crun"), [PathBuf::from("/x/crun")]);
        assert!(runtime_candidates("crun").contains(&PathBuf::from("/usr/bin/crun")));
    }
}
