//! Mounts, devices, resources and cgroupsPath rules.

use std::path::{Path, PathBuf};

use super::{Fixture, ID};
use crate::container_spec::{BindMount, Resources, TmpfsMount};
use crate::generate::{cgroups_path, generate_spec, CgroupManager};
use crate::Error;

#[test]
fn default_mounts_and_etc_files() {
    let f = Fixture::new();
    let s = f.spec();
    let spec = generate_spec(&s, &f.opts).unwrap();
    let dests: Vec<String> = spec
        .mounts()
        .as_ref()
        .unwrap()
        .iter()
        .map(|m| m.destination().display().to_string())
        .collect();
    for d in [
        "/proc",
        "/dev",
        "/dev/pts",
        "/dev/shm",
        "/dev/mqueue",
        "/sys",
        "/sys/fs/cgroup",
        "/etc/hosts",
        "/etc/resolv.conf",
        "/etc/hostname",
    ] {
        assert!(dests.contains(&d.to_owned()), "missing {d}: {dests:?}");
    }
    let hosts = spec
        .mounts()
        .as_ref()
        .unwrap()
        .iter()
        .find(|m| m.destination() == Path::new("/etc/hosts"))
        .unwrap();
    assert_eq!(
        hosts.source().as_ref().unwrap(),
        &s.bundle_dir.join("hosts")
    );
    let sys = spec
        .mounts()
        .as_ref()
        .unwrap()
        .iter()
        .find(|m| m.destination() == Path::new("/sys"))
        .unwrap();
    assert!(sys.options().as_ref().unwrap().contains(&"ro".to_owned()));
}

#[test]
fn user_mounts_override_defaults_and_are_validated() {
    let f = Fixture::new();
    let mut s = f.spec();
    s.tmpfs = vec![TmpfsMount {
        destination: "/dev/shm".into(),
        options: vec!["size=1g".into()],
    }];
    s.mounts = vec![BindMount {
        source: f.dir.path().to_owned(),
        destination: "/data".into(),
        noexec: true,
        nodev: true,
        ..BindMount::default()
    }];
    let spec = generate_spec(&s, &f.opts).unwrap();
    let mounts = spec.mounts().as_ref().unwrap();
    let shm: Vec<_> = mounts
        .iter()
        .filter(|m| m.destination() == Path::new("/dev/shm"))
        .collect();
    assert_eq!(shm.len(), 1);
    assert!(shm[0]
        .options()
        .as_ref()
        .unwrap()
        .contains(&"size=1g".to_owned()));
    let data = mounts
        .iter()
        .find(|m| m.destination() == Path::new("/data"))
        .unwrap();
    assert_eq!(
        data.options().as_ref().unwrap(),
        &["rbind", "rprivate", "rw", "nodev", "noexec"]
    );

    for (bad, needle) in [
        (
            BindMount {
                source: "/nonexistent/src".into(),
                destination: "/x".into(),
                ..BindMount::default()
            },
            "does not exist",
        ),
        (
            BindMount {
                source: "/tmp".into(),
                destination: "rel".into(),
                ..BindMount::default()
            },
            "absolute",
        ),
        (
            BindMount {
                source: "/tmp".into(),
                destination: "/a/../b".into(),
                ..BindMount::default()
            },
            "..",
        ),
        (
            BindMount {
                source: "/tmp".into(),
                destination: "/x".into(),
                propagation: Some("weird".into()),
                ..BindMount::default()
            },
            "propagation",
        ),
    ] {
        s.mounts = vec![bad];
        let e = generate_spec(&s, &f.opts).unwrap_err().to_string();
        assert!(e.contains(needle), "{e}");
    }
    s.mounts = vec![
        BindMount {
            source: "/tmp".into(),
            destination: "/x".into(),
            ..BindMount::default()
        },
        BindMount {
            source: "/tmp".into(),
            destination: "/x".into(),
            ..BindMount::default()
        },
    ];
    assert!(generate_spec(&s, &f.opts)
        .unwrap_err()
        .to_string()
        .contains("duplicate"));
}

