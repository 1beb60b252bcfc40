//! A full disk under the `berth` binary: the graph root (`--root`) is an
//! 8 MiB tmpfs made in the test's own dir. An `import` that does not fit
//! fails with exit 125 naming ENOSPC, leaves no image, layer or staging
//! behind (`images`, `system check`), and the store works afterwards.

mod common;

use common::Berth;
use std::path::Path;

fn free_bytes(p: &Path) -> u64 {
    let s = nix::sys::statvfs::statvfs(p).unwrap();
    s.blocks_available() as u64 * s.fragment_size() as u64
}

#[test]
fn an_import_bigger_than_the_graph_root_fails_clearly_and_leaves_nothing() {
    let b = Berth::empty();
    let root = b.dir.path().join("root");
    std::fs::create_dir(&root).unwrap();
    // Berth's Drop unmounts everything below its dir before removing it.
    nix::mount::mount(
        Some("tmpfs"),
        &root,
        Some("tmpfs"),
        nix::mount::MsFlags::MS_NOSUID | nix::mount::MsFlags::MS_NODEV,
        Some("size=8m,mode=0700"),
    )
    .expect("mount an 8 MiB tmpfs as the graph root");
    let src = b.dir.path().join("big");
    std::fs::create_dir(&src).unwrap();
    std::fs::write(
        src.join("blob.bin"),
        berth_testsupport::noise(0x9e37_79b9_7f4a_7c15, 12 << 20),
    )
    .unwrap();
    let tar = b.dir.path().join("big.tar");
    let st = std::process::Command::new("tar")
        .arg("-C")
        .arg(&src)
        .arg("-cf")
        .arg(&tar)
        .arg(".")
        .status()
        .unwrap();
    assert!(st.success());

    assert_eq!(b.ok(&["images", "-q"]), "");
    let free_before = free_bytes(&root);
    let r = b.run(&["import", tar.to_str().unwrap(), "localhost/big"]);
    assert_eq!(r.code, 125, "{r:?}");
    assert!(
        r.err.to_lowercase().contains("no space left on device"),
        "{}",
        r.err
    );
    assert_eq!(r.out, "");
    // Nothing half-written is visible, and the space came back.
    assert_eq!(b.ok(&["images", "-a", "-q"]), "");
    let staging: Vec<_> = std::fs::read_dir(root.join("tmp")).unwrap().collect();
    assert!(staging.is_empty(), "{staging:?}");
    let leaked = free_before.saturating_sub(free_bytes(&root));
    assert!(leaked < 64 << 10, "{leaked} bytes not freed");
    assert_eq!(b.ok(&["system", "check"]), "No problems found\n");
    // The same store takes an image that fits and runs it.
    b.ok(&[
        "import",
        common::image_tar().to_str().unwrap(),
        "localhost/fits",
    ]);
    assert_eq!(
        b.ok(&[
            "run",
            "--rm",
            "--network",
            "none",
            "localhost/fits",
            "echo",
            "fits"
        ]),
        "fits\n"
    );
    assert_eq!(b.ok(&["system", "check"]), "No problems found\n");
}
