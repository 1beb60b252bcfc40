//! Semantic tests per generation rule; golden specs (insta snapshots) are in `golden`.

mod golden;
mod mounts_resources;
mod podman_compat;

use std::collections::BTreeMap;

use oci_spec::runtime::{LinuxNamespaceType, PosixRlimitType};

use super::*;
use crate::container_spec::{HostEntry, ImageConfig, Namespaces, Ulimit};

pub(super) const ID: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

fn limits(r: libc::__rlimit_resource_t) -> (u64, u64) {
    match r {
        libc::RLIMIT_NOFILE => (1024, 20000),
        libc::RLIMIT_NPROC => (96365, 96365),
        _ => (u64::MAX, u64::MAX),
    }
}

const PROFILE: &str = r#"{"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 38,
  "archMap": [{"architecture": "SCMP_ARCH_X86_64", "subArchitectures": ["SCMP_ARCH_X86"]}],
  "syscalls": [{"names": ["read", "write", "exit_group"], "action": "SCMP_ACT_ALLOW"},
               {"names": ["mount"], "action": "SCMP_ACT_ALLOW", "includes": {"caps": ["CAP_SYS_ADMIN"]}}]}"#;

pub(super) struct Fixture {
    pub(super) dir: tempfile::TempDir,
    pub(super) opts: SpecOptions,
}

impl Fixture {
    pub(super) fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let profile = dir.path().join("seccomp.json");
        std::fs::write(&profile, PROFILE).unwrap();
        let opts = SpecOptions {
            seccomp_profiles: vec![dir.path().join("no-override.json"), profile],
            seccomp_host: SeccompHost {
                go_arch: "amd64".into(),
                scmp_arch: "SCMP_ARCH_X86_64".into(),
                kernel: (6, 1),
            },
            host_resolv_conf: dir.path().join("resolv.conf"),
            systemd_running: Some(false),
            limits,
            ..SpecOptions::default()
        };
        Self { dir, opts }
    }

    /// A spec whose rootfs has passwd/group files.
    pub(super) fn spec(&self) -> ContainerSpec {
        let rootfs = self.dir.path().join("rootfs");
        std::fs::create_dir_all(rootfs.join("etc")).unwrap();
        std::fs::write(
            rootfs.join("etc/passwd"),
            "root:x:0:0:root:/root:/bin/sh\nwww:x:33:33::/var/www:/bin/sh\n",
        )
        .unwrap();
        std::fs::write(rootfs.join("etc/group"), "root:x:0:\nwww:x:33:\n").unwrap();
        let mut s = ContainerSpec::new(ID, rootfs, self.dir.path().join("bundle"));
        s.name = "web".into();
        s.image = ImageConfig {
            cmd: vec!["/bin/sh".into()],
            env: vec!["PATH=/custom/bin".into(), "LANG=C".into()],
            ..ImageConfig::default()
        };
        s
    }
}

/// A spec with fixed paths, for golden output (no rootfs files: user resolution is numeric).
pub(super) fn golden_spec() -> ContainerSpec {
    let mut s = ContainerSpec::new(
        ID,
        "/var/lib/berth/storage/overlay/abc/merged",
        "/run/berth/bundles/0123",
    );
    s.name = "web".into();
    s.image = ImageConfig {
        entrypoint: vec!["/docker-entrypoint.sh".into()],
        cmd: vec!["nginx".into(), "-g".into(), "daemon off;".into()],
        env: vec!["NGINX_VERSION=1.25".into()],
        workdir: Some("/srv".into()),
        ..ImageConfig::default()
    };
    s
}

#[test]
fn args_follow_podmans_entrypoint_and_cmd_rules() {
    let mut s = golden_spec();
    assert_eq!(
        process_args(&s).unwrap(),
        ["/docker-entrypoint.sh", "nginx", "-g", "daemon off;"]
    );
    s.command = vec!["nginx-debug".into()];
    assert_eq!(
        process_args(&s).unwrap(),
        ["/docker-entrypoint.sh", "nginx-debug"]
    );
    s.command.clear();
    s.entrypoint = Some(vec!["/bin/sh".into(), "-c".into()]);
    assert_eq!(
        process_args(&s).unwrap(),
        ["/bin/sh", "-c"],
        "a user entrypoint drops the image's Cmd"
    );
    s.entrypoint = Some(vec![]);
    s.command = vec!["ls".into()];
    assert_eq!(process_args(&s).unwrap(), ["ls"]);
    s.command.clear();
    let e = process_args(&s).unwrap_err();
    assert!(e.to_string().contains("no command or entrypoint"), "{e}");
}

