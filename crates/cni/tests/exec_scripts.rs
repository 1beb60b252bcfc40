//! Plugin execution against small shell-script plugins: environment,
//! stdin building, chaining, DEL order, error mapping, timeouts. No root.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use berth_cni::{CniCommand, CniResult, Error, NetworkConfigList, PluginExec, PortMapping, Target};
use serde_json::{json, Value};

struct Plugins {
    dir: tempfile::TempDir,
}

impl Plugins {
    fn new() -> Self {
        let p = Plugins {
            dir: tempfile::tempdir().unwrap(),
        };
        let log = p.log_path();
        let head = format!(
            "#!/bin/sh\nin=$(cat)\necho \"$CNI_COMMAND $(basename $0) cid=$CNI_CONTAINERID if=$CNI_IFNAME ns=$CNI_NETNS args=$CNI_ARGS path=$CNI_PATH\" >> {log}\nprintf '%s\\n' \"$in\" >> {log}.stdin\n",
            log = log.display()
        );
        let ok = r#"[ "$CNI_COMMAND" = ADD ] && echo '{"cniVersion":"1.0.0","interfaces":[{"name":"eth0","sandbox":"'$CNI_NETNS'"}],"ips":[{"interface":0,"address":"10.1.0.2/24","gateway":"10.1.0.1"}]}'
exit 0
"#;
        p.script("okA", &format!("{head}{ok}"));
        p.script("okB", &format!("{head}{ok}"));
        p.script(
            "fail",
            &format!("{head}[ \"$CNI_COMMAND\" = DEL ] && exit 0\necho '{{\"code\":7,\"msg\":\"bad config\",\"details\":\"key x\"}}'\nexit 1\n"),
        );
        p.script(
            "stderr",
            &format!(
                "{head}[ \"$CNI_COMMAND\" = DEL ] && exit 0\necho 'something broke' >&2\nexit 2\n"
            ),
        );
        p.script("garbage", &format!("{head}echo 'not json'\nexit 0\n"));
        p.script(
            "hang",
            &format!("{head}[ \"$CNI_COMMAND\" = DEL ] && exit 0\nsleep 30\n"),
        );
        p.script(
            "version",
            "#!/bin/sh\necho '{\"cniVersion\":\"1.0.0\",\"supportedVersions\":[\"0.4.0\",\"1.0.0\"]}'\n",
        );
        p
    }

    fn script(&self, name: &str, body: &str) {
        let path = self.dir.path().join(name);
        std::fs::write(&path, body).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }

    fn log_path(&self) -> PathBuf {
        self.dir.path().join("calls.log")
    }

    fn log(&self) -> Vec<String> {
        std::fs::read_to_string(self.log_path())
            .unwrap_or_default()
            .lines()
            .map(str::to_string)
            .collect()
    }

    fn stdins(&self) -> Vec<Value> {
        std::fs::read_to_string(self.dir.path().join("calls.log.stdin"))
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }

    fn exec(&self) -> PluginExec {
        PluginExec::new(
            vec![
                PathBuf::from("/nonexistent-dir"),
                self.dir.path().to_path_buf(),
            ],
            Duration::from_secs(10),
        )
    }
}

fn list(types: &[&str]) -> NetworkConfigList {
    let plugins: Vec<Value> = types
        .iter()
        .map(|t| json!({"type": t, "capabilities": {"portMappings": true}, "keep": 1}))
        .collect();
    NetworkConfigList::from_value(
        json!({"cniVersion": "1.0.0", "name": "testnet", "plugins": plugins}),
        true,
        Path::new("test.conflist"),
    )
    .unwrap()
}

fn target() -> Target<'static> {
    Target {
        container_id: "c1",
        netns: Some(Path::new("/proc/self/ns/net")),
        ifname: "eth0",
        args: "IgnoreUnknown=1",
    }
}

#[test]
fn add_chains_and_del_reverses_with_same_inputs() {
    let p = Plugins::new();
    let exec = p.exec();
    let pm = [PortMapping::tcp(8080, 80)];
    let res = exec
        .add_list(&list(&["okA", "okB"]), target(), &pm)
        .unwrap();
    assert_eq!(res.ips[0].address, "10.1.0.2/24");
    assert_eq!(
        res.interfaces[0].sandbox.as_deref(),
        Some("/proc/self/ns/net")
    );
    exec.del_list(&list(&["okA", "okB"]), target(), &pm, Some(&res))
        .unwrap();

    let log = p.log();
    assert!(log[0].starts_with("ADD okA cid=c1 if=eth0 ns=/proc/self/ns/net args=IgnoreUnknown=1 path=/nonexistent-dir:"), "{log:?}");
    assert!(log[1].starts_with("ADD okB"), "{log:?}");
    assert!(log[2].starts_with("DEL okB"), "{log:?}");
    assert!(log[3].starts_with("DEL okA"), "{log:?}");
    let stdins = p.stdins();
    assert!(stdins[0].get("prevResult").is_none());
    assert_eq!(stdins[0]["name"], "testnet");
    assert_eq!(stdins[0]["keep"], 1);
    assert!(stdins[0].get("capabilities").is_none());
    assert_eq!(
        stdins[0]["runtimeConfig"]["portMappings"][0]["hostPort"],
        8080
    );
    assert_eq!(stdins[1]["prevResult"]["ips"][0]["address"], "10.1.0.2/24");
    // DEL: final result and same runtimeConfig for every plugin.
    for s in &stdins[2..] {
        assert_eq!(s["prevResult"], serde_json::to_value(&res).unwrap());
        assert_eq!(s["runtimeConfig"], stdins[0]["runtimeConfig"]);
    }
    // CHECK runs in order with the final result.
    exec.check_list(&list(&["okA", "okB"]), target(), &pm, &res)
        .unwrap();
    let log = p.log();
    assert!(
        log[4].starts_with("CHECK okA") && log[5].starts_with("CHECK okB"),
        "{log:?}"
    );
}

