//! End to end: the `run`/`create` flags added for podman parity that reach the container's
//! resources, devices, mounts and ports (`--memory 0`, `--device`, `--device-cgroup-rule`,
//! block IO throttles, `--umask`, `--oom-score-adj`, memory tuning, `--preserve-fds`,
//! `--volumes-from`, `--no-hosts`, `--volumepath`, `--hostuser`), each over runc, conmon and its own
//! instance (see `common`).

mod common;

use common::{Berth, IMG};

#[test]
fn memory_zero_is_no_limit() {
    let b = Berth::new();
    let r = b.run_rm(&["--memory", "0"], &["echo", "ok"]);
    assert_eq!((r.code, r.out.as_str()), (0, "ok\n"), "{r:?}");
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
fn volumepath_puts_volumes_elsewhere() {
    let b = Berth::new();
    let vp = b.dir.path().join("vols");
    let vp_s = vp.to_str().unwrap();
    b.ok(&["--volumepath", vp_s, "volume", "create", "elsewhere"]);
    b.ok(&[
        "--volumepath",
        vp_s,
        "run",
        "--rm",
        "--network",
        "none",
        "-v",
        "elsewhere:/v",
        IMG,
        "sh",
        "-c",
        "echo kept > /v/f",
    ]);
    assert_eq!(
        std::fs::read_to_string(vp.join("elsewhere/_data/f")).unwrap(),
        "kept\n"
    );
    assert_eq!(
        b.ok(&["--volumepath", vp_s, "volume", "ls", "-q"]),
        "elsewhere\n"
    );
    b.ok(&["--volumepath", vp_s, "volume", "rm", "elsewhere"]);
}

#[test]
fn hostuser_adds_the_hosts_passwd_line() {
    let b = Berth::new();
    // root is in the image already; daemon (uid 1) is only on the host.
    let host = std::fs::read_to_string("/etc/passwd").unwrap();
    let line = host
        .lines()
        .find(|l| l.split(':').nth(2) == Some("1"))
        .expect("a host user with uid 1")
        .to_owned();
    let r = b.run_rm(
        &["--hostuser", "1", "--hostuser", "root"],
        &["cat", "/etc/passwd"],
    );
    assert!(r.out.contains(&format!("{line}\n")), "{r:?}");
    assert_eq!(
        r.out.lines().filter(|l| l.starts_with("root:")).count(),
        1,
        "not repeated: {r:?}"
    );
    b.fails_with(
        &[
            "run",
            "--rm",
            "--hostuser",
            "no-such-user-here",
            IMG,
            "true",
        ],
        "no-such-user-here",
    );
}