#[test]
fn read_only_root_gets_tmpfs_on_run_and_tmp() {
    let f = Fixture::new();
    let mut s = f.spec();
    s.read_only = true;
    let spec = generate_spec(&s, &f.opts).unwrap();
    assert_eq!(spec.root().as_ref().unwrap().readonly(), Some(true));
    let dests: Vec<_> = spec
        .mounts()
        .as_ref()
        .unwrap()
        .iter()
        .map(|m| m.destination().clone())
        .collect();
    assert!(dests.contains(&PathBuf::from("/tmp")) && dests.contains(&PathBuf::from("/run")));
}

#[test]
fn masked_readonly_paths_and_devices() {
    let f = Fixture::new();
    let spec = generate_spec(&f.spec(), &f.opts).unwrap();
    let linux = spec.linux().as_ref().unwrap();
    assert!(linux
        .masked_paths()
        .as_ref()
        .unwrap()
        .contains(&"/proc/timer_list".to_owned()));
    assert!(linux
        .masked_paths()
        .as_ref()
        .unwrap()
        .contains(&"/sys/firmware".to_owned()));
    assert!(linux
        .readonly_paths()
        .as_ref()
        .unwrap()
        .contains(&"/proc/sys".to_owned()));
    let devs = linux
        .resources()
        .as_ref()
        .unwrap()
        .devices()
        .clone()
        .unwrap();
    assert!(
        !devs[0].allow() && devs[0].typ().is_none(),
        "first rule denies everything"
    );
    assert!(
        devs.iter()
            .any(|d| d.allow() && d.major() == Some(1) && d.minor() == Some(3)),
        "/dev/null allowed"
    );
}

#[test]
fn resources_are_converted_and_validated() {
    let f = Fixture::new();
    let mut s = f.spec();
    s.resources = Resources {
        memory: Some(64 << 20),
        memory_swap: Some(-1),
        cpu_quota: Some(50_000),
        cpu_shares: Some(512),
        pids_limit: Some(50),
        blkio_weight: Some(300),
        ..Resources::default()
    };
    let spec = generate_spec(&s, &f.opts).unwrap();
    let r = spec.linux().as_ref().unwrap().resources().clone().unwrap();
    assert_eq!(r.memory().as_ref().unwrap().limit(), Some(64 << 20));
    assert_eq!(r.cpu().as_ref().unwrap().quota(), Some(50_000));
    assert_eq!(r.cpu().as_ref().unwrap().period(), Some(100_000));
    assert_eq!(r.pids().as_ref().unwrap().limit(), 50);
    for bad in [
        Resources {
            memory: Some(1024),
            ..Resources::default()
        },
        Resources {
            cpu_quota: Some(-1),
            ..Resources::default()
        },
        Resources {
            memory: Some(64 << 20),
            memory_swap: Some(1 << 20),
            ..Resources::default()
        },
        Resources {
            blkio_weight: Some(5),
            ..Resources::default()
        },
    ] {
        s.resources = bad;
        assert!(matches!(
            generate_spec(&s, &f.opts),
            Err(Error::InvalidSpec { .. })
        ));
    }
}

#[test]
fn host_devices_are_added_and_allowed() {
    let f = Fixture::new();
    let mut s = f.spec();
    s.devices = vec![crate::DeviceMapping {
        host_path: "/dev/null".into(),
        container_path: Some("/dev/mynull".into()),
        permissions: "rw".into(),
    }];
    let spec = generate_spec(&s, &f.opts).unwrap();
    let linux = spec.linux().as_ref().unwrap();
    let dev = &linux.devices().as_ref().unwrap()[0];
    assert_eq!(
        (dev.path(), dev.major(), dev.minor()),
        (&PathBuf::from("/dev/mynull"), 1, 3)
    );
    let rules = linux
        .resources()
        .as_ref()
        .unwrap()
        .devices()
        .clone()
        .unwrap();
    assert!(rules
        .last()
        .is_some_and(|r| r.allow() && r.access().as_deref() == Some("rw") && r.major() == Some(1)));
    for (dev, needle) in [
        ("/etc/passwd", "not a device"),
        ("/dev/nonexistent-dev", "nonexistent-dev"),
    ] {
        s.devices = vec![crate::DeviceMapping {
            host_path: dev.into(),
            ..crate::DeviceMapping::default()
        }];
        let e = generate_spec(&s, &f.opts).unwrap_err().to_string();
        assert!(e.contains(needle), "{e}");
    }
    s.devices = vec![crate::DeviceMapping {
        host_path: "/dev/null".into(),
        permissions: "x".into(),
        ..crate::DeviceMapping::default()
    }];
    assert!(generate_spec(&s, &f.opts)
        .unwrap_err()
        .to_string()
        .contains("permissions"));
}

