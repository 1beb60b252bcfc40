//! `diff`, `export`, `commit`, `init` with real runc, conmon and overlay (root).

mod common;

use common::{Berth, IMG};
use std::process::Stdio;

/// A stopped container that wrote `/new/file`, changed `/etc/passwd` and deleted
/// `/var/www/index.html`; its id.
fn changed(b: &Berth, name: &str) -> String {
    b.ok(&[
        "run",
        "--network",
        "none",
        "--name",
        name,
        IMG,
        "sh",
        "-c",
        "mkdir /new && echo hi > /new/file && echo u:x:1:1::/:/bin/sh >> /etc/passwd && rm /var/www/index.html",
    ]);
    b.ok(&["inspect", "--format", "{{.Id}}", name])
        .trim()
        .to_owned()
}

#[test]
fn diff_lists_a_containers_changes_as_podman() {
    let b = Berth::new();
    changed(&b, "d1");
    let out = b.ok(&["diff", "d1"]);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines,
        [
            "C /etc",
            "C /etc/passwd",
            "A /new",
            "A /new/file",
            // podman's order: /var/www changed itself, then /var is named as the
            // parent of the deletion
            "C /var/www",
            "C /var",
            "D /var/www/index.html",
        ],
        "{out}"
    );
    assert_eq!(b.ok(&["container", "diff", "d1"]), out);
    assert_eq!(b.ok(&["container", "diff", "-l"]), out);
    let json: serde_json::Value =
        serde_json::from_str(&b.ok(&["diff", "--format", "json", "d1"])).unwrap();
    assert_eq!(json["added"], serde_json::json!(["/new", "/new/file"]));
    assert_eq!(json["deleted"], serde_json::json!(["/var/www/index.html"]));
    assert_eq!(
        json["changed"],
        serde_json::json!(["/etc", "/etc/passwd", "/var/www", "/var"])
    );
    // an image's diff is its top layer against its parent: all added for one layer
    let img = b.ok(&["image", "diff", IMG]);
    assert!(img.lines().all(|l| l.starts_with("A /")), "{img}");
    assert!(img.contains("A /bin/busybox\n"), "{img}");
    assert_eq!(b.ok(&["diff", IMG]), img);
}

#[test]
fn diff_refuses_bad_input_as_podman() {
    let b = Berth::new();
    b.fails(&["diff", "nosuch"], "nosuch not found: layer not known");
    b.fails(
        &["container", "diff", "nosuch"],
        "nosuch not found: container not known",
    );
    b.fails(
        &["image", "diff", "nosuch"],
        "nosuch not found: nosuch: image not known",
    );
    b.fails(
        &["diff"],
        "\"berth diff\" requires a name, id, or the \"--latest\" flag",
    );
    b.fails(
        &["diff", "--format", "table", IMG],
        "only supported value for '--format' is 'json'",
    );
    b.fails(
        &["diff", "-l", "x"],
        "--latest and containers cannot be used together",
    );
}

#[test]
fn export_writes_the_merged_tree_and_import_takes_it_back() {
    let b = Berth::new();
    changed(&b, "e1");
    let tar = b.dir.path().join("e1.tar");
    b.ok(&["export", "-o", tar.to_str().unwrap(), "e1"]);
    let listing = std::process::Command::new("tar")
        .arg("-tf")
        .arg(&tar)
        .output()
        .unwrap();
    let names = String::from_utf8(listing.stdout).unwrap();
    assert!(names.lines().any(|l| l == "new/file"), "{names}");
    assert!(names.lines().any(|l| l == "bin/busybox"), "{names}");
    assert!(!names.contains("index.html"), "{names}");
    // stdout gives the same bytes
    let o = b
        .cmd()
        .args(["container", "export", "e1"])
        .stdout(Stdio::piped())
        .output()
        .unwrap();
    assert!(o.status.success());
    assert_eq!(
        o.stdout.len() as u64,
        std::fs::metadata(&tar).unwrap().len()
    );
    // podman's 125-import: export, re-import, run
    b.ok(&["import", tar.to_str().unwrap(), "localhost/reimported"]);
    let r = b.run_rm(&[], &["true"]);
    assert_eq!(r.code, 0);
    let got = b.ok(&[
        "run",
        "--rm",
        "--network",
        "none",
        "localhost/reimported",
        "sh",
        "-c",
        "cat /new/file; test -e /var/www/index.html || echo gone",
    ]);
    assert_eq!(got, "hi\ngone\n");
    // bad input: a missing container writes no file
    let missing = b.dir.path().join("missing.tar");
    b.fails_with(
        &["export", "-o", missing.to_str().unwrap(), "nosuch"],
        "no such container",
    );
    assert!(!missing.exists());
}

