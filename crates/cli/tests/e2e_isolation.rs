//! End to end: what root inside a default container cannot do to the host.
//! Each test plants one attack in a running container, asserts that it
//! fails, and checks the host afterwards. The attacks are chosen so that
//! even if one succeeded it would not harm the machine (reads, writes of a
//! harmless value, files the test owns).

mod common;

use common::{Berth, Run, IMG};
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::{Path, PathBuf};
use std::process::Command;

/// A detached `sleep` container on no network; returns its id.
fn start(b: &Berth, extra: &[&str]) -> String {
    let mut args = vec!["run", "-d", "--network", "none"];
    args.extend_from_slice(extra);
    args.extend_from_slice(&[IMG, "sleep", "600"]);
    b.ok(&args).trim().to_owned()
}

/// `sh -c script` inside the container `id`.
fn sh(b: &Berth, id: &str, script: &str) -> Run {
    b.run(&["exec", id, "sh", "-c", script])
}

/// Stops and removes `id` without waiting for its sleep to ignore SIGTERM.
fn remove(b: &Berth, id: &str) {
    b.ok(&["rm", "-f", "-t", "0", id]);
}

/// The capability bit sets of `/proc/self/status` (`CapEff`, `CapBnd`, ...).
fn cap_field(status: &str, field: &str) -> u64 {
    let line = status
        .lines()
        .find(|l| l.starts_with(&format!("{field}:")))
        .unwrap_or_else(|| panic!("no {field} in {status}"));
    u64::from_str_radix(line.split_whitespace().nth(1).unwrap(), 16).unwrap()
}

const CAP_SYS_MODULE: u32 = 16;
const CAP_SYS_RAWIO: u32 = 17;
const CAP_SYS_PTRACE: u32 = 19;
const CAP_SYS_ADMIN: u32 = 21;
const CAP_MKNOD: u32 = 27;
/// podman 4.3.1's default set: CHOWN DAC_OVERRIDE FOWNER FSETID KILL SETGID SETUID
/// SETPCAP NET_BIND_SERVICE SYS_CHROOT SETFCAP.
const DEFAULT_CAPS: u64 = 0x8004_05fb;

fn host_mounts() -> String {
    std::fs::read_to_string("/proc/self/mounts").unwrap()
}

#[test]
fn cannot_mount() {
    let b = Berth::new();
    let id = start(&b, &[]);
    let source = format!("berthiso{}", std::process::id());
    for attack in [
        format!("mount -t tmpfs {source} /tmp"),
        "mount -o remount,rw /proc/sys".to_owned(),
        "mount --bind /bin /tmp".to_owned(),
    ] {
        let r = sh(&b, &id, &attack);
        assert_ne!(r.code, 0, "{attack}: {r:?}");
        assert!(r.err.contains("permission denied"), "{attack}: {r:?}");
    }
    assert!(!sh(&b, &id, "cat /proc/mounts").ok().contains(&source));
    assert!(!host_mounts().contains(&source));
    remove(&b, &id);
}

/// The host's block device `/` lives on (or any block device), as `(path, major, minor)`.
fn host_block_device() -> (PathBuf, u64, u64) {
    let root_dev = std::fs::metadata("/").unwrap().dev();
    let mut any = None;
    for e in std::fs::read_dir("/dev").unwrap().flatten() {
        let Ok(m) = e.metadata() else { continue };
        if !m.file_type().is_block_device() {
            continue;
        }
        let found = (
            e.path(),
            nix::sys::stat::major(m.rdev()),
            nix::sys::stat::minor(m.rdev()),
        );
        if m.rdev() == root_dev {
            return found;
        }
        any.get_or_insert(found);
    }
    any.expect("the host has no block device in /dev")
}

