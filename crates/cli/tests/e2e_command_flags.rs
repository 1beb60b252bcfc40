//! End to end, with real containers: the effects of the podman flags added
//! to the commands other than run/create (`rm --depend`, `logs --names` and
//! `--color`, `pod create`'s infra and DNS flags, `pod ps --ctr-*`, `--ns`
//! and `--sort`, `container cleanup --rmi`).

mod common;

use common::{image_tar, Berth, IMG};

/// Dependents (containers sharing another's namespaces) come only from
/// pods today (`run --network container:NAME` is not wired in the
/// runtime), and a pod's infra container goes with `pod rm`; the
/// runtime's unit tests cover the order with dependents. Here: a container
/// with none is removed and printed as named, and a missing one is an
/// error unless `--ignore`.
#[test]
fn rm_depend_removes_a_container_without_dependents() {
    let b = Berth::new();
    b.sleeper("base", &[]);
    assert_eq!(b.ok(&["rm", "-f", "-t", "0", "--depend", "base"]), "base\n");
    assert_eq!(b.ok(&["ps", "-aq"]), "");
    assert_ne!(b.run(&["rm", "--depend", "base"]).code, 0);
    assert_eq!(b.ok(&["rm", "--depend", "--ignore", "base"]), "");
}

#[test]
fn logs_of_several_containers_start_with_the_id_or_the_name() {
    let b = Berth::new();
    let one = b
        .ok(&[
            "run",
            "--network",
            "none",
            "--name",
            "l1",
            IMG,
            "echo",
            "one",
        ])
        .trim()
        .to_owned();
    b.ok(&[
        "run",
        "--network",
        "none",
        "--name",
        "l2",
        IMG,
        "echo",
        "two",
    ]);
    let id1 = b.ok(&["inspect", "--format", "{{.Id}}", "l1"]);
    let id2 = b.ok(&["inspect", "--format", "{{.Id}}", "l2"]);
    assert_eq!(one, "one");
    assert_eq!(
        b.ok(&["logs", "l1", "l2"]),
        format!("{} one\n{} two\n", &id1[..12], &id2[..12])
    );
    assert_eq!(b.ok(&["logs", "--names", "l1", "l2"]), "l1 one\nl2 two\n");
    assert_eq!(
        b.ok(&["logs", "-n", "--color", "l1", "l2"]),
        "\x1b[31ml1\x1b[0m one\n\x1b[32ml2\x1b[0m two\n"
    );
    // One container: no prefix, as podman.
    assert_eq!(b.ok(&["logs", "--names", "l1"]), "one\n");
}

#[test]
fn pod_create_infra_and_dns_flags_reach_the_members() {
    let b = Berth::new();
    let labels = b.dir.path().join("labels");
    std::fs::write(&labels, "# pod labels\ntier=web\nowner=me\n").unwrap();
    b.ok(&[
        "pod",
        "create",
        "--name",
        "p",
        "--infra-name",
        "p-holder",
        "--label-file",
        labels.to_str().unwrap(),
        "-l",
        "owner=you",
        "--dns",
        "192.0.2.53",
        "--dns-search",
        "example.test",
        "--dns-option",
        "ndots:2",
        "--add-host",
        "db:192.0.2.10",
    ]);
    assert_eq!(b.ok(&["ps", "-a", "--format", "{{.Names}}"]), "p-holder\n");
    assert_eq!(
        b.ok(&[
            "pod",
            "ps",
            "--format",
            "{{.Labels.tier}} {{.Labels.owner}}"
        ]),
        "web you\n"
    );
    let resolv = b.ok(&["run", "--rm", "--pod", "p", IMG, "cat", "/etc/resolv.conf"]);
    assert!(resolv.contains("nameserver 192.0.2.53"), "{resolv}");
    assert!(resolv.contains("search example.test"), "{resolv}");
    assert!(resolv.contains("options ndots:2"), "{resolv}");
    let hosts = b.ok(&["run", "--rm", "--pod", "p", IMG, "cat", "/etc/hosts"]);
    assert!(
        hosts
            .lines()
            .any(|l| l.starts_with("192.0.2.10") && l.contains("db")),
        "{hosts}"
    );
}