#[test]
fn commit_makes_an_image_with_the_changes_and_config() {
    let b = Berth::new();
    changed(&b, "c1");
    let iid = b.dir.path().join("iid");
    let r = b.run(&[
        "commit",
        "-q",
        "-a",
        "Ann Author",
        "-m",
        "my message",
        "-c",
        "ENV FOO=bar",
        "-c",
        "CMD [\"cat\", \"/new/file\"]",
        "--iidfile",
        iid.to_str().unwrap(),
        "c1",
        "committed",
    ]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.err.is_empty(), "-q prints nothing on stderr: {r:?}");
    let id = r.out.trim();
    assert_eq!(id.len(), 64, "{r:?}");
    assert_eq!(std::fs::read_to_string(&iid).unwrap(), id);
    // the new image runs with the file, the deleted file stays deleted, the config applies
    let got = b.ok(&["run", "--rm", "--network", "none", "localhost/committed"]);
    assert_eq!(got, "hi\n");
    let got = b.ok(&[
        "run",
        "--rm",
        "--network",
        "none",
        "committed",
        "sh",
        "-c",
        "echo $FOO; test -e /var/www/index.html || echo gone; grep -c ^u: /etc/passwd",
    ]);
    assert_eq!(got, "bar\ngone\n1\n");
    let layers = b.ok(&[
        "image",
        "inspect",
        "--format",
        "{{len .RootFS.Layers}}",
        "committed",
    ]);
    assert_eq!(layers.trim(), "2");
    let history = b.ok(&["history", "--format", "{{.Comment}}", "committed"]);
    assert!(history.lines().any(|l| l == "my message"), "{history}");
    // the new image's diff is the container's
    let d = b.ok(&["image", "diff", "committed"]);
    assert!(
        d.contains("A /new/file\n") && d.contains("D /var/www/index.html\n"),
        "{d}"
    );
    // --squash: one layer with everything
    let sq = b.ok(&["container", "commit", "-q", "-s", "c1", "squashed"]);
    assert_eq!(sq.trim().len(), 64);
    let layers = b.ok(&[
        "image",
        "inspect",
        "--format",
        "{{len .RootFS.Layers}}",
        "squashed",
    ]);
    assert_eq!(layers.trim(), "1");
    let got = b.ok(&[
        "run",
        "--rm",
        "--network",
        "none",
        "squashed",
        "cat",
        "/new/file",
    ]);
    assert_eq!(got, "hi\n");
    // without -q: podman's progress on stderr, the id on stdout
    let r = b.run(&["commit", "c1"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(
        r.err.contains("Writing manifest to image destination"),
        "{r:?}"
    );
    assert_eq!(r.out.trim().len(), 64);
}

#[test]
fn commit_of_a_running_container_with_pause() {
    let b = Berth::new();
    b.sleeper("r1", &[]);
    b.ok(&["exec", "r1", "sh", "-c", "echo live > /live"]);
    let id = b.ok(&["commit", "-q", "-p", "r1", "live"]);
    assert_eq!(id.trim().len(), 64);
    let st = b.ok(&["inspect", "--format", "{{.State.Status}}", "r1"]);
    assert_eq!(st.trim(), "running", "unpaused after the commit");
    let got = b.ok(&["run", "--rm", "--network", "none", "live", "cat", "/live"]);
    assert_eq!(got, "live\n");
}

#[test]
fn commit_refuses_bad_input_before_writing() {
    let b = Berth::new();
    changed(&b, "c2");
    let before = b.ok(&["images", "-q"]);
    let r = b.fails_with(&["commit", "nosuch", "x"], "no such container");
    assert!(!r.err.contains("signatures"), "{r:?}");
    b.fails_with(&["commit", "-c", "BOGUS x", "c2", "x"], "--change");
    b.fails(
        &["commit", "-f", "xyz", "c2", "x"],
        "unrecognized image type \"xyz\"",
    );
    b.fails_with(&["commit", "-f", "docker", "c2", "x"], "--format docker");
    b.fails_with(&["commit", "c2", "Bad Name"], "Bad Name");
    assert_eq!(b.ok(&["images", "-q"]), before, "no image was made");
}

#[test]
fn init_creates_the_container_and_start_runs_it() {
    let b = Berth::new();
    b.ok(&[
        "create",
        "--network",
        "none",
        "--name",
        "i1",
        IMG,
        "sleep",
        "600",
    ]);
    assert_eq!(b.ok(&["init", "i1"]), "i1\n");
    let st = b.ok(&["inspect", "--format", "{{.State.Status}}", "i1"]);
    assert_eq!(st.trim(), "created");
    b.ok(&["start", "i1"]);
    let st = b.ok(&["inspect", "--format", "{{.State.Status}}", "i1"]);
    assert_eq!(st.trim(), "running");
    b.ok(&["create", "--network", "none", "--name", "i2", IMG, "true"]);
    b.ok(&["container", "init", "-l"]);
    b.fails_with(&["init", "nosuch"], "no such container");
}

#[test]
fn rename_works_for_running_containers_and_refuses_bad_names() {
    let b = Berth::new();
    let id = b.sleeper("n1", &[]);
    b.ok(&["create", "--network", "none", "--name", "n2", IMG, "true"]);
    assert_eq!(b.ok(&["rename", "n1", "renamed"]), "");
    let name = b.ok(&["inspect", "--format", "{{.Name}}", &id]);
    assert_eq!(name.trim(), "renamed");
    assert_eq!(b.ok(&["exec", "renamed", "echo", "ok"]), "ok\n");
    b.ok(&["container", "rename", &id[..12], "again"]);
    assert!(b.ok(&["ps", "--format", "{{.Names}}"]).contains("again"));
    // the old name is free for a new container
    b.ok(&["create", "--network", "none", "--name", "n1", IMG, "true"]);
    b.fails_with(&["rename", "again", "n2"], "name in use: \"n2\"");
    b.fails_with(&["rename", "again", "bad name"], "names must match");
    b.fails_with(&["rename", "nosuch", "x"], "no such container");
    b.fails_with(&["rename", "again"], "NAME");
    let name = b.ok(&["inspect", "--format", "{{.Name}}", &id]);
    assert_eq!(
        name.trim(),
        "again",
        "nothing changed by the refused renames"
    );
}

/// A cgroup v1 file of the container, read from inside it.
fn cgroup(b: &Berth, ctr: &str, file: &str) -> String {
    let out = b.ok(&["exec", ctr, "cat", &format!("/sys/fs/cgroup/{file}")]);
    out.trim().to_owned()
}

#[test]
fn update_changes_the_limits_of_a_running_container() {
    let b = Berth::new();
    let id = b.sleeper("u1", &["-m", "64m"]);
    assert_eq!(cgroup(&b, "u1", "memory/memory.limit_in_bytes"), "67108864");
    let out = b.ok(&[
        "update",
        "-m",
        "128m",
        "--cpu-shares",
        "512",
        "--cpus",
        "0.5",
        "u1",
    ]);
    assert_eq!(out, format!("{id}\n"));
    assert_eq!(
        cgroup(&b, "u1", "memory/memory.limit_in_bytes"),
        "134217728"
    );
    assert_eq!(cgroup(&b, "u1", "cpu/cpu.shares"), "512");
    assert_eq!(cgroup(&b, "u1", "cpu/cpu.cfs_quota_us"), "50000");
    assert_eq!(cgroup(&b, "u1", "cpu/cpu.cfs_period_us"), "100000");
    let fmt = "{{.HostConfig.Memory}} {{.HostConfig.CpuShares}} {{.HostConfig.CpuQuota}}";
    assert_eq!(
        b.ok(&["inspect", "--format", fmt, "u1"]).trim(),
        "134217728 512 50000"
    );
    b.ok(&[
        "container",
        "update",
        "--memory-swap",
        "-1",
        "--memory-reservation",
        "32m",
        "u1",
    ]);
    assert_eq!(
        cgroup(&b, "u1", "memory/memory.soft_limit_in_bytes"),
        "33554432"
    );
    // bad input: refused before anything changes
    b.fails_with(&["update", "-m", "1k", "u1"], "--memory");
    b.fails_with(
        &["update", "--memory-swappiness", "200", "u1"],
        "--memory-swappiness",
    );
    b.fails_with(&["update", "u1"], "no resource limits given");
    b.fails_with(&["update", "--cpu-rt-period", "1", "u1"], "--cpu-rt-period");
    b.fails_with(&["update", "-m", "64m", "nosuch"], "no such container");
    assert_eq!(
        cgroup(&b, "u1", "memory/memory.limit_in_bytes"),
        "134217728"
    );
    // a container that is not in the OCI runtime is refused by name
    b.ok(&["create", "--network", "none", "--name", "u2", IMG, "true"]);
    b.fails_with(&["update", "-m", "64m", "u2"], "cannot update");
}

#[test]
fn checkpoint_and_restore_name_criu() {
    let b = Berth::new();
    b.sleeper("k1", &[]);
    for verb in ["checkpoint", "restore"] {
        let r = b.fails_with(&["container", verb, "k1"], "CRIU");
        assert!(r.err.contains(verb), "{r:?}");
        b.fails_with(&["container", verb, "nosuch"], "no such container");
    }
    b.fails_with(&["container", "restore", "-i", "/tmp/x.tar.gz"], "--import");
    let st = b.ok(&["inspect", "--format", "{{.State.Status}}", "k1"]);
    assert_eq!(st.trim(), "running", "left alone");
}

#[test]
fn runlabel_runs_and_displays_the_labels_command() {
    let b = Berth::new();
    b.ok(&[
        "import",
        "-c",
        "LABEL install=\"/bin/echo installing IMAGE as NAME\"",
        "-c",
        "LABEL run=\"podman run --rm --network none IMAGE echo from-label\"",
        common::image_tar().to_str().unwrap(),
        "localhost/lbl",
    ]);
    let got = b.ok(&["container", "runlabel", "install", "localhost/lbl", "now"]);
    assert_eq!(got, "installing localhost/lbl:latest as lbl now\n");
    let got = b.ok(&["container", "runlabel", "INSTALL", "-n", "x", "lbl"]);
    assert_eq!(got, "installing localhost/lbl:latest as x\n");
    let shown = b.ok(&["container", "runlabel", "--display", "install", "lbl"]);
    assert!(
        shown.starts_with("command: ")
            && shown.ends_with(" installing localhost/lbl:latest as lbl\n"),
        "{shown}"
    );
    // `podman` in a label runs this berth on the same store
    let got = b.ok(&["container", "runlabel", "run", "lbl"]);
    assert_eq!(got, "from-label\n");
    b.fails_with(
        &["container", "runlabel", "nosuch", "lbl"],
        "cannot find the value of label: nosuch in image: lbl",
    );
    b.fails_with(
        &["container", "runlabel", "run", "nosuchimage"],
        "image not known",
    );
    b.fails_with(
        &["container", "runlabel", "--creds", "a:b", "run", "lbl"],
        "--creds",
    );
}
