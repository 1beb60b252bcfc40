//! End to end: the real `berth` binary over runc, conmon and CNI, each test
//! with its own instance (see `common`).

mod common;

use common::{eventually, free_port, http_get, image_tar, Berth, IMG};
use std::time::Duration;

#[test]
fn run_streams_output_and_returns_the_containers_code() {
    let b = Berth::new();
    assert_eq!(
        b.ok(&["run", "--rm", "--network", "none", IMG, "echo", "hello"]),
        "hello\n"
    );
    let r = b.run(&[
        "run",
        "--network",
        "none",
        "--name",
        "three",
        IMG,
        "sh",
        "-c",
        "echo out; echo err >&2; exit 3",
    ]);
    assert_eq!(
        (r.code, r.out.as_str(), r.err.as_str()),
        (3, "out\n", "err\n")
    );
    let ps = b.ok(&["ps", "-a", "--format", "{{.Names}} {{.Status}}"]);
    assert!(ps.starts_with("three Exited (3) "), "{ps}");
    // --rm leaves nothing behind.
    assert_eq!(
        b.ok(&["ps", "-a", "-q", "--filter", "name=^three$"])
            .lines()
            .count(),
        1
    );
    b.ok(&["run", "--rm", "--network", "none", IMG, "true"]);
    assert_eq!(b.ok(&["ps", "-a", "-q"]).lines().count(), 1);
    // 127: not found, 126: cannot be invoked.
    let r = b.run(&["run", "--rm", "--network", "none", IMG, "nosuchcmd"]);
    assert_eq!(r.code, 127, "{r:?}");
    assert!(
        r.err.starts_with("Error: ") && r.err.contains("nosuchcmd"),
        "{r:?}"
    );
    let r = b.run(&["run", "--rm", "--network", "none", IMG, "/etc/passwd"]);
    assert_eq!(r.code, 126, "{r:?}");
    // stdin reaches an -i container.
    let mut c = b.cmd();
    c.args(["run", "--rm", "-i", "--network", "none", IMG, "cat"]);
    let out = assert_cmd::Command::from_std(c)
        .write_stdin("piped\n")
        .timeout(Duration::from_secs(30))
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), "piped\n");
    // create + start -a.
    let id = b.ok(&[
        "create",
        "--network",
        "none",
        "--name",
        "later",
        IMG,
        "sh",
        "-c",
        "echo started; exit 4",
    ]);
    assert_eq!(id.trim().len(), 64);
    let r = b.run(&["start", "-a", "later"]);
    assert_eq!((r.code, r.out.as_str()), (4, "started\n"), "{r:?}");
    // `wait` prints the code and exits 0, as podman.
    let r = b.run(&["wait", "later"]);
    assert_eq!((r.code, r.out.as_str()), (0, "4\n"));
}