#[test]
fn cannot_mknod_a_block_device_nor_read_one() {
    let b = Berth::new();
    let (host_path, major, minor) = host_block_device();
    let host_dev: Vec<_> = std::fs::read_dir("/dev")
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    let node = format!("mknod /tmp/disk b {major} {minor}");
    // Default: no CAP_MKNOD.
    let id = start(&b, &[]);
    let r = sh(&b, &id, &node);
    assert_ne!(r.code, 0, "{r:?}");
    assert!(r.err.contains("Operation not permitted"), "{r:?}");
    remove(&b, &id);
    // With CAP_MKNOD the node can be made, but the device cgroup refuses to open it.
    let id = start(&b, &["--cap-add", "MKNOD"]);
    sh(&b, &id, &node).ok();
    let r = sh(&b, &id, "head -c 512 /tmp/disk | wc -c");
    assert_eq!(r.out.trim(), "0", "read {}: {r:?}", host_path.display());
    assert!(r.err.contains("Operation not permitted"), "{r:?}");
    // The container's /dev holds no host block device either.
    let devs = sh(&b, &id, "find /dev -type b").ok();
    assert_eq!(devs, "", "block devices in the container's /dev");
    remove(&b, &id);
    let after: Vec<_> = std::fs::read_dir("/dev")
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    assert_eq!(host_dev.len(), after.len(), "the host's /dev changed");
}

#[test]
fn cannot_load_kernel_modules() {
    let b = Berth::new();
    let id = start(&b, &[]);
    let modules = std::fs::read_to_string("/proc/modules").unwrap_or_default();
    let status = sh(&b, &id, "cat /proc/self/status").ok();
    for set in ["CapEff", "CapPrm", "CapBnd"] {
        assert_eq!(cap_field(&status, set) >> CAP_SYS_MODULE & 1, 0, "{set}");
    }
    assert_ne!(
        sh(&b, &id, "ls /lib/modules").code,
        0,
        "the host's modules are visible"
    );
    let r = sh(
        &b,
        &id,
        "echo garbage > /tmp/evil.ko && insmod /tmp/evil.ko",
    );
    assert_ne!(r.code, 0, "{r:?}");
    assert!(r.err.contains("Operation not permitted"), "{r:?}");
    let r = sh(&b, &id, "modprobe -q dummy");
    assert_ne!(r.code, 0, "{r:?}");
    assert_eq!(
        std::fs::read_to_string("/proc/modules").unwrap_or_default(),
        modules,
        "the host's module list changed"
    );
    remove(&b, &id);
}

#[test]
fn kernel_memory_and_timer_list_are_masked() {
    let b = Berth::new();
    let id = start(&b, &[]);
    let host_timers = std::fs::read("/proc/timer_list").unwrap();
    assert!(
        !host_timers.is_empty(),
        "the host's /proc/timer_list reads empty"
    );
    // /proc/kcore does not exist on every kernel; where it does, it reads nothing.
    assert_eq!(
        sh(&b, &id, "head -c 16 /proc/kcore 2>/dev/null | wc -c")
            .ok()
            .trim(),
        "0"
    );
    assert_eq!(sh(&b, &id, "wc -c < /proc/timer_list").ok().trim(), "0");
    assert_eq!(sh(&b, &id, "ls /sys/firmware | wc -l").ok().trim(), "0");
    for p in ["/proc/keys", "/proc/sched_debug", "/proc/latency_stats"] {
        let r = sh(&b, &id, &format!("head -c 16 {p} 2>/dev/null | wc -c"));
        assert_eq!(r.ok().trim(), "0", "{p}");
    }
    assert!(!std::fs::read("/proc/timer_list").unwrap().is_empty());
    remove(&b, &id);
}

#[test]
fn proc_sysrq_trigger_and_proc_sys_are_read_only() {
    let b = Berth::new();
    let id = start(&b, &[]);
    // 'h' only prints help to the kernel log: harmless if it ever got through.
    let r = sh(&b, &id, "echo h > /proc/sysrq-trigger");
    assert_ne!(r.code, 0, "{r:?}");
    let mounts = sh(&b, &id, "cat /proc/mounts").ok();
    assert!(
        mounts
            .lines()
            .any(|l| l.starts_with("proc /proc/sys proc ro,")),
        "{mounts}"
    );
    let ratelimit = "/proc/sys/kernel/printk_ratelimit";
    let before = std::fs::read_to_string(ratelimit).unwrap();
    let next = before.trim().parse::<u64>().unwrap() + 1;
    let r = sh(&b, &id, &format!("echo {next} > {ratelimit}"));
    assert!(r.err.contains("Read-only file system"), "{r:?}");
    let after = std::fs::read_to_string(ratelimit).unwrap();
    if after != before {
        std::fs::write(ratelimit, &before).unwrap();
        panic!("the container changed the host's {ratelimit}");
    }
    remove(&b, &id);
}

