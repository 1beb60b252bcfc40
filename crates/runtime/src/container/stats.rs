//! stats and top, read from the container's cgroup (cgroupfs manager: `/berth/ID`, or
//! `/PARENT/ID`) and /proc. cgroup v1 (this host, hybrid) and v2 are both read.

use std::path::{Path, PathBuf};
use std::time::Duration;

use berth_state::{ContainerRecord, ContainerStatus};
use serde::Serialize;

use super::invalid_status;
use crate::error::{Error, Result};
use crate::runtime::Runtime;

/// Resource use of one container.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ContainerStats {
    /// Container id.
    pub id: String,
    /// Container name.
    pub name: String,
    /// Total CPU time used, nanoseconds.
    pub cpu_nanos: u64,
    /// Memory in use, bytes.
    pub memory_usage: u64,
    /// Memory limit, bytes (`None`: unlimited).
    pub memory_limit: Option<u64>,
    /// Number of processes.
    pub pids: u64,
}

/// One process of `top`.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct TopRow {
    /// User name (from the host's passwd) or uid.
    pub user: String,
    /// Host pid.
    pub pid: u32,
    /// Parent pid.
    pub ppid: u32,
    /// CPU time used.
    pub cpu_time: Duration,
    /// Command line.
    pub command: String,
}

/// Reads a container's cgroup files under a cgroup root.
#[derive(Debug, Clone)]
pub(crate) struct CgroupFiles {
    root: PathBuf,
    rel: String,
}

impl CgroupFiles {
    fn v2(&self) -> bool {
        self.root.join("cgroup.controllers").exists()
    }

    fn file(&self, v1_controller: &str, name: &str) -> PathBuf {
        if self.v2() {
            self.root.join(&self.rel).join(name)
        } else {
            // Some hosts mount cpu and cpuacct together as `cpu,cpuacct`, others apart.
            let dir = self.root.join(v1_controller);
            let dir = if dir.exists() || v1_controller != "cpuacct" {
                dir
            } else {
                self.root.join("cpu,cpuacct")
            };
            dir.join(&self.rel).join(name)
        }
    }

    fn read(&self, controller: &str, name: &str) -> Result<String> {
        let p = self.file(controller, name);
        std::fs::read_to_string(&p).map_err(|e| Error::io("read cgroup file", p, e))
    }

    fn read_u64(&self, controller: &str, name: &str) -> Result<Option<u64>> {
        let text = self.read(controller, name)?;
        let t = text.trim();
        if t == "max" {
            return Ok(None);
        }
        t.parse().map(Some).map_err(|_| Error::Host {
            what: self.file(controller, name).display().to_string(),
            reason: format!("not a number: {t:?}"),
        })
    }

    fn stats(&self) -> Result<(u64, u64, Option<u64>, u64)> {
        if self.v2() {
            let cpu = self
                .read("", "cpu.stat")?
                .lines()
                .find_map(|l| l.strip_prefix("usage_usec "))
                .and_then(|v| v.trim().parse::<u64>().ok())
                .unwrap_or(0)
                * 1000;
            let mem = self.read_u64("", "memory.current")?.unwrap_or(0);
            let limit = self.read_u64("", "memory.max")?;
            let pids = self.read_u64("", "pids.current")?.unwrap_or(0);
            Ok((cpu, mem, limit, pids))
        } else {
            let cpu = self.read_u64("cpuacct", "cpuacct.usage")?.unwrap_or(0);
            let mem = self
                .read_u64("memory", "memory.usage_in_bytes")?
                .unwrap_or(0);
            // v1 reports "no limit" as a huge page-aligned number.
            let limit = self
                .read_u64("memory", "memory.limit_in_bytes")?
                .filter(|l| *l < (1 << 62));
            let pids = self.read_u64("pids", "pids.current")?.unwrap_or(0);
            Ok((cpu, mem, limit, pids))
        }
    }

    fn procs(&self) -> Result<Vec<u32>> {
        Ok(self
            .read("pids", "cgroup.procs")?
            .lines()
            .filter_map(|l| l.trim().parse().ok())
            .collect())
    }
}

fn clock_ticks() -> u64 {
    nix::unistd::sysconf(nix::unistd::SysconfVar::CLK_TCK)
        .ok()
        .flatten()
        .and_then(|v| u64::try_from(v).ok())
        .filter(|v| *v > 0)
        .unwrap_or(100)
}

