//! Diffs of real overlay directories (whiteouts need root for `mknod` and
//! `trusted.*` xattrs; the tests fail without it).

use std::fs;
use std::os::unix::fs::symlink;
use std::path::Path;

use nix::sys::stat::{mknod, Mode, SFlag};

use super::*;
use crate::extract::{extract, ExtractOptions, WhiteoutMode};

fn whiteout(p: &Path) {
    mknod(p, SFlag::S_IFCHR, Mode::from_bits_truncate(0o600), 0).expect("mknod 0/0 (needs root)");
}

fn opaque(p: &Path) {
    fs::create_dir_all(p).unwrap();
    xattr::set(p, OPAQUE_XATTR, b"y").expect("trusted xattr (needs root)");
}

fn write(p: &Path, data: &str) {
    fs::create_dir_all(p.parent().unwrap()).unwrap();
    fs::write(p, data).unwrap();
}

/// A lower layer and an upper dir with every kind of change.
fn scene(t: &Path) -> (std::path::PathBuf, Vec<std::path::PathBuf>) {
    let lower = t.join("lower");
    write(&lower.join("etc/passwd"), "root:x:0:0\n");
    write(&lower.join("etc/group"), "root:x:0:\n");
    write(&lower.join("bin/tool"), "old");
    write(&lower.join("var/cache/a"), "a");
    write(&lower.join("var/cache/b"), "b");
    write(&lower.join("keep/same"), "same");
    let upper = t.join("upper");
    fs::create_dir_all(&upper).unwrap();
    // changed file in an existing dir, added file in a new dir
    write(&upper.join("etc/passwd"), "root:x:0:0\nu:x:1:1\n");
    write(&upper.join("home/u/notes"), "hi");
    // deleted file
    whiteout(&upper.join("bin/tool").tap_parent());
    // a dir emptied and made again: opaque, with one new file
    opaque(&upper.join("var/cache"));
    write(&upper.join("var/cache/c"), "c");
    symlink("notes", upper.join("home/u/link")).unwrap();
    (upper, vec![lower])
}

trait TapParent {
    fn tap_parent(self) -> Self;
}

impl TapParent for std::path::PathBuf {
    /// Makes the parent directory and returns the path.
    fn tap_parent(self) -> Self {
        fs::create_dir_all(self.parent().unwrap()).unwrap();
        self
    }
}

fn lines(changes: &[Change]) -> Vec<String> {
    changes.iter().map(ToString::to_string).collect()
}

#[test]
fn overlay_changes_list_adds_changes_and_deletions_in_walk_order() {
    let t = tempfile::tempdir().unwrap();
    let (upper, lowers) = scene(t.path());
    let got = lines(&overlay_changes(&upper, &lowers).unwrap());
    assert_eq!(
        got,
        [
            "C /bin",
            "D /bin/tool",
            "C /etc",
            "C /etc/passwd",
            "A /home",
            "A /home/u",
            "A /home/u/link",
            "A /home/u/notes",
            "C /var",
            "D /var/cache",
            "A /var/cache/c",
        ],
        "{got:#?}"
    );
}

#[test]
fn a_directory_with_the_lower_ones_metadata_is_left_out() {
    let t = tempfile::tempdir().unwrap();
    let lower = t.path().join("lower");
    write(&lower.join("d/f"), "x");
    let upper = t.path().join("upper");
    fs::create_dir_all(upper.join("d")).unwrap();
    let lm = fs::metadata(lower.join("d")).unwrap();
    fs::File::open(upper.join("d"))
        .unwrap()
        .set_modified(lm.modified().unwrap())
        .unwrap();
    fs::set_permissions(upper.join("d"), lm.permissions()).unwrap();
    let got = overlay_changes(&upper, &[lower]).unwrap();
    // the sizes of two directories with different contents may differ; only an
    // identical one is skipped
    if fs::metadata(upper.join("d")).unwrap().size() == lm.size() {
        assert!(got.is_empty(), "{got:?}");
    }
}