#[test]
fn env_layers_image_then_user_with_defaults() {
    let f = Fixture::new();
    let mut s = f.spec();
    s.env = vec![
        "LANG=en_US.UTF-8".into(),
        "EXTRA=1".into(),
        "BERTH_TEST_UNSET_VAR".into(),
    ];
    s.tty = true;
    let spec = generate_spec(&s, &f.opts).unwrap();
    let env = spec.process().as_ref().unwrap().env().clone().unwrap();
    assert!(
        env.contains(&"PATH=/custom/bin".to_owned()),
        "image PATH replaces the default: {env:?}"
    );
    assert!(env.contains(&"LANG=en_US.UTF-8".to_owned()));
    assert!(env.contains(&"container=podman".to_owned()));
    assert!(env.contains(&"TERM=xterm".to_owned()));
    assert!(env.contains(&format!("HOSTNAME={}", &ID[..12])));
    assert!(env.contains(&"HOME=/root".to_owned()));
    assert_eq!(env.iter().filter(|e| e.starts_with("LANG=")).count(), 1);
    assert!(!env.iter().any(|e| e.starts_with("BERTH_TEST_UNSET_VAR")));
    s.env = vec!["=x".into()];
    assert!(generate_spec(&s, &f.opts)
        .unwrap_err()
        .to_string()
        .contains("empty variable name"));
}

#[test]
fn cwd_and_user_resolution() {
    let f = Fixture::new();
    let mut s = f.spec();
    s.user = Some("www".into());
    s.workdir = Some("/var/www".into());
    let spec = generate_spec(&s, &f.opts).unwrap();
    let p = spec.process().as_ref().unwrap();
    assert_eq!((p.user().uid(), p.user().gid()), (33, 33));
    assert_eq!(p.cwd(), &PathBuf::from("/var/www"));
    assert!(p
        .env()
        .as_ref()
        .unwrap()
        .contains(&"HOME=/var/www".to_owned()));
    s.user = Some("nobody".into());
    let e = generate_spec(&s, &f.opts).unwrap_err();
    assert!(matches!(e, Error::UnknownUser { .. }), "{e}");
    s.user = None;
    s.workdir = Some("relative".into());
    assert!(generate_spec(&s, &f.opts)
        .unwrap_err()
        .to_string()
        .contains("absolute"));
}

#[test]
fn rlimits_default_to_the_engines_and_never_exceed_its_hard_limits() {
    let f = Fixture::new();
    let mut s = f.spec();
    s.ulimits = vec![Ulimit {
        name: "nproc".into(),
        soft: 200_000,
        hard: 200_000,
    }];
    let spec = generate_spec(&s, &f.opts).unwrap();
    for r in spec.process().as_ref().unwrap().rlimits().as_ref().unwrap() {
        let (_, hard) = limits(match r.typ() {
            PosixRlimitType::RlimitNofile => libc::RLIMIT_NOFILE,
            _ => libc::RLIMIT_NPROC,
        });
        assert!(r.hard() <= hard && r.soft() <= r.hard());
    }
}

#[test]
fn namespaces_private_host_and_path() {
    let f = Fixture::new();
    let mut s = f.spec();
    s.namespaces.network = NamespaceMode::Host;
    s.namespaces.ipc = NamespaceMode::Path("/proc/1/ns/ipc".into());
    let spec = generate_spec(&s, &f.opts).unwrap();
    let ns = spec.linux().as_ref().unwrap().namespaces().clone().unwrap();
    assert!(!ns.iter().any(|n| n.typ() == LinuxNamespaceType::Network));
    let ipc = ns
        .iter()
        .find(|n| n.typ() == LinuxNamespaceType::Ipc)
        .unwrap();
    assert_eq!(ipc.path().as_deref(), Some(Path::new("/proc/1/ns/ipc")));
    assert!(ns
        .iter()
        .any(|n| n.typ() == LinuxNamespaceType::Mount && n.path().is_none()));
    s.namespaces.ipc = NamespaceMode::Path("relative".into());
    assert!(generate_spec(&s, &f.opts).is_err());
    s.namespaces = Namespaces {
        uts: NamespaceMode::Host,
        ..Namespaces::default()
    };
    assert!(generate_spec(&s, &f.opts).unwrap().hostname().is_none());
    s.namespaces = Namespaces {
        uts: NamespaceMode::Path("/proc/1/ns/uts".into()),
        ..Namespaces::default()
    };
    assert!(
        generate_spec(&s, &f.opts).unwrap().hostname().is_none(),
        "joined UTS keeps its hostname"
    );
}

