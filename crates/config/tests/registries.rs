//! registries.conf: the fixture files, drop-in order, rootless and
//! CONTAINERS_REGISTRIES_CONF lookup, helpers, and every broken file's message.

use std::fs;
use std::path::{Path, PathBuf};

use berth_config::{Environment, Error, Mirror, RegistriesConfig, ShortNameMode};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/registries")
}

/// A temp root with the fixture registries.conf and drop-ins installed in /etc/containers.
fn installed() -> tempfile::TempDir {
    let root = tempfile::tempdir().unwrap();
    let etc = root.path().join("etc/containers");
    fs::create_dir_all(etc.join("registries.conf.d")).unwrap();
    fs::copy(
        fixtures().join("registries.conf"),
        etc.join("registries.conf"),
    )
    .unwrap();
    for entry in fs::read_dir(fixtures().join("registries.conf.d")).unwrap() {
        let entry = entry.unwrap();
        fs::copy(
            entry.path(),
            etc.join("registries.conf.d").join(entry.file_name()),
        )
        .unwrap();
    }
    root
}

#[test]
fn single_file_parses_every_field() {
    let path = fixtures().join("registries.conf");
    let text = fs::read_to_string(&path).unwrap();
    let cfg = RegistriesConfig::parse(&text, &path).unwrap();
    assert_eq!(
        cfg.search_registries(),
        ["registry.example.com", "docker.io"]
    );
    assert_eq!(cfg.short_name_mode, Some(ShortNameMode::Enforcing));
    assert_eq!(cfg.registries.len(), 5);
    let docker = &cfg.registries[0];
    assert_eq!(docker.prefix, "docker.io");
    assert_eq!(
        docker.mirrors,
        [
            Mirror {
                location: "mirror.example.com:5000".into(),
                insecure: false
            },
            Mirror {
                location: "127.0.0.1:5000".into(),
                insecure: true
            },
        ]
    );
    // A registry without prefix uses its location as prefix.
    assert_eq!(cfg.registries[2].prefix, "localhost:5000");
    assert_eq!(cfg.blocked_registries(), ["blocked.example.com"]);
    assert_eq!(
        cfg.insecure_registries(),
        ["127.0.0.1:5000", "localhost:5000"]
    );
    assert_eq!(cfg.aliases["busybox"], "docker.io/library/busybox");
    let unknown: Vec<_> = cfg
        .unknown_keys
        .iter()
        .map(|u| (u.key.as_str(), u.line))
        .collect();
    assert_eq!(unknown, [("credential-helpers", 10)]);
}

#[test]
fn find_registry_takes_the_longest_matching_prefix() {
    let path = fixtures().join("registries.conf");
    let cfg = RegistriesConfig::parse(&fs::read_to_string(&path).unwrap(), &path).unwrap();
    let find = |r: &str| cfg.find_registry(r).map(|x| x.prefix.as_str());
    assert_eq!(
        find("docker.io/library/alpine:3"),
        Some("docker.io/library")
    );
    assert_eq!(find("docker.io/library"), Some("docker.io/library"));
    assert_eq!(find("docker.io/bitnami/redis"), Some("docker.io"));
    assert_eq!(find("docker.io@sha256:abc"), Some("docker.io"));
    // Prefixes match whole components only.
    assert_eq!(find("docker.io.evil.com/x"), None);
    assert_eq!(find("docker.io/libraryx/y"), Some("docker.io"));
    assert_eq!(
        find("localhost:5000/busybox:latest"),
        Some("localhost:5000")
    );
    assert_eq!(find("quay.io/x"), None);
    // Wildcards match subdomains, not the domain itself.
    assert_eq!(
        find("a.internal.example.com/img"),
        Some("*.internal.example.com")
    );
    assert_eq!(
        find("a.b.internal.example.com:443/img"),
        Some("*.internal.example.com")
    );
    assert_eq!(find("internal.example.com/img"), None);

    let lib = cfg.find_registry("docker.io/library/alpine:3").unwrap();
    assert_eq!(
        lib.rewrite("docker.io/library/alpine:3"),
        "library-cache.example.com/library/alpine:3"
    );
    let wild = cfg.find_registry("a.internal.example.com/img").unwrap();
    assert!(wild.insecure);
    assert_eq!(
        wild.rewrite("a.internal.example.com/img"),
        "a.internal.example.com/img"
    );
}