#[test]
fn del_without_netns_omits_it_and_check_respects_disable() {
    let p = Plugins::new();
    let exec = p.exec();
    let mut t = target();
    t.netns = Some(Path::new("/nonexistent/netns"));
    exec.del_list(&list(&["okA"]), t, &[], None).unwrap();
    assert!(p.log()[0].contains(" ns= "), "{:?}", p.log());
    let mut l = list(&["okA"]);
    l.disable_check = true;
    exec.check_list(&l, target(), &[], &CniResult::default())
        .unwrap();
    assert_eq!(p.log().len(), 1, "CHECK skipped");
}

#[test]
fn plugin_error_object_names_plugin_and_rolls_back() {
    let p = Plugins::new();
    let err = p
        .exec()
        .add_list(&list(&["okA", "fail"]), target(), &[])
        .unwrap_err();
    match &err {
        Error::Plugin {
            plugin,
            network,
            command,
            code,
            msg,
            details,
        } => {
            assert_eq!(
                (plugin.as_str(), network.as_str(), command.as_str()),
                ("fail", "testnet", "ADD")
            );
            assert_eq!(
                (*code, msg.as_str(), details.as_deref()),
                (7, "bad config", Some("key x"))
            );
        }
        other => panic!("unexpected {other:?}"),
    }
    let text = err.to_string();
    assert!(
        text.contains("fail") && text.contains("bad config") && text.contains("key x"),
        "{text}"
    );
    // The failed ADD is followed by a DEL of the whole list, in reverse,
    // with okA's result as prevResult.
    let log = p.log();
    let cmds: Vec<&str> = log.iter().map(|l| &l[..l.find(" cid").unwrap()]).collect();
    assert_eq!(cmds, ["ADD okA", "ADD fail", "DEL fail", "DEL okA"]);
    assert_eq!(
        p.stdins()[3]["prevResult"]["ips"][0]["address"],
        "10.1.0.2/24"
    );
}

#[test]
fn stderr_garbage_missing_and_bad_ids() {
    let p = Plugins::new();
    let exec = p.exec();
    let err = exec
        .add_list(&list(&["stderr"]), target(), &[])
        .unwrap_err();
    assert!(matches!(err, Error::PluginFailed { .. }), "{err:?}");
    assert!(err.to_string().contains("something broke"), "{err}");
    let err = exec
        .add_list(&list(&["garbage"]), target(), &[])
        .unwrap_err();
    assert!(matches!(err, Error::PluginOutput { .. }), "{err:?}");
    assert!(err.to_string().contains("garbage"), "{err}");
    let err = exec
        .add_list(&list(&["nosuch"]), target(), &[])
        .unwrap_err();
    // The DEL after it cannot find the plugin either; both are reported.
    assert!(matches!(err, Error::AddFailed { .. }), "{err:?}");
    assert!(
        matches!(err.add_error(), Error::PluginNotFound { .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("nosuch"), "{err}");
    let mut t = target();
    t.container_id = "-bad id";
    assert!(exec
        .add_list(&list(&["okA"]), t, &[])
        .unwrap_err()
        .to_string()
        .contains("container id"));
    let mut t = target();
    t.ifname = "much-too-long-name0";
    assert!(exec
        .add_list(&list(&["okA"]), t, &[])
        .unwrap_err()
        .to_string()
        .contains("interface name"));
}

#[test]
fn hung_plugin_is_killed() {
    let p = Plugins::new();
    let exec = PluginExec::new(vec![p.dir.path().to_path_buf()], Duration::from_millis(300));
    let start = Instant::now();
    let err = exec.add_list(&list(&["hang"]), target(), &[]).unwrap_err();
    assert!(
        matches!(err.add_error(), Error::PluginTimeout { .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("hang"), "{err}");
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "{:?}",
        start.elapsed()
    );
    // Also when it closes stdout and stderr but keeps running.
    p.script("closer", "#!/bin/sh\nexec >&- 2>&-\nsleep 30\n");
    let start = Instant::now();
    let err = exec
        .add_list(&list(&["closer"]), target(), &[])
        .unwrap_err();
    assert!(
        matches!(err.add_error(), Error::PluginTimeout { .. }),
        "{err:?}"
    );
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "{:?}",
        start.elapsed()
    );
    // Also when it never reads a config larger than a pipe buffer.
    p.script("deaf", "#!/bin/sh\nexec sleep 30\n");
    let mut big = list(&["deaf"]);
    big.plugins[0]
        .raw
        .insert("padding".into(), json!("x".repeat(1 << 20)));
    let start = Instant::now();
    let err = exec.add_list(&big, target(), &[]).unwrap_err();
    assert!(
        matches!(err.add_error(), Error::PluginTimeout { .. }),
        "{err:?}"
    );
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "{:?}",
        start.elapsed()
    );
}

#[test]
fn version_parses() {
    let p = Plugins::new();
    let v = p.exec().version("version").unwrap();
    assert_eq!(v.supported_versions, ["0.4.0", "1.0.0"]);
    let out = p
        .exec()
        .run("okA", "n", CniCommand::Version, None, b"")
        .unwrap();
    assert!(out.is_empty());
}
