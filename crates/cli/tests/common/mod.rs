//! Shared parts of the end-to-end tests: an isolated berth instance per
//! test (its own --root/--runroot/--tmpdir/--cni-config-dir, bridge and
//! subnet), the busybox test image, cleanup in Drop.

#![allow(dead_code)] // each test binary uses a different part

pub mod leftovers;
pub mod net;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::OnceLock;

/// The image name every test imports.
pub const IMG: &str = "localhost/bb:latest";

static SEQ: AtomicU32 = AtomicU32::new(0);

/// Fails loudly when a needed host binary is missing.
pub fn require(paths: &[&str]) {
    assert!(
        nix::unistd::Uid::effective().is_root(),
        "the berth end-to-end tests need root"
    );
    for p in paths {
        assert!(
            Path::new(p).exists(),
            "{p} is missing: install it (`cargo xtask deps`)"
        );
    }
}

/// The busybox rootfs tar, built once per test binary from /bin/busybox
/// the way `cargo xtask testimage` builds it.
pub fn image_tar() -> &'static Path {
    static TAR: OnceLock<PathBuf> = OnceLock::new();
    TAR.get_or_init(|| {
        require(&["/bin/busybox", "/usr/bin/tar"]);
        let base = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("bb-{}", std::process::id()));
        let root = base.join("rootfs");
        let _ = std::fs::remove_dir_all(&base);
        for d in ["bin", "etc", "root", "tmp", "var/www", "proc", "sys", "dev", "run"] {
            std::fs::create_dir_all(root.join(d)).unwrap();
        }
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(root.join("tmp"), std::fs::Permissions::from_mode(0o1777)).unwrap();
        std::fs::copy("/bin/busybox", root.join("bin/busybox")).unwrap();
        let list = Command::new("/bin/busybox").arg("--list").output().unwrap();
        for a in String::from_utf8(list.stdout).unwrap().lines() {
            if !a.is_empty() && a != "busybox" {
                std::os::unix::fs::symlink("busybox", root.join("bin").join(a)).unwrap();
            }
        }
        for (name, text) in [
            ("etc/passwd", "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n"),
            ("etc/group", "root:x:0:\nnogroup:x:65534:\n"),
            ("etc/hosts", "127.0.0.1 localhost\n"),
            ("var/www/index.html", "hello from berth\n"),
        ] {
            std::fs::write(root.join(name), text).unwrap();
        }
        let tar = base.join("busybox-rootfs.tar");
        let st = Command::new("tar")
            .args(["--numeric-owner", "--owner=0", "--group=0", "-C"])
            .arg(&root)
            .arg("-cf")
            .arg(&tar)
            .arg(".")
            .status()
            .unwrap();
        assert!(st.success(), "tar failed");
        tar
    })
}

/// An isolated berth instance; Drop removes everything it made.
pub struct Berth {
    pub dir: tempfile::TempDir,
    pub bridge: String,
    pub subnet: String,
    /// This instance's cgroup parent (`/sys/fs/cgroup/*/NAME`), so its
    /// `system check` never sees another test's containers.
    pub cgroup_parent: String,
    /// Extra environment for every command of this instance.
    pub env: Vec<(String, String)>,
}

/// The outcome of one berth command.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub out: String,
    pub err: String,
}

impl Run {
    /// Runs `c` to the end and collects its outcome.
    pub fn of(c: &mut Command) -> Self {
        let o: Output = c.output().unwrap();
        Self {
            code: o.status.code().unwrap_or(-1),
            out: String::from_utf8_lossy(&o.stdout).into_owned(),
            err: String::from_utf8_lossy(&o.stderr).into_owned(),
        }
    }

    /// Asserts success and returns stdout.
    #[track_caller]
    pub fn ok(self) -> String {
        assert_eq!(self.code, 0, "stdout: {}\nstderr: {}", self.out, self.err);
        self.out
    }
}