#[test]
fn drop_ins_are_read_in_name_order_and_override() {
    let root = installed();
    let env = Environment::new(0).with_root(root.path());
    let cfg = RegistriesConfig::load(&env).unwrap();
    assert_eq!(
        cfg.files,
        [
            PathBuf::from("/etc/containers/registries.conf"),
            PathBuf::from("/etc/containers/registries.conf.d/00-search.conf"),
            PathBuf::from("/etc/containers/registries.conf.d/10-localhost.conf"),
        ]
    );
    assert_eq!(cfg.search_registries(), ["quay.io"]);
    // 10-localhost.conf replaced the entry: no longer insecure, still one entry.
    let local: Vec<_> = cfg
        .registries
        .iter()
        .filter(|r| r.prefix == "localhost:5000")
        .collect();
    assert_eq!(local.len(), 1);
    assert!(!local[0].insecure);
    assert_eq!(cfg.insecure_registries(), ["127.0.0.1:5000"]);
    // Short-name mode from the main file survives drop-ins that do not set it.
    assert_eq!(cfg.short_name_mode, Some(ShortNameMode::Enforcing));
    assert_eq!(cfg.aliases.len(), 2);
}

#[test]
fn no_files_is_an_empty_configuration() {
    let root = tempfile::tempdir().unwrap();
    let cfg = RegistriesConfig::load(&Environment::new(0).with_root(root.path())).unwrap();
    assert_eq!(cfg, RegistriesConfig::default());
    assert!(cfg.find_registry("docker.io/x").is_none());
}

#[test]
fn rootless_user_file_replaces_the_system_file_and_user_drop_ins_come_last() {
    let root = installed();
    let home = root.path().join("home/alice/.config/containers");
    fs::create_dir_all(home.join("registries.conf.d")).unwrap();
    fs::write(
        home.join("registries.conf"),
        "unqualified-search-registries = [\"user.example.com\"]\n",
    )
    .unwrap();
    fs::write(
        home.join("registries.conf.d/50-mine.conf"),
        "short-name-mode = \"permissive\"\n",
    )
    .unwrap();
    let env = Environment::new(1000)
        .with_root(root.path())
        .with_var("HOME", "/home/alice");
    let cfg = RegistriesConfig::load(&env).unwrap();
    assert_eq!(
        cfg.files,
        [
            PathBuf::from("/home/alice/.config/containers/registries.conf"),
            PathBuf::from("/etc/containers/registries.conf.d/00-search.conf"),
            PathBuf::from("/etc/containers/registries.conf.d/10-localhost.conf"),
            PathBuf::from("/home/alice/.config/containers/registries.conf.d/50-mine.conf"),
        ]
    );
    assert_eq!(cfg.short_name_mode, Some(ShortNameMode::Permissive));
    // Root ignores the user's files.
    let cfg = RegistriesConfig::load(
        &Environment::new(0)
            .with_root(root.path())
            .with_var("HOME", "/home/alice"),
    )
    .unwrap();
    assert_eq!(
        cfg.files[0],
        PathBuf::from("/etc/containers/registries.conf")
    );
    assert_eq!(cfg.files.len(), 3);
}

#[test]
fn containers_registries_conf_names_the_only_file_and_it_must_exist() {
    let root = installed();
    let only = root.path().join("only.conf");
    fs::write(
        &only,
        "unqualified-search-registries = [\"only.example.com\"]\n",
    )
    .unwrap();
    let env = Environment::new(0)
        .with_root(root.path())
        .with_var("CONTAINERS_REGISTRIES_CONF", only.to_str().unwrap());
    let cfg = RegistriesConfig::load(&env).unwrap();
    assert_eq!(cfg.files, std::slice::from_ref(&only));
    assert_eq!(cfg.search_registries(), ["only.example.com"]);

    let missing = root.path().join("missing.conf");
    let env = env.with_var("CONTAINERS_REGISTRIES_CONF", missing.to_str().unwrap());
    let err = RegistriesConfig::load(&env).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "configuration file {} does not exist (it was given explicitly by CONTAINERS_REGISTRIES_CONF); create it or point to another file",
            missing.display()
        )
    );
}

