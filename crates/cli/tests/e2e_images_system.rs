//! End to end: images, volumes, system commands and an interactive shell
//! under a real pseudo-terminal (tmux).

mod common;

use common::{image_tar, Berth, IMG};
use std::time::Duration;

#[test]
fn image_commands() {
    let b = Berth::empty();
    let id = b.ok(&["import", image_tar().to_str().unwrap(), IMG]);
    let id = id.trim().strip_prefix("sha256:").unwrap().to_owned();
    assert_eq!(id.len(), 64);
    let images = b.ok(&["images"]);
    let mut lines = images.lines();
    assert_eq!(
        lines.next().unwrap().split_whitespace().collect::<Vec<_>>(),
        ["REPOSITORY", "TAG", "IMAGE", "ID", "CREATED", "SIZE"]
    );
    let row: Vec<&str> = lines.next().unwrap().split_whitespace().collect();
    assert_eq!(&row[..3], ["localhost/bb", "latest", &id[..12]]);
    assert_eq!(b.ok(&["images", "-q"]), format!("{}\n", &id[..12]));
    assert_eq!(
        b.ok(&["images", "--format", "{{.Repository}}:{{.Tag}}"]),
        "localhost/bb:latest\n"
    );
    b.ok(&["tag", IMG, "localhost/other:v1"]);
    // The image matches by one of its names; every name is listed.
    assert!(b
        .ok(&[
            "images",
            "--filter",
            "reference=localhost/other*",
            "--format",
            "{{.Tag}}"
        ])
        .contains("v1\n"));
    assert_eq!(
        b.ok(&["images", "--filter", "reference=localhost/none*", "-q"]),
        ""
    );
    assert_eq!(
        b.ok(&[
            "image",
            "inspect",
            "--format",
            "{{.Id}}",
            "localhost/other:v1"
        ]),
        format!("{id}\n")
    );
    // podman's Go field names: `.ID` in both the listing and inspect.
    assert_eq!(
        b.ok(&["image", "inspect", "--format", "{{.ID}}", IMG]),
        format!("{id}\n")
    );
    assert_eq!(
        b.ok(&["inspect", "--format", "{{.ID}}", IMG]),
        format!("{id}\n")
    );
    let listed = b.ok(&[
        "images",
        "--format",
        "{{.ID}} {{.RepoTags}} {{.IsReadOnly}}",
    ]);
    assert!(
        listed.starts_with(&format!("{} [", &id[..12]))
            && listed.contains("localhost/bb:latest")
            && listed.ends_with("] false\n"),
        "{listed}"
    );
    assert_eq!(
        b.ok(&[
            "image",
            "inspect",
            "--format",
            "{{.Labels}}|{{.User}}|{{.Annotations}}",
            IMG
        ]),
        "map[]||map[]\n"
    );
    assert!(b.ok(&["image", "inspect", IMG]).contains("\"RepoTags\""));
    assert!(b.ok(&["history", IMG]).starts_with("ID"));
    b.ok(&["untag", IMG, "localhost/other:v1"]);
    assert_eq!(b.run(&["image", "exists", "localhost/other:v1"]).code, 1);
    assert_eq!(b.run(&["image", "exists", IMG]).code, 0);
    // save / load round trip, both formats.
    for format in ["oci-archive", "docker-archive"] {
        let archive = b.dir.path().join(format!("bb-{format}.tar"));
        b.ok(&[
            "save",
            "--format",
            format,
            "-o",
            archive.to_str().unwrap(),
            IMG,
        ]);
        b.ok(&["rmi", IMG]);
        assert_eq!(b.ok(&["images", "-q"]), "");
        let loaded = b.ok(&["load", "-i", archive.to_str().unwrap()]);
        assert!(loaded.contains("localhost/bb:latest"), "{loaded}");
        assert_eq!(
            b.ok(&["images", "-q", "--no-trunc"])
                .trim()
                .trim_start_matches("sha256:"),
            id
        );
    }
    // rmi refuses an image in use unless -f; prune.
    b.ok(&["create", "--network", "none", "--name", "user", IMG, "true"]);
    assert_eq!(
        b.run(&["rmi", IMG]).code,
        2,
        "podman's code for an image in use"
    );
    b.ok(&["rm", "user"]);
    // prune -a takes unused tagged images too; --filter narrows it.
    let tar = common::image_tar().to_str().unwrap();
    b.ok(&[
        "import",
        "-c",
        "LABEL keep=yes",
        "-c",
        "EXPOSE 80",
        tar,
        "localhost/kept:1",
    ]);
    let kept = b.ok(&["images", "-q", "localhost/kept"]);
    assert!(b
        .ok(&[
            "image",
            "inspect",
            "--format",
            "{{.Config.Labels}}",
            "localhost/kept:1"
        ])
        .contains("keep"));
    let pruned = b.ok(&["image", "prune", "-a", "-f", "--filter", "label!=keep=yes"]);
    assert_eq!(pruned.lines().count(), 1, "{pruned}");
    assert_eq!(b.ok(&["images", "-q"]), kept);
    assert_eq!(b.ok(&["image", "prune", "-f"]), "", "nothing dangling");
    assert_eq!(
        b.ok(&["image", "prune", "-a", "-f", "--filter", "until=1h"]),
        "",
        "the image is younger than an hour"
    );
    let full = b.ok(&["images", "-q", "--no-trunc"]);
    assert_eq!(
        b.ok(&["image", "prune", "-a", "-f", "--filter", "label=keep=yes"]),
        format!("{}\n", full.trim().trim_start_matches("sha256:"))
    );
    assert_eq!(b.ok(&["images", "-q"]), "");
}

