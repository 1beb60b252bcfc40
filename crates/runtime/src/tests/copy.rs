//! `cp` over the fake storage's root filesystem directory (no root needed): planted links
//! never lead to the host, mounts take over their destinations, errors name the problem.

use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};

use super::Fx;
use crate::{ContainerCreateOptions, CopyError, CopyOptions, Error};

const NO_CHOWN: CopyOptions = CopyOptions {
    chown: false,
    overwrite: false,
};

/// A container whose root filesystem directory exists (with `/tmp`), and its path.
fn container(fx: &Fx, o: &mut ContainerCreateOptions) -> (String, PathBuf) {
    o.name = Some("c".into());
    let id = fx.rt.create_container(o).unwrap().config.id;
    let root = fx.rt.mount_container(&id).unwrap();
    fx.rt.unmount_container(&id, false).unwrap();
    std::fs::create_dir_all(root.join("tmp")).unwrap();
    (id, root)
}

fn plain(fx: &Fx) -> (String, PathBuf) {
    container(fx, &mut ContainerCreateOptions::new("busybox", &["true"]))
}

fn copy_error(e: Error) -> CopyError {
    match e {
        Error::Copy(c) => *c,
        other => panic!("not a copy error: {other}"),
    }
}

/// A host directory with a `victim` file.
fn host() -> (tempfile::TempDir, PathBuf) {
    let d = tempfile::tempdir().unwrap();
    let v = d.path().join("victim");
    std::fs::write(&v, "host").unwrap();
    (d, v)
}

#[test]
fn copies_into_planted_links_land_inside_the_root() {
    let fx = Fx::new();
    let (id, root) = plain(&fx);
    let (hd, victim) = host();
    symlink(&victim, root.join("evil")).unwrap();
    symlink(hd.path(), root.join("evildir")).unwrap();
    let up = "../".repeat(20);
    symlink(format!("{up}{}", hd.path().display()), root.join("tmp/up")).unwrap();
    std::fs::create_dir_all(root.join(hd.path().strip_prefix("/").unwrap())).unwrap();
    let src = fx.dir.path().join("payload");
    std::fs::write(&src, "copied").unwrap();

    for dest in ["/evil", "/evildir/new", "/tmp/up/victim", "/evildir/"] {
        fx.rt
            .copy_into_container("c", &src, Path::new(dest), &NO_CHOWN)
            .unwrap();
    }
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "host");
    assert_eq!(std::fs::read_dir(hd.path()).unwrap().count(), 1);
    let inside = root.join(hd.path().strip_prefix("/").unwrap());
    for name in ["victim", "new", "payload"] {
        assert_eq!(
            std::fs::read_to_string(inside.join(name)).unwrap(),
            "copied"
        );
    }
    // The link itself is left alone; the root filesystem is unmounted again.
    assert!(root.join("evil").is_symlink());
    let sid = fx.rt.container(&id).unwrap().config.rootfs_storage_id;
    assert_eq!(fx.storage.mount_count(&sid), 0);
}

#[test]
fn copies_out_never_follow_links_to_the_host() {
    let fx = Fx::new();
    let (_, root) = plain(&fx);
    let (hd, victim) = host();
    std::fs::create_dir(root.join("d")).unwrap();
    symlink(&victim, root.join("d/secret")).unwrap();
    symlink(&victim, root.join("secret")).unwrap();
    symlink(hd.path(), root.join("hostdir")).unwrap();
    nix::unistd::mkfifo(
        &root.join("d/fifo"),
        nix::sys::stat::Mode::from_bits_truncate(0o640),
    )
    .unwrap();
    let out = fx.dir.path().join("out");
    std::fs::create_dir(&out).unwrap();

    for src in ["/secret", "/hostdir/victim", "/d/secret/"] {
        let e = fx
            .rt
            .copy_from_container("c", Path::new(src), &out, &NO_CHOWN)
            .unwrap_err();
        assert!(
            matches!(copy_error(e), CopyError::NotInContainer { .. }),
            "{src}"
        );
    }
    fx.rt
        .copy_from_container("c", Path::new("/d"), &out, &NO_CHOWN)
        .unwrap();
    assert_eq!(std::fs::read_link(out.join("d/secret")).unwrap(), victim);
    let fifo = std::fs::symlink_metadata(out.join("d/fifo")).unwrap();
    assert!(std::os::unix::fs::FileTypeExt::is_fifo(&fifo.file_type()));
    assert_eq!(std::fs::read_dir(&out).unwrap().count(), 1);
}