/// podman's files read by nobody's test: the host's /etc/containers/containers.conf and
/// storage.conf (present on some machines, not on others) never reach a test.
/// A test that wants its own sets the variables again (`Berth::env`).
pub const ISOLATED_PODMAN_FILES: [(&str, &str); 2] = [
    ("CONTAINERS_CONF", "/dev/null"),
    ("CONTAINERS_STORAGE_CONF", "/dev/null"),
];

impl Berth {
    /// A fresh instance with the test image imported.
    pub fn new() -> Self {
        let b = Self::empty();
        b.ok(&["import", image_tar().to_str().unwrap(), IMG]);
        b
    }

    /// A fresh instance with no image.
    pub fn empty() -> Self {
        require(&["/usr/sbin/runc", "/usr/bin/conmon", "/usr/lib/cni/bridge"]);
        let n = SEQ.fetch_add(1, Ordering::SeqCst);
        let pid = std::process::id();
        let bridge = format!("bc{}x{n}", pid % 100_000);
        let subnet = format!("10.{}.{}.0/24", 150 + (pid % 40), 10 + n);
        Self {
            dir: tempfile::tempdir().unwrap(),
            bridge,
            subnet,
            cgroup_parent: format!("berth-test-{pid}-{n}"),
            env: Vec::new(),
        }
    }

    /// The global flags of this instance.
    pub fn globals(&self) -> Vec<String> {
        let p = |s: &str| self.dir.path().join(s).to_string_lossy().into_owned();
        vec![
            "--root".into(),
            p("root"),
            "--runroot".into(),
            p("run"),
            "--tmpdir".into(),
            p("tmp"),
            "--cni-config-dir".into(),
            p("cni"),
            // podman's mounts.conf has no variable; the hidden flag keeps the host's out.
            "--default-mounts-file".into(),
            "/dev/null".into(),
        ]
    }

    /// A command for this instance (environment set, no stdin).
    pub fn cmd(&self) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_berth"));
        c.args(self.globals())
            .env(
                "BERTH_DEFAULT_BRIDGE",
                format!("{}:{}", self.bridge, self.subnet),
            )
            .env("BERTH_CGROUP_PARENT", &self.cgroup_parent)
            .env_remove("BERTH_CONFIG")
            .envs(ISOLATED_PODMAN_FILES)
            .env_remove("CONTAINERS_CONF_OVERRIDE")
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .stdin(std::process::Stdio::null());
        c
    }

    /// Gives this instance its own registries.conf (`registries_conf`),
    /// signature policy (`policy`), auth file and berth.conf naming the policy.
    pub fn own_registry_config(&mut self, registries_conf: &str, policy: &str) {
        let d = self.dir.path().to_path_buf();
        std::fs::write(d.join("registries.conf"), registries_conf).unwrap();
        std::fs::write(d.join("policy.json"), policy).unwrap();
        std::fs::write(
            d.join("berth.conf"),
            format!(
                "signature_policy_path = \"{}\"\n",
                d.join("policy.json").display()
            ),
        )
        .unwrap();
        for (k, v) in [
            ("CONTAINERS_REGISTRIES_CONF", "registries.conf"),
            ("REGISTRY_AUTH_FILE", "auth.json"),
            ("BERTH_CONFIG", "berth.conf"),
        ] {
            self.env
                .push((k.into(), d.join(v).to_string_lossy().into_owned()));
        }
    }

    /// Runs berth with `args`.
    pub fn run(&self, args: &[&str]) -> Run {
        Run::of(self.cmd().args(args))
    }

    /// Runs berth with `args` in the directory `cwd`.
    pub fn run_in(&self, cwd: &Path, args: &[&str]) -> Run {
        Run::of(self.cmd().current_dir(cwd).args(args))
    }

    /// Runs berth with `args`, asserting success; stdout.
    #[track_caller]
    pub fn ok(&self, args: &[&str]) -> String {
        let r = self.run(args);
        assert_eq!(
            r.code, 0,
            "berth {args:?}\nstdout: {}\nstderr: {}",
            r.out, r.err
        );
        r.out
    }

    /// `run -d --network none --name NAME OPTS... IMG sleep 600`: a container that stays up
    /// until the test removes it; its id.
    #[track_caller]
    pub fn sleeper(&self, name: &str, opts: &[&str]) -> String {
        let mut args = vec!["run", "-d", "--network", "none", "--name", name];
        args.extend(opts);
        args.extend([IMG, "sleep", "600"]);
        self.ok(&args).trim().to_owned()
    }

    /// `run --rm --network none OPTS... IMG CMD...`: a one-shot container.
    pub fn run_rm(&self, opts: &[&str], cmd: &[&str]) -> Run {
        let mut args = vec!["run", "--rm", "--network", "none"];
        args.extend(opts);
        args.push(IMG);
        args.extend(cmd);
        self.run(&args)
    }

    /// Asserts `args` fails with exit 125 and `part` somewhere on stderr; the outcome.
    #[track_caller]
    pub fn fails_with(&self, args: &[&str], part: &str) -> Run {
        let r = self.run(args);
        assert_eq!(r.code, 125, "berth {args:?}: {r:?}");
        assert!(
            r.err.contains(part),
            "berth {args:?}: {part:?} not in {r:?}"
        );
        r
    }

    /// Asserts `args` fails with exit 125 and exactly `message` on stderr.
    #[track_caller]
    pub fn fails(&self, args: &[&str], message: &str) {
        let r = self.run(args);
        assert_eq!(r.code, 125, "berth {args:?}: {r:?}");
        assert_eq!(r.err, format!("Error: {message}\n"), "berth {args:?}");
    }
}

