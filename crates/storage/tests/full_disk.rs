//! A full disk during `import` and `pull`: the graph root is an 8 MiB
//! tmpfs. The command fails with an error naming ENOSPC, nothing
//! half-written is visible afterwards (no image, no layer, no staging;
//! `check` clean), and once space is freed the same store works.

mod registry_util;

use std::path::{Path, PathBuf};

use berth_storage::{registry, Driver, ImportOptions, Store, StoreOptions};
use registry_util::*;

/// A store whose graph root is a fresh tmpfs of `size`; unmounted on drop.
struct SmallStore {
    store: Store,
    dir: tempfile::TempDir,
}

impl SmallStore {
    fn new(driver: Driver, size: &str) -> Self {
        common::require_root();
        let dir = tempfile::tempdir().unwrap();
        let graph = dir.path().join("graph");
        std::fs::create_dir(&graph).unwrap();
        nix::mount::mount(
            Some("tmpfs"),
            &graph,
            Some("tmpfs"),
            nix::mount::MsFlags::MS_NOSUID | nix::mount::MsFlags::MS_NODEV,
            Some(format!("size={size},mode=0700").as_str()),
        )
        .expect("mount a tmpfs for the graph root");
        let store = Store::open(StoreOptions {
            graph_root: graph,
            run_root: dir.path().join("run"),
            driver,
        })
        .unwrap();
        SmallStore { store, dir }
    }

    fn graph(&self) -> PathBuf {
        self.dir.path().join("graph")
    }

    /// Asserts nothing of a failed command is visible.
    fn assert_nothing_half_written(&self, images_before: usize) {
        assert_eq!(self.store.images().unwrap().len(), images_before);
        let tmp: Vec<_> = std::fs::read_dir(self.graph().join("tmp"))
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert!(tmp.is_empty(), "staging left behind: {tmp:?}");
        let report = self.store.check(false).unwrap();
        assert!(report.is_clean(), "{:?}", report.problems);
    }
}

impl Drop for SmallStore {
    fn drop(&mut self) {
        let _ = berth_storage::Storage::shutdown(&self.store, true);
        common::unmount_under(self.dir.path());
    }
}

fn random_tar(seed: u64, size: usize) -> Vec<u8> {
    common::Tar::new()
        .file("blob.bin", &berth_testsupport::noise(seed, size))
        .finish()
}

fn import(store: &Store, name: &str, tar: &[u8]) -> berth_storage::Result<String> {
    store
        .import(
            &mut &tar[..],
            &ImportOptions {
                names: vec![name.to_string()],
                ..ImportOptions::default()
            },
        )
        .map(|i| i.id)
}

fn names_enospc(e: &dyn std::error::Error) -> bool {
    e.to_string().contains("No space left on device")
}

fn free_bytes(p: &Path) -> u64 {
    let s = nix::sys::statvfs::statvfs(p).unwrap();
    s.blocks_available() as u64 * s.fragment_size() as u64
}

#[test]
fn import_on_a_full_disk_fails_clearly_leaves_nothing_and_the_store_recovers() {
    for driver in [Driver::Overlay, Driver::Vfs] {
        let s = SmallStore::new(driver, "8m");
        let free_at_start = free_bytes(&s.graph());
        // 3 MiB of content costs about 6 MiB: the layer's files and its tar blob.
        let first = import(&s.store, "localhost/first", &random_tar(1, 3 << 20)).unwrap();
        let e = import(&s.store, "localhost/second", &random_tar(2, 3 << 20)).unwrap_err();
        assert!(names_enospc(&e), "{driver:?}: {e}");
        s.assert_nothing_half_written(1);
        // The space the failed import used is free again.
        let e = import(&s.store, "localhost/second", &random_tar(2, 3 << 20)).unwrap_err();
        assert!(names_enospc(&e), "{e}");
        // Freeing space (rmi) lets the same import through, and the store is whole.
        s.store.remove_image(&first, false).unwrap();
        let second = import(&s.store, "localhost/second", &random_tar(2, 3 << 20)).unwrap();
        assert_eq!(s.store.images().unwrap().len(), 1);
        if driver == Driver::Overlay {
            let c = s.store.create_container_storage("c1", &second).unwrap();
            let root = s.store.mount(&c.id).unwrap();
            assert_eq!(
                std::fs::read(root.join("blob.bin")).unwrap(),
                berth_testsupport::noise(2, 3 << 20)
            );
            s.store.unmount(&c.id, true).unwrap();
            s.store.delete_container_storage(&c.id).unwrap();
        } else {
            // vfs copies the image for a container: 3 MiB more do not fit either.
            let e = s.store.create_container_storage("c1", &second).unwrap_err();
            assert!(names_enospc(&e), "{e}");
            assert!(s.store.containers().unwrap().is_empty());
            s.assert_nothing_half_written(1);
        }
        s.store.remove_image(&second, false).unwrap();
        s.assert_nothing_half_written(0);
        // Everything written was taken back (within a few blocks of directories).
        let leaked = free_at_start.saturating_sub(free_bytes(&s.graph()));
        assert!(leaked < 64 << 10, "{driver:?}: {leaked} bytes not freed");
    }
}

#[test]
fn pull_on_a_full_disk_fails_clearly_leaves_nothing_and_the_store_recovers() {
    let reg = Registry::start(RegistryConfig::default());
    let src = TestStore::new(Driver::Vfs);
    let big = import_random(&src.store, "localhost/big:1", 5 << 20);
    let small = import_random(&src.store, "localhost/small:1", 1 << 20);
    push_to(&src.store, &big.id, &reg.host(), "big:1");
    push_to(&src.store, &small.id, &reg.host(), "small:1");

    let s = SmallStore::new(Driver::Vfs, "8m");
    // 5 MiB downloaded, then extracted (+5 MiB) and kept as a blob: no room.
    let e = pull_from(&s.store, &reg.host(), "big:1").unwrap_err();
    assert!(names_enospc(&e), "{e}");
    assert!(
        matches!(e, registry::Error::Store(_) | registry::Error::Io { .. }),
        "{e:?}"
    );
    s.assert_nothing_half_written(0);
    // A smaller image fits on the same store.
    let rep = pull_from(&s.store, &reg.host(), "small:1").unwrap();
    assert_eq!(rep.image.id, small.id);
    s.assert_nothing_half_written(1);
    // Freeing it makes room for one more try of the big one, which still does
    // not fit the 8 MiB (and fails the same clean way).
    s.store.remove_image(&small.id, false).unwrap();
    let e = pull_from(&s.store, &reg.host(), "big:1").unwrap_err();
    assert!(names_enospc(&e), "{e}");
    s.assert_nothing_half_written(0);
}
