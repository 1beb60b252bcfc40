//! `RedbState` as a file: persistence, several handles, and damaged files.

use berth_state::{
    ContainerConfig, ContainerState, ContainerStatus, PodConfig, PodState, RedbState, State,
    StateError,
};
use proptest::prelude::*;

fn id(n: u32) -> String {
    format!("{n:08x}{}", "0".repeat(56))
}

fn ctr(n: u32) -> ContainerConfig {
    ContainerConfig {
        id: id(n),
        name: format!("c{n}"),
        ..ContainerConfig::default()
    }
}

/// A database with a few containers and a pod, closed; returns its bytes.
/// Built once per test binary.
fn sample_db(dir: &std::path::Path) -> Vec<u8> {
    static BYTES: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    let bytes = BYTES.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        build_sample_db(dir.path())
    });
    std::fs::write(dir.join(RedbState::FILE_NAME), bytes).unwrap();
    bytes.clone()
}

fn build_sample_db(dir: &std::path::Path) -> Vec<u8> {
    let state = RedbState::open(dir, "").unwrap();
    for n in 0..20 {
        state
            .add_container(
                &ctr(n),
                &ContainerState::with_status(ContainerStatus::Running),
            )
            .unwrap();
    }
    state
        .add_pod(
            &PodConfig {
                id: id(1000),
                name: "p".into(),
                ..PodConfig::default()
            },
            &PodState::default(),
        )
        .unwrap();
    state.close().unwrap();
    std::fs::read(dir.join(RedbState::FILE_NAME)).unwrap()
}

/// Open and read everything; any error is fine, a panic is not (the
/// caller runs this inside the test, so a panic fails it).
fn open_and_read_all(dir: &std::path::Path) -> Result<usize, StateError> {
    let state = RedbState::open(dir, "")?;
    let n = state.all_containers()?.len() + state.all_pods()?.len();
    let _ = state.lookup_container("c1");
    let _ = state.add_container(&ctr(5000), &ContainerState::default());
    let _ = state.remove_container(&id(3));
    state.close()?;
    Ok(n)
}

#[test]
fn records_survive_close_and_reopen() {
    let dir = tempfile::tempdir().unwrap();
    sample_db(dir.path());
    let state = RedbState::open(dir.path(), "").unwrap();
    assert_eq!(state.all_containers().unwrap().len(), 20);
    assert_eq!(
        state.container(&id(7)).unwrap().state.status,
        ContainerStatus::Running
    );
    assert_eq!(state.lookup_pod("p").unwrap().config.id, id(1000));
    assert_eq!(state.path(), dir.path().join("state.redb"));
}

#[test]
fn a_read_only_handle_reads_sees_commits_and_refuses_writes() {
    let dir = tempfile::tempdir().unwrap();
    let before = sample_db(dir.path());
    let ro = RedbState::open_read_only(dir.path(), "").unwrap();
    assert!(ro.is_read_only());
    assert_eq!(ro.all_containers().unwrap().len(), 20);
    assert_eq!(ro.lookup_container("c3").unwrap().config.id, id(3));
    let refused = [
        ro.add_container(&ctr(99), &ContainerState::default()),
        ro.remove_container(&id(1)),
        ro.save_container_state(&id(1), &ContainerState::default()),
        ro.refresh(),
        ro.remove_pod(&id(1000)),
    ];
    for result in refused {
        let err = result.unwrap_err();
        assert!(matches!(err, StateError::ReadOnly { .. }), "{err}");
        assert!(err.to_string().contains("state.redb"), "{err}");
    }
    let rw = RedbState::open(dir.path(), "").unwrap();
    assert!(!rw.is_read_only());
    rw.add_container(&ctr(50), &ContainerState::default())
        .unwrap();
    assert_eq!(ro.container(&id(50)).unwrap().config.name, "c50");
    rw.close().unwrap();
    ro.close().unwrap();
    assert!(ro.all_pods().unwrap_err().is_closed());
    // a read-only open and close changes nothing on disk
    let now = std::fs::read(dir.path().join(RedbState::FILE_NAME)).unwrap();
    let ro = RedbState::open_read_only(dir.path(), "").unwrap();
    ro.all_containers().unwrap();
    ro.close().unwrap();
    assert_eq!(
        std::fs::read(dir.path().join(RedbState::FILE_NAME)).unwrap(),
        now
    );
    assert_ne!(before, now);
}

#[test]
fn a_read_only_open_creates_a_missing_database_first() {
    let dir = tempfile::tempdir().unwrap();
    let ro = RedbState::open_read_only(&dir.path().join("new"), "ns").unwrap();
    assert!(ro.is_read_only());
    assert!(ro.all_containers().unwrap().is_empty());
    assert_eq!(ro.namespace().unwrap(), "ns");
}

