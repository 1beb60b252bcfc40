//! End to end: podman's containers.conf and storage.conf, each in the test's own
//! directory through CONTAINERS_CONF / CONTAINERS_STORAGE_CONF (never the host's
//! /etc/containers), their effect on real containers and on `info`, their
//! precedence under berth.conf and the flags, and bad files (exit 125).

mod common;

use common::{Berth, IMG};

/// The container's process limit, cgroup v2 or v1.
const PIDS_MAX: &str =
    "cat /sys/fs/cgroup/pids.max 2>/dev/null || cat /sys/fs/cgroup/pids/pids.max";

/// `b` reading `text` as its only containers.conf; the file's path.
fn with_conf(b: &mut Berth, text: &str) -> String {
    let path = b.dir.path().join("containers.conf");
    std::fs::write(&path, text).unwrap();
    let path = path.to_string_lossy().into_owned();
    b.env.push(("CONTAINERS_CONF".into(), path.clone()));
    path
}

/// `info`'s `(value, origin)` of `key`.
fn setting(b: &Berth, key: &str) -> (String, String) {
    let out = b.ok(&[
        "info",
        "--format",
        "{{range .Settings.Values}}{{.Key}}\t{{.Value}}\t{{.Origin}}\n{{end}}",
    ]);
    out.lines()
        .find_map(|l| {
            let mut f = l.split('\t');
            (f.next() == Some(key)).then(|| (f.next().unwrap().into(), f.next().unwrap().into()))
        })
        .unwrap_or_else(|| panic!("{key} not in {out}"))
}

#[test]
fn container_defaults_take_effect_in_a_real_container() {
    let mut b = Berth::new();
    with_conf(
        &mut b,
        r#"[containers]
env = ["FROM_CONF=yes"]
default_ulimits = ["nofile=1111:2222", "nproc=333:444"]
pids_limit = 77
shm_size = "3m"
umask = "0027"
default_capabilities = ["CHOWN", "NET_RAW", "SYS_CHROOT"]
default_sysctls = ["kernel.msgmax=12345"]
annotations = ["from.conf=1"]
log_tag = "conftag"
[engine]
stop_timeout = 7
"#,
    );
    let script = "echo env=$FROM_CONF; ulimit -n; ulimit -Hn; ulimit -u; cat /sys/fs/cgroup/pids.max 2>/dev/null || cat /sys/fs/cgroup/pids/pids.max; \
                  df -k /dev/shm | tail -1 | awk '{print $2}'; umask; \
                  grep CapEff /proc/self/status; cat /proc/sys/kernel/msgmax";
    let out = b.ok(&[
        "run",
        "--name",
        "c1",
        "--network",
        "none",
        IMG,
        "sh",
        "-c",
        script,
    ]);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "env=yes", "{out}");
    assert_eq!(lines[1..4], ["1111", "2222", "333"], "{out}");
    assert_eq!(lines[4], "77", "{out}");
    assert_eq!(lines[5], "3072", "{out}");
    assert_eq!(lines[6], "0027", "{out}");
    // CHOWN (0), NET_RAW (13), SYS_CHROOT (18).
    assert!(lines[7].ends_with("0000000000042001"), "{out}");
    assert_eq!(lines[8], "12345", "{out}");
    let inspect = |f: &str| b.ok(&["inspect", "--format", f, "c1"]).trim().to_owned();
    assert_eq!(inspect("{{.Config.StopTimeout}}"), "7");
    assert_eq!(inspect("{{index .Config.Annotations \"from.conf\"}}"), "1");
    assert_eq!(inspect("{{.HostConfig.PidsLimit}}"), "77");
    assert!(inspect("{{.Config.Env}}").contains("FROM_CONF=yes"));

    // Flags win over the file.
    let out = b.ok(&[
        "run", "--rm", "--network", "none", "--ulimit", "nofile=99:99", "--pids-limit", "55",
        "--env", "FROM_CONF=flag", "--stop-timeout", "2", IMG, "sh", "-c",
        "echo $FROM_CONF; ulimit -n; ulimit -u; cat /sys/fs/cgroup/pids.max 2>/dev/null || cat /sys/fs/cgroup/pids/pids.max",
    ]);
    assert_eq!(out, "flag\n99\n333\n55\n");
}

