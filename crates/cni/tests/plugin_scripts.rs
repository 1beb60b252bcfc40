//! `CniNetworkPlugin` orchestration against shell-script plugins (no root:
//! the "netns" is /proc/self/ns/net and the plugins only log): loopback
//! first, one interface per network, rollback of earlier networks when a
//! later one fails, teardown order and inputs, CHECK.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use berth_cni::{CniNetworkPlugin, CniOptions, Error, NetworkPlugin, PortMapping};

struct Setup {
    dir: tempfile::TempDir,
    plugin: CniNetworkPlugin,
}

fn script(dir: &Path, name: &str, body: &str) {
    let p = dir.join(name);
    std::fs::write(&p, body).unwrap();
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
}

fn setup() -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let bin = dir.path().join("bin");
    let conf = dir.path().join("net.d");
    std::fs::create_dir_all(&bin).unwrap();
    std::fs::create_dir_all(&conf).unwrap();
    let log = dir.path().join("log");
    let head = format!(
        "#!/bin/sh\nin=$(cat)\nname=$(printf '%s' \"$in\" | sed -n 's/^{{[^{{]*\"name\":\"\\([^\"]*\\)\".*/\\1/p')\necho \"$CNI_COMMAND $(basename $0) $name $CNI_IFNAME\" >> {}\n",
        log.display()
    );
    let ok = r#"[ "$CNI_COMMAND" = ADD ] && echo '{"cniVersion":"1.0.0","interfaces":[{"name":"'$CNI_IFNAME'","sandbox":"'$CNI_NETNS'"}],"ips":[{"interface":0,"address":"10.9.0.2/24"}]}'
exit 0
"#;
    script(&bin, "loopback", &format!("{head}{ok}"));
    script(&bin, "good", &format!("{head}{ok}"));
    script(
        &bin,
        "bad",
        &format!("{head}[ \"$CNI_COMMAND\" = DEL ] && exit 0\necho '{{\"code\":999,\"msg\":\"boom\"}}'\nexit 1\n"),
    );
    for (file, name, ty, disable) in [
        ("10-one.conflist", "one", "good", false),
        ("20-two.conflist", "two", "good", true),
        ("30-broken.conflist", "broken", "bad", false),
    ] {
        std::fs::write(
            conf.join(file),
            format!(
                r#"{{"cniVersion":"1.0.0","name":"{name}","disableCheck":{disable},"plugins":[{{"type":"{ty}"}}]}}"#
            ),
        )
        .unwrap();
    }
    let mut opts = CniOptions::new(&conf, vec![bin], dir.path().join("netns"));
    opts.timeout = Duration::from_secs(10);
    let plugin = CniNetworkPlugin::new(opts).unwrap();
    Setup { dir, plugin }
}

impl Setup {
    fn log(&self) -> Vec<String> {
        std::fs::read_to_string(self.dir.path().join("log"))
            .unwrap_or_default()
            .lines()
            .map(str::to_string)
            .collect()
    }
}

#[test]
fn setup_teardown_check_order() {
    let s = setup();
    let ns = PathBuf::from("/proc/self/ns/net");
    let pm = [PortMapping::tcp(1, 2)];
    let att = s
        .plugin
        .setup("cid", &ns, &["one".into(), "two".into()], &pm)
        .unwrap();
    assert_eq!(att.len(), 2);
    assert_eq!(
        (att[0].interface.as_str(), att[1].interface.as_str()),
        ("eth0", "eth1")
    );
    assert_eq!(att[1].network, "two");
    s.plugin.check("cid", &ns, &att).unwrap();
    s.plugin.teardown("cid", &ns, &att).unwrap();
    assert_eq!(
        s.log(),
        [
            "ADD loopback berth-loopback lo",
            "ADD good one eth0",
            "ADD good two eth1",
            "CHECK good one eth0", // "two" has disableCheck
            "DEL good two eth1",
            "DEL good one eth0",
        ]
    );
}

#[test]
fn a_failing_network_rolls_back_the_earlier_ones() {
    let s = setup();
    let ns = PathBuf::from("/proc/self/ns/net");
    let err = s
        .plugin
        .setup("cid", &ns, &["one".into(), "broken".into()], &[])
        .unwrap_err();
    assert!(matches!(err, Error::Plugin { code: 999, .. }), "{err:?}");
    assert!(
        err.to_string().contains("bad") && err.to_string().contains("boom"),
        "{err}"
    );
    assert_eq!(
        s.log(),
        [
            "ADD loopback berth-loopback lo",
            "ADD good one eth0",
            "ADD bad broken eth1",
            "DEL bad broken eth1",
            "DEL good one eth0",
        ]
    );
}

#[test]
fn bad_requests_fail_before_any_plugin_runs() {
    let s = setup();
    let ns = PathBuf::from("/proc/self/ns/net");
    let err = s
        .plugin
        .setup("cid", &ns, &["one".into(), "one".into()], &[])
        .unwrap_err();
    assert!(err.to_string().contains("given twice"), "{err}");
    let err = s
        .plugin
        .setup("cid", &ns, &["nope".into()], &[])
        .unwrap_err();
    assert!(matches!(err, Error::NetworkNotFound { .. }), "{err}");
    let err = s
        .plugin
        .setup("bad id", &ns, &["one".into()], &[])
        .unwrap_err();
    assert!(err.to_string().contains("container id"), "{err}");
    let err = s
        .plugin
        .setup("cid", Path::new("/etc/hostname"), &["one".into()], &[])
        .unwrap_err();
    assert!(err.to_string().contains("not a namespace"), "{err}");
    assert!(s.log().is_empty(), "{:?}", s.log());
}
