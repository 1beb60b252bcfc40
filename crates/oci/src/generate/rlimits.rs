//! Resource limits: default to the engine's own, never above its hard limits.

use oci_spec::runtime::{PosixRlimit, PosixRlimitBuilder, PosixRlimitType};

use crate::container_spec::Ulimit;
use crate::error::{Error, Result};

/// (podman name, OCI type, libc resource) for every rlimit.
const RLIMITS: [(&str, PosixRlimitType, libc::__rlimit_resource_t); 16] = [
    ("as", PosixRlimitType::RlimitAs, libc::RLIMIT_AS),
    ("core", PosixRlimitType::RlimitCore, libc::RLIMIT_CORE),
    ("cpu", PosixRlimitType::RlimitCpu, libc::RLIMIT_CPU),
    ("data", PosixRlimitType::RlimitData, libc::RLIMIT_DATA),
    ("fsize", PosixRlimitType::RlimitFsize, libc::RLIMIT_FSIZE),
    ("locks", PosixRlimitType::RlimitLocks, libc::RLIMIT_LOCKS),
    (
        "memlock",
        PosixRlimitType::RlimitMemlock,
        libc::RLIMIT_MEMLOCK,
    ),
    (
        "msgqueue",
        PosixRlimitType::RlimitMsgqueue,
        libc::RLIMIT_MSGQUEUE,
    ),
    ("nice", PosixRlimitType::RlimitNice, libc::RLIMIT_NICE),
    ("nofile", PosixRlimitType::RlimitNofile, libc::RLIMIT_NOFILE),
    ("nproc", PosixRlimitType::RlimitNproc, libc::RLIMIT_NPROC),
    ("rss", PosixRlimitType::RlimitRss, libc::RLIMIT_RSS),
    ("rtprio", PosixRlimitType::RlimitRtprio, libc::RLIMIT_RTPRIO),
    ("rttime", PosixRlimitType::RlimitRttime, libc::RLIMIT_RTTIME),
    (
        "sigpending",
        PosixRlimitType::RlimitSigpending,
        libc::RLIMIT_SIGPENDING,
    ),
    ("stack", PosixRlimitType::RlimitStack, libc::RLIMIT_STACK),
];

/// A limit's current (soft, hard) values in this process.
pub type Limits = fn(libc::__rlimit_resource_t) -> (u64, u64);

/// Reads this process's limits with getrlimit.
pub fn own_limits(resource: libc::__rlimit_resource_t) -> (u64, u64) {
    let r = nix::sys::resource::getrlimit(to_nix(resource));
    r.unwrap_or((u64::MAX, u64::MAX))
}

fn to_nix(r: libc::__rlimit_resource_t) -> nix::sys::resource::Resource {
    use nix::sys::resource::Resource;
    match r {
        libc::RLIMIT_NOFILE => Resource::RLIMIT_NOFILE,
        libc::RLIMIT_NPROC => Resource::RLIMIT_NPROC,
        libc::RLIMIT_AS => Resource::RLIMIT_AS,
        libc::RLIMIT_CORE => Resource::RLIMIT_CORE,
        libc::RLIMIT_CPU => Resource::RLIMIT_CPU,
        libc::RLIMIT_DATA => Resource::RLIMIT_DATA,
        libc::RLIMIT_FSIZE => Resource::RLIMIT_FSIZE,
        libc::RLIMIT_LOCKS => Resource::RLIMIT_LOCKS,
        libc::RLIMIT_MEMLOCK => Resource::RLIMIT_MEMLOCK,
        libc::RLIMIT_MSGQUEUE => Resource::RLIMIT_MSGQUEUE,
        libc::RLIMIT_NICE => Resource::RLIMIT_NICE,
        libc::RLIMIT_RSS => Resource::RLIMIT_RSS,
        libc::RLIMIT_RTPRIO => Resource::RLIMIT_RTPRIO,
        libc::RLIMIT_RTTIME => Resource::RLIMIT_RTTIME,
        libc::RLIMIT_SIGPENDING => Resource::RLIMIT_SIGPENDING,
        _ => Resource::RLIMIT_STACK,
    }
}