#[test]
fn volume_commands() {
    let b = Berth::new();
    assert_eq!(b.ok(&["volume", "create", "-l", "k=v", "data"]), "data\n");
    let data = ["-v", "data:/data"];
    b.run_rm(&data, &["sh", "-c", "echo kept > /data/f"]).ok();
    assert_eq!(b.run_rm(&data, &["cat", "/data/f"]).ok(), "kept\n");
    assert_eq!(
        b.ok(&["volume", "ls"]).lines().collect::<Vec<_>>(),
        ["DRIVER      VOLUME NAME", "local       data"]
    );
    assert_eq!(b.ok(&["volume", "ls", "-q"]), "data\n");
    assert_eq!(
        b.ok(&[
            "volume",
            "inspect",
            "--format",
            "{{.Name}} {{.Labels.k}}",
            "data"
        ]),
        "data v\n"
    );
    let bind = b.dir.path().join("bind");
    std::fs::create_dir(&bind).unwrap();
    let spec = format!("{}:/mnt:ro", bind.display());
    std::fs::write(bind.join("x"), "bound\n").unwrap();
    assert_eq!(b.run_rm(&["-v", &spec], &["cat", "/mnt/x"]).ok(), "bound\n");
    assert_ne!(b.run_rm(&["-v", &spec], &["touch", "/mnt/y"]).code, 0);
    b.ok(&["volume", "rm", "data"]);
    b.ok(&["volume", "create", "spare"]);
    b.ok(&["volume", "create", "--label", "keep=1", "kept"]);
    assert_eq!(
        b.ok(&["volume", "prune", "-f", "--filter", "label!=keep=1"]),
        "spare\n"
    );
    b.ok(&["volume", "prune", "-f"]);
    assert_eq!(b.ok(&["volume", "ls", "-q"]), "");
}

#[test]
fn system_commands() {
    let b = Berth::new();
    let info = b.ok(&["info"]);
    assert!(info.starts_with("host:\n"), "{info}");
    assert!(info.contains("graphRoot: "), "{info}");
    let json: serde_json::Value =
        serde_json::from_str(&b.ok(&["info", "--format", "json"])).unwrap();
    let root = b.dir.path().join("root");
    assert_eq!(json["store"]["graphRoot"], root.to_str().unwrap());
    assert_eq!(
        b.ok(&["info", "--format", "{{.Store.GraphRoot}}"]),
        format!("{}\n", root.display())
    );
    let version = b.ok(&["version"]);
    assert!(version.starts_with("Client:"), "{version}");
    assert!(version.contains("\nAPI Version:"), "{version}");
    assert_eq!(
        b.ok(&["version", "--format", "{{.Server.Version}}"]),
        b.ok(&["version", "--format", "{{.Client.Version}}"])
    );
    let info_json: serde_json::Value =
        serde_json::from_str(&b.ok(&["info", "--format", "json"])).unwrap();
    for key in [
        "/host/arch",
        "/host/buildahVersion",
        "/host/conmon/package",
        "/host/conmon/path",
        "/host/ociRuntime/name",
        "/host/ociRuntime/path",
        "/host/security/rootless",
        "/store/configFile",
        "/store/graphDriverName",
        "/store/graphOptions",
        "/store/imageStore/number",
        "/store/containerStore/running",
        "/store/volumePath",
        "/plugins/log",
        "/version/APIVersion",
    ] {
        assert!(info_json.pointer(key).is_some(), "{key} in {info_json}");
    }
    assert_eq!(info_json["host"]["arch"], "amd64");
    assert_eq!(
        b.ok(&["info", "--format", "{{.Host.OCIRuntime.Path}}"])
            .trim(),
        info_json["host"]["ociRuntime"]["path"].as_str().unwrap()
    );
    assert_eq!(
        b.ok(&["info", "--format", "{{.Store.GraphOptions}}"]),
        "map[]\n"
    );
    let bad = b.run(&["info", "--format", "{{.Nonexistent}}"]);
    assert_eq!(bad.code, 125, "{bad:?}");
    let df = b.ok(&["system", "df"]);
    assert!(df.starts_with("TYPE") && df.contains("Images"), "{df}");
    b.ok(&["system", "check"]);
    b.sleeper("keep", &[]);
    b.ok(&["system", "refresh"]);
    // After a refresh the container state was reset as after a reboot.
    let ps = b.ok(&["ps", "-a", "--format", "{{.Names}}"]);
    assert!(ps.contains("keep"), "{ps}");
    b.ok(&["rm", "-f", "keep"]);
    b.ok(&["create", "--network", "none", IMG, "true"]);
    let pruned = b.ok(&["system", "prune", "-f"]);
    assert!(pruned.starts_with("Deleted Containers\n"), "{pruned}");
    assert_eq!(b.ok(&["ps", "-a", "-q"]), "");
    b.ok(&["system", "reset", "-f"]);
    assert!(!root.exists());
}

