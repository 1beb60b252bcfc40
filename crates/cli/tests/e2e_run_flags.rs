//! End to end: the `run`/`create` flags added for podman parity that change
//! what happens to a real container (log driver and log path, time zone,
//! `--rmi`, pid and cid files, `--memory 0`, `-a`, `--timeout`, namespaces,
//! `--pod new:`, a flag given twice), each over runc, conmon and its own
//! instance (see `common`).

mod common;

use common::{eventually, http_get, Berth, IMG};
use std::time::{Duration, Instant};

#[test]
fn log_driver_none_streams_but_keeps_no_log() {
    let b = Berth::new();
    let r = b.run(&[
        "run",
        "--name",
        "quiet",
        "--log-driver",
        "none",
        "--network",
        "none",
        IMG,
        "echo",
        "hi",
    ]);
    assert_eq!((r.code, r.out.as_str()), (0, "hi\n"), "{r:?}");
    b.fails_with(&["logs", "quiet"], "log driver");
    b.ok(&["rm", "quiet"]);
}

#[test]
fn log_opt_path_places_the_k8s_file_log() {
    let b = Berth::new();
    let log = b.dir.path().join("my.log");
    let opt = format!("path={}", log.display());
    b.ok(&[
        "run",
        "--name",
        "logged",
        "--log-driver",
        "k8s-file",
        "--log-opt",
        &opt,
        "--log-opt",
        "max-size=1mb",
        "--network",
        "none",
        IMG,
        "echo",
        "to-the-file",
    ]);
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(text.contains("stdout F to-the-file"), "{text}");
    assert_eq!(b.ok(&["logs", "logged"]), "to-the-file\n");
    let path = b.ok(&["inspect", "--format", "{{.LogPath}}", "logged"]);
    assert_eq!(path.trim(), log.to_str().unwrap());
}

#[test]
fn tz_sets_the_containers_local_time() {
    let b = Berth::new();
    let r = b.run_rm(&["--tz", "Asia/Tokyo"], &["date", "+%Z"]);
    assert_eq!((r.code, r.out.as_str()), (0, "JST\n"), "{r:?}");
    let host = std::process::Command::new("date")
        .arg("+%Z")
        .output()
        .unwrap();
    let r = b.run_rm(&["--tz", "local"], &["date", "+%Z"]);
    assert_eq!(r.out, String::from_utf8_lossy(&host.stdout), "{r:?}");
    b.fails_with(
        &["run", "--rm", "--tz", "Mars/Olympus", IMG, "true"],
        "--tz",
    );
    // Nothing is left of the refused one.
    assert_eq!(b.ok(&["ps", "-a", "-q"]), "");
}

#[test]
fn rmi_removes_the_image_unless_another_container_uses_it() {
    let b = Berth::new();
    b.ok(&["create", "--name", "holder", IMG, "true"]);
    b.ok(&["run", "--rmi", "--network", "none", IMG, "true"]);
    assert_eq!(b.run(&["image", "exists", IMG]).code, 0, "in use: kept");
    b.ok(&["rm", "holder"]);
    b.ok(&["run", "--rmi", "--network", "none", IMG, "true"]);
    assert_eq!(b.run(&["image", "exists", IMG]).code, 1, "unused: removed");
    assert_eq!(b.ok(&["ps", "-a", "-q"]), "", "--rmi implies --rm");
}

#[test]
fn cid_conmon_and_container_pid_files() {
    let b = Berth::new();
    let d = b.dir.path();
    let (cid, conmon, pid) = (d.join("c.id"), d.join("conmon.pid"), d.join("ctr.pid"));
    let id = b
        .ok(&[
            "run",
            "-d",
            "--network",
            "none",
            "--name",
            "pids",
            "--cidfile",
            cid.to_str().unwrap(),
            "--conmon-pidfile",
            conmon.to_str().unwrap(),
            "--pidfile",
            pid.to_str().unwrap(),
            IMG,
            "sleep",
            "600",
        ])
        .trim()
        .to_owned();
    assert_eq!(std::fs::read_to_string(&cid).unwrap(), id);
    let conmon_pid = std::fs::read_to_string(&conmon).unwrap();
    let comm = std::fs::read_to_string(format!("/proc/{}/comm", conmon_pid.trim())).unwrap();
    assert_eq!(comm.trim(), "conmon");
    let state_pid = b.ok(&["inspect", "--format", "{{.State.Pid}}", "pids"]);
    assert_eq!(
        std::fs::read_to_string(&pid).unwrap().trim(),
        state_pid.trim()
    );
    b.ok(&["rm", "-f", "-t", "0", "pids"]);
}