#[test]
fn a_read_only_open_of_garbage_is_corrupt() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(RedbState::FILE_NAME), vec![7u8; 5000]).unwrap();
    let err = RedbState::open_read_only(dir.path(), "").unwrap_err();
    assert_corrupt(&err, dir.path());
}

#[test]
fn open_creates_the_directory() {
    let dir = tempfile::tempdir().unwrap();
    let nested = dir.path().join("a/b/c");
    RedbState::open(&nested, "").unwrap().close().unwrap();
    assert!(nested.join("state.redb").is_file());
}

#[test]
fn two_handles_in_one_process_see_each_other() {
    let dir = tempfile::tempdir().unwrap();
    let a = RedbState::open(dir.path(), "").unwrap();
    let b = RedbState::open(dir.path(), "").unwrap();
    a.add_container(&ctr(1), &ContainerState::default())
        .unwrap();
    assert_eq!(b.container(&id(1)).unwrap().config.name, "c1");
    let err = b
        .add_container(
            &ContainerConfig {
                id: id(2),
                ..ctr(1)
            },
            &ContainerState::default(),
        )
        .unwrap_err();
    assert!(err.is_name_in_use(), "{err}");
    b.remove_container(&id(1)).unwrap();
    assert!(a.container(&id(1)).unwrap_err().is_not_found());
    a.close().unwrap();
    // closing one handle leaves the other working
    b.add_container(&ctr(3), &ContainerState::default())
        .unwrap();
    b.close().unwrap();
}

#[test]
fn namespace_given_at_open_applies() {
    let dir = tempfile::tempdir().unwrap();
    let state = RedbState::open(dir.path(), "tenant").unwrap();
    assert_eq!(state.namespace().unwrap(), "tenant");
    let err = state
        .add_container(&ctr(1), &ContainerState::default())
        .unwrap_err();
    assert!(matches!(err, StateError::NamespaceMismatch { .. }), "{err}");
}

#[test]
fn an_empty_file_becomes_a_new_database() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(RedbState::FILE_NAME), b"").unwrap();
    assert_eq!(open_and_read_all(dir.path()).unwrap(), 0);
}

fn assert_corrupt(err: &StateError, dir: &std::path::Path) {
    let msg = err.to_string();
    assert!(
        matches!(err, StateError::Corrupt { .. }),
        "expected a corrupt-file error, got {msg}"
    );
    assert!(
        msg.contains(&dir.join("state.redb").display().to_string()),
        "{msg}"
    );
    assert!(
        msg.contains("berth system reset") && msg.contains("restore"),
        "{msg}"
    );
}

#[test]
fn garbage_is_reported_as_corrupt_with_the_remedy() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join(RedbState::FILE_NAME),
        b"this is not a database, just some text that is long enough to have a header".repeat(50),
    )
    .unwrap();
    let err = RedbState::open(dir.path(), "").unwrap_err();
    assert_corrupt(&err, dir.path());
}

#[test]
fn truncated_files_error_and_never_panic() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = sample_db(dir.path());
    let path = dir.path().join(RedbState::FILE_NAME);
    let mut corrupt = 0;
    for len in [
        1,
        7,
        64,
        300,
        511,
        512,
        4096,
        bytes.len() / 2,
        bytes.len() - 1,
    ] {
        std::fs::write(&path, &bytes[..len.min(bytes.len())]).unwrap();
        match open_and_read_all(dir.path()) {
            Ok(_) => {}
            Err(e) => {
                assert!(
                    matches!(e, StateError::Corrupt { .. } | StateError::Record { .. }),
                    "truncated to {len}: {e}"
                );
                assert!(e.to_string().contains("berth system reset"), "{e}");
                corrupt += 1;
            }
        }
    }
    assert!(corrupt > 0, "no truncation was detected");
}

/// A file found by the fuzz target on which redb 4.6 itself panics
/// (`unreachable!()` in its btree code) while opening: contained, reported
/// as corrupt.
#[test]
fn a_file_redb_panics_on_is_reported_as_corrupt() {
    let dir = tempfile::tempdir().unwrap();
    let data = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/redb-panics-on-open.redb"
    );
    std::fs::copy(data, dir.path().join(RedbState::FILE_NAME)).unwrap();
    match open_and_read_all(dir.path()) {
        Ok(n) => panic!("expected an error, opened with {n} records"),
        Err(e) => assert_corrupt(&e, dir.path()),
    }
}