/// A host process that is killed however the test ends.
struct HostProcess(std::process::Child);

impl Drop for HostProcess {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn sees_and_signals_only_its_own_processes() {
    let b = Berth::new();
    let id = start(&b, &[]);
    let marker = format!("{}", 900_000 + std::process::id() % 99_999);
    let mut host = HostProcess(Command::new("/bin/sleep").arg(&marker).spawn().unwrap());
    let ps = sh(&b, &id, "ps -o pid,args").ok();
    let rows: Vec<&str> = ps.lines().skip(1).collect();
    assert!(rows.len() <= 3, "{ps}");
    assert!(rows[0].trim_start().starts_with("1 sleep 600"), "{ps}");
    assert!(!ps.contains(&marker), "a host process is visible: {ps}");
    // sleep, the exec'd sh, ls and grep
    let pids = sh(&b, &id, "ls /proc | grep -c '^[0-9]'").ok();
    assert!(pids.trim().parse::<u32>().unwrap() <= 4, "{pids}");
    // Signal everything the container can see.
    let _ = sh(&b, &id, "kill -KILL -1");
    assert!(
        host.0.try_wait().unwrap().is_none(),
        "the host process was killed"
    );
    remove(&b, &id);
}

#[test]
fn cannot_change_the_hosts_hostname() {
    let b = Berth::new();
    let host_name = nix::unistd::gethostname().unwrap();
    let host_uts = std::fs::read_link("/proc/self/ns/uts").unwrap();
    let id = start(&b, &[]);
    let r = sh(&b, &id, "hostname evil");
    assert!(r.err.contains("Operation not permitted"), "{r:?}");
    let uts = sh(&b, &id, "readlink /proc/self/ns/uts").ok();
    assert_ne!(Path::new(uts.trim()), host_uts, "the host's UTS namespace");
    remove(&b, &id);
    // Even with CAP_SYS_ADMIN the name changes only in the container's own namespace.
    let id = start(&b, &["--cap-add", "SYS_ADMIN"]);
    assert_eq!(sh(&b, &id, "hostname evil && hostname").ok(), "evil\n");
    assert_eq!(nix::unistd::gethostname().unwrap(), host_name);
    remove(&b, &id);
    assert_eq!(nix::unistd::gethostname().unwrap(), host_name);
}

#[test]
fn proc_1_root_is_the_containers_own_root() {
    let b = Berth::new();
    let id = start(&b, &[]);
    let secret = b.dir.path().join("host-secret");
    std::fs::write(&secret, "host only\n").unwrap();
    let r = sh(&b, &id, &format!("cat /proc/1/root{}", secret.display()));
    assert_ne!(r.code, 0, "{r:?}");
    assert!(!r.out.contains("host only"));
    assert_eq!(
        sh(&b, &id, "ls /proc/1/root/").ok(),
        sh(&b, &id, "ls /").ok()
    );
    let planted = format!("berthiso-{}", std::process::id());
    sh(&b, &id, &format!("echo x > /proc/1/root/tmp/{planted}")).ok();
    assert_eq!(sh(&b, &id, &format!("cat /tmp/{planted}")).ok(), "x\n");
    assert!(
        !Path::new("/tmp").join(&planted).exists(),
        "written on the host"
    );
    assert_eq!(std::fs::read_to_string(&secret).unwrap(), "host only\n");
    remove(&b, &id);
}

#[test]
fn symlinks_in_a_volume_resolve_inside_the_container() {
    let b = Berth::new();
    let vol = b.dir.path().join("vol");
    std::fs::create_dir(&vol).unwrap();
    // A host file in a directory the container also has (/tmp), so a write through the
    // link would succeed if it resolved on the host.
    let secret = PathBuf::from(format!("/tmp/berthiso-secret-{}", std::process::id()));
    std::fs::write(&secret, "host secret\n").unwrap();
    let shadow = std::fs::read("/etc/shadow").unwrap();
    std::os::unix::fs::symlink("/etc/shadow", vol.join("shadow")).unwrap();
    std::os::unix::fs::symlink(&secret, vol.join("secret")).unwrap();
    std::os::unix::fs::symlink("../../../../../../etc/shadow", vol.join("up")).unwrap();
    let bind = format!("{}:/data", vol.display());
    let id = start(&b, &["-v", &bind]);
    for link in ["shadow", "secret", "up"] {
        let r = sh(&b, &id, &format!("cat /data/{link}"));
        assert_ne!(r.code, 0, "{link}: {r:?}");
        assert!(r.err.contains("No such file"), "{link}: {r:?}");
    }
    sh(&b, &id, "echo pwned > /data/secret").ok();
    assert_eq!(
        sh(&b, &id, "cat /data/secret").ok(),
        "pwned\n",
        "inside the container"
    );
    let host_secret = std::fs::read_to_string(&secret).unwrap();
    std::fs::remove_file(&secret).unwrap();
    assert_eq!(
        host_secret, "host secret\n",
        "written through the link on the host"
    );
    assert_eq!(std::fs::read("/etc/shadow").unwrap(), shadow);
    remove(&b, &id);
}

#[test]
fn capabilities_cannot_be_raised() {
    let b = Berth::new();
    let id = start(&b, &[]);
    let status = sh(&b, &id, "cat /proc/self/status").ok();
    assert_eq!(cap_field(&status, "CapBnd"), DEFAULT_CAPS, "{status}");
    assert_eq!(cap_field(&status, "CapEff"), DEFAULT_CAPS, "{status}");
    assert_eq!(
        (cap_field(&status, "CapInh"), cap_field(&status, "CapAmb")),
        (0, 0)
    );
    for cap in [
        CAP_SYS_ADMIN,
        CAP_SYS_MODULE,
        CAP_SYS_RAWIO,
        CAP_SYS_PTRACE,
        CAP_MKNOD,
    ] {
        assert_eq!(
            cap_field(&status, "CapBnd") >> cap & 1,
            0,
            "cap {cap} in the bounding set"
        );
    }
    // The bounding set also binds a non-root user's execs and a process that set-uids to root.
    let status = b.ok(&["exec", "--user", "1000", &id, "cat", "/proc/self/status"]);
    assert_eq!(cap_field(&status, "CapEff"), 0, "{status}");
    assert_eq!(cap_field(&status, "CapBnd"), DEFAULT_CAPS, "{status}");
    remove(&b, &id);
}

#[test]
fn read_only_root_holds() {
    let b = Berth::new();
    let id = start(&b, &["--read-only"]);
    let r = sh(&b, &id, "touch /planted");
    assert!(r.err.contains("Read-only file system"), "{r:?}");
    for dir in ["/etc", "/bin", "/root"] {
        let r = sh(&b, &id, &format!("touch {dir}/planted"));
        assert_ne!(r.code, 0, "{dir}: {r:?}");
    }
    // podman's --read-only-tmpfs default: /tmp, /var/tmp and /run are writable tmpfs.
    sh(
        &b,
        &id,
        "for d in /tmp /var/tmp /run /dev/shm; do touch $d/ok; done",
    )
    .ok();
    let mounts = sh(&b, &id, "cat /proc/mounts").ok();
    for dir in ["/tmp", "/var/tmp", "/run"] {
        assert!(
            mounts
                .lines()
                .any(|l| l.starts_with(&format!("tmpfs {dir} tmpfs rw,"))),
            "{dir}: {mounts}"
        );
    }
    assert!(mounts
        .lines()
        .any(|l| l.split_whitespace().nth(1) == Some("/") && l.contains(" ro,")));
    remove(&b, &id);
    let found = Command::new("find")
        .arg(b.dir.path())
        .args(["-name", "planted"])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&found.stdout),
        "",
        "a file got written"
    );
}