#[test]
fn memory_zero_is_no_limit() {
    let b = Berth::new();
    let r = b.run_rm(&["--memory", "0"], &["echo", "ok"]);
    assert_eq!((r.code, r.out.as_str()), (0, "ok\n"), "{r:?}");
}

#[test]
fn attach_joins_only_the_streams_named() {
    let b = Berth::new();
    let r = b.run_rm(&["-a", "stdout"], &["sh", "-c", "echo out; echo err >&2"]);
    assert_eq!(
        (r.code, r.out.as_str(), r.err.as_str()),
        (0, "out\n", ""),
        "{r:?}"
    );
    let r = b.run_rm(&["-a", "stderr"], &["sh", "-c", "echo out; echo err >&2"]);
    assert_eq!(
        (r.code, r.out.as_str(), r.err.as_str()),
        (0, "", "err\n"),
        "{r:?}"
    );
    // Neither output stream: the id is printed, as podman does.
    let r = b.run(&[
        "run",
        "--name",
        "instream",
        "--attach",
        "stdin",
        "--network",
        "none",
        IMG,
        "echo",
        "hidden",
    ]);
    assert_eq!(r.code, 0, "{r:?}");
    let id = b.ok(&["inspect", "--format", "{{.Id}}", "instream"]);
    assert_eq!(r.out, id);
}

#[test]
fn timeout_kills_a_container_that_runs_too_long() {
    let b = Berth::new();
    let start = Instant::now();
    let r = b.run_rm(&["--timeout", "2"], &["sleep", "60"]);
    assert_ne!(r.code, 0, "{r:?}");
    assert!(start.elapsed() < Duration::from_secs(30), "{r:?}");
}

#[test]
fn host_namespaces_when_asked() {
    let b = Berth::new();
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap();
    let r = b.run_rm(&["--uts", "host"], &["hostname"]);
    assert_eq!(r.out, host, "{r:?}");
    let r = b.run_rm(&["--uts", "private"], &["hostname"]);
    assert_ne!(r.out, host, "{r:?}");
    let ipc = std::fs::read_link("/proc/self/ns/ipc").unwrap();
    let r = b.run_rm(&["--ipc", "host"], &["readlink", "/proc/self/ns/ipc"]);
    assert_eq!(r.out.trim(), ipc.to_str().unwrap(), "{r:?}");
}

#[test]
fn pod_new_creates_the_pod_and_rm_removes_it() {
    let b = Berth::new();
    b.ok(&["run", "--pod", "new:fresh", "--name", "member", IMG, "true"]);
    assert_eq!(b.run(&["pod", "exists", "fresh"]).code, 0);
    let pod = b.ok(&[
        "ps",
        "-a",
        "--pod",
        "--filter",
        "name=member",
        "--format",
        "{{.PodName}}",
    ]);
    assert_eq!(pod.trim(), "fresh");
    b.ok(&["run", "--rm", "--pod", "new:brief", IMG, "true"]);
    assert_eq!(
        b.run(&["pod", "exists", "brief"]).code,
        1,
        "--rm removes the pod it made"
    );
}

#[test]
fn a_flag_given_twice_takes_the_last_value() {
    let b = Berth::new();
    b.ok(&["create", "--name", "first", "--name", "second", IMG, "true"]);
    assert_eq!(b.run(&["container", "exists", "second"]).code, 0);
    assert_eq!(b.run(&["container", "exists", "first"]).code, 1);
    let r = b.run_rm(
        &["-w", "/tmp", "-w", "/etc", "-e", "A=1", "-e", "B=2"],
        &["sh", "-c", "pwd; echo $A$B"],
    );
    assert_eq!(r.out, "/etc\n12\n", "{r:?}");
}