/// One `top` row from /proc; `None` if the process is gone.
fn proc_row(proc_root: &Path, pid: u32, ticks: u64) -> Option<TopRow> {
    let stat = std::fs::read_to_string(proc_root.join(pid.to_string()).join("stat")).ok()?;
    let (_, rest) = stat.rsplit_once(')')?;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // After the comm: state(0) ppid(1) ... utime(11) stime(12).
    let ppid = fields.get(1)?.parse().ok()?;
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    let status = std::fs::read_to_string(proc_root.join(pid.to_string()).join("status")).ok()?;
    let uid = status
        .lines()
        .find_map(|l| l.strip_prefix("Uid:"))
        .and_then(|v| v.split_whitespace().next())
        .unwrap_or("?")
        .to_string();
    let user = uid
        .parse::<u32>()
        .ok()
        .and_then(|u| {
            nix::unistd::User::from_uid(nix::unistd::Uid::from_raw(u))
                .ok()
                .flatten()
        })
        .map_or(uid, |u| u.name);
    let cmdline = std::fs::read(proc_root.join(pid.to_string()).join("cmdline")).ok()?;
    let command = cmdline
        .split(|b| *b == 0)
        .filter(|s| !s.is_empty())
        .map(|s| String::from_utf8_lossy(s).into_owned())
        .collect::<Vec<_>>()
        .join(" ");
    Some(TopRow {
        user,
        pid,
        ppid,
        cpu_time: Duration::from_millis((utime + stime) * 1000 / ticks),
        command,
    })
}

impl Runtime {
    fn cgroup_of(&self, rec: &ContainerRecord) -> CgroupFiles {
        let parent = rec
            .config
            .cgroup_parent
            .as_deref()
            .unwrap_or(&self.engine.cgroup_parent)
            .trim_matches('/')
            .to_string();
        CgroupFiles {
            root: self.engine.cgroup_root.clone(),
            rel: format!("{parent}/{}", rec.config.id),
        }
    }

    /// CPU, memory and pids of a running container, from its cgroup.
    pub fn container_stats(&self, id_or_name: &str) -> Result<ContainerStats> {
        self.check()?;
        let rec = self.container(id_or_name)?;
        if !matches!(
            rec.state.status,
            ContainerStatus::Running | ContainerStatus::Paused
        ) {
            return Err(invalid_status(&rec, "read stats of"));
        }
        let (cpu_nanos, memory_usage, memory_limit, pids) = self.cgroup_of(&rec).stats()?;
        Ok(ContainerStats {
            id: rec.config.id,
            name: rec.config.name,
            cpu_nanos,
            memory_usage,
            memory_limit,
            pids,
        })
    }