#[test]
fn detached_container_lifecycle() {
    let b = Berth::new();
    let id = b.ok(&[
        "run",
        "-d",
        "--network",
        "none",
        "--name",
        "web",
        "-l",
        "app=demo",
        "-e",
        "GREETING=hi",
        IMG,
        "sh",
        "-c",
        "echo booted; exec sleep 300",
    ]);
    let id = id.trim();
    assert_eq!(id.len(), 64);
    let ps = b.ok(&["ps"]);
    let mut lines = ps.lines();
    assert!(
        lines.next().unwrap().starts_with("CONTAINER ID  IMAGE"),
        "{ps}"
    );
    let row = lines.next().unwrap();
    assert!(
        row.starts_with(&id[..12]) && row.contains("Up ") && row.ends_with("web"),
        "{ps}"
    );
    assert_eq!(b.ok(&["ps", "-q"]), format!("{}\n", &id[..12]));
    assert_eq!(b.ok(&["ps", "-q", "--no-trunc"]), format!("{id}\n"));
    // As podman, a container records the name its image reference resolved to.
    b.ok(&[
        "create",
        "--name",
        "short",
        "--network",
        "none",
        "bb",
        "true",
    ]);
    assert_eq!(
        b.ok(&["inspect", "--format", "{{.ImageName}}", "short"]),
        "localhost/bb:latest\n"
    );
    assert_eq!(
        b.ok(&[
            "ps",
            "-a",
            "--filter",
            "name=short",
            "--format",
            "{{.Image}}"
        ]),
        "localhost/bb:latest\n"
    );
    b.ok(&["rm", "short"]);
    assert_eq!(
        b.ok(&[
            "ps",
            "--filter",
            "label=app=demo",
            "--format",
            "{{.Names}} {{.Labels.app}}"
        ]),
        "web demo\n"
    );
    assert_eq!(b.ok(&["ps", "--filter", "label=app=other", "-q"]), "");
    assert!(b
        .ok(&["ps", "--format", "json"])
        .contains("\"Names\": [\n      \"web\""));
    assert!(b
        .ok(&["ps", "--size", "--format", "{{.Size}}"])
        .contains("virtual"));
    // exec: output, env, workdir, user, exit code.
    assert_eq!(b.ok(&["exec", "web", "sh", "-c", "echo $GREETING"]), "hi\n");
    assert_eq!(
        b.ok(&[
            "exec",
            "-e",
            "X=1",
            "-w",
            "/tmp",
            "-u",
            "nobody",
            "web",
            "sh",
            "-c",
            "echo $X $(pwd) $(id -u)"
        ]),
        "1 /tmp 65534\n"
    );
    assert_eq!(b.run(&["exec", "web", "sh", "-c", "exit 9"]).code, 9);
    assert_eq!(b.run(&["exec", "web", "nosuchcmd"]).code, 127);
    assert!(b
        .ok(&["exec", "-d", "web", "sleep", "1"])
        .trim()
        .parse::<u32>()
        .is_ok());
    // logs.
    assert_eq!(b.ok(&["logs", "web"]), "booted\n");
    assert_eq!(b.ok(&["logs", "--tail", "1", "web"]), "booted\n");
    assert!(b.ok(&["logs", "-t", "web"]).trim_end().ends_with(" booted"));
    // inspect, top, stats, port.
    assert_eq!(
        b.ok(&["inspect", "--format", "{{.State.Status}} {{.Name}}", "web"]),
        "running web\n"
    );
    assert_eq!(
        b.ok(&["container", "inspect", "-f", "{{.Id}}", "web"]),
        format!("{id}\n")
    );
    assert!(b.ok(&["inspect", "web"]).starts_with("[\n    {\n"));
    let top = b.ok(&["top", "web"]);
    assert!(
        top.starts_with("USER") && top.contains("sleep 300"),
        "{top}"
    );
    let stats = b.ok(&["stats", "--no-stream", "web"]);
    assert!(stats.starts_with("ID") && stats.contains("web"), "{stats}");
    // Streaming: a new table every --interval until interrupted.
    let streaming = b
        .cmd()
        .args([
            "stats",
            "--interval",
            "1",
            "--format",
            "{{.Name}} {{.PIDs}}",
            "web",
        ])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(2500));
    // SIGTERM, not SIGINT: a test run started in the background by a
    // non-interactive shell inherits SIGINT ignored, and stats would then
    // stream until the container exits.
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(i32::try_from(streaming.id()).unwrap()),
        nix::sys::signal::Signal::SIGTERM,
    )
    .unwrap();
    let o = streaming.wait_with_output().unwrap();
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        text.lines().filter(|l| l.starts_with("web ")).count() >= 2,
        "{text}"
    );
    assert_eq!(b.run(&["stats", "--interval", "0", "web"]).code, 125);
    assert_eq!(b.ok(&["port", "web"]), "");
    // pause / unpause.
    assert_eq!(b.ok(&["pause", "web"]), format!("{id}\n"));
    assert_eq!(b.ok(&["ps", "--format", "{{.Status}}"]), "Paused\n");
    b.ok(&["unpause", "web"]);
    // cp both ways, mount / unmount.
    let host = b.dir.path().join("note.txt");
    std::fs::write(&host, "copied in\n").unwrap();
    b.ok(&["cp", host.to_str().unwrap(), "web:/tmp/"]);
    assert_eq!(
        b.ok(&["exec", "web", "cat", "/tmp/note.txt"]),
        "copied in\n"
    );
    let back = b.dir.path().join("passwd");
    b.ok(&["cp", "web:/etc/passwd", back.to_str().unwrap()]);
    assert!(std::fs::read_to_string(&back)
        .unwrap()
        .starts_with("root:x:0:0"));
    // A running container: the user's mount goes, its own stays.
    assert!(b.ok(&["mount", "web"]).trim().ends_with("merged"));
    assert_eq!(b.ok(&["unmount", "web"]), "web\n");
    assert_eq!(b.run(&["unmount", "web"]).code, 125);
    assert_eq!(
        b.ok(&["exec", "web", "cat", "/tmp/note.txt"]),
        "copied in\n"
    );
    // exists.
    assert_eq!(b.run(&["container", "exists", "web"]).code, 0);
    assert_eq!(b.run(&["container", "exists", "nope"]).code, 1);
    // stop / start / restart / kill / wait.
    assert_eq!(b.ok(&["stop", "-t", "1", "web"]), "web\n");
    assert!(b
        .ok(&["ps", "-a", "--format", "{{.Status}}"])
        .starts_with("Exited (137)"));
    assert_eq!(b.ok(&["start", "web"]), "web\n");
    assert_eq!(b.ok(&["restart", "-t", "1", "web"]), "web\n");
    assert_eq!(b.ok(&["ps", "--format", "{{.Names}}"]), "web\n");
    assert_eq!(b.ok(&["kill", "-s", "KILL", "web"]), "web\n");
    assert_eq!(b.run(&["wait", "web"]).out, "137\n");
    // rm, prune.
    b.ok(&["create", "--network", "none", "--name", "idle", IMG, "true"]);
    let mp = b.ok(&["mount", "idle"]);
    assert!(
        std::path::Path::new(mp.trim()).join("bin/busybox").exists(),
        "{mp}"
    );
    assert!(b.ok(&["mount"]).contains(mp.trim()));
    assert_eq!(b.ok(&["unmount", "idle"]), "idle\n");
    assert_eq!(b.ok(&["rm", "web"]), "web\n");
    let pruned = b.ok(&["container", "prune", "-f"]);
    assert_eq!(pruned.lines().count(), 1, "{pruned}");
    assert_eq!(b.ok(&["ps", "-a", "-q"]), "");
    // rm -f of a running one; rm -a.
    b.sleeper("r1", &[]);
    b.sleeper("r2", &[]);
    b.ok(&["rm", "-f", "r1"]);
    b.ok(&["rm", "-a", "-f"]);
    assert_eq!(b.ok(&["ps", "-a", "-q"]), "");
}