#[test]
fn a_pod_without_infra_and_pod_ps_columns_and_sort() {
    let b = Berth::new();
    b.ok(&["pod", "create", "--infra=false", "--name", "bare"]);
    b.ok(&["pod", "create", "--name", "alpha"]);
    // No infra container was made for `bare`; alpha has one.
    assert_eq!(b.ok(&["ps", "-aq"]).lines().count(), 1);
    b.ok(&[
        "run", "-d", "--pod", "bare", "--name", "m", IMG, "sleep", "600",
    ]);
    let ps = b.ok(&["pod", "ps", "--ctr-names", "--ctr-status", "--sort", "name"]);
    let lines: Vec<&str> = ps.lines().collect();
    assert!(
        lines[0].contains("NAMES") && !lines[0].contains("# OF CONTAINERS"),
        "{ps}"
    );
    assert!(lines[1].contains("alpha"), "{ps}");
    assert!(
        lines[2].contains("bare") && lines[2].contains(" m ") && lines[2].contains("Running"),
        "{ps}"
    );
    let ns = b.ok(&["pod", "ps", "--ns", "--sort", "name"]);
    let head = ns.lines().next().unwrap();
    assert!(
        head.contains("CGROUP") && head.contains("NAMESPACE") && head.contains("# OF CONTAINERS"),
        "{ns}"
    );
    assert_eq!(
        b.ok(&["pod", "ps", "--sort", "number", "--format", "{{.Name}}"]),
        "alpha\nbare\n"
    );
}

#[test]
fn container_cleanup_rmi_removes_the_image_no_one_else_uses() {
    let b = Berth::new();
    b.ok(&["import", image_tar().to_str().unwrap(), "localhost/once"]);
    b.ok(&[
        "create",
        "--network",
        "none",
        "--name",
        "c1",
        "localhost/once",
        "true",
    ]);
    b.ok(&[
        "create",
        "--network",
        "none",
        "--name",
        "c2",
        "localhost/once",
        "true",
    ]);
    // c2 still uses the image: it stays.
    b.ok(&["container", "cleanup", "--rm", "--rmi", "c1"]);
    assert_eq!(b.run(&["image", "exists", "localhost/once"]).code, 0);
    b.ok(&["container", "cleanup", "--rm", "--rmi", "c2"]);
    assert_eq!(b.run(&["image", "exists", "localhost/once"]).code, 1);
    assert_eq!(b.run(&["image", "exists", IMG]).code, 0);
}

#[test]
fn flags_berth_cannot_carry_out_are_refused_before_anything_runs() {
    let b = Berth::new();
    b.fails(
        &["images", "--history"],
        "--history: not supported by berth yet: berth does not keep an image's earlier names",
    );
    b.fails(
        &["pod", "create", "--memory", "64m", "--name", "p"],
        "--memory: not supported by berth yet: pods have no cgroup of their own in berth",
    );
    assert_eq!(b.ok(&["pod", "ps", "-q"]), "");
    b.fails(
        &["push", "--sign-by", "key", IMG, "localhost:1/x"],
        "--sign-by: not supported by berth yet: berth does not sign images",
    );
}

#[test]
fn mount_listing_json_and_no_trunc() {
    let b = Berth::new();
    let id = b
        .ok(&["create", "--network", "none", "--name", "mc", IMG, "true"])
        .trim()
        .to_owned();
    let path = b.ok(&["mount", "mc"]).trim().to_owned();
    assert_eq!(b.ok(&["mount", "--no-trunc"]), format!("{id}  {path}\n"));
    assert_eq!(b.ok(&["mount"]), format!("{}  {path}\n", &id[..12]));
    let v: serde_json::Value = serde_json::from_str(&b.ok(&["mount", "--format", "json"])).unwrap();
    assert_eq!(
        v,
        serde_json::json!([{"id": id, "names": ["mc"], "mountpoint": path}])
    );
    b.fails(
        &["mount", "--format", "table"],
        "invalid value \"table\" for --format: expected json",
    );
    b.ok(&["unmount", "mc"]);
}