#[test]
fn an_unknown_flag_is_never_an_image() {
    let b = Berth::new();
    b.fails(&["run", "--bogus", IMG], "unknown flag: --bogus");
    b.fails(&["create", "--bogus=1", IMG], "unknown flag: --bogus");
    b.fails(&["run", "-Z", IMG], "unknown shorthand flag: 'Z' in -Z");
    assert_eq!(b.ok(&["ps", "-a", "-q"]), "");
}

#[test]
fn http_proxy_variables_reach_the_container_unless_turned_off() {
    let mut b = Berth::new();
    b.env
        .push(("http_proxy".into(), "http://proxy.example:3128".into()));
    let r = b.run_rm(&[], &["sh", "-c", "echo $http_proxy"]);
    assert_eq!(r.out, "http://proxy.example:3128\n", "{r:?}");
    let r = b.run_rm(&["--http-proxy=false"], &["sh", "-c", "echo x$http_proxy"]);
    assert_eq!(r.out, "x\n", "{r:?}");
    assert!(eventually(10, || b.ok(&["ps", "-a", "-q"]).is_empty()));
}

#[test]
fn preserve_fds_passes_open_descriptors_into_the_container() {
    let b = Berth::new();
    let file = b.dir.path().join("passed.txt");
    std::fs::write(&file, "through fd 3\n").unwrap();
    // A shell opens fd 3 on the file and runs berth with it.
    let c = b.cmd();
    let mut sh = std::process::Command::new("sh");
    sh.arg("-c")
        .arg(format!("exec \"$@\" 3<'{}'", file.display()))
        .arg("sh")
        .arg(c.get_program())
        .args(c.get_args())
        .args([
            "run",
            "--rm",
            "--network",
            "none",
            "--preserve-fds",
            "1",
            IMG,
            "cat",
            "/proc/self/fd/3",
        ])
        .stdin(std::process::Stdio::null());
    for (k, v) in c.get_envs() {
        match v {
            Some(v) => sh.env(k, v),
            None => sh.env_remove(k),
        };
    }
    let out = sh.output().unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "through fd 3\n",
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Without the descriptor open, refused by name.
    b.fails_with(
        &["run", "--rm", "--preserve-fds", "1", IMG, "true"],
        "file descriptor 3 is not available",
    );
}

#[test]
fn device_and_device_cgroup_rule() {
    let b = Berth::new();
    // A host device, at its own path or another.
    let r = b.run_rm(
        &["--device", "/dev/fuse"],
        &["sh", "-c", "exec 3</dev/fuse && echo opened"],
    );
    assert_eq!(r.out, "opened\n", "{r:?}");
    let r = b.run_rm(
        &["--device", "/dev/fuse:/dev/myfuse:rw"],
        &["ls", "/dev/myfuse"],
    );
    assert_eq!(r.out, "/dev/myfuse\n", "{r:?}");
    // A node made inside opens only when a rule allows its numbers.
    let open = "mknod /tmp/f c 10 229 && exec 3</tmp/f && echo opened";
    let r = b.run_rm(&["--cap-add", "MKNOD"], &["sh", "-c", open]);
    assert_ne!(r.out, "opened\n", "{r:?}");
    let r = b.run_rm(
        &["--cap-add", "MKNOD", "--device-cgroup-rule", "c 10:229 rwm"],
        &["sh", "-c", open],
    );
    assert_eq!(r.out, "opened\n", "{r:?}");
    b.fails_with(
        &["run", "--rm", "--device", "/nonexistent-dev", IMG, "true"],
        "/nonexistent-dev",
    );
}

#[test]
fn an_existing_cidfile_is_never_overwritten() {
    let b = Berth::new();
    let cid = b.dir.path().join("taken.cid");
    std::fs::write(&cid, "someone else's\n").unwrap();
    let path = cid.to_str().unwrap();
    b.fails(
        &["run", "--cidfile", path, IMG, "true"],
        &format!(
            "container id file exists. Ensure another container is not using it or delete {path}"
        ),
    );
    assert_eq!(std::fs::read_to_string(&cid).unwrap(), "someone else's\n");
    assert_eq!(b.ok(&["ps", "-a", "-q"]), "");
}

