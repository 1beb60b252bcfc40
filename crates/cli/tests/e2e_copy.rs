//! End to end: `berth cp` never reaches the host outside the container, whatever links the
//! container planted, and follows podman's rules for what goes where. Each attack test plants
//! the attack from inside a real container and checks the host afterwards.

mod common;

use common::{Berth, IMG};
use std::path::{Path, PathBuf};

/// A host directory for one test (random name, removed on drop) holding a victim file.
struct HostDir {
    dir: tempfile::TempDir,
}

impl HostDir {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("victim"), "host content\n").unwrap();
        HostDir { dir }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn victim(&self) -> PathBuf {
        self.dir.path().join("victim")
    }

    /// The host directory is exactly as the test made it.
    #[track_caller]
    fn assert_untouched(&self) {
        let mut names: Vec<_> = std::fs::read_dir(self.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        names.sort();
        assert_eq!(
            names,
            ["victim"],
            "files appeared in {}",
            self.path().display()
        );
        let meta = std::fs::symlink_metadata(self.victim()).unwrap();
        assert!(meta.is_file(), "the victim was replaced");
        assert_eq!(
            std::fs::read_to_string(self.victim()).unwrap(),
            "host content\n"
        );
    }
}

/// Runs `script` in a new container `name` (it exits; the container stays).
fn plant(b: &Berth, name: &str, script: &str) {
    b.ok(&[
        "run",
        "--name",
        name,
        "--network",
        "none",
        IMG,
        "sh",
        "-c",
        script,
    ]);
}

/// A file on the host to copy, in the instance's own directory.
fn host_file(b: &Berth, name: &str, text: &str) -> String {
    let p = b.dir.path().join(name);
    std::fs::write(&p, text).unwrap();
    p.to_str().unwrap().to_owned()
}

