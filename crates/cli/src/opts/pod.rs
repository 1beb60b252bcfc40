//! The typed options of `pod create` ([`PodCreateOptions`]).

use super::create::check_container_name;
use super::kv::{
    parse_add_hosts, parse_dns, parse_key_values, parse_sysctls, DnsServers, HostEntry,
};
use super::network::{parse_network, parse_share, Namespace, NetworkMode};
use super::ports::{parse_publish, PortMapping};
use super::resources::{parse_cpus, parse_memory, CpuLimit};
use crate::cli::PodCreateArgs;
use crate::error::{CliError, Result};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// Everything `pod create` asks of the runtime, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct PodCreateOptions {
    /// `-n/--name` or the NAME argument.
    pub name: Option<String>,
    /// `-l`.
    pub labels: BTreeMap<String, String>,
    /// `-p`: ports published by the infra container.
    pub ports: Vec<PortMapping>,
    /// `--share`.
    pub share: Vec<Namespace>,
    /// `--network`.
    pub network: NetworkMode,
    /// `-h`.
    pub hostname: Option<String>,
    /// `--infra`.
    pub infra: bool,
    /// `--infra-image`.
    pub infra_image: Option<String>,
    /// `--infra-command`.
    pub infra_command: Option<Vec<String>>,
    /// `--infra-name`.
    pub infra_name: Option<String>,
    /// `--add-host`.
    pub add_hosts: Vec<HostEntry>,
    /// `--dns`.
    pub dns: DnsServers,
    /// `--dns-search`.
    pub dns_search: Vec<String>,
    /// `--dns-option`.
    pub dns_options: Vec<String>,
    /// `--no-hosts`.
    pub no_hosts: bool,
    /// `--sysctl`.
    pub sysctls: BTreeMap<String, String>,
    /// `-m`.
    pub memory: Option<u64>,
    /// `--cpus`.
    pub cpus: Option<CpuLimit>,
    /// `--replace`.
    pub replace: bool,
    /// `--pod-id-file`.
    pub pod_id_file: Option<PathBuf>,
    /// `--exit-policy`.
    pub exit_policy: berth_runtime::PodExitPolicy,
}

impl PodCreateOptions {
    /// Checks and converts `pod create`'s arguments.
    pub fn from_args(args: &PodCreateArgs) -> Result<Self> {
        let name = match (&args.name_flag, &args.name) {
            (Some(_), Some(_)) => {
                return Err(CliError::conflict(
                    "--name",
                    "give the pod's name either with --name or as an argument, not both",
                ))
            }
            (Some(n), None) | (None, Some(n)) => {
                check_container_name(n)?;
                Some(n.clone())
            }
            (None, None) => None,
        };
        if args.replace && name.is_none() {
            return Err(CliError::conflict(
                "--replace",
                "cannot replace pod without --name being set",
            ));
        }
        let share = parse_share(&args.share)?;
        let ports = parse_publish(&args.publish)?;
        let network = parse_network(&args.network)?;
        if !args.infra {
            if !ports.is_empty() {
                return Err(CliError::conflict(
                    "--publish",
                    "a pod without an infra container cannot publish ports",
                ));
            }
            if !args.network.is_empty() {
                return Err(CliError::conflict(
                    "--network",
                    "a pod without an infra container has no network of its own",
                ));
            }
            if !share.is_empty() && args.share != "ipc,net,uts" {
                return Err(CliError::conflict(
                    "--share",
                    "a pod without an infra container cannot share namespaces",
                ));
            }
        }
        if !ports.is_empty() && !share.contains(&Namespace::Net) {
            return Err(CliError::conflict(
                "--publish",
                "publishing ports needs the pod to share its network namespace (--share net)",
            ));
        }
        if !ports.is_empty() && matches!(network, NetworkMode::None | NetworkMode::Host) {
            return Err(CliError::conflict(
                "--publish",
                "ports cannot be published with --network none or host",
            ));
        }
        let exit_policy = match args.exit_policy.as_str() {
            "continue" => berth_runtime::PodExitPolicy::Continue,
            "stop" => berth_runtime::PodExitPolicy::Stop,
            // podman's words, which its tests look for.
            other => {
                return Err(CliError::conflict(
                    "--exit-policy",
                    format!("running pod create option: invalid pod exit policy: {other:?}"),
                ))
            }
        };
        let mut labels = read_label_files("--label-file", &args.label_file)?;
        labels.extend(parse_key_values("--label", &args.label)?);
        Ok(Self {
            name,
            labels,
            ports,
            share: if args.infra { share } else { Vec::new() },
            network,
            hostname: args.hostname.clone(),
            infra: args.infra,
            infra_image: args.infra_image.clone(),
            infra_command: args
                .infra_command
                .as_deref()
                .map(super::create::parse_entrypoint)
                .transpose()
                .map_err(|_| {
                    CliError::invalid(
                        "--infra-command",
                        args.infra_command.as_deref().unwrap_or_default(),
                        "not a command or a JSON array of strings",
                    )
                })?,
            infra_name: args.infra_name.clone(),
            add_hosts: parse_add_hosts(&args.add_host)?,
            dns: parse_dns(&args.dns)?,
            dns_search: args.dns_search.clone(),
            dns_options: args.dns_option.clone(),
            no_hosts: args.no_hosts,
            sysctls: parse_sysctls(&args.sysctl)?,
            memory: args.memory.as_deref().map(parse_memory).transpose()?,
            cpus: args.cpus.map(parse_cpus).transpose()?.flatten(),
            replace: args.replace,
            pod_id_file: args.pod_id_file.clone(),
            exit_policy,
        })
    }
}