/// A tmux session running `berth ARGS; echo $? > FILE` on a 100x30 pty.
struct Tmux {
    session: String,
    done: std::path::PathBuf,
}

impl Tmux {
    fn start(b: &Berth, args: &[&str]) -> Tmux {
        common::require(&["/usr/bin/tmux"]);
        static SEQ: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let n = SEQ.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let session = format!("berthit{}x{n}", std::process::id());
        let done = b.dir.path().join(format!("exit-code-{n}"));
        let mut cmd = vec![env!("CARGO_BIN_EXE_berth").to_owned()];
        cmd.extend(b.globals());
        cmd.extend(args.iter().map(|a| (*a).to_owned()));
        let line = format!(
            "CONTAINERS_CONF=/dev/null CONTAINERS_STORAGE_CONF=/dev/null BERTH_DEFAULT_BRIDGE={}:{} BERTH_CGROUP_PARENT={} {}; echo $? > {}",
            b.bridge,
            b.subnet,
            b.cgroup_parent,
            cmd.join(" "),
            done.display()
        );
        let t = Tmux { session, done };
        Tmux::tmux(&[
            "new-session",
            "-d",
            "-s",
            &t.session,
            "-x",
            "100",
            "-y",
            "30",
            &line,
        ]);
        t
    }

    fn tmux(args: &[&str]) -> String {
        let o = std::process::Command::new("tmux")
            .args(args)
            .output()
            .unwrap();
        String::from_utf8_lossy(&o.stdout).into_owned()
    }

    fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", self.session.as_str()];
        args.extend(keys);
        Self::tmux(&args);
    }

    /// The screen once it shows `text` (10 s at most).
    fn wait_for(&self, text: &str) -> String {
        for _ in 0..100 {
            let screen = Self::tmux(&["capture-pane", "-p", "-t", &self.session]);
            if screen.contains(text) {
                return screen;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!(
            "{text:?} never appeared: {}",
            Self::tmux(&["capture-pane", "-p", "-t", &self.session])
        );
    }

    /// berth's exit code once it has ended (10 s at most).
    fn exit_code(&self) -> String {
        for _ in 0..100 {
            if let Ok(code) = std::fs::read_to_string(&self.done) {
                return code.trim().to_owned();
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("berth did not end");
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = std::process::Command::new("tmux")
            .args(["kill-session", "-t", &self.session])
            .status();
    }
}

#[test]
fn run_it_gives_an_interactive_shell_on_a_pty() {
    let b = Berth::new();
    let t = Tmux::start(&b, &["run", "-it", "--rm", "--network", "none", IMG, "sh"]);
    t.wait_for("/ #");
    t.keys(&["echo $((6*7)); tty; stty size", "Enter"]);
    // The three answers arrive one by one; wait for the last before reading.
    let screen = t.wait_for("30 100");
    assert!(screen.contains("\n42"), "{screen}");
    assert!(screen.contains("/dev/pts/"), "{screen}");
    t.keys(&["exit 5", "Enter"]);
    assert_eq!(t.exit_code(), "5");
}

#[test]
fn detach_keys_leave_the_container_running() {
    let b = Berth::new();
    let t = Tmux::start(
        &b,
        &["run", "-it", "--name", "bg", "--network", "none", IMG, "sh"],
    );
    t.wait_for("/ #");
    t.keys(&["C-p", "C-q"]);
    assert_eq!(t.exit_code(), "0");
    assert_eq!(b.ok(&["ps", "--format", "{{.Names}}"]), "bg\n");
    // Attach again and leave with other keys; then end it from inside.
    let again = Tmux::start(&b, &["attach", "--detach-keys", "ctrl-x,y", "bg"]);
    again.keys(&["echo back-$((1+1))", "Enter"]);
    again.wait_for("back-2");
    again.keys(&["C-x", "y"]);
    assert_eq!(again.exit_code(), "0");
    assert_eq!(b.ok(&["ps", "--format", "{{.Names}}"]), "bg\n");
    b.ok(&["rm", "-f", "bg"]);
}