#[test]
fn exited_containers_are_cleaned_up_by_conmons_exit_command() {
    let b = Berth::new();
    b.ok(&[
        "run",
        "-d",
        "--network",
        "none",
        "--name",
        "quick",
        IMG,
        "true",
    ]);
    b.ok(&[
        "run",
        "-d",
        "--rm",
        "--network",
        "none",
        "--name",
        "gone",
        IMG,
        "true",
    ]);
    // conmon runs `berth ... container cleanup ID`; --rm removes it there.
    let mut left = String::new();
    for _ in 0..100 {
        left = b.ok(&["ps", "-a", "--format", "{{.Names}} {{.Status}}"]);
        if !left.contains("gone") && left.contains("Exited (0)") {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(
        left.starts_with("quick Exited (0)") && !left.contains("gone"),
        "{left}"
    );
    // cleanup of something already gone is fine.
    b.ok(&["container", "cleanup", "quick"]);
    b.ok(&["container", "cleanup", "quick"]);
}

#[test]
fn foreground_run_forwards_sigterm() {
    let b = Berth::new();
    let mut c = b.cmd();
    c.args([
        "run",
        "--rm",
        "--network",
        "none",
        IMG,
        "sh",
        "-c",
        "trap 'echo got-term; exit 7' TERM; echo ready; while :; do sleep 0.1; done",
    ]);
    c.stdout(std::process::Stdio::piped());
    let mut child = c.spawn().unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut buf = [0u8; 6];
    std::io::Read::read_exact(&mut stdout, &mut buf).unwrap();
    assert_eq!(&buf, b"ready\n");
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
        std::thread::sleep(Duration::from_millis(100));
    }
    let Some(status) = status else {
        let _ = child.kill();
        panic!("berth run did not end after SIGTERM");
    };
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stdout, &mut rest).unwrap();
    assert_eq!(status.code(), Some(7), "{rest}");
    assert_eq!(rest, "got-term\n");
}