impl Drop for Berth {
    fn drop(&mut self) {
        let _ = self.run(&["pod", "rm", "-a", "-f"]);
        let _ = self.run(&["rm", "-a", "-f"]);
        let _ = self.run(&["system", "reset", "-f"]);
        let _ = Command::new("ip")
            .args(["link", "del", &self.bridge])
            .stderr(std::process::Stdio::null())
            .status();
        // The cgroup parent, in every hierarchy (empty once the containers are gone).
        for h in std::fs::read_dir("/sys/fs/cgroup")
            .into_iter()
            .flatten()
            .flatten()
        {
            let _ = std::fs::remove_dir(h.path().join(&self.cgroup_parent));
        }
        let _ = std::fs::remove_dir(Path::new("/sys/fs/cgroup").join(&self.cgroup_parent));
        // Anything still mounted below the temp dir goes before it is removed.
        if let Ok(m) = std::fs::read_to_string("/proc/self/mounts") {
            let mut pts: Vec<&str> = m
                .lines()
                .filter_map(|l| l.split_whitespace().nth(1))
                .filter(|p| Path::new(p).starts_with(self.dir.path()))
                .collect();
            pts.sort_by_key(|p| std::cmp::Reverse(p.len()));
            for p in pts {
                let _ = nix::mount::umount2(p, nix::mount::MntFlags::MNT_DETACH);
            }
        }
    }
}

/// Whether `cond` comes true within `tries` looks, 100 ms apart.
pub fn eventually(tries: usize, mut cond: impl FnMut() -> bool) -> bool {
    (0..tries).any(|_| {
        std::thread::sleep(std::time::Duration::from_millis(100));
        cond()
    })
}

/// A free TCP port on the host.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// An HTTP GET of `path` on 127.0.0.1:`port`, retried for a few seconds.
pub fn http_get(port: u16, path: &str) -> String {
    use std::io::{Read, Write};
    let mut last = String::new();
    for _ in 0..50 {
        if let Ok(mut s) = std::net::TcpStream::connect(("127.0.0.1", port)) {
            let _ = s.set_read_timeout(Some(std::time::Duration::from_secs(3)));
            let _ = write!(s, "GET {path} HTTP/1.0\r\nHost: localhost\r\n\r\n");
            let mut body = String::new();
            let _ = s.read_to_string(&mut body);
            if body.starts_with("HTTP/") {
                return body;
            }
            last = body;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    panic!("no HTTP answer on port {port}: {last:?}");
}