#[test]
fn inspect_size_history_human_and_import_platform() {
    let b = Berth::new();
    b.ok(&[
        "run",
        "--network",
        "none",
        "--name",
        "sz",
        IMG,
        "sh",
        "-c",
        "head -c 100000 /dev/zero > /big",
    ]);
    for cmd in [&["inspect", "--size"][..], &["container", "inspect", "-s"]] {
        let mut args = cmd.to_vec();
        args.extend(["--format", "{{.SizeRw}} {{.SizeRootFs}}", "sz"]);
        let out = b.ok(&args);
        let (rw, root) = out.trim().split_once(' ').unwrap();
        let (rw, root): (u64, u64) = (rw.parse().unwrap(), root.parse().unwrap());
        assert!(rw >= 100_000 && root > rw, "{out}");
    }
    let human = b.ok(&["history", "--format", "{{.Created}}|{{.Size}}", IMG]);
    assert!(human.contains("ago|"), "{human}");
    let raw = b.ok(&[
        "history",
        "-H=false",
        "--format",
        "{{.Created}}|{{.Size}}",
        IMG,
    ]);
    let (created, size) = raw.trim().split_once('|').unwrap();
    assert!(
        chrono::DateTime::parse_from_rfc3339(created).is_ok(),
        "{raw}"
    );
    assert!(size.parse::<u64>().is_ok(), "{raw}");
    b.ok(&[
        "import",
        "--arch",
        "arm64",
        "--os",
        "linux",
        "--variant",
        "v8",
        image_tar().to_str().unwrap(),
        "localhost/armish",
    ]);
    assert_eq!(
        b.ok(&[
            "image",
            "inspect",
            "--format",
            "{{.Architecture}} {{.Os}}",
            "localhost/armish"
        ]),
        "arm64 linux\n"
    );
}

#[test]
fn ps_ns_shows_the_namespaces_of_running_containers() {
    let b = Berth::new();
    b.sleeper("nsc", &[]);
    let out = b.ok(&["ps", "--ns"]);
    let mut lines = out.lines();
    let head: Vec<&str> = lines.next().unwrap().split_whitespace().collect();
    assert_eq!(
        head,
        [
            "CONTAINER",
            "ID",
            "NAMES",
            "PID",
            "CGROUPNS",
            "IPC",
            "MNT",
            "NET",
            "PIDNS",
            "USERNS",
            "UTS"
        ]
    );
    let row: Vec<&str> = lines.next().unwrap().split_whitespace().collect();
    assert_eq!(row[1], "nsc");
    let pid = row[2];
    let net = std::fs::read_link(format!("/proc/{pid}/ns/net")).unwrap();
    assert_eq!(net.to_string_lossy(), format!("net:[{}]", row[6]));
    let host_net = std::fs::read_link("/proc/self/ns/net").unwrap();
    assert_ne!(net, host_net, "--network none has its own namespace");
    assert_eq!(
        b.ok(&["ps", "--ns", "--format", "{{.Namespaces.NET}}"])
            .trim(),
        row[6]
    );
}

#[test]
fn attach_proxies_signals_to_the_container() {
    let b = Berth::new();
    b.ok(&[
        "run",
        "-d",
        "--network",
        "none",
        "--name",
        "att",
        IMG,
        "sh",
        "-c",
        "trap 'echo got-term; exit 7' TERM; while :; do echo tick; sleep 0.2; done",
    ]);
    let mut c = b.cmd();
    c.args(["attach", "--no-stdin", "att"])
        .stdout(std::process::Stdio::piped());
    let mut child = c.spawn().unwrap();
    let mut stdout = child.stdout.take().unwrap();
    // Attached once output flows.
    let mut buf = [0u8; 5];
    std::io::Read::read_exact(&mut stdout, &mut buf).unwrap();
    assert_eq!(&buf, b"tick\n");
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(i32::try_from(child.id()).unwrap()),
        nix::sys::signal::Signal::SIGTERM,
    )
    .unwrap();
    let mut status = None;
    for _ in 0..300 {
        if let Some(s) = child.try_wait().unwrap() {
            status = Some(s);
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let Some(status) = status else {
        let _ = child.kill();
        panic!("berth attach did not end after SIGTERM");
    };
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stdout, &mut rest).unwrap();
    assert_eq!(status.code(), Some(7), "{rest}");
    assert!(rest.ends_with("got-term\n"), "{rest}");
}

