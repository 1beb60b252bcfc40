//! End to end: what podman 4.3.1's 030-run, 040-ps, 045-start and 055-rm check of run,
//! inspect, ps, start and rm, over the real `berth` binary, runc, conmon and CNI.

mod common;

use common::{image_tar, Berth, IMG};

fn inspect(b: &Berth, format: &str, name: &str) -> String {
    b.ok(&["inspect", "--format", format, name])
        .trim_end()
        .to_owned()
}

#[test]
fn inspect_shows_the_runtime_the_image_digest_and_the_log_config() {
    let b = Berth::new();
    // 030-run "podman run --log-driver": json-file keeps its name and writes a k8s-file log.
    let out = b.ok(&[
        "run",
        "--name",
        "j",
        "--network",
        "none",
        "--log-driver",
        "json-file",
        IMG,
        "echo",
        "hello",
    ]);
    assert_eq!(out, "hello\n");
    assert_eq!(
        inspect(&b, "{{.HostConfig.LogConfig.Type}}", "j"),
        "json-file"
    );
    let path = inspect(&b, "{{.HostConfig.LogConfig.Path}}", "j");
    let log = std::fs::read_to_string(&path).unwrap();
    assert!(log.trim_end().ends_with(" stdout F hello"), "{log}");
    assert_eq!(b.ok(&["logs", "j"]), "hello\n");
    // "full path to --runtime is preserved"; "inspect includes image data".
    assert_eq!(inspect(&b, "{{.OCIRuntime}}", "j"), "runc");
    let digest = inspect(&b, "{{.Digest}}", IMG);
    assert!(digest.starts_with("sha256:"), "{digest}");
    assert_eq!(inspect(&b, "{{.ImageDigest}}", "j"), digest);
    // "podman run with log-opt option": max-size read and shown as go-units does.
    b.ok(&[
        "create",
        "--name",
        "sized",
        "--log-opt",
        "max-size=3.047m",
        IMG,
        "true",
    ]);
    assert_eq!(
        inspect(&b, "{{.HostConfig.LogConfig.Size}}", "sized"),
        "3.047MB"
    );
    assert_eq!(inspect(&b, "{{.HostConfig.LogConfig.Size}}", "j"), "0B");
    // The none driver: no path, and logs refuses in podman's words.
    b.ok(&[
        "run",
        "--name",
        "n",
        "--network",
        "none",
        "--log-driver",
        "none",
        IMG,
        "true",
    ]);
    assert_eq!(inspect(&b, "{{.HostConfig.LogConfig.Path}}", "n"), "");
    b.fails_with(
        &["logs", "n"],
        "this container is using the 'none' log driver, cannot read logs",
    );
    b.fails(
        &["run", "--log-driver=InvalidDriver", IMG, "true"],
        "running container create option: invalid log driver: invalid argument",
    );
}

#[test]
fn an_explicit_runtime_path_is_recorded_as_given() {
    let b = Berth::new();
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("myruntime");
    std::fs::copy("/usr/sbin/runc", &copy).unwrap();
    let copy = copy.to_str().unwrap();
    b.ok(&[
        "--runtime",
        copy,
        "create",
        "--name",
        "r",
        "--network",
        "none",
        IMG,
        "true",
    ]);
    assert_eq!(inspect(&b, "{{.OCIRuntime}}", "r"), copy);
}

#[test]
fn device_cgroup_rules_and_their_errors_are_podmans() {
    let b = Berth::new();
    // 030-run "podman run --device-cgroup-rule tests".
    for rule in ["b 7:* rmw", "c 7:* rmw", "a 7:1 rmw", "a 7 rmw"] {
        let r = b.run_rm(&["--device-cgroup-rule", rule], &["true"]);
        assert_eq!(r.code, 0, "{rule}: {r:?}");
    }
    for (rule, message) in [
        ("b 7:* rmX", "invalid device access in device-access-add: X"),
        (
            "b 7:2",
            "invalid device cgroup rule requires type, major:Minor, and access rules: \"b 7:2\"",
        ),
        ("x 7:* rmw", "invalid device type in device-access-add: x"),
        (
            "a a:* rmw",
            "strconv.ParseUint: parsing \"a\": invalid syntax",
        ),
    ] {
        b.fails(
            &["create", "--device-cgroup-rule", rule, IMG, "true"],
            message,
        );
    }
    assert_eq!(b.ok(&["ps", "-aq"]), "", "nothing made by a refused create");
}

