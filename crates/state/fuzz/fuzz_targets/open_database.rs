//! Random bytes as `state.redb`: opening and using the database must give a
//! result or an error, never a panic that escapes `RedbState`.
//!
//! redb itself panics on some damaged files (an `unreachable!()` in its
//! btree code, found by this target; the input is kept as
//! `tests/data/redb-panics-on-open.redb`), and `RedbState` contains such
//! panics and reports the file as corrupt. libFuzzer's panic hook would abort
//! on the contained panic too, so the target installs a silent hook: only a
//! panic that escapes `RedbState` reaches the `fuzz_target!` boundary and
//! counts as a crash.
//!
//! `cargo xtask fuzz open_database`, or from this directory:
//! `cargo +nightly fuzz run --sanitizer none open_database`.

#![no_main]

use berth_state::{ContainerConfig, ContainerState, RedbState, State};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    static QUIET: std::sync::Once = std::sync::Once::new();
    QUIET.call_once(|| std::panic::set_hook(Box::new(|_| {})));
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join(RedbState::FILE_NAME), data).expect("write the file");
    let Ok(state) = RedbState::open(dir.path(), "") else {
        return;
    };
    let _ = state.all_containers();
    let _ = state.all_pods();
    let _ = state.lookup_container("a");
    let _ = state.add_container(
        &ContainerConfig {
            id: "a".repeat(64),
            name: "fuzz".to_string(),
            ..ContainerConfig::default()
        },
        &ContainerState::default(),
    );
    let _ = state.remove_container(&"a".repeat(64));
    let _ = state.close();
});