#[test]
fn a_whited_out_lower_path_makes_an_upper_file_added() {
    let t = tempfile::tempdir().unwrap();
    let base = t.path().join("base");
    write(&base.join("x/f"), "1");
    let mid = t.path().join("mid");
    fs::create_dir_all(&mid).unwrap();
    whiteout(&mid.join("x"));
    let upper = t.path().join("upper");
    write(&upper.join("x/f"), "2");
    let got = lines(&overlay_changes(&upper, &[mid, base]).unwrap());
    assert_eq!(got, ["A /x", "A /x/f"]);
}

#[test]
fn no_changes_for_an_empty_upper_dir() {
    let t = tempfile::tempdir().unwrap();
    fs::create_dir_all(t.path().join("u")).unwrap();
    assert!(overlay_changes(&t.path().join("u"), &[])
        .unwrap()
        .is_empty());
}

fn entry_names(tar_bytes: &[u8]) -> Vec<String> {
    let mut a = ::tar::Archive::new(tar_bytes);
    a.entries()
        .unwrap()
        .map(|e| e.unwrap().path().unwrap().to_string_lossy().into_owned())
        .collect()
}

#[test]
fn the_layer_tar_carries_whiteouts_and_opaque_markers_and_extracts_back() {
    let t = tempfile::tempdir().unwrap();
    let (upper, lowers) = scene(t.path());
    let mut buf = Vec::new();
    write_layer_tar(&upper, &mut buf).unwrap();
    let names = entry_names(&buf);
    for want in [
        "bin/.wh.tool",
        "var/cache/.wh..wh..opq",
        "etc/passwd",
        "home/u/notes",
        "home/u/link",
    ] {
        assert!(names.iter().any(|n| n == want), "{want} in {names:?}");
    }
    assert!(!names.iter().any(|n| n == "bin/tool"), "{names:?}");
    // extracted as a layer, the tar is the same diff
    let again = t.path().join("again");
    fs::create_dir_all(&again).unwrap();
    extract(
        &mut buf.as_slice(),
        &again,
        ExtractOptions::layer(WhiteoutMode::Overlay),
    )
    .unwrap();
    // (a directory's mtime keeps whole seconds in a tar, so one may now match its
    // lower copy and drop out, as in podman: compare the rest)
    let no_changed_dirs = |root: &Path| -> Vec<Change> {
        overlay_changes(root, &lowers)
            .unwrap()
            .into_iter()
            .filter(|c| !(c.kind == ChangeKind::Changed && root.join(&c.path[1..]).is_dir()))
            .collect()
    };
    assert_eq!(no_changed_dirs(&again), no_changed_dirs(&upper));
    assert_eq!(
        fs::read_link(again.join("home/u/link")).unwrap(),
        Path::new("notes")
    );
}

#[test]
fn the_tree_tar_holds_every_file_hard_links_once() {
    let t = tempfile::tempdir().unwrap();
    let root = t.path().join("root");
    write(&root.join("a/one"), "1");
    fs::hard_link(root.join("a/one"), root.join("a/two")).unwrap();
    fs::create_dir_all(root.join("empty")).unwrap();
    let mut buf = Vec::new();
    write_tree_tar(&root, &mut buf).unwrap();
    let mut a = ::tar::Archive::new(buf.as_slice());
    let kinds: Vec<(String, ::tar::EntryType)> = a
        .entries()
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                e.path().unwrap().to_string_lossy().into_owned(),
                e.header().entry_type(),
            )
        })
        .collect();
    assert_eq!(
        kinds,
        [
            ("a".to_string(), ::tar::EntryType::Directory),
            ("a/one".to_string(), ::tar::EntryType::Regular),
            ("a/two".to_string(), ::tar::EntryType::Link),
            ("empty".to_string(), ::tar::EntryType::Directory),
        ]
    );
}