#[test]
fn a_newer_process_lock_protocol_or_permission_error_names_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(RedbState::FILE_NAME);
    std::fs::create_dir(&path).unwrap(); // a directory where the file should be
    let err = RedbState::open(dir.path(), "").unwrap_err();
    assert!(err.to_string().contains("state.redb"), "{err}");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, .. ProptestConfig::default() })]

    /// Flip bytes of a valid database: opening and using it gives a result
    /// or an error, never a panic.
    #[test]
    fn damaged_databases_never_panic(
        flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..16),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let mut bytes = sample_db(dir.path());
        for (at, value) in flips {
            let i = at.index(bytes.len());
            bytes[i] ^= value | 1;
        }
        std::fs::write(dir.path().join(RedbState::FILE_NAME), &bytes).unwrap();
        let _ = open_and_read_all(dir.path());
    }

    /// Random bytes as a database file: an error (or an empty database for
    /// an empty file), never a panic.
    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..8192)) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(RedbState::FILE_NAME), &bytes).unwrap();
        if let Err(e) = open_and_read_all(dir.path()) {
            prop_assert!(e.to_string().contains("state.redb"), "{}", e);
        }
    }
}

fn mode(p: &std::path::Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).unwrap().permissions().mode() & 0o7777
}

#[test]
fn a_new_database_is_0600_in_a_0700_directory() {
    let d = tempfile::tempdir().unwrap();
    let dir = d.path().join("state");
    RedbState::open(&dir, "").unwrap().close().unwrap();
    assert_eq!(mode(&dir), 0o700);
    assert_eq!(mode(&dir.join(RedbState::FILE_NAME)), 0o600);
    // An empty file left by a crash is replaced by a private one.
    let dir = d.path().join("crashed");
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(dir.join(RedbState::FILE_NAME), b"").unwrap();
    RedbState::open(&dir, "").unwrap().close().unwrap();
    assert_eq!(mode(&dir.join(RedbState::FILE_NAME)), 0o600);
}

#[test]
fn opening_tightens_a_database_an_older_berth_left_readable() {
    use std::os::unix::fs::PermissionsExt;
    let loosen = |dir: &std::path::Path| {
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        let db = dir.join(RedbState::FILE_NAME);
        std::fs::set_permissions(db, std::fs::Permissions::from_mode(0o644)).unwrap();
    };
    let d = tempfile::tempdir().unwrap();
    let dir = d.path().join("state");
    sample_db_in(&dir);
    let db = dir.join(RedbState::FILE_NAME);
    loosen(&dir);
    let state = RedbState::open(&dir, "").unwrap();
    assert_eq!((mode(&dir), mode(&db)), (0o700, 0o600));
    state.close().unwrap();
    loosen(&dir);
    let state = RedbState::open_read_only(&dir, "").unwrap();
    assert_eq!((mode(&dir), mode(&db)), (0o700, 0o600));
    assert_eq!(state.all_containers().unwrap().len(), 20);
    state.close().unwrap();
}

fn sample_db_in(dir: &std::path::Path) {
    std::fs::create_dir_all(dir).unwrap();
    sample_db(dir);
}

#[test]
fn extra_keys_of_older_records_migrate_on_read_and_a_bad_one_fails_the_read() {
    use serde_json::json;
    let dir = tempfile::tempdir().unwrap();
    let state = RedbState::open(dir.path(), "").unwrap();
    // Written the way an older berth wrote them: the values in `extra`.
    let mut old = ctr(1);
    old.extra
        .insert("berth.sysctls".into(), json!({"net.ipv4.ip_forward": "1"}));
    old.extra.insert("berth.infra".into(), json!("somepod"));
    old.extra
        .insert("berth.network_mode".into(), json!({"mode": "none"}));
    let mut st = ContainerState::with_status(ContainerStatus::Exited);
    st.extra.insert("berth.restart_count".into(), json!(4));
    state.add_container(&old, &st).unwrap();
    let r = state.container(&id(1)).unwrap();
    assert_eq!(r.config.sysctls["net.ipv4.ip_forward"], "1");
    assert!(r.config.is_infra());
    assert_eq!(r.config.network_mode, Some(berth_state::NetworkMode::None));
    assert!(r.config.extra.is_empty(), "{:?}", r.config.extra);
    assert_eq!(r.state.restart_count, 4);

    // A stored value that does not decode is an error naming the record, not skipped.
    let mut bad = ctr(2);
    bad.extra.insert("berth.cgroup_parent".into(), json!(5));
    state
        .add_container(&bad, &ContainerState::default())
        .unwrap();
    let err = state.container(&id(2)).unwrap_err();
    assert!(matches!(err, StateError::Record { .. }), "{err}");
    let msg = err.to_string();
    assert!(
        msg.contains(&format!("container/{}", id(2))) && msg.contains("berth.cgroup_parent"),
        "{msg}"
    );
    state.close().unwrap();
}