#[test]
fn dns_tz_log_driver_read_only_and_no_hosts() {
    let mut b = Berth::new();
    with_conf(
        &mut b,
        r#"[containers]
dns_servers = ["192.0.2.53"]
dns_searches = ["conf.example"]
dns_options = ["ndots:3"]
tz = "Asia/Tokyo"
log_driver = "none"
read_only = true
no_hosts = true
"#,
    );
    let out = b.ok(&[
        "run", "--name", "c2", "--network", "none", IMG, "sh", "-c",
        "cat /etc/resolv.conf; date +%Z; echo hosts=$(cat /etc/hosts 2>/dev/null | grep -c $(hostname)); touch /x 2>&1; true",
    ]);
    assert!(
        out.contains("hosts=0"),
        "no_hosts: no /etc/hosts entry written: {out}"
    );
    assert!(out.contains("nameserver 192.0.2.53"), "{out}");
    assert!(out.contains("search conf.example"), "{out}");
    assert!(out.contains("options ndots:3"), "{out}");
    assert!(out.contains("JST"), "{out}");
    assert!(out.contains("Read-only file system"), "{out}");
    let inspect = |f: &str| b.ok(&["inspect", "--format", f, "c2"]).trim().to_owned();
    assert_eq!(inspect("{{.HostConfig.ReadonlyRootfs}}"), "true");
    b.fails_with(&["logs", "c2"], "using the 'none' log driver");
    // --dns and --tz win over the file.
    let out = b.ok(&[
        "run",
        "--rm",
        "--network",
        "none",
        "--dns",
        "192.0.2.1",
        "--tz",
        "UTC",
        IMG,
        "sh",
        "-c",
        "grep nameserver /etc/resolv.conf; date +%Z",
    ]);
    assert_eq!(out, "nameserver 192.0.2.1\nUTC\n");
}

#[test]
fn info_names_the_file_of_each_value_and_precedence_ends_with_the_flag() {
    let mut b = Berth::new();
    let conf = with_conf(
        &mut b,
        "[containers]\npids_limit = 200\ntz = \"UTC\"\n[engine]\ncgroup_manager = \"cgroupfs\"\nruntime = \"runc\"\n",
    );
    assert_eq!(setting(&b, "pids_limit"), ("200".into(), conf.clone()));
    assert_eq!(setting(&b, "containers.tz"), ("UTC".into(), conf.clone()));
    assert_eq!(
        setting(&b, "cgroup_manager"),
        ("cgroupfs".into(), conf.clone())
    );
    assert_eq!(setting(&b, "runtime_path").1, conf);
    assert_eq!(setting(&b, "storage.graph_root").1, "option");
    assert_eq!(setting(&b, "storage.driver").1, "default");
    let out = b.ok(&[
        "run",
        "--rm",
        "--network",
        "none",
        IMG,
        "sh",
        "-c",
        PIDS_MAX,
    ]);
    assert_eq!(out, "200\n");

    // berth.conf over containers.conf ...
    let berth_conf = b.dir.path().join("berth.conf");
    std::fs::write(&berth_conf, "pids_limit = 300\n").unwrap();
    b.env.push((
        "BERTH_CONFIG".into(),
        berth_conf.to_string_lossy().into_owned(),
    ));
    assert_eq!(
        setting(&b, "pids_limit"),
        ("300".into(), berth_conf.to_string_lossy().into_owned())
    );
    let out = b.ok(&[
        "run",
        "--rm",
        "--network",
        "none",
        IMG,
        "sh",
        "-c",
        PIDS_MAX,
    ]);
    assert_eq!(out, "300\n");
    // ... and the flag over both.
    let out = b.ok(&[
        "run",
        "--rm",
        "--network",
        "none",
        "--pids-limit",
        "400",
        IMG,
        "sh",
        "-c",
        PIDS_MAX,
    ]);
    assert_eq!(out, "400\n");
    assert_eq!(
        b.ok(&[
            "--cgroup-manager",
            "cgroupfs",
            "info",
            "--format",
            "{{range .Settings.Values}}{{if eq .Key \"cgroup_manager\"}}{{.Origin}}{{end}}{{end}}"
        ])
        .trim(),
        "option"
    );
}