#[test]
fn published_port_on_the_default_bridge() {
    let b = Berth::new();
    let port = free_port();
    let publish = format!("{port}:80");
    b.ok(&[
        "run", "-d", "--name", "httpd", "-p", &publish, IMG, "httpd", "-f", "-p", "80", "-h",
        "/var/www",
    ]);
    let page = http_get(port, "/index.html");
    assert!(
        page.starts_with("HTTP/1.")
            && page.contains(" 200 OK")
            && page.ends_with("hello from berth\n"),
        "{page}"
    );
    assert_eq!(
        b.ok(&["port", "httpd"]),
        format!("80/tcp -> 0.0.0.0:{port}\n")
    );
    assert!(b
        .ok(&["ps", "--format", "{{.Ports}}"])
        .contains(&format!("0.0.0.0:{port}->80/tcp")));
    // A Go template ranges over inspect's map of networks.
    let ip = b.ok(&[
        "inspect",
        "--format",
        "{{.NetworkSettings.IPAddress}}",
        "httpd",
    ]);
    assert!(ip.trim().parse::<std::net::Ipv4Addr>().is_ok(), "{ip:?}");
    assert_eq!(
        b.ok(&[
            "inspect",
            "--format",
            "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}",
            "httpd"
        ]),
        ip
    );
    // The same host port again is refused, with podman's exit code 126 for `run`.
    let r = b.run(&["run", "-d", "-p", &publish, IMG, "true"]);
    assert_eq!(
        (r.code, r.err),
        (126, format!("Error: --publish: cannot listen on the TCP port: listen tcp4 0.0.0.0:{port}: bind: address already in use\n"))
    );
    // The port is held (by the container's conmon) while it runs, against any program.
    assert!(std::net::TcpListener::bind(("0.0.0.0", port)).is_err());
    b.ok(&["restart", "-t", "1", "httpd"]);
    assert!(http_get(port, "/index.html").ends_with("hello from berth\n"));
    b.ok(&["stop", "-t", "1", "httpd"]);
    let freed = eventually(50, || {
        std::net::TcpListener::bind(("0.0.0.0", port)).is_ok()
    });
    assert!(freed, "port {port} still held after stop");
    b.ok(&["rm", "-f", "httpd"]);
}

#[test]
fn publish_all_puts_each_exposed_port_on_a_free_host_port() {
    let b = Berth::new();
    b.ok(&[
        "import",
        "--change",
        "EXPOSE 80 8080/tcp",
        image_tar().to_str().unwrap(),
        "localhost/exposing",
    ]);
    let serve = "httpd -p 80 -h /var/www && exec httpd -f -p 8080 -h /var/www";
    b.ok(&[
        "run",
        "-d",
        "--name",
        "web",
        "-P",
        "localhost/exposing",
        "sh",
        "-c",
        serve,
    ]);
    let listed = b.ok(&["port", "web"]);
    let mut seen = Vec::new();
    for container_port in ["80/tcp", "8080/tcp"] {
        let line = listed
            .lines()
            .find(|l| l.starts_with(&format!("{container_port} -> 0.0.0.0:")))
            .unwrap_or_else(|| panic!("{container_port} is published: {listed}"));
        let host_port: u16 = line.rsplit(':').next().unwrap().parse().unwrap();
        assert_ne!(host_port, 0);
        let page = http_get(host_port, "/index.html");
        assert!(
            page.ends_with("hello from berth\n"),
            "{container_port}: {page}"
        );
        seen.push(host_port);
    }
    assert_ne!(seen[0], seen[1], "one host port each: {listed}");
    // A second -P container gets other ports, while the first runs.
    b.ok(&[
        "run",
        "-d",
        "--name",
        "web2",
        "-P",
        "localhost/exposing",
        "sh",
        "-c",
        serve,
    ]);
    let second = b.ok(&["port", "web2"]);
    for p in &seen {
        assert!(!second.contains(&format!(":{p}\n")), "{second} reuses {p}");
    }
    b.ok(&["rm", "-f", "-t", "0", "web", "web2"]);
}

#[test]
fn concurrent_creates_never_share_a_chosen_host_port() {
    let b = Berth::new();
    let ids: Vec<String> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..6)
            .map(|_| s.spawn(|| b.ok(&["create", "-p", "80", "-p", "81/udp", IMG, "true"])))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let mut ports = Vec::new();
    for id in &ids {
        let listed = b.ok(&["port", id.trim()]);
        for line in listed.lines() {
            let proto = line.split(' ').next().unwrap().split('/').nth(1).unwrap();
            let port = line.rsplit(':').next().unwrap().to_string();
            ports.push(format!("{port}/{proto}"));
        }
    }
    assert_eq!(ports.len(), 12, "{ports:?}");
    let n = ports.len();
    ports.sort();
    ports.dedup();
    assert_eq!(ports.len(), n, "a host port was chosen twice");
}

