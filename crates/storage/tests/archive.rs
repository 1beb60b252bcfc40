//! Load and save: round trips in every format, multi-image archives, and
//! interop with a real podman (private root) in both directions.

mod common;

use std::io::Cursor;
use std::path::Path;

use berth_storage::{ArchiveFormat, Driver, ImportOptions, Storage};
use berth_testsupport::busybox;
use common::{Podman, Tar, TestStore};

fn import(ts: &TestStore, name: &str, tar: Vec<u8>) -> berth_storage::ImageRecord {
    ts.store
        .import_rootfs(
            &mut Cursor::new(tar),
            &ImportOptions {
                names: vec![name.into()],
                cmd: Some(vec!["/bin/sh".into()]),
                ..Default::default()
            },
        )
        .unwrap()
}

/// Loads the archive at `path` into `ts`; the ids of the images, sorted.
fn load_ids(ts: &TestStore, path: &Path) -> Vec<String> {
    let mut ids: Vec<String> = ts
        .store
        .load(path)
        .unwrap()
        .into_iter()
        .map(|i| i.id)
        .collect();
    ids.sort();
    ids
}

#[test]
fn round_trips_keep_the_image_id() {
    let src = TestStore::new(Driver::Overlay);
    let img = import(&src, "rt", busybox::rootfs_tar());
    let out = tempfile::tempdir().unwrap();
    for (format, path) in [
        (ArchiveFormat::OciDir, out.path().join("layout")),
        (ArchiveFormat::OciArchive, out.path().join("oci.tar")),
        (ArchiveFormat::DockerArchive, out.path().join("docker.tar")),
    ] {
        src.store.save(&["rt"], format, &path).unwrap();
        let dst = TestStore::new(Driver::Vfs);
        let loaded = dst.store.load(&path).unwrap();
        assert_eq!(loaded.len(), 1, "{format:?}");
        assert_eq!(loaded[0].id, img.id, "{format:?}: id changed");
        assert_eq!(loaded[0].names, vec!["localhost/rt:latest"], "{format:?}");
        assert_eq!(loaded[0].config.cmd, img.config.cmd);
        let sid = dst.store.create_container("c", &img.id).unwrap();
        assert!(dst
            .store
            .mount_container(&sid)
            .unwrap()
            .join("bin/busybox")
            .exists());
        // loading twice is idempotent
        assert_eq!(dst.store.load(&path).unwrap()[0].id, img.id);
        assert!(dst.store.check(false).unwrap().is_clean());
    }
}

#[test]
fn multi_image_docker_archive() {
    let src = TestStore::new(Driver::Vfs);
    let a = import(&src, "a", Tar::new().file("a", b"a").finish());
    let b = import(&src, "b", Tar::new().file("b", b"b").finish());
    src.store.tag_image("b", "b:two").unwrap();
    let out = tempfile::tempdir().unwrap();
    for (fmt, name) in [
        (ArchiveFormat::DockerArchive, "multi.tar"),
        (ArchiveFormat::OciArchive, "multi-oci.tar"),
    ] {
        let path = out.path().join(name);
        src.store.save(&["a", "b"], fmt, &path).unwrap();
        let dst = TestStore::new(Driver::Vfs);
        let mut want = vec![a.id.clone(), b.id.clone()];
        want.sort();
        assert_eq!(load_ids(&dst, &path), want, "{fmt:?}");
        assert_eq!(dst.store.resolve_image("localhost/b").unwrap().id, b.id);
    }
}

#[test]
fn bad_archives_get_clear_errors() {
    let ts = TestStore::new(Driver::Vfs);
    let tmp = tempfile::tempdir().unwrap();
    let p = tmp.path().join("junk.tar");
    std::fs::write(&p, Tar::new().file("hello", b"x").finish()).unwrap();
    let err = ts.store.load(&p).unwrap_err().to_string();
    assert!(err.contains("neither an OCI layout"), "{err}");
    // a manifest that points outside the archive through a symlink
    let t = Tar::new()
        .symlink("evil", "/etc/passwd")
        .file(
            "manifest.json",
            br#"[{"Config":"evil","RepoTags":[],"Layers":[]}]"#,
        )
        .finish();
    std::fs::write(&p, t).unwrap();
    let err = ts.store.load(&p).unwrap_err().to_string();
    assert!(err.contains("evil"), "{err}");
    // a tampered blob
    let src = TestStore::new(Driver::Vfs);
    let img = import(&src, "t", Tar::new().file("f", b"data").finish());
    let layout = tmp.path().join("layout");
    src.store
        .save(&["t"], ArchiveFormat::OciDir, &layout)
        .unwrap();
    let layer = &img.diff_ids[0]["sha256:".len()..];
    let lp = layout.join("blobs/sha256").join(layer);
    let mut data = std::fs::read(&lp).unwrap();
    data[600] ^= 1;
    std::fs::write(&lp, data).unwrap();
    let err = ts.store.load(&layout).unwrap_err().to_string();
    assert!(err.contains("digest mismatch"), "{err}");
    assert!(ts.store.images().unwrap().is_empty());
    let r = ts.store.check(true).unwrap();
    assert!(ts.store.check(false).unwrap().is_clean(), "{r:?}");
    assert!(src.store.save(&[], ArchiveFormat::OciDir, &layout).is_err());
    assert!("zip".parse::<ArchiveFormat>().is_err());
}