/// Reads `--label-file` files: a label per line (`KEY=VALUE`, or `KEY`
/// for an empty value); blank lines and `#` comments skipped. Later files
/// win.
pub fn read_label_files(flag: &str, files: &[PathBuf]) -> Result<BTreeMap<String, String>> {
    let mut labels = BTreeMap::new();
    for path in files {
        let text = std::fs::read_to_string(path).map_err(|source| CliError::ReadFile {
            flag: flag.to_owned(),
            path: path.clone(),
            source,
        })?;
        for (i, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (k, v) = line.split_once('=').unwrap_or((line, ""));
            if k.is_empty() {
                return Err(CliError::FileLine {
                    flag: flag.to_owned(),
                    path: path.clone(),
                    line: i + 1,
                    reason: format!("{line:?} has no label name; use KEY=VALUE"),
                });
            }
            labels.insert(k.to_owned(), v.to_owned());
        }
    }
    Ok(labels)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::{Cli, Command, PodCommand};
    use clap::Parser;

    fn create(args: &[&str]) -> Result<PodCreateOptions> {
        let mut argv = vec!["berth", "pod", "create"];
        argv.extend_from_slice(args);
        let cli = Cli::try_parse_from(argv).expect("clap parse");
        let Command::Pod {
            command: PodCommand::Create(a),
        } = cli.command
        else {
            panic!("not pod create")
        };
        PodCreateOptions::from_args(&a)
    }

    #[test]
    fn defaults_and_forms() {
        let p = create(&[]).unwrap();
        assert_eq!(p.share, super::super::network::DEFAULT_SHARE);
        assert!(p.infra && p.name.is_none());
        let p = create(&[
            "--name", "p1", "-p", "8080:80", "-l", "a=b", "--share", "net,pid",
        ])
        .unwrap();
        assert_eq!(p.name.as_deref(), Some("p1"));
        assert_eq!(p.ports[0].host_port, 8080);
        assert_eq!(p.share, [Namespace::Net, Namespace::Pid]);
        assert_eq!(create(&["p2"]).unwrap().name.as_deref(), Some("p2"));
        assert!(create(&["--infra=false"]).unwrap().share.is_empty());
        assert!(create(&["--replace", "p3"]).unwrap().replace);
        let p = create(&[
            "--dns-search",
            "a.example,b.example",
            "--dns-option",
            "ndots:2",
        ])
        .unwrap();
        assert_eq!(p.dns_search, ["a.example", "b.example"]);
        assert_eq!(p.dns_options, ["ndots:2"]);
    }

    #[test]
    fn label_files_then_labels() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("labels");
        std::fs::write(&f, "# comment\n\na=1\nb=2\nempty\n").unwrap();
        let p = create(&["--label-file", f.to_str().unwrap(), "-l", "b=3"]).unwrap();
        assert_eq!(p.labels["a"], "1");
        assert_eq!(p.labels["b"], "3");
        assert_eq!(p.labels["empty"], "");
        std::fs::write(&f, "ok=1\n=v\n").unwrap();
        let e = create(&["--label-file", f.to_str().unwrap()])
            .unwrap_err()
            .to_string();
        assert!(e.contains("--label-file") && e.contains("line 2"), "{e}");
    }

    #[test]
    fn bad_pods() {
        for (args, flag) in [
            (&["-n", "a", "b"][..], "--name"),
            (&["--name", "bad name"][..], "--name"),
            (&["--share", "mnt"][..], "--share"),
            (&["--share", "ipc", "-p", "80"][..], "--publish"),
            (&["--infra=false", "-p", "80"][..], "--publish"),
            (&["--infra=false", "--network", "none"][..], "--network"),
            (&["--infra=false", "--share", "pid"][..], "--share"),
            (&["--network", "host", "-p", "80"][..], "--publish"),
            (&["-m", "lots"][..], "--memory"),
            (&["--replace"][..], "--replace"),
            (
                &["--exit-policy", "later"][..],
                "invalid pod exit policy: \"later\"",
            ),
            (&["--label-file", "/nonexistent/labels"][..], "--label-file"),
        ] {
            let e = create(args).unwrap_err().to_string();
            assert!(e.contains(flag), "{args:?}: {e}");
        }
    }
}