#[test]
fn run_replace_takes_the_name_over() {
    let b = Berth::new();
    let old = b.sleeper("svc", &[]);
    let new = b.sleeper("svc", &["--replace"]);
    assert_ne!(old.trim(), new.trim());
    assert_eq!(b.ok(&["ps", "-a", "-q", "--no-trunc"]).trim(), new.trim());
    b.fails_with(&["run", "-d", "--replace", IMG, "true"], "without a name");
    b.ok(&["rm", "-f", "-t", "0", "svc"]);
}

#[test]
fn pods_share_localhost() {
    let b = Berth::new();
    let pod = b.ok(&["pod", "create", "--name", "duo", "-l", "team=a"]);
    assert_eq!(pod.trim().len(), 64);
    b.ok(&[
        "run", "-d", "--pod", "duo", "--name", "server", IMG, "httpd", "-f", "-p", "8080", "-h",
        "/var/www",
    ]);
    let mut got = String::new();
    for _ in 0..30 {
        let r = b.run(&[
            "run",
            "--rm",
            "--pod",
            "duo",
            IMG,
            "wget",
            "-q",
            "-O",
            "-",
            "http://127.0.0.1:8080/index.html",
        ]);
        got = r.out;
        if r.code == 0 {
            break;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    assert_eq!(got, "hello from berth\n");
    let ps = b.ok(&["pod", "ps"]);
    assert!(ps.starts_with("POD ID        NAME"), "{ps}");
    assert!(ps.contains("duo") && ps.contains("Running"), "{ps}");
    assert_eq!(
        b.ok(&["pod", "ps", "--format", "{{.Name}} {{.NumberOfContainers}}"]),
        "duo 2\n"
    );
    // The pod's network is its infra container's.
    assert!(
        !b.ok(&["pod", "ps", "--format", "{{.Networks}}"])
            .trim()
            .is_empty(),
        "a network is listed"
    );
    assert_eq!(
        b.ok(&["pod", "ps", "--filter", "label=team=a", "-q"]).len(),
        13
    );
    assert!(b.ok(&["pod", "inspect", "duo"]).contains("\"duo\""));
    assert_eq!(
        b.ok(&[
            "pod",
            "inspect",
            "--format",
            "{{.InfraConfig.HostNetwork}} {{.ExitPolicy}}",
            "duo"
        ]),
        "false continue\n"
    );
    b.ok(&["pod", "create", "--name", "onhost", "--network", "host"]);
    assert_eq!(
        b.ok(&[
            "pod",
            "inspect",
            "--format",
            "{{.InfraConfig.HostNetwork}}",
            "onhost"
        ]),
        "true\n"
    );
    b.ok(&["pod", "rm", "onhost"]);
    assert_eq!(b.run(&["pod", "exists", "duo"]).code, 0);
    assert_eq!(b.run(&["pod", "exists", "trio"]).code, 1);
    assert_eq!(
        b.ok(&[
            "ps",
            "--pod",
            "--format",
            "{{.Names}} {{.PodName}}",
            "--filter",
            "name=server"
        ]),
        "server duo\n"
    );
    b.ok(&["pod", "stop", "-t", "1", "duo"]);
    assert!(!b.ok(&["ps", "--format", "{{.Names}}"]).contains("server"));
    b.ok(&["pod", "start", "duo"]);
    b.ok(&["pod", "restart", "duo"]);
    b.ok(&["pod", "kill", "duo"]);
    // --replace removes the pod of that name, members included, and makes a new one.
    b.fails_with(&["pod", "create", "--replace"], "--name");
    let old = b.ok(&["pod", "ps", "-q", "--no-trunc"]);
    let new = b.ok(&["pod", "create", "--replace", "--name", "duo"]);
    assert_ne!(old.trim(), new.trim());
    assert_eq!(b.ok(&["pod", "ps", "-q", "--no-trunc"]), new);
    assert!(!b
        .ok(&["ps", "-a", "--format", "{{.Names}}"])
        .contains("server"));
    b.ok(&["pod", "rm", "-f", "duo"]);
    assert_eq!(b.ok(&["pod", "ps", "-q"]), "");
    assert_eq!(b.ok(&["ps", "-a", "-q"]), "");
    b.ok(&["pod", "create", "--name", "empty"]);
    b.ok(&["pod", "prune", "-f"]);
    assert_eq!(b.ok(&["pod", "ps", "-q"]), "");
}

#[test]
fn user_input_errors_exit_125_with_their_message() {
    let b = Berth::new();
    b.fails(
        &[
            "run",
            "--pull=never",
            "--network",
            "none",
            "localhost/nosuch:latest",
            "true",
        ],
        "localhost/nosuch:latest: image not known",
    );
    b.fails(&["stop", "nosuch"], "no such container: nosuch");
    // rm of a missing container exits 1, as podman.
    let r = b.run(&["rm", "nosuch"]);
    assert_eq!(r.code, 1, "{r:?}");
    assert_eq!(
        r.err,
        "Error: no container with name or ID \"nosuch\" found: no such container\n"
    );
    b.fails(&["logs", "nosuch"], "no such container: nosuch");
    b.fails(&["inspect", "nosuch"], "no such object: \"nosuch\"");
    let r = b.run(&["pod", "rm", "nosuch"]);
    assert_eq!(r.code, 1, "{r:?}");
    assert_eq!(
        r.err,
        "Error: no pod with name or ID nosuch found: no such pod\n"
    );
    // rmi of a missing image exits 1, as podman.
    let r = b.run(&["rmi", "localhost/nosuch"]);
    assert_eq!(
        (r.code, r.err.as_str()),
        (1, "Error: localhost/nosuch: image not known\n"),
        "{r:?}"
    );
    let r = b.run(&["run", "-m", "1x", IMG, "true"]);
    assert_eq!(r.code, 125);
    assert!(
        r.err.starts_with("Error: ") && r.err.contains("--memory"),
        "{r:?}"
    );
    let r = b.run(&["run", "-p", "70000:80", IMG, "true"]);
    assert_eq!(r.code, 125);
    assert!(
        r.err.contains("--publish") && r.err.contains("70000"),
        "{r:?}"
    );
    b.ok(&[
        "create",
        "--network",
        "none",
        "--name",
        "taken",
        IMG,
        "true",
    ]);
    let r = b.run(&[
        "create",
        "--network",
        "none",
        "--name",
        "taken",
        IMG,
        "true",
    ]);
    assert_eq!(r.code, 125);
    assert!(
        r.err
            .starts_with("Error: name in use: \"taken\" is already used by container "),
        "{r:?}"
    );
    let l = std::net::TcpListener::bind("0.0.0.0:0").unwrap();
    let port = l.local_addr().unwrap().port();
    let r = b.run(&["run", "-p", &format!("{port}:80"), IMG, "true"]);
    assert_eq!(r.code, 126, "{r:?}");
    assert_eq!(r.err, format!("Error: --publish: cannot listen on the TCP port: listen tcp4 0.0.0.0:{port}: bind: address already in use\n"));
    // `create` refuses it too (berth holds ports from create on), with 125.
    b.fails_with(
        &["create", "-p", &format!("{port}:80"), IMG, "true"],
        "address already in use",
    );
    let r = b.run(&["exec", "taken", "true"]);
    assert_eq!(r.code, 125, "{r:?}");
    assert!(r.err.starts_with("Error: "), "{r:?}");
}

#[test]
fn a_killed_run_rm_still_removes_its_container() {
    let b = Berth::new();
    let mut client = b
        .cmd()
        .args(["run", "--rm", "--network", "none", "--name", "gone", IMG])
        .args(["sleep", "2"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let running = eventually(100, || {
        b.ok(&["ps", "--format", "{{.Names}}"]).contains("gone")
    });
    assert!(running, "the container never ran");
    client.kill().unwrap();
    client.wait().unwrap();
    // The client is gone; conmon's cleanup removes the container when it exits.
    let removed = eventually(100, || b.ok(&["ps", "-a", "-q"]).is_empty());
    assert!(removed, "{}", b.ok(&["ps", "-a"]));
}

#[test]
fn ps_lists_oldest_first_and_sorts_as_asked() {
    let b = Berth::new();
    for name in ["zed", "abe"] {
        b.ok(&["create", "--network", "none", "--name", name, IMG, "true"]);
        std::thread::sleep(Duration::from_millis(1100));
    }
    assert_eq!(b.ok(&["ps", "-a", "--format", "{{.Names}}"]), "zed\nabe\n");
    assert_eq!(
        b.ok(&["ps", "-a", "--sort", "names", "--format", "{{.Names}}"]),
        "abe\nzed\n"
    );
    assert_eq!(
        b.ok(&["ps", "-a", "--last", "1", "--format", "{{.Names}}"]),
        "abe\n"
    );
    assert_eq!(b.run(&["ps", "--sort", "bogus"]).code, 125);
}
