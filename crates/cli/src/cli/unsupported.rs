//! Flags berth defines as podman does but cannot carry out yet.
//!
//! Each is parsed like any other flag (so its value is never taken for an
//! argument) and then refused by [`refuse_unsupported`], before anything
//! is opened, with an error naming the flag (exit 125). The CLI README's
//! "Flags accepted but not supported yet" table lists the same rows;
//! `tests/podman_flags.rs` checks that the two agree.

use crate::error::CliError;
use clap::parser::ValueSource;
use clap::ArgMatches;

/// One flag berth accepts but refuses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unsupported {
    /// The command paths that have the flag (`ps`, `container list`).
    pub commands: &'static [&'static str],
    /// The long flag without its dashes.
    pub flag: &'static str,
    /// Why berth refuses it, ending the error message.
    pub reason: &'static str,
}

impl Unsupported {
    /// The error berth gives when the flag is used.
    pub fn error(&self) -> CliError {
        CliError::conflict(
            &format!("--{}", self.flag),
            format!("not supported by berth yet: {}", self.reason),
        )
    }
}

const IMAGES: &[&str] = &["images", "image list"];
const SAVE: &[&str] = &["save", "image save"];
const POD_CREATE: &[&str] = &["pod create"];
const PUSH: &[&str] = &["push", "image push"];
const UPDATE: &[&str] = &["update", "container update"];
const RUNLABEL: &[&str] = &["container runlabel"];
const RUNLABEL_LOCAL: &str = "runlabel uses local images only; pull the image first";

