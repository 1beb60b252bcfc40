//! podman's files: containers.conf search order and precedence, storage.conf,
//! the shipped Debian files, and errors with file, line and column. Every test
//! uses a temporary directory as the filesystem root (never the real /etc).

use std::fs;
use std::path::{Path, PathBuf};

use berth_config::{
    CgroupManager, ConfigLoader, ConfigOptions, Environment, Key, Origin, RuntimeConfig, Setting,
    StorageDriver,
};

struct Root {
    dir: tempfile::TempDir,
}

impl Root {
    fn new() -> Self {
        Self {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn write(&self, path: &str, text: &str) -> PathBuf {
        let host = self.dir.path().join(path.trim_start_matches('/'));
        fs::create_dir_all(host.parent().unwrap()).unwrap();
        fs::write(&host, text).unwrap();
        host
    }

    fn env(&self, uid: u32) -> Environment {
        Environment::new(uid).with_root(self.dir.path())
    }
}

fn file(p: &str) -> Origin {
    Origin::File(PathBuf::from(p))
}

#[test]
fn usr_share_then_etc_then_drop_ins_then_berth_conf_then_options() {
    let root = Root::new();
    let env = root.env(0);
    let share = "/usr/share/containers/containers.conf";
    let etc = "/etc/containers/containers.conf";
    let d1 = "/etc/containers/containers.conf.d/10-a.conf";
    let d2 = "/etc/containers/containers.conf.d/20-b.conf";
    root.write(
        share,
        "[containers]\npids_limit = 100\ntz = \"UTC\"\nlog_size_max = 4096\nenv = [\"A=share\"]\n[engine]\ntmp_dir = \"/share/tmp\"\n",
    );
    root.write(
        etc,
        "[containers]\npids_limit = 200\ntz = \"Europe/Paris\"\n[engine]\ntmp_dir = \"/etc/tmp\"\n",
    );
    root.write(d2, "[containers]\npids_limit = 400\n");
    root.write(d1, "[containers]\npids_limit = 300\ntz = \"Asia/Tokyo\"\n");
    root.write("/etc/containers/containers.conf.d/notes.txt", "not = [toml");

    let loaded = RuntimeConfig::load(&env).unwrap();
    let c = &loaded.config;
    assert_eq!(c.pids_limit, 400);
    assert_eq!(loaded.origin(Key::PidsLimit), &file(d2));
    assert_eq!(c.max_log_size, 4096);
    assert_eq!(loaded.origin(Key::MaxLogSize), &file(share));
    assert_eq!(c.tmp_dir, Path::new("/etc/tmp"));
    assert_eq!(loaded.origin(Key::TmpDir), &file(etc));
    let cc = &c.containers_conf;
    assert_eq!(cc.string("containers.tz"), Some("Asia/Tokyo"));
    assert_eq!(cc.origin("containers.tz"), Some(Path::new(d1)));
    assert_eq!(cc.strings("containers.env"), ["A=share"]);
    assert_eq!(cc.origin("containers.env"), Some(Path::new(share)));
    assert_eq!(
        cc.files(),
        [share, etc, d1, d2].map(PathBuf::from).as_slice()
    );

    // berth.conf beats every containers.conf, an option beats berth.conf.
    root.write(
        "/etc/berth/berth.conf",
        "pids_limit = 500\ntmp_dir = \"/berth/tmp\"\n",
    );
    let loaded = RuntimeConfig::load(&env).unwrap();
    assert_eq!(loaded.config.pids_limit, 500);
    assert_eq!(
        loaded.origin(Key::PidsLimit),
        &file("/etc/berth/berth.conf")
    );
    let loaded = ConfigLoader::new(env)
        .options(ConfigOptions {
            pids_limit: Some(600),
            ..Default::default()
        })
        .load()
        .unwrap();
    assert_eq!(loaded.config.pids_limit, 600);
    assert_eq!(loaded.origin(Key::PidsLimit), &Origin::Option);
    assert_eq!(loaded.config.tmp_dir, Path::new("/berth/tmp"));
    let described = loaded.describe_all();
    let tz = described
        .iter()
        .find(|(k, _, _)| k == "containers.tz")
        .unwrap();
    assert_eq!(tz.1, "Asia/Tokyo");
    assert_eq!(tz.2, file(d1));
}

#[test]
fn containers_conf_variable_replaces_the_search_and_override_comes_last() {
    let root = Root::new();
    root.write(
        "/etc/containers/containers.conf",
        "[containers]\npids_limit = 1\n",
    );
    let only = root.write("/only.conf", "[containers]\ntz = \"UTC\"\n");
    let over = root.write("/over.conf", "[containers]\ntz = \"local\"\n");
    let env = root
        .env(0)
        .with_var("CONTAINERS_CONF", only.to_str().unwrap());
    let loaded = RuntimeConfig::load(&env).unwrap();
    assert_eq!(loaded.config.pids_limit, 2048, "the search was skipped");
    assert_eq!(
        loaded.config.containers_conf.files(),
        std::slice::from_ref(&only)
    );
    let env = env.with_var("CONTAINERS_CONF_OVERRIDE", over.to_str().unwrap());
    let loaded = RuntimeConfig::load(&env).unwrap();
    let cc = &loaded.config.containers_conf;
    assert_eq!(cc.string("containers.tz"), Some("local"));
    assert_eq!(cc.origin("containers.tz"), Some(over.as_path()));

    let env = root
        .env(0)
        .with_var("CONTAINERS_CONF", "/nonexistent/c.conf");
    let err = RuntimeConfig::load(&env).unwrap_err().to_string();
    assert!(
        err.contains("/nonexistent/c.conf does not exist") && err.contains("CONTAINERS_CONF"),
        "{err}"
    );
}

#[test]
fn rootless_user_files_come_after_the_system_ones() {
    let root = Root::new();
    root.write(
        "/etc/containers/containers.conf",
        "[containers]\ntz = \"UTC\"\nshm_size = \"1m\"\n",
    );
    root.write(
        "/home/u/.config/containers/containers.conf",
        "[containers]\ntz = \"local\"\n",
    );
    root.write(
        "/home/u/.config/containers/containers.conf.d/a.conf",
        "[containers]\nshm_size = \"2m\"\n",
    );
    let env = root
        .env(1000)
        .with_var("HOME", "/home/u")
        .with_var("XDG_RUNTIME_DIR", "/run/user/1000");
    let cc = RuntimeConfig::load(&env).unwrap().config.containers_conf;
    assert_eq!(cc.string("containers.tz"), Some("local"));
    assert_eq!(cc.shm_size(), Some(2 << 20));
    // root never reads a user's file.
    let cc = RuntimeConfig::load(&root.env(0))
        .unwrap()
        .config
        .containers_conf;
    assert_eq!(cc.string("containers.tz"), Some("UTC"));
}

#[test]
fn engine_and_network_keys_set_berths_settings() {
    let root = Root::new();
    let p = "/etc/containers/containers.conf";
    root.write(
        p,
        r#"[engine]
cgroup_manager = "systemd"
conmon_path = ["/opt/conmon"]
conmon_env_vars = ["A=B"]
hooks_dir = ["/opt/hooks", "/opt/more"]
image_default_transport = "oci:"
no_pivot_root = true
static_dir = "/opt/static"
namespace = "ns"
num_locks = 2048
stop_timeout = 3
runtime = "crun"
[network]
network_backend = "cni"
cni_plugin_dirs = ["/opt/cni"]
default_network = "net0"
network_config_dir = "/opt/net.d"
"#,
    );
    let loaded = RuntimeConfig::load(&root.env(0)).unwrap();
    let c = &loaded.config;
    assert_eq!(c.cgroup_manager, CgroupManager::Systemd);
    assert_eq!(c.conmon_path, [PathBuf::from("/opt/conmon")]);
    assert_eq!(c.conmon_env_vars, ["A=B"]);
    assert_eq!(c.hooks_dir, Path::new("/opt/hooks"));
    assert_eq!(c.image_default_transport, "oci:");
    assert!(c.no_pivot_root);
    assert_eq!(c.static_dir, Path::new("/opt/static"));
    assert_eq!(c.namespace, "ns");
    assert_eq!(c.runtime_path[0], Path::new("/usr/bin/crun"));
    assert_eq!(loaded.origin(Key::RuntimePath), &file(p));
    assert_eq!(c.cni_plugin_dir, [PathBuf::from("/opt/cni")]);
    assert_eq!(c.cni_default_network, "net0");
    assert_eq!(c.cni_config_dir, Path::new("/opt/net.d"));
    assert_eq!(c.containers_conf.int("engine.stop_timeout"), Some(3));
    assert!(loaded.ignored_keys.is_empty(), "{:?}", loaded.ignored_keys);
}

#[test]
fn runtimes_table_names_the_runtime_and_merges_across_files() {
    let root = Root::new();
    root.write(
        "/usr/share/containers/containers.conf",
        "[engine.runtimes]\nmine = [\"/opt/mine\"]\nother = [\"/opt/other\"]\n",
    );
    root.write(
        "/etc/containers/containers.conf",
        "[engine]\nruntime = \"mine\"\n[engine.runtimes]\nmine = [\"/opt/mine2\"]\n",
    );
    let loaded = RuntimeConfig::load(&root.env(0)).unwrap();
    assert_eq!(loaded.config.runtime_path, [PathBuf::from("/opt/mine2")]);
    match loaded.config.containers_conf.get("engine.runtimes") {
        Some(Setting::Map(m)) => assert_eq!(m.len(), 2),
        other => panic!("{other:?}"),
    }
    root.write(
        "/etc/containers/containers.conf",
        "[engine]\nruntime = \"kata\"\n",
    );
    let err = RuntimeConfig::load(&root.env(0)).unwrap_err().to_string();
    assert_eq!(
        err,
        "/etc/containers/containers.conf:2:11: `engine.runtime`: expected runc, crun or a runtime named in [engine.runtimes], found string \"kata\""
    );
}

#[test]
fn other_podman_keys_are_accepted_with_one_warning_each() {
    let root = Root::new();
    let p = "/etc/containers/containers.conf";
    root.write(
        p,
        "[containers]\nuserns_size = 65536\ninit = true\n[engine]\nlock_type = \"shm\"\nmade_up = 1\n[network]\nnetwork_backend = \"netavark\"\n[machine]\ncpus = 2\n",
    );
    let loaded = RuntimeConfig::load(&root.env(0)).unwrap();
    let shown: Vec<String> = loaded
        .ignored_keys
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        shown,
        [
            format!("{p}:2:1: `containers.userns_size` ignored: berth does not support it"),
            format!("{p}:3:1: `containers.init` ignored: berth does not have this feature yet"),
            format!("{p}:5:1: `engine.lock_type` ignored: berth does not support it"),
            format!("{p}:6:1: `engine.made_up` ignored: podman 4.3.1's containers.conf has no such key"),
            format!("{p}:8:19: `network.network_backend` ignored: the netavark network backend is not supported; berth uses CNI"),
            format!("{p}:10:1: `machine.cpus` ignored: berth does not support it"),
        ]
    );
}

#[test]
fn wrong_types_values_tables_and_syntax_name_file_line_and_column() {
    let cases = [
        ("[containers]\npids_limit = \"many\"\n", "2:14: `containers.pids_limit`: expected an integer, found string \"many\""),
        ("[containers]\nenv = \"A=B\"\n", "2:7: `containers.env`: expected an array of strings, found string \"A=B\""),
        ("[containers]\ndefault_ulimits = [\"nofile\"]\n", "2:19: `containers.default_ulimits`: expected ulimits written as \"name=soft[:hard]\""),
        ("[containers]\nshm_size = \"lots\"\n", "2:12: `containers.shm_size`: expected a size such as \"64m\""),
        ("[containers]\nlog_driver = \"syslog\"\n", "2:14: `containers.log_driver`: expected \"k8s-file\", \"journald\", \"none\" or \"passthrough\", found string \"syslog\""),
        ("[containers]\ndns_servers = [\"dns\"]\n", "2:15: `containers.dns_servers`: expected IP addresses, found \"dns\""),
        ("[engine]\ncgroup_manager = \"foo\"\n", "2:18: `engine.cgroup_manager`: expected one of \"cgroupfs\", \"systemd\", found string \"foo\""),
        ("[engine]\ntmp_dir = \"tmp\"\n", "2:11: `engine.tmp_dir`: expected an absolute path, found string \"tmp\""),
        ("[engine]\nno_pivot_root = 1\n", "2:17: `engine.no_pivot_root`: expected a boolean (true or false), found integer 1"),
        ("[engine]\nlock_type = 1\n", "2:13: `engine.lock_type`: expected a string, found integer 1"),
        ("[containers]\nnetns = \"slirp\"\n", "2:9: `containers.netns`: expected one of \"\", \"bridge\", \"private\", \"host\", \"none\", found string \"slirp\""),
        ("[engine]\nevents_logger = \"syslog\"\n", "2:17: `engine.events_logger`: expected one of \"file\", \"journald\", \"none\", found string \"syslog\""),
        ("[engine]\npull_policy = \"sometimes\"\n", "2:15: `engine.pull_policy`: expected one of \"always\", \"missing\", \"never\", \"newer\""),
        ("[engine]\ndetach_keys = \"ctrl-1\"\n", "2:15: `engine.detach_keys`: expected detach keys such as"),
        ("[secrets]\ndriver = \"pass\"\n", "2:10: `secrets.driver`: expected \"file\" (berth's only secrets driver), found string \"pass\""),
        ("[containerz]\nx = 1\n", "1:2: `containerz`: expected a table of containers.conf ([containers], [engine], [machine], [network], [secrets] or [configmaps]), found unknown table [containerz]"),
        ("[containers]\nenv = [\n", "2:8: not valid TOML: unclosed array"),
    ];
    for (text, want) in cases {
        let root = Root::new();
        root.write("/etc/containers/containers.conf", text);
        let err = RuntimeConfig::load(&root.env(0)).unwrap_err().to_string();
        let want = format!("/etc/containers/containers.conf:{want}");
        assert!(err.starts_with(&want), "{text:?}:\n got {err}\nwant {want}");
    }
}

/// Debian's shipped containers.conf, copied from the installed file at test time.
#[test]
fn debians_shipped_containers_conf_loads_without_warnings() {
    let shipped = Path::new("/usr/share/containers/containers.conf");
    let text = fs::read_to_string(shipped).unwrap_or_else(|e| {
        panic!(
            "{} is needed (Debian's golang-github-containers-common ships it): {e}",
            shipped.display()
        )
    });
    let root = Root::new();
    root.write("/usr/share/containers/containers.conf", &text);
    let loaded = RuntimeConfig::load(&root.env(0)).unwrap();
    assert!(loaded.ignored_keys.is_empty(), "{:?}", loaded.ignored_keys);
    let cc = &loaded.config.containers_conf;
    assert_eq!(cc.strings("containers.default_capabilities").len(), 11);
    assert_eq!(
        cc.strings("containers.default_sysctls"),
        ["net.ipv4.ping_group_range=0 0"]
    );
}

/// containers/storage's storage.conf as podman 4.3.1 vendors it (Debian installs none).
#[test]
fn shipped_storage_conf_sets_driver_and_locations() {
    let text = include_str!("fixtures/podman/storage.conf");
    let root = Root::new();
    let p = "/etc/containers/storage.conf";
    root.write(p, text);
    let loaded = RuntimeConfig::load(&root.env(0)).unwrap();
    let s = &loaded.config.storage;
    assert_eq!(s.driver, StorageDriver::Overlay);
    assert_eq!(s.graph_root, Path::new("/var/lib/containers/storage"));
    assert_eq!(s.run_root, Path::new("/run/containers/storage"));
    assert_eq!(loaded.origin(Key::GraphRoot), &file(p));
    let keys: Vec<&str> = loaded.ignored_keys.iter().map(|k| k.key.as_str()).collect();
    assert_eq!(
        keys,
        [
            "storage.options.pull_options.enable_partial_images",
            "storage.options.pull_options.use_hard_links",
            "storage.options.pull_options.ostree_repos",
            "storage.options.overlay.mountopt",
        ]
    );
}

#[test]
fn storage_conf_variable_rootless_path_and_bad_driver() {
    let root = Root::new();
    root.write("/etc/containers/storage.conf", "[storage]\ndriver = \"overlay\"\nrootless_storage_path = \"$HOME/store\"\ngraphroot = \"/var/lib/x\"\n");
    let env = root
        .env(1000)
        .with_var("HOME", "/home/u")
        .with_var("XDG_RUNTIME_DIR", "/run/user/1000");
    let s = RuntimeConfig::load(&env).unwrap().config.storage;
    assert_eq!(s.graph_root, Path::new("/home/u/store"));

    let own = root.write("/own.conf", "[storage]\ndriver = \"vfs\"\n");
    let env = root
        .env(0)
        .with_var("CONTAINERS_STORAGE_CONF", own.to_str().unwrap());
    let loaded = RuntimeConfig::load(&env).unwrap();
    assert_eq!(loaded.config.storage.driver, StorageDriver::Vfs);
    assert_eq!(
        loaded.config.storage.graph_root,
        Path::new("/var/lib/berth/storage")
    );

    root.write(
        "/etc/containers/storage.conf",
        "[storage]\ndriver = \"btrfs\"\n",
    );
    let err = RuntimeConfig::load(&root.env(0)).unwrap_err().to_string();
    assert_eq!(
        err,
        "/etc/containers/storage.conf:2:10: `storage.driver`: expected \"overlay\" or \"vfs\" (the drivers berth has), found string \"btrfs\""
    );
}

#[test]
fn a_containers_conf_given_as_berth_conf_is_read_as_one() {
    let root = Root::new();
    root.write(
        "/etc/containers/containers.conf",
        "[containers]\npids_limit = 1\ntz = \"UTC\"\n",
    );
    let given = root.write(
        "/given.conf",
        "[containers]\npids_limit = 9\n[engine]\nlock_type = \"shm\"\n",
    );
    let loaded = ConfigLoader::new(root.env(0)).file(&given).load().unwrap();
    assert!(loaded.unknown_keys.is_empty(), "{:?}", loaded.unknown_keys);
    assert_eq!(loaded.config.pids_limit, 9);
    assert_eq!(loaded.origin(Key::PidsLimit), &Origin::File(given.clone()));
    assert_eq!(
        loaded.config.containers_conf.string("containers.tz"),
        Some("UTC")
    );
    assert_eq!(loaded.ignored_keys.len(), 1);
    // A libpod.conf-style file stays berth.conf.
    let berth = root.write("/b.conf", "pids_limit = 5\n[storage]\ndriver = \"vfs\"\n");
    let loaded = ConfigLoader::new(root.env(0)).file(&berth).load().unwrap();
    assert_eq!(loaded.config.pids_limit, 5);
    assert_eq!(loaded.config.storage.driver, StorageDriver::Vfs);
}

/// The keys issue 16 finished: applied, so no warning, and their values kept.
#[test]
fn engine_defaults_of_flags_are_applied_without_warnings() {
    let root = Root::new();
    root.write(
        "/etc/containers/containers.conf",
        "[containers]\nnetns = \"host\"\n[engine]\nevents_logger = \"none\"\npull_policy = \"never\"\ndetach_keys = \"ctrl-a\"\n[secrets]\ndriver = \"file\"\n",
    );
    let loaded = RuntimeConfig::load(&root.env(0)).unwrap();
    assert!(loaded.ignored_keys.is_empty(), "{:?}", loaded.ignored_keys);
    let cc = &loaded.config.containers_conf;
    assert_eq!(cc.string("containers.netns"), Some("host"));
    assert_eq!(cc.string("engine.events_logger"), Some("none"));
    assert_eq!(cc.string("engine.pull_policy"), Some("never"));
    assert_eq!(cc.string("engine.detach_keys"), Some("ctrl-a"));
    assert_eq!(cc.string("secrets.driver"), Some("file"));
}