#[test]
fn publish_all_publishes_the_exposed_ports() {
    let b = Berth::new();
    b.ok(&[
        "run", "-d", "--name", "web", "-P", "--expose", "80", IMG, "httpd", "-f", "-p", "80", "-h",
        "/var/www",
    ]);
    let line = b.ok(&["port", "web"]);
    let port: u16 = line
        .trim()
        .strip_prefix("80/tcp -> 0.0.0.0:")
        .unwrap_or_else(|| panic!("{line}"))
        .parse()
        .unwrap();
    assert!(http_get(port, "/index.html").ends_with("hello from berth\n"));
    // Without -P, --expose publishes nothing.
    b.ok(&[
        "run", "-d", "--name", "quiet", "--expose", "80", IMG, "sleep", "600",
    ]);
    assert_eq!(b.ok(&["port", "quiet"]), "");
    b.ok(&["rm", "-f", "-t", "0", "web", "quiet"]);
}

#[test]
fn umask_oom_score_and_memory_tuning() {
    let b = Berth::new();
    let r = b.run_rm(&["--umask", "0077"], &["sh", "-c", "umask"]);
    assert_eq!(r.out, "0077\n", "{r:?}");
    let r = b.run_rm(&[], &["sh", "-c", "umask"]);
    assert_eq!(r.out, "0022\n", "{r:?}");
    let r = b.run_rm(
        &["--oom-score-adj", "500"],
        &["cat", "/proc/self/oom_score_adj"],
    );
    assert_eq!(r.out, "500\n", "{r:?}");
    let r = b.run_rm(
        &[
            "-m",
            "64m",
            "--memory-reservation",
            "32m",
            "--memory-swappiness",
            "10",
            "--oom-kill-disable",
        ],
        &[
            "cat",
            "/sys/fs/cgroup/memory/memory.soft_limit_in_bytes",
            "/sys/fs/cgroup/memory/memory.swappiness",
            "/sys/fs/cgroup/memory/memory.oom_control",
        ],
    );
    assert!(
        r.out.starts_with("33554432\n10\noom_kill_disable 1\n"),
        "{r:?}"
    );
}

#[test]
fn env_merge_builds_on_the_images_environment() {
    let b = Berth::new();
    let r = b.run_rm(
        &[
            "--env-merge",
            "PATH=/opt/bin:${PATH}",
            "--env-merge",
            "X=${NOPE:-none}",
        ],
        &["sh", "-c", "echo $PATH $X"],
    );
    let path = r
        .out
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .to_owned();
    assert!(
        path.starts_with("/opt/bin:/") && path.len() > "/opt/bin:/".len(),
        "{r:?}"
    );
    assert!(r.out.ends_with(" none\n"), "{r:?}");
}

#[test]
fn volumes_from_shares_another_containers_volumes() {
    let b = Berth::new();
    let host = b.dir.path().join("shared");
    std::fs::create_dir(&host).unwrap();
    let bind = format!("{}:/bound", host.display());
    b.ok(&[
        "create",
        "--name",
        "owner",
        "-v",
        "data:/data",
        "-v",
        &bind,
        IMG,
        "true",
    ]);
    let r = b.run_rm(
        &["--volumes-from", "owner"],
        &[
            "sh",
            "-c",
            "echo hi > /data/f && echo there > /bound/g && cat /data/f /bound/g",
        ],
    );
    assert_eq!(r.out, "hi\nthere\n", "{r:?}");
    assert_eq!(std::fs::read_to_string(host.join("g")).unwrap(), "there\n");
    let r = b.run_rm(
        &["--volumes-from", "owner:ro"],
        &["sh", "-c", "echo x > /data/f"],
    );
    assert_ne!(r.code, 0, "read-only: {r:?}");
    let r = b.run_rm(&["--volumes-from", "owner:ro"], &["cat", "/data/f"]);
    assert_eq!(r.out, "hi\n", "{r:?}");
    b.fails_with(
        &["run", "--rm", "--volumes-from", "nobody", IMG, "true"],
        "nobody",
    );
}