/// A host directory `name` in the instance's own directory holding `files` (relative path,
/// content), their parent directories made as needed.
fn host_tree(b: &Berth, name: &str, files: &[(&str, &str)]) -> PathBuf {
    let root = b.dir.path().join(name);
    std::fs::create_dir_all(&root).unwrap();
    for (rel, text) in files {
        let p = root.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    root
}

/// Reads `rel` (a path without links) in the container's root filesystem.
fn read_in(b: &Berth, ctr: &str, rel: &str) -> String {
    let root = b.ok(&["mount", ctr]);
    let text = std::fs::read_to_string(Path::new(root.trim()).join(rel))
        .unwrap_or_else(|e| panic!("{rel} in {ctr}: {e}"));
    b.ok(&["unmount", ctr]);
    text
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn cp_into_an_absolute_symlink_writes_inside_the_container() {
    let b = Berth::new();
    let host = HostDir::new();
    let victim = s(&host.victim()).to_owned();
    // The same directory exists in the container, so the copy has somewhere to land there.
    let dir = s(host.path()).to_owned();
    plant(&b, "c", &format!("mkdir -p {dir} && ln -s {victim} /evil"));
    let f = host_file(&b, "payload", "from cp\n");
    b.ok(&["cp", &f, "c:/evil"]);
    host.assert_untouched();
    assert_eq!(read_in(&b, "c", &victim[1..]), "from cp\n");
}

#[test]
fn cp_of_a_directory_into_a_symlink_to_a_host_directory_stays_inside() {
    let b = Berth::new();
    let host = HostDir::new();
    let dir = s(host.path()).to_owned();
    plant(&b, "c", &format!("ln -s {dir} /evildir"));
    let src = host_tree(&b, "tree", &[("victim", "from cp\n"), ("sub/x", "x\n")]);
    // The link's target does not exist in the container: podman's "could not be found".
    b.fails_with(
        &["cp", s(&src), "c:/evildir/"],
        "could not be found on container c",
    );
    // Without the trailing slash the directory is created where the link points, inside.
    b.ok(&["cp", &format!("{}/.", s(&src)), "c:/evildir"]);
    host.assert_untouched();
    assert_eq!(read_in(&b, "c", &format!("{}/sub/x", &dir[1..])), "x\n");
}

#[test]
fn cp_of_a_directory_replaces_links_planted_inside_the_destination() {
    let b = Berth::new();
    let host = HostDir::new();
    let victim = s(&host.victim()).to_owned();
    // The copy of tree/ merges into /dst/tree, where the container put links to the host.
    plant(
        &b,
        "c",
        &format!(
            "mkdir -p /dst/tree && ln -s {victim} /dst/tree/victim && ln -s {} /dst/tree/sub",
            s(host.path())
        ),
    );
    let src = host_tree(&b, "tree", &[("victim", "from cp\n"), ("sub/new", "new\n")]);
    // The link at /dst/tree/sub is not a directory: replacing it takes --overwrite.
    b.fails_with(&["cp", s(&src), "c:/dst"], "--overwrite");
    host.assert_untouched();
    b.ok(&["cp", "--overwrite", s(&src), "c:/dst"]);
    host.assert_untouched();
    assert_eq!(read_in(&b, "c", "dst/tree/victim"), "from cp\n");
    assert_eq!(read_in(&b, "c", "dst/tree/sub/new"), "new\n");
}

#[test]
fn cp_through_a_relative_dotdot_chain_stays_inside() {
    let b = Berth::new();
    let host = HostDir::new();
    let up = "../".repeat(30);
    let dir = s(host.path()).trim_start_matches('/').to_owned();
    plant(
        &b,
        "c",
        &format!("mkdir -p /a/b/c && ln -s {up}{dir} /a/b/c/up && echo inside > /a/b/inside"),
    );
    let f = host_file(&b, "payload", "from cp\n");
    // Into: the parent does not exist in the container.
    b.fails_with(
        &["cp", &f, "c:/a/b/c/up/victim"],
        "could not be found on container c",
    );
    host.assert_untouched();
    // Out: reading through the chain never reaches the host file.
    let out = b.dir.path().join("out");
    let r = b.run(&["cp", "c:/a/b/c/up/victim", s(&out)]);
    assert_eq!(r.code, 125, "{r:?}");
    assert!(!out.exists());
    // `..` chains that stay inside still work.
    b.ok(&["cp", "c:/a/b/c/../../../a/b/inside", s(&out)]);
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "inside\n");
}

#[test]
fn cp_through_a_symlinked_parent_directory_stays_inside() {
    let b = Berth::new();
    let host = HostDir::new();
    plant(&b, "c", &format!("ln -s {} /etcl", s(host.path())));
    let f = host_file(&b, "payload", "from cp\n");
    for dest in ["c:/etcl/victim", "c:/etcl/new", "c:/etcl/"] {
        b.fails_with(&["cp", &f, dest], "could not be found on container c");
    }
    host.assert_untouched();
}

#[test]
fn cp_out_of_links_never_copies_host_files() {
    let b = Berth::new();
    let host = HostDir::new();
    let victim = s(&host.victim()).to_owned();
    plant(
        &b,
        "c",
        &format!(
            "ln -s {victim} /secret && mkdir /d && ln -s {victim} /d/secret && ln -s {} /hostdir",
            s(host.path())
        ),
    );
    let out = b.dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
    // A link as the source is followed inside the container, where its target is missing.
    b.fails_with(
        &["cp", "c:/secret", s(&out.join("secret"))],
        "\"/secret\" could not be found on container c",
    );
    // A symlinked parent directory is not a way out either.
    let r = b.run(&["cp", "c:/hostdir/victim", s(&out)]);
    assert_eq!(r.code, 125, "{r:?}");
    let r = b.run(&["cp", "c:/hostdir/.", s(&out.join("all"))]);
    assert_eq!(r.code, 125, "{r:?}");
    // A link inside a copied directory is copied as a link.
    b.ok(&["cp", "c:/d", s(&out)]);
    let link = out.join("d/secret");
    assert!(std::fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    assert_eq!(std::fs::read_link(&link).unwrap(), host.victim());
    // Nothing else came out; no regular file holds the host's content.
    let mut names: Vec<_> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    names.sort();
    assert_eq!(names, ["d"]);
    host.assert_untouched();
}

#[test]
fn cp_reaches_the_volumes_and_bind_mounts_of_a_running_container() {
    let b = Berth::new();
    let bind = tempfile::tempdir().unwrap();
    let ro = tempfile::tempdir().unwrap();
    b.sleeper(
        "r",
        &[
            "-v",
            "cpvol:/vol",
            "-v",
            &format!("{}:/bind", s(bind.path())),
            "-v",
            &format!("{}:/ro:ro", s(ro.path())),
        ],
    );
    let f = host_file(&b, "payload", "from cp\n");
    b.ok(&["cp", &f, "r:/vol/"]);
    assert_eq!(b.ok(&["exec", "r", "cat", "/vol/payload"]), "from cp\n");
    b.ok(&["cp", &f, "r:/bind/in-bind"]);
    assert_eq!(
        std::fs::read_to_string(bind.path().join("in-bind")).unwrap(),
        "from cp\n"
    );
    assert_eq!(b.ok(&["exec", "r", "cat", "/bind/in-bind"]), "from cp\n");
    // Through a link in the root filesystem into the volume, and a directory over both.
    b.ok(&[
        "exec",
        "r",
        "sh",
        "-c",
        "mkdir /vol/sub && ln -s /vol/sub /lv",
    ]);
    b.ok(&["cp", &f, "r:/lv/via-link"]);
    assert_eq!(
        b.ok(&["exec", "r", "cat", "/vol/sub/via-link"]),
        "from cp\n"
    );
    let tree = host_tree(
        &b,
        "tree",
        &[("vol/deep", "deep\n"), ("bind/deep", "deep\n")],
    );
    b.ok(&["cp", &format!("{}/.", s(&tree)), "r:/"]);
    assert_eq!(b.ok(&["exec", "r", "cat", "/vol/deep"]), "deep\n");
    assert_eq!(
        std::fs::read_to_string(bind.path().join("deep")).unwrap(),
        "deep\n"
    );
    // Out of the volume.
    b.ok(&["exec", "r", "sh", "-c", "echo made inside > /vol/made"]);
    let out = b.dir.path().join("made");
    b.ok(&["cp", "r:/vol/made", s(&out)]);
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "made inside\n");
    // A read-only mount is not written.
    b.fails(
        &["cp", &f, "r:/ro/x"],
        "r:/ro/x is on a read-only mount of the container",
    );
    assert!(!ro.path().join("x").exists());
    b.ok(&["rm", "-f", "-t", "0", "r"]);
}

#[test]
fn cp_follows_podmans_rules() {
    let b = Berth::new();
    plant(&b, "c", "mkdir -p /x/isdir && echo f > /x/file");
    let src = host_tree(&b, "dir", &[("a", "a\n")]);
    std::fs::create_dir(src.join("sub")).unwrap();
    std::os::unix::fs::symlink("a", src.join("lnk")).unwrap();
    let f = host_file(&b, "f", "hi\n");
    // Directory onto a missing path: created with the content; again: goes inside.
    b.ok(&["cp", s(&src), "c:/x/newd"]);
    b.ok(&["cp", s(&src), "c:/x/newd"]);
    // DIR/. onto an existing directory: the content goes there.
    b.ok(&["cp", &format!("{}/.", s(&src)), "c:/x/isdir"]);
    // A file onto a directory goes inside; onto a file replaces it.
    b.ok(&["cp", &f, "c:/x/isdir"]);
    b.ok(&["cp", &f, "c:/x/file"]);
    let out = b.dir.path().join("out");
    b.ok(&["cp", "c:/x", s(&out)]);
    let read = |p: &str| std::fs::read_to_string(out.join(p)).unwrap();
    assert_eq!(read("newd/a"), "a\n");
    assert_eq!(read("newd/dir/a"), "a\n");
    assert!(out.join("newd/dir/sub").is_dir());
    assert_eq!(
        std::fs::read_link(out.join("newd/lnk")).unwrap(),
        Path::new("a")
    );
    assert_eq!(read("isdir/a"), "a\n");
    assert_eq!(read("isdir/f"), "hi\n");
    assert_eq!(read("file"), "hi\n");
    // A directory never replaces a file.
    b.fails(
        &["cp", s(&src), "c:/x/file"],
        "destination must be a directory when copying a directory",
    );
    let r = b.run(&["cp", "c:/x", &f]);
    assert_eq!(r.code, 125);
    // A relative host path is the caller's; a host link as the source is followed.
    std::os::unix::fs::symlink("f", b.dir.path().join("flink")).unwrap();
    let r = b
        .cmd()
        .current_dir(b.dir.path())
        .args(["cp", "flink", "c:/x/from-link"])
        .output()
        .unwrap();
    assert!(r.status.success(), "{r:?}");
    let r = b
        .cmd()
        .current_dir(b.dir.path())
        .args(["cp", "c:/x/from-link", "back-rel"])
        .output()
        .unwrap();
    assert!(r.status.success(), "{r:?}");
    assert_eq!(
        std::fs::read_to_string(b.dir.path().join("back-rel")).unwrap(),
        "hi\n"
    );
    // A relative container path starts at the working directory (/).
    b.ok(&["cp", &f, "c:x/rel"]);
    let back = b.dir.path().join("rel");
    b.ok(&["cp", "c:/x/rel", s(&back)]);
    assert_eq!(std::fs::read_to_string(&back).unwrap(), "hi\n");
}

#[test]
fn cp_refuses_bad_input_with_125_naming_the_problem() {
    let b = Berth::new();
    plant(&b, "c", "true");
    let f = host_file(&b, "f", "hi\n");
    let missing = b.dir.path().join("missing");
    let out = b.dir.path().join("out");
    let under_missing = format!("{}/x", s(&missing));
    let cases: [(Vec<&str>, String); 8] = [
        (vec!["cp", &f, "nosuch:/tmp/"], "no such container".into()),
        (
            vec!["cp", "nosuch:/etc/passwd", s(&out)],
            "no such container".into(),
        ),
        (
            vec!["cp", s(&missing), "c:/tmp/"],
            format!("{:?} could not be found on the host", s(&missing)),
        ),
        (
            vec!["cp", &f, "c:/nodir/x"],
            "\"/nodir/x\" could not be found on container c".into(),
        ),
        (
            vec!["cp", "c:/nofile", s(&out)],
            "\"/nofile\" could not be found on container c".into(),
        ),
        (
            vec!["cp", "c:/etc/passwd", &under_missing],
            "could not be found on the host".into(),
        ),
        (vec!["cp", &f, s(&out)], "CONTAINER:PATH".into()),
        (
            vec!["cp", "c:/etc/passwd", "c:/tmp/x"],
            "between two containers".into(),
        ),
    ];
    for (args, message) in &cases {
        let r = b.fails_with(args, message);
        assert!(r.err.starts_with("Error: "), "{args:?}: {r:?}");
    }
    assert!(!out.exists());
    assert!(!missing.exists());
}
