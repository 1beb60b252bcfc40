//! Running CNI plugin binaries (PROTOCOLS §9.1, §9.3, §9.5): environment,
//! stdin, result and error parsing, timeouts, and the list operations ADD
//! (in order, chaining `prevResult`), DEL (reverse, final result, same
//! runtimeConfig) and CHECK.

use std::ffi::OsString;
use std::io::{Read, Write};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use nix::sys::signal::{killpg, Signal};
use nix::unistd::Pid;
use serde_json::Value;

use crate::config::{parse_version, NetworkConfigList};
use crate::error::{Error, Result};
use crate::netns::NetNs;
use crate::ports::PortMapping;
use crate::result::{CniResult, PluginErrorObject, VersionInfo};

/// The PATH given to plugins when the engine has none (they run iptables).
pub const DEFAULT_PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// A CNI operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CniCommand {
    /// Attach.
    Add,
    /// Detach.
    Del,
    /// Verify.
    Check,
    /// Report supported versions.
    Version,
}

impl CniCommand {
    /// The `CNI_COMMAND` value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Add => "ADD",
            Self::Del => "DEL",
            Self::Check => "CHECK",
            Self::Version => "VERSION",
        }
    }
}

/// What one plugin call is about (the `CNI_*` variables besides the command).
#[derive(Debug, Clone, Copy)]
pub struct Target<'a> {
    /// `CNI_CONTAINERID`.
    pub container_id: &'a str,
    /// `CNI_NETNS` (omitted when `None`, allowed for DEL only).
    pub netns: Option<&'a Path>,
    /// `CNI_IFNAME`.
    pub ifname: &'a str,
    /// `CNI_ARGS`.
    pub args: &'a str,
}

/// Finds and runs plugin binaries.
#[derive(Debug)]
pub struct PluginExec {
    plugin_dirs: Vec<PathBuf>,
    timeout: Duration,
    path_env: OsString,
    host_netns: Option<NetNs>,
}

/// Checks a container id as the plugins do: `[A-Za-z0-9][A-Za-z0-9_.-]*`.
pub fn check_container_id(id: &str) -> Result<()> {
    let mut chars = id.chars();
    let ok = chars.next().is_some_and(|c| c.is_ascii_alphanumeric())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'));
    if ok {
        Ok(())
    } else {
        Err(Error::InvalidArgument {
            what: "container id",
            value: id.to_string(),
            reason: "must match [A-Za-z0-9][A-Za-z0-9_.-]*".into(),
        })
    }
}

/// Checks an interface name: 1–15 bytes, not `.`/`..`, no `/`, `:` or space.
pub fn check_ifname(name: &str) -> Result<()> {
    let ok = !name.is_empty()
        && name.len() <= 15
        && name != "."
        && name != ".."
        && !name
            .chars()
            .any(|c| c == '/' || c == ':' || c.is_whitespace());
    if ok {
        Ok(())
    } else {
        Err(Error::InvalidArgument {
            what: "interface name",
            value: name.to_string(),
            reason: "1-15 characters without '/', ':' or spaces".into(),
        })
    }
}

/// The engine's PATH with the system binary dirs of [`DEFAULT_PATH`]
/// appended when missing (plugins need iptables from /usr/sbin).
pub fn plugin_path_env(engine_path: Option<OsString>) -> OsString {
    let mut dirs: Vec<PathBuf> = engine_path
        .as_deref()
        .map(|p| std::env::split_paths(p).collect())
        .unwrap_or_default();
    for d in std::env::split_paths(DEFAULT_PATH) {
        if !dirs.contains(&d) {
            dirs.push(d);
        }
    }
    std::env::join_paths(dirs).unwrap_or_else(|_| DEFAULT_PATH.into())
}

impl PluginExec {
    /// An executor searching `plugin_dirs` in order, killing plugins after
    /// `timeout`. Plugins get the engine's PATH (or [`DEFAULT_PATH`]).
    pub fn new(plugin_dirs: Vec<PathBuf>, timeout: Duration) -> Self {
        Self {
            plugin_dirs,
            timeout,
            path_env: plugin_path_env(std::env::var_os("PATH")),
            host_netns: None,
        }
    }