#[test]
fn pod_stop_and_rm_ignore_missing_pods_and_rm_waits_time() {
    let b = Berth::new();
    let id = b.ok(&["pod", "create", "--name", "pr"]).trim().to_owned();
    b.ok(&[
        "run", "-d", "--pod", "pr", "--name", "prm", IMG, "sleep", "600",
    ]);
    assert_eq!(b.ok(&["pod", "stop", "--ignore", "-t", "0", "nopod"]), "");
    assert_ne!(b.run(&["pod", "stop", "nopod"]).code, 0);
    let start = std::time::Instant::now();
    assert_eq!(
        b.ok(&["pod", "rm", "-f", "-t", "0", "--ignore", "nopod", "pr"]),
        format!("{id}\n")
    );
    // sleep ignores SIGTERM as pid 1: -t 0 kills at once instead of waiting 10s.
    assert!(start.elapsed() < std::time::Duration::from_secs(8));
    assert_eq!(b.ok(&["pod", "ps", "-q"]), "");
    assert_eq!(b.ok(&["ps", "-aq"]), "");
}

#[test]
fn prunes_ask_first_unless_forced() {
    let b = Berth::new();
    b.ok(&["create", "--network", "none", "--name", "idle", IMG, "true"]);
    b.ok(&["pod", "create", "--name", "idlepod"]);
    for (args, warning) in [
        (&["container", "prune"][..], "WARNING! This will remove all non running containers."),
        (&["pod", "prune"], "WARNING! This will remove all stopped/exited pods.."),
        (&["image", "prune"], "WARNING! This command removes all dangling images."),
        (
            &["image", "prune", "-a"],
            "WARNING! This command removes all images without at least one container associated with them.",
        ),
    ] {
        // No answer (stdin is empty) is no.
        assert_eq!(
            b.ok(args),
            format!("{warning}\nAre you sure you want to continue? [y/N] "),
            "{args:?}"
        );
    }
    assert_eq!(b.run(&["container", "exists", "idle"]).code, 0);
    assert_eq!(b.run(&["pod", "exists", "idlepod"]).code, 0);
    assert_eq!(b.run(&["image", "exists", IMG]).code, 0);
    b.ok(&["container", "prune", "-f"]);
    assert_eq!(b.run(&["container", "exists", "idle"]).code, 1);
    b.ok(&["pod", "prune", "--force"]);
    assert_eq!(b.run(&["pod", "exists", "idlepod"]).code, 1);
}

#[test]
fn ps_watch_lists_again_until_interrupted() {
    let b = Berth::new();
    b.sleeper("watched", &[]);
    let mut c = b.cmd();
    c.args(["ps", "--watch", "1", "--format", "{{.Names}}"])
        .stdout(std::process::Stdio::piped());
    let mut child = c.spawn().unwrap();
    let stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = std::io::Read::read_to_string(&mut std::io::Read::take(stdout, 4096), &mut s);
        s
    });
    std::thread::sleep(std::time::Duration::from_millis(2500));
    assert!(
        child.try_wait().unwrap().is_none(),
        "ps --watch ended by itself"
    );
    child.kill().unwrap();
    child.wait().unwrap();
    let out = reader.join().unwrap();
    assert!(
        out.matches("\x1b[2J\x1b[Hwatched\n").count() >= 2,
        "{out:?}"
    );
}