#[test]
fn no_hosts_keeps_the_images_etc_hosts() {
    let b = Berth::new();
    // The test image's own /etc/hosts has one line.
    let r = b.run_rm(&["--no-hosts"], &["cat", "/etc/hosts"]);
    assert_eq!(r.out, "127.0.0.1 localhost\n", "{r:?}");
    let r = b.run_rm(&["--add-host", "db:10.0.0.2"], &["cat", "/etc/hosts"]);
    assert!(r.out.contains("db"), "{r:?}");
}

#[test]
fn restart_policies_start_a_container_that_exited_on_its_own() {
    let b = Berth::new();
    let restarts = |name: &str| -> u64 {
        b.ok(&["inspect", "--format", "{{.RestartCount}}", name])
            .trim()
            .parse()
            .unwrap()
    };
    let exited = |name: &str| {
        b.ok(&["inspect", "--format", "{{.State.Status}}", name])
            .trim()
            == "exited"
    };
    // on-failure:2 gives up after two restarts.
    b.ok(&[
        "run",
        "-d",
        "--name",
        "flaky",
        "--network",
        "none",
        "--restart",
        "on-failure:2",
        IMG,
        "sh",
        "-c",
        "exit 3",
    ]);
    assert!(
        eventually(100, || restarts("flaky") == 2 && exited("flaky")),
        "restarts: {}",
        restarts("flaky")
    );
    // on-failure does not restart a success.
    b.ok(&[
        "run",
        "-d",
        "--name",
        "fine",
        "--network",
        "none",
        "--restart",
        "on-failure",
        IMG,
        "true",
    ]);
    assert!(eventually(50, || exited("fine")));
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(restarts("fine"), 0);
    // always restarts until stopped; a stop is final.
    b.ok(&[
        "run",
        "-d",
        "--name",
        "again",
        "--network",
        "none",
        "--restart",
        "always",
        IMG,
        "sh",
        "-c",
        "sleep 0.3",
    ]);
    assert!(eventually(100, || restarts("again") >= 2));
    b.ok(&["stop", "-t", "0", "again"]);
    let after = restarts("again");
    std::thread::sleep(Duration::from_secs(1));
    assert_eq!(
        restarts("again"),
        after,
        "a stopped container stays stopped"
    );
    assert!(exited("again"));
    b.ok(&["rm", "-f", "flaky", "fine", "again"]);
}

#[test]
fn block_io_throttles_reach_the_cgroup() {
    let b = Berth::new();
    // The first block device of the host (virtio here: vda).
    let dev = ["/dev/vda", "/dev/sda", "/dev/nvme0n1"]
        .into_iter()
        .find(|d| std::path::Path::new(d).exists())
        .expect("a block device");
    let rate = format!("{dev}:1mb");
    let iops = format!("{dev}:100");
    let r = b.run_rm(
        &["--device-read-bps", &rate, "--device-write-iops", &iops],
        &[
            "cat",
            "/sys/fs/cgroup/blkio/blkio.throttle.read_bps_device",
            "/sys/fs/cgroup/blkio/blkio.throttle.write_iops_device",
        ],
    );
    let lines: Vec<&str> = r.out.lines().collect();
    assert_eq!(lines.len(), 2, "{r:?}");
    assert!(
        lines[0].ends_with(" 1048576") && lines[1].ends_with(" 100"),
        "{r:?}"
    );
    b.fails_with(
        &[
            "run",
            "--rm",
            "--device-read-bps",
            "/dev/null:1mb",
            IMG,
            "true",
        ],
        "not a block device",
    );
}

#[test]
fn noout_silences_stdout_but_not_errors() {
    let b = Berth::new();
    let r = b.run(&[
        "--noout",
        "run",
        "--rm",
        "--network",
        "none",
        IMG,
        "echo",
        "hidden",
    ]);
    assert_eq!((r.code, r.out.as_str()), (0, ""), "{r:?}");
    let r = b.run(&[
        "--noout",
        "run",
        "--rm",
        "--network",
        "none",
        IMG,
        "sh",
        "-c",
        "echo e >&2",
    ]);
    assert_eq!(
        (r.code, r.out.as_str(), r.err.as_str()),
        (0, "", "e\n"),
        "{r:?}"
    );
    let r = b.run(&["--noout", "inspect", "nosuch"]);
    assert_eq!(r.code, 125, "{r:?}");
    assert!(r.err.contains("nosuch"), "{r:?}");
}