/// Every flag of the commands other than `run`/`create` that berth
/// accepts and refuses.
pub const UNSUPPORTED: &[Unsupported] = &[
    Unsupported {
        commands: RUNLABEL,
        flag: "authfile",
        reason: RUNLABEL_LOCAL,
    },
    Unsupported {
        commands: RUNLABEL,
        flag: "cert-dir",
        reason: RUNLABEL_LOCAL,
    },
    Unsupported {
        commands: RUNLABEL,
        flag: "creds",
        reason: RUNLABEL_LOCAL,
    },
    Unsupported {
        commands: RUNLABEL,
        flag: "tls-verify",
        reason: RUNLABEL_LOCAL,
    },
    Unsupported {
        commands: UPDATE,
        flag: "blkio-weight",
        reason:
            "the test machines' block devices have no blkio.weight (it needs the BFQ scheduler)",
    },
    Unsupported {
        commands: UPDATE,
        flag: "blkio-weight-device",
        reason:
            "the test machines' block devices have no blkio.weight (it needs the BFQ scheduler)",
    },
    Unsupported {
        commands: UPDATE,
        flag: "cpu-rt-period",
        reason: "real-time CPU limits are not wired yet",
    },
    Unsupported {
        commands: UPDATE,
        flag: "cpu-rt-runtime",
        reason: "real-time CPU limits are not wired yet",
    },
    Unsupported {
        commands: &["manifest create", "manifest add"],
        flag: "all",
        reason: "berth adds local images, never the instances of another list",
    },
    Unsupported {
        commands: &["manifest push"],
        flag: "compression-format",
        reason: "a list's images are pushed with their stored manifests, unchanged",
    },
    Unsupported {
        commands: &["manifest push"],
        flag: "sign-by",
        reason: "berth does not sign images",
    },
    Unsupported {
        commands: &["manifest push"],
        flag: "sign-by-sigstore-private-key",
        reason: "berth does not sign images",
    },
    Unsupported {
        commands: &["manifest push"],
        flag: "sign-passphrase-file",
        reason: "berth does not sign images",
    },
    Unsupported {
        commands: IMAGES,
        flag: "history",
        reason: "berth does not keep an image's earlier names",
    },
    Unsupported {
        commands: SAVE,
        flag: "compress",
        reason: "layers are saved as they are stored",
    },
    Unsupported {
        commands: SAVE,
        flag: "uncompressed",
        reason: "layers are saved as they are stored",
    },
    Unsupported {
        commands: &["container cleanup"],
        flag: "exec",
        reason: "exec sessions are cleaned up by the exec command itself",
    },
    Unsupported {
        commands: POD_CREATE,
        flag: "no-hosts",
        reason: "the pod's containers always get an /etc/hosts",
    },
    Unsupported {
        commands: &["network create"],
        flag: "ipv6",
        reason: "berth's bridge networks are IPv4 only",
    },
    Unsupported {
        commands: &["exec", "container exec"],
        flag: "preserve-fds",
        reason: "exec sessions get only stdin, stdout and stderr",
    },
    Unsupported {
        commands: &["system df"],
        flag: "verbose",
        reason: "only the summary table is written",
    },
    Unsupported {
        commands: &["volume rm"],
        flag: "time",
        reason: "the containers --force removes are stopped with their own stop timeout",
    },
    Unsupported {
        commands: &["network rm"],
        flag: "time",
        reason: "the containers --force removes are stopped with their own stop timeout",
    },
    Unsupported {
        commands: PUSH,
        flag: "format",
        reason: "berth pushes the stored manifest as it is and does not convert manifest types",
    },
    Unsupported {
        commands: PUSH,
        flag: "sign-by",
        reason: "berth does not sign images",
    },
    Unsupported {
        commands: PUSH,
        flag: "sign-by-sigstore-private-key",
        reason: "berth does not sign images",
    },
    Unsupported {
        commands: PUSH,
        flag: "sign-passphrase-file",
        reason: "berth does not sign images",
    },
    Unsupported {
        commands: POD_CREATE,
        flag: "blkio-weight",
        reason: "pods have no cgroup of their own in berth",
    },
    Unsupported {
        commands: POD_CREATE,
        flag: "blkio-weight-device",
        reason: "pods have no cgroup of their own in berth",
    },
    Unsupported {
        commands: POD_CREATE,
        flag: "cgroup-parent",
        reason: "pods have no cgroup of their own in berth",
    },
    Unsupported {
        commands: POD_CREATE,
        flag: "cpu-shares",
        reason: "pods have no cgroup of their own in berth",
    },
    Unsupported {
        commands: POD_CREATE,
        flag: "cpus",
        reason: "pods have no cgroup of their own in berth",
    },
    Unsupported {
        commands: POD_CREATE,
        flag: "cpuset-cpus",
        reason: "pods have no cgroup of their own in berth",
    },
    Unsupported {
        commands: POD_CREATE,
        flag: "cpuset-mems",
        reason: "pods have no cgroup of their own in berth",
    },
    Unsupported {
        commands: POD_CREATE,
        flag: "device",
        reason: "pod-wide devices are not passed to the pod's containers",
    },
    Unsupported {
        commands: POD_CREATE,
        flag: "device-read-bps",
        reason: "pods have no cgroup of their own in berth",
    },
    Unsupported {
        commands: POD_CREATE,
        flag: "device-write-bps",
        reason: "pods have no cgroup of their own in berth",
    },
    Unsupported {
        commands: POD_CREATE,
        flag: "memory",
        reason: "pods have no cgroup of their own in berth",
    },
    Unsupported {
        commands: POD_CREATE,
        flag: "memory-swap",
        reason: "pods have no cgroup of their own in berth",
    },
    Unsupported {
        commands: POD_CREATE,
        flag: "share-parent",
        reason: "pods have no cgroup of their own in berth",
    },
    Unsupported {
        commands: POD_CREATE,
        flag: "gidmap",
        reason: "berth does not create user namespaces",
    },
    Unsupported {
        commands: POD_CREATE,
        flag: "uidmap",
        reason: "berth does not create user namespaces",
    },
    Unsupported {
        commands: POD_CREATE,
        flag: "subgidname",
        reason: "berth does not create user namespaces",
    },
    Unsupported {
        commands: POD_CREATE,
        flag: "subuidname",
        reason: "berth does not create user namespaces",
    },
    Unsupported {
        commands: POD_CREATE,
        flag: "userns",
        reason: "berth does not create user namespaces",
    },
    Unsupported {
        commands: POD_CREATE,
        flag: "pid",
        reason: "the pod's namespaces are chosen with --share",
    },
    Unsupported {
        commands: POD_CREATE,
        flag: "uts",
        reason: "the pod's namespaces are chosen with --share",
    },
    Unsupported {
        commands: POD_CREATE,
        flag: "infra-conmon-pidfile",
        reason: "the infra container's conmon pid is not written to a file",
    },
    Unsupported {
        commands: POD_CREATE,
        flag: "ip",
        reason: "berth's networks assign addresses themselves (host-local IPAM)",
    },
    Unsupported {
        commands: POD_CREATE,
        flag: "ip6",
        reason: "berth's networks assign addresses themselves (host-local IPAM)",
    },
    Unsupported {
        commands: POD_CREATE,
        flag: "mac-address",
        reason: "berth's networks assign addresses themselves (host-local IPAM)",
    },
    Unsupported {
        commands: POD_CREATE,
        flag: "network-alias",
        reason: "berth's networks have no DNS names",
    },
    Unsupported {
        commands: POD_CREATE,
        flag: "security-opt",
        reason: "pod-wide security options are not passed to the pod's containers",
    },
    Unsupported {
        commands: POD_CREATE,
        flag: "shm-size",
        reason: "the pod's containers do not share a /dev/shm",
    },
    Unsupported {
        commands: POD_CREATE,
        flag: "volume",
        reason: "pod-wide volumes are not passed to the pod's containers",
    },
    Unsupported {
        commands: POD_CREATE,
        flag: "volumes-from",
        reason: "pod-wide volumes are not passed to the pod's containers",
    },
];