#[test]
fn cgroups_path_per_manager() {
    let mut f = Fixture::new();
    let mut s = f.spec();
    assert_eq!(cgroups_path(&s, &f.opts).unwrap(), format!("/berth/{ID}"));
    s.cgroup_parent = Some("/custom/parent".into());
    assert_eq!(
        cgroups_path(&s, &f.opts).unwrap(),
        format!("/custom/parent/{ID}")
    );
    s.cgroup_parent = None;
    f.opts.cgroup_manager = CgroupManager::Systemd;
    assert!(matches!(
        generate_spec(&s, &f.opts),
        Err(Error::SystemdNotRunning)
    ));
    f.opts.systemd_running = Some(true);
    assert_eq!(
        cgroups_path(&s, &f.opts).unwrap(),
        format!("berth.slice:berth:{ID}")
    );
    s.cgroup_parent = Some("/not/a/slice".into());
    assert!(cgroups_path(&s, &f.opts).is_err());
}

#[test]
fn privileged_gets_every_host_device_as_podman_does() {
    let f = Fixture::new();
    let mut s = f.spec();
    s.privileged = true;
    s.devices = vec![crate::DeviceMapping {
        host_path: "/dev/zero".into(),
        permissions: "r".into(),
        ..crate::DeviceMapping::default()
    }];
    let spec = generate_spec(&s, &f.opts).unwrap();
    let devs = spec.linux().as_ref().unwrap().devices().clone().unwrap();
    let paths: Vec<&Path> = devs.iter().map(|d| d.path().as_path()).collect();
    assert!(paths.contains(&Path::new("/dev/null")), "{paths:?}");
    let zeros = paths
        .iter()
        .filter(|p| **p == Path::new("/dev/zero"))
        .count();
    assert_eq!(zeros, 1, "a --device path is not listed twice");
    for p in &paths {
        assert!(
            *p != Path::new("/dev/console") && !p.starts_with("/dev/pts"),
            "{}",
            p.display()
        );
    }
    // Not privileged: only what --device names.
    s.privileged = false;
    let spec = generate_spec(&s, &f.opts).unwrap();
    assert_eq!(
        spec.linux()
            .as_ref()
            .unwrap()
            .devices()
            .as_ref()
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn privileged_devices_walks_subdirectories_and_skips_runtime_mounts() {
    let d = tempfile::tempdir().unwrap();
    for sub in ["pts", "shm", "net"] {
        std::fs::create_dir(d.path().join(sub)).unwrap();
    }
    std::fs::write(d.path().join("regular"), b"").unwrap();
    // No device nodes can be made without root; real ones are symlinked, and links are skipped.
    std::os::unix::fs::symlink("/dev/null", d.path().join("null")).unwrap();
    assert!(crate::generate::resources::privileged_devices(d.path())
        .unwrap()
        .is_empty());
    let real = crate::generate::resources::privileged_devices(Path::new("/dev")).unwrap();
    let null = real
        .iter()
        .find(|d| d.path() == Path::new("/dev/null"))
        .unwrap();
    assert_eq!(
        (null.major(), null.minor(), null.file_mode()),
        (1, 3, Some(0o666))
    );
    assert!(matches!(
        crate::generate::resources::privileged_devices(&d.path().join("missing")),
        Err(Error::Io { .. })
    ));
}