/// Waits up to 10 s for pod `pod`'s state to become `want`.
fn pod_state_becomes(b: &Berth, pod: &str, want: &str) -> String {
    let mut state = String::new();
    for _ in 0..100 {
        b.ok(&["pod", "inspect", pod, "--format", "{{.State}}"])
            .trim()
            .clone_into(&mut state);
        if state == want {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    state
}

#[test]
fn pod_exit_policies() {
    let b = Berth::new();
    let p = b.ok(&["pod", "create"]).trim().to_owned();
    assert_eq!(
        b.ok(&["pod", "inspect", &p, "--format", "{{.ExitPolicy}}"]),
        "continue\n"
    );
    b.ok(&["pod", "rm", &p]);
    b.fails(
        &["pod", "create", "--exit-policy", "invalid"],
        "--exit-policy: running pod create option: invalid pod exit policy: \"invalid\"",
    );
    for (policy, state) in [("continue", "Degraded"), ("stop", "Exited")] {
        let p = b
            .ok(&["pod", "create", "--exit-policy", policy])
            .trim()
            .to_owned();
        assert_eq!(
            b.ok(&["pod", "inspect", &p, "--format", "{{.ExitPolicy}}"]),
            format!("{policy}\n")
        );
        b.ok(&["run", "--pod", &p, IMG, "true"]);
        assert_eq!(pod_state_becomes(&b, &p, state), state, "{policy}");
        // Its member has exited: no force needed, a running infra or not.
        b.ok(&["pod", "rm", &p]);
    }
}

/// After podman's "podman rm --force to remove infra container".
#[test]
fn rm_of_an_infra_container_needs_its_pod_to_go() {
    let b = Berth::new();
    b.ok(&["pod", "create", "--name", "ip"]);
    let member = b
        .ok(&["create", "--pod", "ip", IMG, "true"])
        .trim()
        .to_owned();
    let infra = b
        .ok(&["pod", "inspect", "ip", "--format", "{{.InfraContainerID}}"])
        .trim()
        .to_owned();
    for args in [
        &["container", "rm", &infra][..],
        &["container", "rm", "--force", &infra],
    ] {
        let r = b.run(args);
        assert_eq!(r.code, 125, "{r:?}");
        assert!(
            r.err
                .contains(" and cannot be removed without removing the pod"),
            "{r:?}"
        );
    }
    assert_eq!(
        b.ok(&["container", "rm", "--depend", &infra]),
        format!("{member}\n{infra}\n")
    );
    assert_eq!(b.run(&["pod", "exists", "ip"]).code, 1);

    // --all takes infra containers too, each with its pod, last.
    b.ok(&["pod", "create", "--name", "ip2"]);
    let m1 = b
        .ok(&["create", "--pod", "ip2", IMG, "true"])
        .trim()
        .to_owned();
    let lone = b
        .ok(&["create", "--network", "none", IMG, "true"])
        .trim()
        .to_owned();
    let infra2 = b
        .ok(&["pod", "inspect", "ip2", "--format", "{{.InfraContainerID}}"])
        .trim()
        .to_owned();
    let out = b.ok(&["container", "rm", "--force", "--all"]);
    for id in [&m1, &lone, &infra2] {
        assert!(out.contains(id.as_str()), "{id} not in {out}");
    }
    assert!(out.trim_end().ends_with(infra2.as_str()), "{out}");
    assert_eq!(b.ok(&["ps", "-aq"]), "");
    assert_eq!(b.ok(&["pod", "ps", "-q"]), "");
}

#[test]
fn ps_external_lists_berths_containers_and_nothing_more_on_a_clean_store() {
    let b = Berth::new();
    b.sleeper("ext", &[]);
    b.ok(&[
        "create",
        "--network",
        "none",
        "--name",
        "stopped",
        IMG,
        "true",
    ]);
    // podman's setup runs exactly this.
    assert_eq!(
        b.ok(&["ps", "--all", "--external", "--format", "{{.Names}}"]),
        "ext\nstopped\n"
    );
    assert_eq!(
        b.ok(&["ps", "--external", "--format", "{{.Names}}"]),
        "ext\n"
    );
    assert_eq!(b.run(&["container", "exists", "--external", "ext"]).code, 0);
    assert_eq!(
        b.run(&["container", "exists", "--external", "nothing"])
            .code,
        1
    );
}

/// After podman's "rm --force bogus" tests: a missing object is exit 1,
/// and `--force` (or `--ignore`) makes it no error at all.
#[test]
fn rm_of_missing_objects_exits_1_and_force_ignores_them() {
    let b = Berth::new();
    for (args, message) in [
        (
            &["container", "rm", "bogus"][..],
            "Error: no container with name or ID \"bogus\" found: no such container\n",
        ),
        (
            &["pod", "rm", "bogus"],
            "Error: no pod with name or ID bogus found: no such pod\n",
        ),
        (
            &["volume", "rm", "bogus"],
            "Error: no volume with name \"bogus\" found: no such volume\n",
        ),
    ] {
        let r = b.run(args);
        assert_eq!((r.code, r.err.as_str()), (1, message), "{args:?}");
        let mut forced = args.to_vec();
        forced.insert(forced.len() - 1, "--force");
        let r = b.run(&forced);
        assert_eq!(
            (r.code, r.out.as_str(), r.err.as_str()),
            (0, "", ""),
            "{forced:?}"
        );
    }
    assert_eq!(b.ok(&["rm", "--ignore", "bogus"]), "");
    // stop keeps podman's 125.
    assert_eq!(b.run(&["pod", "stop", "bogus"]).code, 125);
}
