//! How long reading the configuration takes: every berth command does it once.

use std::path::Path;

use berth_config::{ConfigFile, Environment, RegistriesConfig, RuntimeConfig};

fn main() {
    divan::main();
}

fn fixture(name: &str) -> String {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    std::fs::read_to_string(p).unwrap()
}

/// Parsing Debian's libpod.conf (11 unknown keys, each a warning event).
#[divan::bench]
fn parse_libpod_conf(bencher: divan::Bencher) {
    let text = fixture("libpod.conf");
    bencher.bench(|| {
        ConfigFile::parse(divan::black_box(&text), Path::new("/etc/berth/berth.conf")).unwrap()
    });
}

/// Defaults, file and overlay: what `berth` does at start-up.
#[divan::bench]
fn load_from_file(bencher: divan::Bencher) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("berth.conf");
    std::fs::write(&path, fixture("berth.conf")).unwrap();
    // No podman file of the host is read: the figure is berth.conf's alone.
    let env = Environment::new(0).with_root(dir.path());
    bencher.bench(|| RuntimeConfig::from_file(&path, &env).unwrap());
}

/// Writing a configuration out and reading it back.
#[divan::bench]
fn to_toml_and_back(bencher: divan::Bencher) {
    let cfg = RuntimeConfig::defaults(&Environment::new(0)).unwrap();
    bencher.bench(|| ConfigFile::parse(&cfg.to_toml(), Path::new("/x")).unwrap());
}

/// Parsing the registries.conf fixture.
#[divan::bench]
fn parse_registries_conf(bencher: divan::Bencher) {
    let text = fixture("registries/registries.conf");
    bencher
        .bench(|| RegistriesConfig::parse(divan::black_box(&text), Path::new("/r.conf")).unwrap());
}

/// Finding the first usable runtime among the default candidates (real stat calls).
#[divan::bench]
fn find_runtime_binary() {
    let cfg = RuntimeConfig::defaults(&Environment::new(0)).unwrap();
    let _ = divan::black_box(berth_config::find_binary("OCI runtime", &cfg.runtime_path));
}