#[test]
fn no_new_privileges_holds() {
    let b = Berth::new();
    let id = start(&b, &["--security-opt", "no-new-privileges"]);
    let status = |args: &[&str]| {
        let mut a = vec!["exec"];
        a.extend_from_slice(args);
        a.extend_from_slice(&[&id, "grep", "NoNewPrivs", "/proc/self/status"]);
        b.ok(&a)
    };
    assert_eq!(status(&[]), "NoNewPrivs:\t1\n");
    assert_eq!(status(&["--user", "1000"]), "NoNewPrivs:\t1\n");
    assert_eq!(
        sh(&b, &id, "grep NoNewPrivs /proc/1/status").ok(),
        "NoNewPrivs:\t1\n"
    );
    remove(&b, &id);
    // podman's default leaves it off.
    let id = start(&b, &[]);
    assert_eq!(
        sh(&b, &id, "grep NoNewPrivs /proc/1/status").ok(),
        "NoNewPrivs:\t0\n"
    );
    remove(&b, &id);
}

/// The character and block devices under the host's /dev that podman gives a privileged
/// container: all but /dev/console and /dev/pts/* (and /dev/ptmx, which runc makes a link
/// to pts/ptmx).
fn host_devices() -> Vec<String> {
    let out = Command::new("find")
        .args(["/dev", "(", "-type", "c", "-o", "-type", "b", ")"])
        .output()
        .unwrap();
    let mut v: Vec<String> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .filter(|p| !matches!(*p, "/dev/console" | "/dev/ptmx") && !p.starts_with("/dev/pts/"))
        .map(str::to_owned)
        .collect();
    v.sort();
    v
}