    /// Runs every plugin inside this namespace instead of the caller's
    /// (tests use a private "host" namespace; the runtime never sets it).
    pub fn with_host_netns(mut self, netns: NetNs) -> Self {
        self.host_netns = Some(netns);
        self
    }

    /// The plugin dirs.
    pub fn plugin_dirs(&self) -> &[PathBuf] {
        &self.plugin_dirs
    }

    /// The first executable named `plugin_type` in the plugin dirs.
    pub fn find_plugin(&self, plugin_type: &str) -> Result<PathBuf> {
        for dir in &self.plugin_dirs {
            let p = dir.join(plugin_type);
            if p.is_file() {
                return Ok(p);
            }
        }
        Err(Error::PluginNotFound {
            plugin: plugin_type.to_string(),
            dirs: self.plugin_dirs.clone(),
        })
    }

    /// Runs one plugin; returns its stdout on success, a typed error
    /// naming the plugin and network otherwise.
    pub fn run(
        &self,
        plugin_type: &str,
        network: &str,
        command: CniCommand,
        target: Option<Target<'_>>,
        stdin: &[u8],
    ) -> Result<Vec<u8>> {
        let binary = self.find_plugin(plugin_type)?;
        let mut cmd = Command::new(&binary);
        for (k, _) in std::env::vars_os() {
            if k.to_string_lossy().starts_with("CNI_") {
                cmd.env_remove(k);
            }
        }
        cmd.env("PATH", &self.path_env)
            .env("CNI_COMMAND", command.as_str())
            .env(
                "CNI_PATH",
                std::env::join_paths(&self.plugin_dirs).unwrap_or_default(),
            );
        if let Some(t) = target {
            cmd.env("CNI_CONTAINERID", t.container_id)
                .env("CNI_IFNAME", t.ifname)
                .env("CNI_ARGS", t.args);
            if let Some(ns) = t.netns {
                cmd.env("CNI_NETNS", ns);
            }
        }
        cmd.stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .process_group(0);
        if let Some(ns) = &self.host_netns {
            ns.enter_command(&mut cmd)?;
        }
        let fail = |status: String, stderr: String| Error::PluginFailed {
            plugin: plugin_type.to_string(),
            network: network.to_string(),
            command: command.as_str().to_string(),
            status,
            stderr,
        };
        let mut attempt = 0;
        let mut child = loop {
            match cmd.spawn() {
                Ok(c) => break c,
                // A binary just written may still be open for writing in a
                // child forked elsewhere in this process; retry briefly.
                Err(e) if e.raw_os_error() == Some(libc::ETXTBSY) && attempt < 20 => {
                    attempt += 1;
                    std::thread::sleep(Duration::from_millis(10));
                }
                Err(e) => {
                    return Err(fail(
                        format!("could not start {}", binary.display()),
                        e.to_string(),
                    ))
                }
            }
        };
        let pgid = Pid::from_raw(child.id() as i32);
        if let Some(mut input) = child.stdin.take() {
            // On its own thread so a plugin that never reads cannot block us
            // past the timeout; one that ignores stdin (VERSION) may close
            // it early, which is fine.
            let data = stdin.to_vec();
            std::thread::spawn(move || {
                let _ = input.write_all(&data);
            });
        }
        let mut out_pipe = child.stdout.take().expect("stdout is piped");
        let mut err_pipe = child.stderr.take().expect("stderr is piped");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            let _ = out_pipe.read_to_end(&mut buf);
            let _ = tx.send(buf);
        });
        let (err_tx, err_rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            let _ = err_pipe.read_to_end(&mut buf);
            let _ = err_tx.send(buf);
        });
        let deadline = Instant::now() + self.timeout;
        let timed_out = |child: &mut std::process::Child| {
            let _ = killpg(pgid, Signal::SIGKILL);
            let _ = child.wait();
            Error::PluginTimeout {
                plugin: plugin_type.to_string(),
                network: network.to_string(),
                command: command.as_str().to_string(),
                timeout: self.timeout,
            }
        };
        let Ok(stdout) = rx.recv_timeout(self.timeout) else {
            return Err(timed_out(&mut child));
        };
        // stdout is closed; the plugin is normally exiting now, but one
        // that closed it and kept running is still bound by the deadline.
        let status = loop {
            match child.try_wait() {
                Ok(Some(status)) => break status,
                Ok(None) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(1));
                }
                Ok(None) => return Err(timed_out(&mut child)),
                Err(e) => return Err(fail("wait failed".into(), e.to_string())),
            }
        };
        // A daemon it left behind may hold stderr open: do not wait for it.
        let stderr = err_rx
            .recv_timeout(Duration::from_millis(500))
            .unwrap_or_default();
        if status.success() {
            return Ok(stdout);
        }
        if let Ok(obj) = serde_json::from_slice::<PluginErrorObject>(&stdout) {
            return Err(Error::Plugin {
                plugin: plugin_type.to_string(),
                network: network.to_string(),
                command: command.as_str().to_string(),
                code: obj.code,
                msg: obj.msg,
                details: obj.details,
            });
        }
        let mut text = String::from_utf8_lossy(&stderr).trim().to_string();
        if text.is_empty() {
            text = String::from_utf8_lossy(&stdout).trim().to_string();
        }
        Err(fail(status.to_string(), text))
    }

    /// VERSION of one plugin.
    pub fn version(&self, plugin_type: &str) -> Result<VersionInfo> {
        let out = self.run(plugin_type, "", CniCommand::Version, None, b"{}")?;
        serde_json::from_slice(&out).map_err(|e| Error::PluginOutput {
            plugin: plugin_type.to_string(),
            network: String::new(),
            command: "VERSION".into(),
            reason: e.to_string(),
        })
    }

    /// ADD through the whole list in order, chaining `prevResult`; returns
    /// the final result. On the first error the attachment is deleted again
    /// (DEL through the list with the last good intermediate result, as the
    /// spec owes a DEL after a failed ADD) and the ADD error is returned.
    pub fn add_list(
        &self,
        list: &NetworkConfigList,
        target: Target<'_>,
        port_mappings: &[PortMapping],
    ) -> Result<CniResult> {
        check_container_id(target.container_id)?;
        check_ifname(target.ifname)?;
        let mut prev: Option<Value> = None;
        for (i, plugin) in list.plugins.iter().enumerate() {
            let stdin = list.plugin_stdin(i, port_mappings, prev.clone());
            let step = self
                .run(
                    &plugin.plugin_type,
                    &list.name,
                    CniCommand::Add,
                    Some(target),
                    &serde_json::to_vec(&stdin).unwrap_or_default(),
                )
                .and_then(|out| {
                    serde_json::from_slice::<Value>(&out).map_err(|e| Error::PluginOutput {
                        plugin: plugin.plugin_type.clone(),
                        network: list.name.clone(),
                        command: "ADD".into(),
                        reason: format!("{e}: {:?}", String::from_utf8_lossy(&out)),
                    })
                });
            match step {
                Ok(value) => prev = Some(value),
                Err(e) => {
                    let partial = prev.and_then(|v| serde_json::from_value::<CniResult>(v).ok());
                    // The DEL the spec owes; its errors travel with the ADD's.
                    let del = self.del_list(list, target, port_mappings, partial.as_ref());
                    return Err(Error::add_failed(
                        e,
                        del.err().map(Error::into_list).unwrap_or_default(),
                    ));
                }
            }
        }
        let last = prev.unwrap_or(Value::Null);
        match serde_json::from_value(last) {
            Ok(r) => Ok(r),
            Err(e) => {
                let del = self.del_list(list, target, port_mappings, None);
                let add = Error::PluginOutput {
                    plugin: list
                        .plugins
                        .last()
                        .map(|p| p.plugin_type.clone())
                        .unwrap_or_default(),
                    network: list.name.clone(),
                    command: "ADD".into(),
                    reason: e.to_string(),
                };
                Err(Error::add_failed(
                    add,
                    del.err().map(Error::into_list).unwrap_or_default(),
                ))
            }
        }
    }

    /// DEL through the list in reverse, each plugin receiving `prev` (the
    /// final ADD result) and the same port mappings as ADD. Every plugin is
    /// tried; the errors are collected. A namespace that no longer exists
    /// is left out of the environment, as the spec allows for DEL.
    pub fn del_list(
        &self,
        list: &NetworkConfigList,
        target: Target<'_>,
        port_mappings: &[PortMapping],
        prev: Option<&CniResult>,
    ) -> Result<()> {
        check_container_id(target.container_id)?;
        check_ifname(target.ifname)?;
        let mut target = target;
        let netns_gone = target.netns.is_some_and(|p| !p.exists());
        if netns_gone {
            target.netns = None;
        }
        let prev_value = prev.map(|p| serde_json::to_value(p).unwrap_or(Value::Null));
        let mut errors = Vec::new();
        for (i, plugin) in list.plugins.iter().enumerate().rev() {
            let stdin = list.plugin_stdin(i, port_mappings, prev_value.clone());
            if let Err(e) = self.run(
                &plugin.plugin_type,
                &list.name,
                CniCommand::Del,
                Some(target),
                &serde_json::to_vec(&stdin).unwrap_or_default(),
            ) {
                errors.push(e);
            }
        }
        // Without the namespace (or without the ADD's result, after a crash mid-ADD) bridge
        // cannot find the addresses it masqueraded: remove its chain and jumps by name.
        if netns_gone || prev.is_none() {
            let masq = list.plugins.iter().any(|p| {
                p.plugin_type == "bridge"
                    && p.raw.get("ipMasq").and_then(Value::as_bool) == Some(true)
            });
            if masq {
                crate::repair::remove_ipmasq(
                    &list.name,
                    target.container_id,
                    prev,
                    &self.path_env,
                    self.host_netns.as_ref(),
                );
            }
        }
        match errors.len() {
            0 => Ok(()),
            1 => Err(errors.remove(0)),
            _ => Err(Error::Teardown(errors)),
        }
    }

    /// CHECK through the list in order with the final ADD result. Skipped
    /// when the list sets `disableCheck` or its version predates 0.4.0;
    /// portmap is skipped for IPv4-only attachments (plugins 1.1.1 fail
    /// that CHECK whenever ip6tables works, PROTOCOLS §9.3).
    pub fn check_list(
        &self,
        list: &NetworkConfigList,
        target: Target<'_>,
        port_mappings: &[PortMapping],
        prev: &CniResult,
    ) -> Result<()> {
        if list.disable_check || parse_version(&list.cni_version) < Some((0, 4, 0)) {
            return Ok(());
        }
        let prev_value = serde_json::to_value(prev).unwrap_or(Value::Null);
        let has_v6 = prev.ips.iter().any(|ip| ip.address.contains(':'));
        for (i, plugin) in list.plugins.iter().enumerate() {
            if plugin.plugin_type == "portmap" && !has_v6 {
                // plugins 1.1.1 bug: portmap CHECK looks for an IPv6 chain
                // that an IPv4-only ADD never made (PROTOCOLS §9.3).
                continue;
            }
            let stdin = list.plugin_stdin(i, port_mappings, Some(prev_value.clone()));
            self.run(
                &plugin.plugin_type,
                &list.name,
                CniCommand::Check,
                Some(target),
                &serde_json::to_vec(&stdin).unwrap_or_default(),
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_always_has_sbin() {
        assert_eq!(plugin_path_env(None), OsString::from(DEFAULT_PATH));
        let p = plugin_path_env(Some("/opt/x:/usr/bin".into()));
        assert_eq!(
            p,
            OsString::from("/opt/x:/usr/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/sbin:/bin")
        );
    }

    #[test]
    fn names_are_validated() {
        assert!(check_container_id("abc-1.2_3").is_ok());
        for bad in ["", "-a", "a b", "a/b", "ä"] {
            assert!(check_container_id(bad).is_err(), "{bad:?}");
        }
        assert!(check_ifname("eth0").is_ok());
        for bad in ["", ".", "..", "a/b", "a:b", "a b", "sixteen-chars-xx"] {
            assert!(check_ifname(bad).is_err(), "{bad:?}");
        }
    }
}