fn rootfs_file(dir: &Path) -> std::path::PathBuf {
    let p = dir.join("rootfs.tar");
    std::fs::write(&p, busybox::rootfs_tar()).unwrap();
    p
}

#[test]
fn podman_save_loads_into_berth() {
    let podman = Podman::new("vfs");
    let tar = rootfs_file(podman.dir.path());
    podman.run(&[
        "import",
        "--change",
        "CMD [\"/bin/sh\"]",
        tar.to_str().unwrap(),
        "localhost/frompodman",
    ]);
    let id = podman.image_id("localhost/frompodman");
    for fmt in ["oci-archive", "docker-archive"] {
        let out = podman.dir.path().join(format!("{fmt}.tar"));
        podman.run(&[
            "save",
            "--format",
            fmt,
            "-o",
            out.to_str().unwrap(),
            "localhost/frompodman",
        ]);
        let ts = TestStore::new(Driver::Overlay);
        let imgs = ts.store.load(&out).unwrap();
        assert_eq!(imgs.len(), 1);
        assert_eq!(imgs[0].id, id, "{fmt}: berth gives the image podman's id");
        assert_eq!(
            ts.store.resolve_image("frompodman").unwrap().id,
            id,
            "{fmt}"
        );
        assert_eq!(
            imgs[0].config.cmd.as_deref(),
            Some(&["/bin/sh".to_string()][..])
        );
        let sid = ts.store.create_container("c", &id).unwrap();
        let root = ts.store.mount_container(&sid).unwrap();
        assert!(root.join("bin/busybox").exists(), "{fmt}");
        ts.store.delete_container(&sid).unwrap();
    }
}

#[test]
fn berth_save_loads_into_podman_and_runs() {
    let ts = TestStore::new(Driver::Overlay);
    let img = import(&ts, "fromberth", busybox::rootfs_tar());
    let podman = Podman::new("vfs");
    for (fmt, name) in [
        (ArchiveFormat::OciArchive, "b-oci.tar"),
        (ArchiveFormat::DockerArchive, "b-docker.tar"),
    ] {
        let out = podman.dir.path().join(name);
        ts.store.save(&["fromberth"], fmt, &out).unwrap();
        podman.run(&["load", "-i", out.to_str().unwrap()]);
        let id = podman.image_id("localhost/fromberth:latest");
        assert_eq!(id, img.id, "{fmt:?}: podman gives the image berth's id");
        let said = podman.run(&[
            "run",
            "--rm",
            "--network",
            "none",
            "localhost/fromberth:latest",
            "/bin/busybox",
            "echo",
            "hello-from-berth",
        ]);
        assert_eq!(said.trim(), "hello-from-berth", "{fmt:?}");
        podman.run(&["rmi", "-f", "localhost/fromberth:latest"]);
    }
}

#[test]
fn podman_multi_image_docker_archive_loads_into_berth() {
    let podman = Podman::new("vfs");
    let mut want = Vec::new();
    for name in ["one", "two"] {
        let p = podman.dir.path().join(format!("{name}.tar"));
        std::fs::write(&p, Tar::new().file(name, name.as_bytes()).finish()).unwrap();
        podman.run(&["import", p.to_str().unwrap(), &format!("localhost/{name}")]);
        want.push(podman.image_id(&format!("localhost/{name}")));
    }
    let out = podman.dir.path().join("multi.tar");
    podman.run(&[
        "save",
        "-m",
        "--format",
        "docker-archive",
        "-o",
        out.to_str().unwrap(),
        "localhost/one",
        "localhost/two",
    ]);
    let ts = TestStore::new(Driver::Overlay);
    want.sort();
    assert_eq!(load_ids(&ts, &out), want);
    assert_eq!(
        ts.store.resolve_image("one").unwrap().names,
        vec!["localhost/one:latest"]
    );
}