fn lookup(name: &str) -> Option<(&'static str, PosixRlimitType, libc::__rlimit_resource_t)> {
    let lower = name.to_ascii_lowercase();
    let bare = lower.strip_prefix("rlimit_").unwrap_or(&lower);
    RLIMITS.iter().find(|(n, _, _)| *n == bare).copied()
}

/// The spec's rlimits: NOFILE and NPROC default to the engine's own (soft, hard); user ulimits
/// replace them; every hard value is clamped to the engine's hard limit (raising it would fail
/// in `runc create` on hosts without CAP_SYS_RESOURCE), and soft to the clamped hard.
pub fn rlimits(ulimits: &[Ulimit], limits: Limits) -> Result<Vec<PosixRlimit>> {
    let mut chosen: Vec<(&str, PosixRlimitType, libc::__rlimit_resource_t, u64, u64)> = Vec::new();
    for name in ["nofile", "nproc"] {
        let (n, t, r) = lookup(name).expect("known rlimit");
        let (soft, hard) = limits(r);
        chosen.push((n, t, r, soft, hard));
    }
    for u in ulimits {
        let (n, t, r) = lookup(&u.name).ok_or_else(|| Error::InvalidSpec {
            field: "ulimits".into(),
            reason: format!(
                "unknown ulimit {:?} (known: {})",
                u.name,
                RLIMITS.map(|x| x.0).join(", ")
            ),
        })?;
        if u.soft > u.hard {
            return Err(Error::InvalidSpec {
                field: "ulimits".into(),
                reason: format!(
                    "ulimit {n}: soft limit {} is above hard limit {}",
                    u.soft, u.hard
                ),
            });
        }
        chosen.retain(|c| c.0 != n);
        chosen.push((n, t, r, u.soft, u.hard));
    }
    chosen
        .into_iter()
        .map(|(n, t, r, soft, hard)| {
            let (_, own_hard) = limits(r);
            let hard_c = hard.min(own_hard);
            if hard_c < hard {
                tracing::warn!(
                    limit = n,
                    requested = hard,
                    allowed = own_hard,
                    "ulimit clamped to the engine's hard limit"
                );
            }
            Ok(PosixRlimitBuilder::default()
                .typ(t)
                .soft(soft.min(hard_c))
                .hard(hard_c)
                .build()?)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fake(r: libc::__rlimit_resource_t) -> (u64, u64) {
        match r {
            libc::RLIMIT_NOFILE => (1024, 20000),
            libc::RLIMIT_NPROC => (5000, 96365),
            _ => (u64::MAX, u64::MAX),
        }
    }

    #[test]
    fn defaults_are_the_engines_own() {
        let r = rlimits(&[], fake).unwrap();
        assert_eq!(r.len(), 2);
        assert_eq!(
            (r[0].typ(), r[0].soft(), r[0].hard()),
            (PosixRlimitType::RlimitNofile, 1024, 20000)
        );
        assert_eq!((r[1].soft(), r[1].hard()), (5000, 96365));
    }

    #[test]
    fn user_values_are_clamped_to_hard_limits() {
        let u = [
            Ulimit {
                name: "nofile".into(),
                soft: 30000,
                hard: 40000,
            },
            Ulimit {
                name: "RLIMIT_CORE".into(),
                soft: 0,
                hard: 0,
            },
        ];
        let r = rlimits(&u, fake).unwrap();
        let nofile = r
            .iter()
            .find(|x| x.typ() == PosixRlimitType::RlimitNofile)
            .unwrap();
        assert_eq!((nofile.soft(), nofile.hard()), (20000, 20000));
        assert!(r.iter().any(|x| x.typ() == PosixRlimitType::RlimitCore));
    }

    #[test]
    fn bad_ulimits_are_named() {
        let e = rlimits(
            &[Ulimit {
                name: "bogus".into(),
                soft: 1,
                hard: 1,
            }],
            fake,
        )
        .unwrap_err();
        assert!(e.to_string().contains("bogus"));
        let e = rlimits(
            &[Ulimit {
                name: "nofile".into(),
                soft: 2,
                hard: 1,
            }],
            fake,
        )
        .unwrap_err();
        assert!(e.to_string().contains("soft limit 2"));
    }

    #[test]
    fn own_limits_reads_this_process() {
        let (soft, hard) = own_limits(libc::RLIMIT_NOFILE);
        assert!(soft <= hard);
    }
}