/// The command path of parsed arguments (`container list`), with the
/// leaf command's matches.
fn leaf(m: &ArgMatches) -> (Vec<&str>, &ArgMatches) {
    let mut path = Vec::new();
    let mut cur = m;
    while let Some((name, sub)) = cur.subcommand() {
        path.push(name);
        cur = sub;
    }
    (path, cur)
}

/// Refuses the first flag of [`UNSUPPORTED`] given on the command line.
pub fn refuse_unsupported(matches: &ArgMatches) -> Result<(), CliError> {
    let (path, m) = leaf(matches);
    let joined = path.join(" ");
    let rows: Vec<&Unsupported> = UNSUPPORTED
        .iter()
        .filter(|u| u.commands.contains(&joined.as_str()))
        .collect();
    if rows.is_empty() {
        return Ok(());
    }
    let root = <crate::cli::Cli as clap::CommandFactory>::command();
    let mut c = &root;
    for name in &path {
        match c.find_subcommand(name) {
            Some(s) => c = s,
            None => return Ok(()),
        }
    }
    for u in rows {
        let id = c
            .get_arguments()
            .find(|a| a.get_long() == Some(u.flag))
            .map(|a| a.get_id().as_str());
        if let Some(id) = id {
            if m.value_source(id) == Some(ValueSource::CommandLine) {
                return Err(u.error());
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::Cli;
    use clap::CommandFactory;

    /// A value clap accepts for `arg`.
    fn value_for(arg: &clap::Arg) -> String {
        if let Some(d) = arg.get_default_values().first() {
            return d.to_string_lossy().into_owned();
        }
        arg.get_possible_values()
            .first()
            .map_or_else(|| "1".to_owned(), |p| p.get_name().to_owned())
    }

    #[test]
    fn every_row_is_a_defined_flag_and_is_refused_by_name() {
        let mut root = Cli::command();
        root.build();
        for u in UNSUPPORTED {
            for path in u.commands {
                let mut c = &root;
                for w in path.split(' ') {
                    c = c.find_subcommand(w).unwrap_or_else(|| panic!("{path}"));
                }
                let arg = c
                    .get_arguments()
                    .find(|a| a.get_long() == Some(u.flag))
                    .unwrap_or_else(|| panic!("{path} has no --{}", u.flag));
                let mut argv: Vec<String> = vec!["berth".into()];
                argv.extend(path.split(' ').map(str::to_owned));
                let takes = arg.get_num_args().is_some_and(|n| n.min_values() > 0);
                if takes {
                    argv.push(format!("--{}={}", u.flag, value_for(arg)));
                } else {
                    argv.push(format!("--{}", u.flag));
                }
                argv.extend(c.get_positionals().map(|_| "x".to_owned()));
                let m = Cli::command()
                    .try_get_matches_from(&argv)
                    .unwrap_or_else(|e| panic!("{argv:?}: {e}"));
                let e = refuse_unsupported(&m).unwrap_err().to_string();
                assert!(
                    e.starts_with(&format!("--{}: not supported by berth yet: ", u.flag)),
                    "{argv:?}: {e}"
                );
            }
        }
    }

    #[test]
    fn flags_not_given_are_not_refused() {
        for argv in [
            &["berth", "ps", "-a"][..],
            &["berth", "pod", "create", "p"],
            &["berth", "push", "img"],
        ] {
            let m = Cli::command().try_get_matches_from(argv).unwrap();
            refuse_unsupported(&m).unwrap();
        }
    }
}