#[test]
fn a_broken_drop_in_fails_the_load_naming_it() {
    let root = installed();
    let d = root
        .path()
        .join("etc/containers/registries.conf.d/20-bad.conf");
    fs::write(&d, "short-name-mode = 1\n").unwrap();
    let err = RegistriesConfig::load(&Environment::new(0).with_root(root.path())).unwrap_err();
    assert_eq!(
        err.to_string(),
        "/etc/containers/registries.conf.d/20-bad.conf:1:19: `short-name-mode`: expected a string, found integer 1"
    );
}

const BROKEN: &[(&str, &str)] = &[
    (
        "alias_with_tag.conf",
        r#"2:11: `aliases.busybox`: expected a fully qualified image name without tag or digest (registry/repository), or "" to cancel the alias, found string "docker.io/library/busybox:1.36""#,
    ),
    (
        "alias_not_qualified.conf",
        r#"2:11: `aliases.busybox`: expected a fully qualified image name without tag or digest (registry/repository), or "" to cancel the alias, found string "busybox""#,
    ),
    (
        "alias_name_qualified.conf",
        r#"2:1: `aliases.quay.io/busybox`: expected a short name without registry, tag or digest as the alias name, found "quay.io/busybox""#,
    ),
    (
        "alias_not_string.conf",
        "2:11: `aliases.busybox`: expected a string, found integer 1",
    ),
    (
        "bad_wildcard.conf",
        r#"2:10: `registry[0].prefix`: expected a registry prefix host[:port][/path], or "*.domain" for subdomains, found string "docker.*""#,
    ),
    (
        "duplicate_prefix.conf",
        r#"4:1: `registry[1]`: expected each prefix defined once per file, found a second [[registry]] for prefix "a.io""#,
    ),
    (
        "insecure_string.conf",
        r#"3:12: `registry[0].insecure`: expected a boolean (true or false), found string "yes""#,
    ),
    (
        "location_with_scheme.conf",
        r#"2:12: `registry[0].location`: expected a registry location host[:port][/path] without a scheme, found string "https://docker.io""#,
    ),
    ("mixed_v1_v2.conf", "1:2: `registries`: expected one format: either version 1 ([registries.search] ...) or version 2 (unqualified-search-registries, [[registry]]), found both in the same file"),
    (
        "mirror_without_location.conf",
        "4:1: `registry[0].mirror[0]`: expected a mirror with a `location`, found no location",
    ),
    (
        "no_location_no_prefix.conf",
        "1:1: `registry[0]`: expected a `location` or a `prefix`, found neither",
    ),
    (
        "registry_not_array.conf",
        r#"1:12: `registry`: expected an array of tables ([[registry]]), found string "docker.io""#,
    ),
    (
        "search_not_array.conf",
        r#"1:33: `unqualified-search-registries`: expected an array of strings, found string "docker.io""#,
    ),
    (
        "search_with_path.conf",
        r#"1:34: `unqualified-search-registries`: expected registry host names such as "docker.io" (host[:port], no scheme or path), found string "docker.io/library""#,
    ),
    (
        "short_name_mode_unknown.conf",
        r#"1:19: `short-name-mode`: expected one of "enforcing", "permissive", "disabled", found string "strict""#,
    ),
    (
        "syntax.conf",
        "1:19: not valid TOML: unclosed table, expected `]` (in `[registries.search`)",
    ),
    ("v1_with_scheme.conf", r#"2:15: `registries.insecure.registries`: expected a registry location host[:port][/path] without a scheme, found string "http://localhost:5000""#),
    (
        "wildcard_with_location.conf",
        r#"3:12: `registry[0].location`: expected no location for a wildcard prefix (it matches many registries), found location "example.com""#,
    ),
];

#[test]
fn every_broken_registries_file_fails_with_position_key_and_expectation() {
    let dir = fixtures().join("broken");
    let mut on_disk: Vec<String> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    on_disk.sort();
    let mut listed: Vec<&str> = BROKEN.iter().map(|(f, _)| *f).collect();
    listed.sort_unstable();
    assert_eq!(on_disk, listed);
    for (name, expected) in BROKEN {
        let path = dir.join(name);
        let env =
            Environment::new(0).with_var("CONTAINERS_REGISTRIES_CONF", path.to_str().unwrap());
        let err = RegistriesConfig::load(&env).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!("{}:{expected}", path.display()),
            "{name}"
        );
        assert!(
            matches!(err, Error::InvalidValue { .. } | Error::Syntax { .. }),
            "{name}"
        );
    }
}