/// `--privileged` changes what podman 4.3.1's does (compared by hand with
/// `podman run --privileged localhost/bb`): every capability of the engine's
/// bounding set, every host device, no masked or read-only paths, /sys and
/// /proc/sys writable, no seccomp filter; and nothing else.
#[test]
fn privileged_changes_what_podmans_does() {
    let b = Berth::new();
    let id = start(&b, &["--privileged"]);
    let host_status = std::fs::read_to_string("/proc/self/status").unwrap();
    let status = sh(&b, &id, "cat /proc/self/status").ok();
    let host_bnd = cap_field(&host_status, "CapBnd");
    for set in ["CapEff", "CapPrm", "CapBnd"] {
        assert_eq!(cap_field(&status, set), host_bnd, "{set}: {status}");
    }
    assert!(status.contains("Seccomp:\t0\n"), "{status}");
    assert!(status.contains("NoNewPrivs:\t0\n"), "{status}");
    let devs = sh(
        &b,
        &id,
        "find /dev \\( -type c -o -type b \\) ! -path '/dev/pts/*' ! -path /dev/console | sort",
    )
    .ok();
    let devs: Vec<&str> = devs.lines().collect();
    assert_eq!(devs, host_devices(), "the privileged container's /dev");
    assert_ne!(
        sh(&b, &id, "wc -c < /proc/timer_list").ok().trim(),
        "0",
        "timer_list masked"
    );
    let mounts = sh(&b, &id, "cat /proc/mounts").ok();
    assert!(
        mounts
            .lines()
            .any(|l| l.starts_with("sysfs /sys sysfs rw,")),
        "{mounts}"
    );
    assert!(
        !mounts.lines().any(|l| l.starts_with("proc /proc/sys ")),
        "{mounts}"
    );
    // Still its own namespaces: host processes and the hostname stay out of reach.
    assert_ne!(
        sh(&b, &id, "hostname").ok().trim(),
        nix::unistd::gethostname().unwrap().to_str().unwrap()
    );
    assert!(sh(&b, &id, "ps -o pid").ok().lines().count() <= 4);
    remove(&b, &id);
}