#[test]
fn capabilities_default_privileged_and_dropped() {
    let f = Fixture::new();
    let mut s = f.spec();
    let caps = |spec: &Spec| {
        spec.process()
            .as_ref()
            .unwrap()
            .capabilities()
            .as_ref()
            .unwrap()
            .effective()
            .clone()
            .unwrap()
            .len()
    };
    assert_eq!(caps(&generate_spec(&s, &f.opts).unwrap()), 11);
    s.privileged = true;
    let spec = generate_spec(&s, &f.opts).unwrap();
    assert!(caps(&spec) > 30);
    let linux = spec.linux().as_ref().unwrap();
    assert!(
        linux.seccomp().is_none()
            && linux.masked_paths().is_none()
            && linux.readonly_paths().is_none()
    );
    s.privileged = false;
    s.cap_drop = vec!["all".into()];
    assert_eq!(caps(&generate_spec(&s, &f.opts).unwrap()), 0);
}

#[test]
fn seccomp_default_override_custom_and_unconfined() {
    let mut f = Fixture::new();
    let mut s = f.spec();
    let syscalls = |spec: &Spec| {
        spec.linux()
            .as_ref()
            .unwrap()
            .seccomp()
            .as_ref()
            .map(|p| p.syscalls().as_ref().unwrap().len())
    };
    assert_eq!(syscalls(&generate_spec(&s, &f.opts).unwrap()), Some(1));
    s.cap_add = vec!["SYS_ADMIN".into()];
    assert_eq!(
        syscalls(&generate_spec(&s, &f.opts).unwrap()),
        Some(2),
        "caps switch rules on"
    );
    s.cap_add.clear();
    let over = f.dir.path().join("override.json");
    std::fs::write(&over, r#"{"defaultAction": "SCMP_ACT_ALLOW"}"#).unwrap();
    f.opts.seccomp_profiles[0].clone_from(&over);
    assert_eq!(
        syscalls(&generate_spec(&s, &f.opts).unwrap()),
        Some(0),
        "override path wins when present"
    );
    s.seccomp = SeccompChoice::Unconfined;
    assert_eq!(syscalls(&generate_spec(&s, &f.opts).unwrap()), None);
    s.seccomp = SeccompChoice::Profile(f.dir.path().join("seccomp.json"));
    assert_eq!(syscalls(&generate_spec(&s, &f.opts).unwrap()), Some(1));
    s.seccomp = SeccompChoice::Profile("/nonexistent.json".into());
    assert!(generate_spec(&s, &f.opts)
        .unwrap_err()
        .to_string()
        .contains("/nonexistent.json"));
    s.seccomp = SeccompChoice::Default;
    f.opts.seccomp_profiles = vec!["/nonexistent/a.json".into(), "/nonexistent/b.json".into()];
    let e = generate_spec(&s, &f.opts).unwrap_err().to_string();
    assert!(
        e.contains(
            "no default profile: neither /nonexistent/a.json nor /nonexistent/b.json exists"
        ),
        "{e}"
    );
    f.opts.seccomp_profiles.truncate(1);
    let e = generate_spec(&s, &f.opts).unwrap_err().to_string();
    assert!(e.contains("/nonexistent/a.json does not exist"), "{e}");
    f.opts.seccomp_profiles.clear();
    let e = generate_spec(&s, &f.opts).unwrap_err().to_string();
    assert!(e.contains("no default profile: none is configured"), "{e}");
}

#[test]
fn sysctls_must_be_namespaced_and_own_namespace() {
    let f = Fixture::new();
    let mut s = f.spec();
    s.sysctls = BTreeMap::from([
        ("net.core.somaxconn".to_owned(), "1024".to_owned()),
        ("kernel.shmmax".to_owned(), "1".to_owned()),
    ]);
    let sysctl = |s: &ContainerSpec| {
        generate_spec(s, &f.opts)
            .unwrap()
            .linux()
            .as_ref()
            .unwrap()
            .sysctl()
            .clone()
            .unwrap()
    };
    // The user's two plus podman's default ping_group_range.
    let got = sysctl(&s);
    assert_eq!(got.len(), 3);
    assert_eq!(got["net.ipv4.ping_group_range"], "0 0");
    // The user's value wins; the host's network namespace gets no network default.
    s.sysctls
        .insert("net.ipv4.ping_group_range".into(), "1 1".into());
    assert_eq!(sysctl(&s)["net.ipv4.ping_group_range"], "1 1");
    let mut host = f.spec();
    host.namespaces.network = NamespaceMode::Host;
    assert!(sysctl(&host).is_empty());
    s.namespaces.network = NamespaceMode::Host;
    assert!(generate_spec(&s, &f.opts)
        .unwrap_err()
        .to_string()
        .contains("network namespace"));
    s.namespaces.network = NamespaceMode::Private;
    s.sysctls = BTreeMap::from([("vm.swappiness".to_owned(), "1".to_owned())]);
    assert!(generate_spec(&s, &f.opts)
        .unwrap_err()
        .to_string()
        .contains("not namespaced"));
}

#[test]
fn annotations_pass_through() {
    let f = Fixture::new();
    let mut s = f.spec();
    s.annotations.insert("a".into(), "b".into());
    let spec = generate_spec(&s, &f.opts).unwrap();
    let a = spec.annotations().as_ref().unwrap();
    assert_eq!(a.get("a").map(String::as_str), Some("b"));
    assert_eq!(
        a.get("io.container.manager").map(String::as_str),
        Some("berth")
    );
}

#[test]
fn write_bundle_writes_config_and_etc_files() {
    let f = Fixture::new();
    std::fs::write(
        &f.opts.host_resolv_conf,
        "nameserver 10.1.2.3\nsearch corp\n",
    )
    .unwrap();
    let mut s = f.spec();
    s.hostname = Some("box".into());
    s.hosts = vec![HostEntry {
        ip: "10.0.0.9".into(),
        names: vec!["db".into()],
    }];
    write_bundle(&s, &f.opts).unwrap();
    let b = &s.bundle_dir;
    let loaded = Spec::load(b.join("config.json")).unwrap();
    assert_eq!(loaded.hostname().as_deref(), Some("box"));
    assert_eq!(
        std::fs::read_to_string(b.join("hostname")).unwrap(),
        "box\n"
    );
    assert!(std::fs::read_to_string(b.join("hosts"))
        .unwrap()
        .contains("10.0.0.9\tdb\n"));
    assert_eq!(
        std::fs::read_to_string(b.join("resolv.conf")).unwrap(),
        "search corp\nnameserver 10.1.2.3\n"
    );
}

#[test]
fn bundle_files_with_secrets_are_private_whatever_was_there() {
    use std::os::unix::fs::PermissionsExt;
    let f = Fixture::new();
    let mut s = f.spec();
    s.env = vec!["DB_PASSWORD=hunter2".into()];
    let b = s.bundle_dir.clone();
    // A world-readable config.json and a stale temp file from an older engine.
    std::fs::create_dir_all(&b).unwrap();
    for name in ["config.json", ".config.json.tmp"] {
        std::fs::write(b.join(name), "{}").unwrap();
        std::fs::set_permissions(b.join(name), std::fs::Permissions::from_mode(0o666)).unwrap();
    }
    write_bundle(&s, &f.opts).unwrap();
    let mode = |n: &str| std::fs::metadata(b.join(n)).unwrap().permissions().mode() & 0o7777;
    assert_eq!(mode("config.json"), 0o600);
    // The files bind-mounted into the container stay readable by its users.
    for n in ["hosts", "resolv.conf", "hostname"] {
        assert_eq!(mode(n), 0o644, "{n}");
    }
}

#[test]
fn masked_and_readonly_paths_are_podmans_plus_powercap() {
    let f = Fixture::new();
    let spec = generate_spec(&f.spec(), &f.opts).unwrap();
    let linux = spec.linux().as_ref().unwrap();
    // The whole list is MASKED_PATHS (the golden specs pin every entry); a few that matter.
    let masked = linux.masked_paths().clone().unwrap();
    assert_eq!(masked, MASKED_PATHS);
    for p in [
        "/proc/kcore",
        "/proc/keys",
        "/proc/timer_list",
        "/sys/firmware",
        "/sys/devices/virtual/powercap",
    ] {
        assert!(masked.iter().any(|m| m == p), "{p} not masked: {masked:?}");
    }
    let ro = linux.readonly_paths().clone().unwrap();
    assert_eq!(ro, READONLY_PATHS);
    for p in ["/proc/sys", "/proc/sysrq-trigger"] {
        assert!(ro.iter().any(|r| r == p), "{p} not read-only: {ro:?}");
    }
}

#[test]
fn pids_limit_is_passed_through_and_unset_means_none() {
    let f = Fixture::new();
    let mut s = f.spec();
    let pids = |s: &ContainerSpec| {
        generate_spec(s, &f.opts)
            .unwrap()
            .linux()
            .as_ref()
            .unwrap()
            .resources()
            .as_ref()
            .unwrap()
            .pids()
            .as_ref()
            .map(oci_spec::runtime::LinuxPids::limit)
    };
    assert_eq!(pids(&s), None);
    s.resources.pids_limit = Some(2048);
    assert_eq!(pids(&s), Some(2048));
    // -1 (unlimited) reaches runc as "max".
    s.resources.pids_limit = Some(-1);
    assert_eq!(pids(&s), Some(-1));
}

#[test]
fn bad_core_fields_are_rejected() {
    let f = Fixture::new();
    let mut s = f.spec();
    s.id.clear();
    assert!(generate_spec(&s, &f.opts)
        .unwrap_err()
        .to_string()
        .contains("id"));
    let mut s = f.spec();
    s.rootfs = "relative".into();
    assert!(generate_spec(&s, &f.opts)
        .unwrap_err()
        .to_string()
        .contains("rootfs"));
}