#[test]
fn a_second_copy_never_writes_through_a_link_the_first_one_made() {
    let fx = Fx::new();
    let (_, root) = plain(&fx);
    let (hd, victim) = host();
    // First copy: d/x is a link to the host directory. Second: d2/x is a directory.
    std::fs::create_dir_all(root.join("d")).unwrap();
    symlink(hd.path(), root.join("d/x")).unwrap();
    std::fs::create_dir_all(root.join("d2/x")).unwrap();
    std::fs::write(root.join("d2/x/victim"), "container").unwrap();
    let out = fx.dir.path().join("out");
    fx.rt
        .copy_from_container("c", Path::new("/d"), &out, &NO_CHOWN)
        .unwrap();
    let e = fx
        .rt
        .copy_from_container("c", Path::new("/d2/."), &out, &NO_CHOWN)
        .unwrap_err();
    assert!(matches!(copy_error(e), CopyError::Overwrite { .. }));
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "host");
    // With --overwrite the link is replaced, not followed.
    let o = CopyOptions {
        overwrite: true,
        ..NO_CHOWN
    };
    fx.rt
        .copy_from_container("c", Path::new("/d2/."), &out, &o)
        .unwrap();
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "host");
    assert_eq!(
        std::fs::read_to_string(out.join("x/victim")).unwrap(),
        "container"
    );
}

#[test]
fn volumes_and_bind_mounts_take_over_their_destinations() {
    let fx = Fx::new();
    let bind = tempfile::tempdir().unwrap();
    let ro = tempfile::tempdir().unwrap();
    let mut o = ContainerCreateOptions::new("busybox", &["true"]);
    let mount = |src: &Path, dest: &str, read_only: bool| crate::ContainerMount::Bind {
        source: src.into(),
        destination: dest.into(),
        read_only,
        options: vec![],
    };
    o.mounts = vec![
        crate::ContainerMount::Volume {
            name: Some("v".into()),
            destination: "/vol".into(),
            read_only: false,
            options: vec![],
        },
        mount(bind.path(), "/bind", false),
        mount(ro.path(), "/ro", true),
    ];
    let (_, root) = container(&fx, &mut o);
    std::fs::create_dir_all(root.join("vol")).unwrap();
    symlink("/vol", root.join("lv")).unwrap();
    let src = fx.dir.path().join("payload");
    std::fs::write(&src, "copied").unwrap();

    fx.rt
        .copy_into_container("c", &src, Path::new("/lv/f"), &NO_CHOWN)
        .unwrap();
    fx.rt
        .copy_into_container("c", &src, Path::new("/bind/"), &NO_CHOWN)
        .unwrap();
    let data = fx.dir.path().join("graph/volumes/v/_data");
    assert_eq!(std::fs::read_to_string(data.join("f")).unwrap(), "copied");
    assert!(!root.join("vol/f").exists());
    assert_eq!(
        std::fs::read_to_string(bind.path().join("payload")).unwrap(),
        "copied"
    );
    let e = fx
        .rt
        .copy_into_container("c", &src, Path::new("/ro/x"), &NO_CHOWN)
        .unwrap_err();
    assert!(matches!(copy_error(e), CopyError::ReadOnly { .. }));
    assert!(!ro.path().join("x").exists());
    // Out of the volume, through the link.
    let out = fx.dir.path().join("back");
    fx.rt
        .copy_from_container("c", Path::new("/lv/f"), &out, &NO_CHOWN)
        .unwrap();
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "copied");
}

#[test]
fn bad_paths_are_named() {
    let fx = Fx::new();
    let (_, root) = plain(&fx);
    std::fs::write(root.join("file"), "x").unwrap();
    let dir = fx.dir.path().join("srcdir");
    std::fs::create_dir(&dir).unwrap();
    let missing = fx.dir.path().join("missing");
    let into = |src: &Path, dest: &str| {
        copy_error(
            fx.rt
                .copy_into_container("c", src, Path::new(dest), &NO_CHOWN)
                .unwrap_err(),
        )
    };
    let e = into(&missing, "/tmp");
    assert!(matches!(e, CopyError::NotOnHost { .. }), "{e}");
    assert!(e.to_string().contains("missing"), "{e}");
    let e = into(&dir, "/nodir/x");
    assert_eq!(
        e.to_string(),
        "\"/nodir/x\" could not be found on container c: no such file or directory"
    );
    assert!(matches!(into(&dir, "/file"), CopyError::DirectoryOntoFile));
    let e = fx
        .rt
        .copy_from_container("c", Path::new("/nope"), &missing, &NO_CHOWN)
        .unwrap_err();
    assert!(matches!(copy_error(e), CopyError::NotInContainer { .. }));
    let e = fx
        .rt
        .copy_from_container("c", Path::new("/file"), &missing.join("x"), &NO_CHOWN)
        .unwrap_err();
    assert!(matches!(copy_error(e), CopyError::NotOnHost { .. }));
    assert!(!missing.exists());
    assert!(fx
        .rt
        .copy_into_container("nosuch", &dir, Path::new("/"), &NO_CHOWN)
        .is_err());
}