#[test]
fn ports_with_a_host_network_and_kernel_memory_only_warn() {
    let b = Berth::new();
    // 030-run "podman run with --net=host and --port prints warning".
    let r = b.run(&[
        "run",
        "--rm",
        "-p",
        "8080",
        "--net=host",
        IMG,
        "echo",
        "ran",
    ]);
    assert_eq!(r.code, 0, "{r:?}");
    assert_eq!(r.out, "ran\n");
    assert_eq!(
        r.err,
        "Port mappings have been discarded as one of the Host, Container, Pod, and None network modes are in use\n"
    );
    // "podman run --kernel-memory warning".
    let r = b.run_rm(&["--kernel-memory", "100"], &["true"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(
        r.err
            .contains("The --kernel-memory flag is no longer supported. This flag is a noop."),
        "{r:?}"
    );
}

#[test]
fn start_all_skips_running_containers_and_filters_apply() {
    let b = Berth::new();
    let running = b.sleeper("up", &["--restart=always"]);
    let done = b.ok(&["run", "-d", "--network", "none", IMG, "true"]);
    let done = done.trim();
    let failed = b.ok(&["run", "-d", "--network", "none", IMG, "false"]);
    let failed = failed.trim();
    b.ok(&["wait", done, failed]);
    // 045-start "podman start --all": not the running one.
    let out = b.ok(&["start", "--all"]);
    assert!(out.contains(done) && out.contains(failed), "{out}");
    assert!(!out.contains(&running), "{out}");
    b.ok(&["wait", done, failed]);
    // "--all --filter": only the matching ones.
    assert_eq!(
        b.ok(&["start", "--all", "--filter", "exited=0"]),
        format!("{done}\n")
    );
    b.ok(&["wait", done]);
    // "--filter" with names: a name that does not pass is left alone.
    assert_eq!(
        b.ok(&["start", "--filter", "restart-policy=always", done]),
        ""
    );
    assert_eq!(
        b.ok(&["start", "--filter", "restart-policy=none", done]),
        format!("{done}\n")
    );
    b.fails(
        &["start", "--filter", "restart-policy=fakepolicy", done],
        "fakepolicy invalid restart policy",
    );
    b.ok(&["wait", done]);
    // 040-ps "podman ps --filter": stopped ones only with -a, or with status=.
    assert_eq!(
        b.ok(&["ps", "--filter", "exited=0", "--format", "{{.ID}}"]),
        ""
    );
    assert_eq!(
        b.ok(&[
            "ps",
            "--filter",
            "status=stopped",
            "--format",
            "{{.ID}}",
            "--no-trunc",
            "--sort",
            "created"
        ]),
        format!("{done}\n{failed}\n")
    );
}

#[test]
fn a_container_sharing_another_ones_network_is_its_dependent() {
    let b = Berth::new();
    // 055-rm "podman rm --depend".
    let base = b.ok(&["create", IMG, "true"]);
    let base = base.trim();
    let user = b.ok(&["create", &format!("--net=container:{base}"), IMG, "true"]);
    let user = user.trim();
    let r = b.run(&["rm", base]);
    assert_eq!(r.code, 125, "{r:?}");
    assert!(
        r.err.starts_with(&format!(
            "Error: container {base} has dependent containers which must be removed before it:"
        )),
        "{r:?}"
    );
    let out = b.ok(&["rm", "--depend", base]);
    assert!(out.contains(user) && out.contains(base), "{out}");
}

#[test]
fn the_image_root_directory_mode_is_the_containers() {
    let b = Berth::new();
    // 030-run "podman run image with filesystem permission": an image whose / is 555.
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("root");
    std::fs::create_dir(&root).unwrap();
    let untar = std::process::Command::new("tar")
        .arg("-xf")
        .arg(image_tar())
        .arg("-C")
        .arg(&root)
        .status()
        .unwrap();
    assert!(untar.success());
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&root, std::fs::Permissions::from_mode(0o555)).unwrap();
    let tar = dir.path().join("ro.tar");
    let made = std::process::Command::new("tar")
        .arg("-cf")
        .arg(&tar)
        .arg("-C")
        .arg(&root)
        .arg(".")
        .status()
        .unwrap();
    assert!(made.success());
    b.ok(&["import", tar.to_str().unwrap(), "localhost/ro"]);
    let r = b.run(&[
        "run",
        "--rm",
        "--network",
        "none",
        "localhost/ro",
        "stat",
        "-c",
        "%a",
        "/",
    ]);
    assert_eq!((r.code, r.out.as_str()), (0, "555\n"), "{r:?}");
    // A base layer without a `./` entry has containers/storage's 0555 root.
    let bare = dir.path().join("bare.tar");
    let made = std::process::Command::new("tar")
        .arg("-cf")
        .arg(&bare)
        .arg("-C")
        .arg(&root)
        .args(["bin", "etc"])
        .status()
        .unwrap();
    assert!(made.success());
    b.ok(&["import", bare.to_str().unwrap(), "localhost/bare"]);
    let r = b.run(&[
        "run",
        "--rm",
        "--network",
        "none",
        "localhost/bare",
        "/bin/stat",
        "-c",
        "%a",
        "/",
    ]);
    assert_eq!((r.code, r.out.as_str()), (0, "555\n"), "{r:?}");
}

#[test]
fn images_rows_sort_by_name_and_list_only_the_name_asked_for() {
    let b = Berth::new();
    b.ok(&["tag", IMG, "a.b/c:d"]);
    b.ok(&["tag", IMG, "zzz.y/x:t"]);
    // 010-images "podman images - table format": each name's row sorted by repository.
    let out = b.ok(&[
        "images",
        "--sort",
        "repository",
        "--format",
        "{{.Repository}}:{{.Tag}}",
    ]);
    assert_eq!(out, "a.b/c:d\nlocalhost/bb:latest\nzzz.y/x:t\n");
    // 120-load "podman save to pipe and load": `images NAME` shows that name's row only.
    assert_eq!(
        b.ok(&["images", "a.b/c:d", "--format", "{{.Repository}}:{{.Tag}}"]),
        "a.b/c:d\n"
    );
}

#[test]
fn an_image_saved_by_id_loads_untagged_and_load_reads_a_url() {
    let b = Berth::new();
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("by-id.tar");
    let id = inspect(&b, "{{.ID}}", IMG);
    // 120-load "podman load - by image ID".
    b.ok(&["save", &id[..12], "-o", archive.to_str().unwrap()]);
    b.ok(&["rmi", &id]);
    b.ok(&["load", "-i", archive.to_str().unwrap()]);
    assert_eq!(
        b.ok(&[
            "images",
            "-a",
            "--format",
            "{{.ID}} {{.Repository}}:{{.Tag}}"
        ]),
        format!("{} <none>:<none>\n", &id[..12])
    );
    b.ok(&["rmi", &id]);
    // "podman load - from URL": an archive served over HTTP.
    let bytes = std::fs::read(&archive).unwrap();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = std::thread::spawn(move || {
        use std::io::{Read, Write};
        let (mut s, _) = listener.accept().unwrap();
        let mut request = [0u8; 4096];
        let _ = s.read(&mut request).unwrap();
        let head = format!(
            "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            bytes.len()
        );
        s.write_all(head.as_bytes()).unwrap();
        s.write_all(&bytes).unwrap();
    });
    let url = format!("http://127.0.0.1:{port}/image.tar");
    let out = b.ok(&["load", "-i", &url]);
    server.join().unwrap();
    assert!(out.contains("Loaded image"), "{out}");
    assert_eq!(
        b.ok(&["images", "-a", "--format", "{{.ID}}"]),
        format!("{}\n", &id[..12])
    );
}