#[test]
fn unknown_keys_inside_registry_and_mirror_tables_are_named_with_their_path() {
    let text = "[[registry]]\nlocation = \"a.io\"\npull-from = 1\n[[registry.mirror]]\nlocation = \"m.io\"\nweight = 2\n";
    let cfg = RegistriesConfig::parse(text, Path::new("/r.conf")).unwrap();
    let keys: Vec<_> = cfg.unknown_keys.iter().map(ToString::to_string).collect();
    assert_eq!(
        keys,
        [
            "/r.conf:3:1: unknown key `registry[0].pull-from` ignored",
            "/r.conf:6:1: unknown key `registry[0].mirror[0].weight` ignored",
        ]
    );
}

#[test]
fn version_1_files_are_converted() {
    let path = fixtures().join("registries-v1.conf");
    let cfg = RegistriesConfig::parse(&fs::read_to_string(&path).unwrap(), &path).unwrap();
    assert_eq!(cfg.search_registries(), ["docker.io", "quay.io"]);
    assert_eq!(cfg.insecure_registries(), ["localhost:5000"]);
    assert_eq!(
        cfg.blocked_registries(),
        ["localhost:5000", "evil.example.com"]
    );
    assert_eq!(cfg.registries.len(), 2);
    assert!(cfg.unknown_keys.is_empty());
    let local = cfg.find_registry("localhost:5000/busybox").unwrap();
    assert!(local.insecure && local.blocked);
}

#[test]
fn aliases_track_their_file_drop_ins_cancel_them_and_the_cache_wins() {
    let root = installed();
    let etc = root.path().join("etc/containers");
    fs::write(
        etc.join("registries.conf.d/20-aliases.conf"),
        "short-name-mode = \"enforcing\"\n[aliases]\nbusybox = \"\"\nbb = \"registry.example:5000/tools/busybox\"\n",
    )
    .unwrap();
    let env = Environment::new(0).with_root(root.path());
    let cfg = RegistriesConfig::load(&env).unwrap();
    assert_eq!(cfg.effective_short_name_mode(), ShortNameMode::Enforcing);
    let a = cfg.resolved_aliases();
    // The main file's busybox alias is cancelled by the later drop-in.
    assert_eq!(
        a["busybox"],
        (
            String::new(),
            PathBuf::from("/etc/containers/registries.conf.d/20-aliases.conf")
        )
    );
    assert_eq!(
        a["alpine"],
        (
            "docker.io/library/alpine".to_string(),
            PathBuf::from("/etc/containers/registries.conf.d/10-localhost.conf")
        )
    );
    assert_eq!(cfg.alias_cache_file, None);
    // root's short-name-aliases.conf cache wins over registries.conf.
    let cache = root.path().join("var/cache/containers");
    fs::create_dir_all(&cache).unwrap();
    fs::write(
        cache.join("short-name-aliases.conf"),
        "[aliases]\nbb = \"quay.io/cached/busybox\"\n",
    )
    .unwrap();
    let cfg = RegistriesConfig::load(&env).unwrap();
    assert_eq!(
        cfg.resolved_aliases()["bb"],
        (
            "quay.io/cached/busybox".to_string(),
            PathBuf::from(berth_config::SHORT_NAME_ALIASES_CACHE_PATH)
        )
    );
    // A broken cache is an error naming it.
    fs::write(
        cache.join("short-name-aliases.conf"),
        "[aliases]\nbb = \"x:1\"\n",
    )
    .unwrap();
    let e = RegistriesConfig::load(&env).unwrap_err().to_string();
    assert!(
        e.starts_with("/var/cache/containers/short-name-aliases.conf:2:6: `aliases.bb`"),
        "{e}"
    );
    // Rootless users have theirs under ~/.cache; the default mode is permissive.
    let user = Environment::new(1000).with_var("HOME", "/home/u");
    assert_eq!(
        berth_config::short_name_aliases_cache_path(&user),
        Some(PathBuf::from(
            "/home/u/.cache/containers/short-name-aliases.conf"
        ))
    );
    assert_eq!(
        RegistriesConfig::default().effective_short_name_mode(),
        ShortNameMode::Permissive
    );
}