    /// The processes of a running container (from its cgroup), ordered by pid.
    pub fn container_top(&self, id_or_name: &str) -> Result<Vec<TopRow>> {
        self.check()?;
        let rec = self.container(id_or_name)?;
        if !matches!(
            rec.state.status,
            ContainerStatus::Running | ContainerStatus::Paused
        ) {
            return Err(invalid_status(&rec, "list processes of"));
        }
        let mut pids = self.cgroup_of(&rec).procs()?;
        pids.sort_unstable();
        let ticks = clock_ticks();
        Ok(pids
            .into_iter()
            .filter_map(|p| proc_row(Path::new("/proc"), p, ticks))
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(p: &Path, text: &str) {
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }

    #[test]
    fn v1_files_are_read_per_controller() {
        let d = tempfile::tempdir().unwrap();
        let rel = "berth/abc";
        write(
            &d.path().join("cpu,cpuacct").join(rel).join("cpuacct.usage"),
            "1234\n",
        );
        write(
            &d.path()
                .join("memory")
                .join(rel)
                .join("memory.usage_in_bytes"),
            "4096\n",
        );
        write(
            &d.path()
                .join("memory")
                .join(rel)
                .join("memory.limit_in_bytes"),
            "9223372036854771712\n",
        );
        write(&d.path().join("pids").join(rel).join("pids.current"), "3\n");
        write(
            &d.path().join("pids").join(rel).join("cgroup.procs"),
            "10\n11\n",
        );
        let cg = CgroupFiles {
            root: d.path().into(),
            rel: rel.into(),
        };
        assert_eq!(cg.stats().unwrap(), (1234, 4096, None, 3));
        assert_eq!(cg.procs().unwrap(), vec![10, 11]);
    }

    #[test]
    fn v2_files_are_read_from_the_unified_tree() {
        let d = tempfile::tempdir().unwrap();
        write(&d.path().join("cgroup.controllers"), "cpu memory pids\n");
        let dir = d.path().join("berth/abc");
        write(&dir.join("cpu.stat"), "usage_usec 7\nuser_usec 5\n");
        write(&dir.join("memory.current"), "100\n");
        write(&dir.join("memory.max"), "200\n");
        write(&dir.join("pids.current"), "1\n");
        let cg = CgroupFiles {
            root: d.path().into(),
            rel: "berth/abc".into(),
        };
        assert_eq!(cg.stats().unwrap(), (7000, 100, Some(200), 1));
    }

    #[test]
    fn missing_or_bad_cgroup_files_name_the_file() {
        let d = tempfile::tempdir().unwrap();
        let cg = CgroupFiles {
            root: d.path().into(),
            rel: "berth/x".into(),
        };
        let err = cg.stats().unwrap_err().to_string();
        assert!(err.contains("cpuacct.usage"), "{err}");
        write(
            &d.path().join("cpu,cpuacct/berth/x/cpuacct.usage"),
            "lots\n",
        );
        let err = cg.stats().unwrap_err().to_string();
        assert!(err.contains("not a number"), "{err}");
    }

    #[test]
    fn own_process_row_reads_from_proc() {
        let me = std::process::id();
        let row = proc_row(Path::new("/proc"), me, clock_ticks()).unwrap();
        assert_eq!(row.pid, me);
        assert!(!row.command.is_empty());
        assert!(proc_row(Path::new("/proc"), u32::MAX - 1, 100).is_none());
    }
}

/// The namespaces of a container's process (`ps --ns`): the inode numbers of its
/// `/proc/PID/ns/*` links, empty for a container that is not running.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct ContainerNamespaces {
    /// cgroup namespace.
    #[serde(rename = "Cgroup")]
    pub cgroup: String,
    /// IPC namespace.
    #[serde(rename = "IPC")]
    pub ipc: String,
    /// Mount namespace.
    #[serde(rename = "MNT")]
    pub mnt: String,
    /// Network namespace.
    #[serde(rename = "NET")]
    pub net: String,
    /// PID namespace.
    #[serde(rename = "PIDNS")]
    pub pidns: String,
    /// User namespace.
    #[serde(rename = "User")]
    pub user: String,
    /// UTS namespace.
    #[serde(rename = "UTS")]
    pub uts: String,
}

impl Runtime {
    /// [`ContainerNamespaces`] of `rec` (as listed, status already synced).
    pub fn container_namespaces(&self, rec: &ContainerRecord) -> ContainerNamespaces {
        if !rec.state.status.is_active() || rec.state.pid == 0 {
            return ContainerNamespaces::default();
        }
        let ns = |kind: &str| {
            namespace_inode(
                &Path::new("/proc")
                    .join(rec.state.pid.to_string())
                    .join("ns")
                    .join(kind),
            )
        };
        ContainerNamespaces {
            cgroup: ns("cgroup"),
            ipc: ns("ipc"),
            mnt: ns("mnt"),
            net: ns("net"),
            pidns: ns("pid"),
            user: ns("user"),
            uts: ns("uts"),
        }
    }
}

/// `net:[4026531992]` → `4026531992`; empty when the link cannot be read.
fn namespace_inode(link: &Path) -> String {
    std::fs::read_link(link)
        .ok()
        .and_then(|t| {
            let t = t.to_string_lossy().into_owned();
            let start = t.find('[')? + 1;
            let end = t.rfind(']')?;
            (start <= end).then(|| t[start..end].to_owned())
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod namespace_tests {
    use super::namespace_inode;
    use std::path::Path;

    #[test]
    fn namespace_links_give_their_inode() {
        let own = namespace_inode(Path::new("/proc/self/ns/net"));
        assert!(
            !own.is_empty() && own.chars().all(|c| c.is_ascii_digit()),
            "{own}"
        );
        assert_eq!(namespace_inode(Path::new("/nonexistent/ns/net")), "");
    }
}