#[test]
fn storage_conf_sets_the_driver() {
    let mut b = Berth::empty();
    let path = b.dir.path().join("storage.conf");
    std::fs::write(
        &path,
        "[storage]\ndriver = \"vfs\"\n[storage.options.overlay]\nmountopt = \"nodev\"\n",
    )
    .unwrap();
    b.env.push((
        "CONTAINERS_STORAGE_CONF".into(),
        path.to_string_lossy().into_owned(),
    ));
    let r = b.run(&["info", "--format", "{{.Store.GraphDriverName}}"]);
    assert_eq!((r.code, r.out.as_str()), (0, "vfs\n"), "{r:?}");
    assert_eq!(
        r.err.matches("storage.options.overlay.mountopt").count(),
        1,
        "one warning naming the key: {r:?}"
    );
    assert_eq!(
        setting(&b, "storage.driver"),
        ("vfs".into(), path.to_string_lossy().into_owned())
    );
}

#[test]
fn unsupported_keys_warn_once_each_and_bad_files_fail_with_125() {
    let mut b = Berth::empty();
    let conf = with_conf(
        &mut b,
        "[engine]\nlock_type = \"shm\"\n[containers]\ninit = true\n",
    );
    let r = b.run(&["info", "--format", "{{.Store.GraphDriverName}}"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert_eq!(r.err.matches("engine.lock_type").count(), 1, "{r:?}");
    assert_eq!(r.err.matches("containers.init").count(), 1, "{r:?}");

    for (text, message) in [
        (
            "[containers]\npids_limit = \"many\"\n",
            ":2:14: `containers.pids_limit`: expected an integer, found string \"many\"",
        ),
        (
            "[containerz]\n",
            ":1:2: `containerz`: expected a table of containers.conf",
        ),
        ("[containers]\nenv = [\n", ":2:8: not valid TOML"),
        (
            "[containers]\ndefault_ulimits = [\"nofile=x\"]\n",
            ":2:19: `containers.default_ulimits`: expected ulimits",
        ),
    ] {
        std::fs::write(&conf, text).unwrap();
        let r = b.fails_with(&["info"], &format!("Error: {conf}{message}"));
        assert_eq!(r.out, "", "{r:?}");
        b.fails_with(&["run", "--rm", IMG, "true"], &format!("{conf}{message}"));
    }
    b.env.retain(|(k, _)| k != "CONTAINERS_CONF");
    b.env.push((
        "CONTAINERS_CONF".into(),
        "/nonexistent/containers.conf".into(),
    ));
    b.fails_with(&["info"], "/nonexistent/containers.conf does not exist");
}

#[test]
fn volumes_and_mounts_conf_give_every_container_their_mounts() {
    let mut b = Berth::new();
    let d = b.dir.path().to_path_buf();
    std::fs::create_dir_all(d.join("secrets")).unwrap();
    std::fs::write(d.join("secrets/token"), "s3cret\n").unwrap();
    std::fs::create_dir_all(d.join("shared")).unwrap();
    std::fs::write(d.join("shared/f"), "shared\n").unwrap();
    let mounts = d.join("mounts.conf");
    std::fs::write(
        &mounts,
        format!(
            "# podman's format\n{}:/run/secrets\n/nonexistent/skipped:/skipped\n",
            d.join("secrets").display()
        ),
    )
    .unwrap();
    with_conf(
        &mut b,
        &format!(
            "[containers]\nvolumes = [\"{}:/shared:ro\", \"confvol:/vol\"]\n",
            d.join("shared").display()
        ),
    );
    let m = mounts.to_str().unwrap();
    let script = "cat /run/secrets/token /shared/f; ls /skipped 2>&1 | head -c 0; touch /shared/x 2>&1 | grep -c Read-only; echo v > /vol/v && echo vol-ok";
    let out = b.ok(&[
        "--default-mounts-file",
        m,
        "run",
        "--rm",
        "--network",
        "none",
        IMG,
        "sh",
        "-c",
        script,
    ]);
    assert_eq!(out, "s3cret\nshared\n1\nvol-ok\n");
    assert!(b.ok(&["volume", "ls", "-q"]).contains("confvol"));
    // A container's own mount at the destination wins.
    let out = b.ok(&[
        "--default-mounts-file",
        m,
        "run",
        "--rm",
        "--network",
        "none",
        "--tmpfs",
        "/run/secrets",
        IMG,
        "sh",
        "-c",
        "ls /run/secrets | wc -l",
    ]);
    assert_eq!(out.trim(), "0");
    // A bad line fails with the file and line.
    std::fs::write(&mounts, "relative:/x\n").unwrap();
    b.fails_with(
        &["--default-mounts-file", m, "info"],
        &format!("{m}:1:1: `mounts.conf`: expected HOST[:CONTAINER] with absolute paths"),
    );
}

#[test]
fn namespaces_devices_seccomp_and_a_containers_conf_given_with_config() {
    let mut b = Berth::new();
    with_conf(
        &mut b,
        "[containers]\nipcns = \"host\"\ndevices = [\"/dev/null:/dev/conf-null:rw\"]\nseccomp_profile = \"unconfined\"\n",
    );
    let out = b.ok(&[
        "run",
        "--rm",
        "--network",
        "none",
        IMG,
        "sh",
        "-c",
        "echo x > /dev/conf-null && echo dev-ok; grep '^Seccomp:' /proc/self/status",
    ]);
    assert_eq!(out, "dev-ok\nSeccomp:\t0\n");
    let host_ipc = std::fs::read_link("/proc/self/ns/ipc").unwrap();
    let out = b.ok(&[
        "run",
        "--rm",
        "--network",
        "none",
        IMG,
        "readlink",
        "/proc/self/ns/ipc",
    ]);
    assert_eq!(out.trim(), host_ipc.to_str().unwrap());
    // `--config FILE` naming a containers.conf reads it as one, over CONTAINERS_CONF's.
    let given = b.dir.path().join("given.conf");
    std::fs::write(
        &given,
        "[containers]\nipcns = \"private\"\npids_limit = 66\n",
    )
    .unwrap();
    let given = given.to_str().unwrap();
    let r = b.run(&[
        "--config",
        given,
        "info",
        "--format",
        "{{.Store.GraphDriverName}}",
    ]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(!r.err.contains("unknown"), "no unknown-key warnings: {r:?}");
    let out = b.ok(&[
        "--config",
        given,
        "run",
        "--rm",
        "--network",
        "none",
        IMG,
        "sh",
        "-c",
        &format!("readlink /proc/self/ns/ipc; {PIDS_MAX}"),
    ]);
    let lines: Vec<&str> = out.lines().collect();
    assert_ne!(lines[0], host_ipc.to_str().unwrap(), "{out}");
    assert_eq!(lines[1], "66", "{out}");
}

#[test]
fn engine_and_network_defaults_give_way_to_flags() {
    let mut b = Berth::new();
    with_conf(
        &mut b,
        "[containers]\nnetns = \"none\"\nhttp_proxy = false\n[engine]\nevents_logger = \"none\"\npull_policy = \"never\"\ndetach_keys = \"ctrl-a\"\n[secrets]\ndriver = \"file\"\n",
    );
    let r = b.run(&["info", "--format", "{{.Host.EventLogger}}"]);
    assert_eq!((r.code, r.out.trim()), (0, "none"), "{r:?}");
    assert!(!r.err.contains("ignored"), "no warning: {r:?}");
    let r = b.run(&[
        "--events-backend",
        "file",
        "info",
        "--format",
        "{{.Host.EventLogger}}",
    ]);
    assert_eq!((r.code, r.out.trim()), (0, "file"), "the flag wins: {r:?}");
    // netns = "none": only loopback; `--network bridge` still gets the default network.
    let nets = |extra: &[&str]| {
        let mut args = vec!["run", "--rm"];
        args.extend(extra);
        args.extend([IMG, "ls", "/sys/class/net"]);
        b.ok(&args)
    };
    assert_eq!(nets(&[]).split_whitespace().collect::<Vec<_>>(), ["lo"]);
    assert!(nets(&["--network", "bridge"]).contains("eth0"));
    // pull_policy = "never": a missing image is not pulled (no registry is asked).
    let absent = "localhost:1/berth-absent:1";
    let r = b.fails_with(&["run", "--rm", absent, "true"], "image not known");
    assert!(!r.err.contains("Trying to pull"), "{r:?}");
    b.fails_with(
        &["run", "--pull", "missing", "--rm", absent, "true"],
        "Trying to pull",
    );
    // http_proxy = false: the host's proxy variables stay out unless --http-proxy asks.
    b.env
        .push(("http_proxy".into(), "http://proxy.conf2.test:3128".into()));
    let proxy = |flags: &[&str]| {
        let mut args = vec!["run", "--rm"];
        args.extend(flags);
        args.extend([IMG, "sh", "-c", "echo p=$http_proxy"]);
        b.ok(&args).trim().to_owned()
    };
    assert_eq!(proxy(&[]), "p=");
    assert_eq!(proxy(&["--http-proxy"]), "p=http://proxy.conf2.test:3128");
    assert_eq!(proxy(&["-e", "http_proxy=mine", "--http-proxy"]), "p=mine");
    // detach_keys: the run still parses and uses it (the container runs to its end).
    assert_eq!(b.ok(&["run", "--rm", "-i", IMG, "echo", "hi"]).trim(), "hi");

    for (text, message) in [
        (
            "[secrets]\ndriver = \"pass\"\n",
            ":2:10: `secrets.driver`: expected \"file\" (berth's only secrets driver), found string \"pass\"",
        ),
        (
            "[containers]\nnetns = \"slirp4netns\"\n",
            ":2:9: `containers.netns`: expected one of",
        ),
        (
            "[engine]\nevents_logger = \"syslog\"\n",
            ":2:17: `engine.events_logger`: expected one of",
        ),
    ] {
        let conf = with_conf(&mut b, text);
        b.fails_with(&["info"], &format!("Error: {conf}{message}"));
    }
}

#[test]
fn infra_image_and_command_make_a_pods_infra_container() {
    let mut b = Berth::new();
    with_conf(
        &mut b,
        &format!("[engine]\ninfra_image = \"{IMG}\"\ninfra_command = \"/bin/sleep\"\n"),
    );
    b.ok(&["pod", "create", "--name", "p1"]);
    let ps = |b: &Berth| b.ok(&["ps", "-a", "--format", "{{.Names}} {{.Image}} {{.Command}}"]);
    let out = ps(&b);
    assert!(out.contains(&format!("{IMG} /bin/sleep")), "{out}");
    // The flags win.
    b.ok(&[
        "pod",
        "create",
        "--name",
        "p2",
        "--infra-command",
        "/bin/true",
    ]);
    let out = ps(&b);
    assert!(out.contains(&format!("{IMG} /bin/true")), "{out}");
}

#[test]
fn default_subnet_is_the_default_networks_subnet() {
    let mut b = Berth::new();
    with_conf(&mut b, "[network]\ndefault_subnet = \"10.231.7.0/24\"\n");
    // Only the bridge's base name given (the subnet left to the file); inspecting the
    // network writes its conflist and creates no bridge.
    let out = b
        .cmd()
        .env_remove("BERTH_DEFAULT_BRIDGE")
        .env("BERTH_DEFAULT_BRIDGE_BASE", "bcftwo")
        .args(["network", "inspect", "berth"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{out:?}");
    assert!(text.contains("\"10.231.7.0/24\""), "{text}");
    let conf = with_conf(&mut b, "[network]\ndefault_subnet = \"10.231.7.0\"\n");
    b.fails_with(
        &["info"],
        &format!(
            "Error: {conf}:2:18: `network.default_subnet`: expected a subnet in CIDR notation"
        ),
    );
}

#[test]
fn engine_env_reaches_conmon() {
    let mut b = Berth::new();
    with_conf(&mut b, "[engine]\nenv = [\"BERTH_CONF2_HELPER=yes\"]\n");
    let id = b.sleeper("envc", &[]);
    let pid = b.ok(&["inspect", "--format", "{{.State.ConmonPid}}", &id]);
    let environ = std::fs::read(format!("/proc/{}/environ", pid.trim())).unwrap();
    let environ = String::from_utf8_lossy(&environ);
    assert!(
        environ.split('\0').any(|e| e == "BERTH_CONF2_HELPER=yes"),
        "{environ}"
    );
}
