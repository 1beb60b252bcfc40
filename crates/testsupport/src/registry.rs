//! A real docker-registry on 127.0.0.1 for tests: its own port, storage
//! dir and config, optional htpasswd basic auth and TLS with a CA made for
//! the test. Killed and its files removed on drop.

use std::fmt::Write as _;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The docker-registry binary (Debian's docker-registry package).
pub const REGISTRY_BIN: &str = "/usr/bin/docker-registry";

/// A TCP port on 127.0.0.1 that was free a moment ago (bound, then released).
pub fn free_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

/// How to configure a registry.
#[derive(Debug, Clone, Default)]
pub struct RegistryConfig {
    /// Require basic auth for this user and password (an htpasswd file is written).
    pub htpasswd: Option<(String, String)>,
    /// Serve HTTPS with a certificate for 127.0.0.1 signed by a CA made for the test.
    pub tls: bool,
}

/// A docker-registry process, killed and its files removed on drop.
#[derive(Debug)]
pub struct Registry {
    /// Storage, config, htpasswd, certificates and `registry.log`.
    pub dir: tempfile::TempDir,
    /// The port it listens on, on 127.0.0.1.
    pub port: u16,
    /// The running process (`None` once killed).
    pub child: Arc<Mutex<Option<Child>>>,
    /// With TLS: the CA certificate (PEM) that signed the server's.
    pub cert_pem: Option<Vec<u8>>,
    config_path: PathBuf,
}

impl Registry {
    /// Starts a registry; a port taken by someone else between choosing
    /// and binding it is retried with another port.
    pub fn start(cfg: RegistryConfig) -> Self {
        let mut last = String::new();
        for _ in 0..3 {
            let r = Self::prepare(&cfg);
            match r.try_spawn() {
                Ok(()) => return r,
                Err(e) => last = e,
            }
        }
        panic!("docker-registry did not start: {last}");
    }

    fn prepare(cfg: &RegistryConfig) -> Self {
        assert!(
            Path::new(REGISTRY_BIN).exists(),
            "{REGISTRY_BIN} is missing: install Debian's docker-registry package (cargo xtask deps)"
        );
        let dir = tempfile::tempdir().unwrap();
        let port = free_port();
        let mut yaml = format!(
            "version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: {}\n  delete:\n    enabled: true\nhttp:\n  addr: 127.0.0.1:{port}\n  secret: berth-test-secret\n",
            dir.path().join("data").display()
        );
        let mut cert_pem = None;
        if cfg.tls {
            let (cert, key, ca) = self_signed(dir.path());
            write!(
                yaml,
                "  tls:\n    certificate: {}\n    key: {}\n",
                cert.display(),
                key.display()
            )
            .unwrap();
            cert_pem = Some(std::fs::read(&ca).unwrap());
        }
        if let Some((u, p)) = &cfg.htpasswd {
            let h = bcrypt::hash(p, 4).unwrap();
            let file = dir.path().join("htpasswd");
            std::fs::write(&file, format!("{u}:{h}\n")).unwrap();
            write!(
                yaml,
                "auth:\n  htpasswd:\n    realm: berth-test\n    path: {}\n",
                file.display()
            )
            .unwrap();
        }
        let config_path = dir.path().join("config.yml");
        std::fs::write(&config_path, yaml).unwrap();
        Registry {
            dir,
            port,
            child: Arc::new(Mutex::new(None)),
            cert_pem,
            config_path,
        }
    }

    /// Starts (again) on the same port and storage.
    pub fn spawn(&self) {
        self.try_spawn().unwrap();
    }

    fn try_spawn(&self) -> Result<(), String> {
        let child = Command::new(REGISTRY_BIN)
            .arg("serve")
            .arg(&self.config_path)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(self.dir.path().join("registry.log")).unwrap())
            .spawn()
            .expect("spawn docker-registry");
        *self.child.lock().unwrap() = Some(child);
        let deadline = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            if let Some(st) = self
                .child
                .lock()
                .unwrap()
                .as_mut()
                .unwrap()
                .try_wait()
                .unwrap()
            {
                self.child.lock().unwrap().take();
                return Err(format!(
                    "docker-registry exited with {st}: {}",
                    std::fs::read_to_string(self.dir.path().join("registry.log"))
                        .unwrap_or_default()
                ));
            }
            if Instant::now() > deadline {
                kill_child(&self.child);
                return Err("docker-registry did not start listening within 20 s".into());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(())
    }

    /// Kills the process (the port closes).
    pub fn kill(&self) {
        kill_child(&self.child);
    }

    /// A handle that kills the process from another thread ([`kill_child`]).
    pub fn killer(&self) -> Arc<Mutex<Option<Child>>> {
        self.child.clone()
    }

    /// `127.0.0.1:PORT`, the registry part of references.
    pub fn host(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }
}

/// Kills and reaps the process in `c`, if any (it stays `None` after).
pub fn kill_child(c: &Arc<Mutex<Option<Child>>>) {
    if let Some(mut child) = c.lock().unwrap().take() {
        let _ = child.kill();
        let _ = child.wait();
    }
}

impl Drop for Registry {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A CA and a server certificate for 127.0.0.1 signed by it; returns
/// (server cert, server key, CA cert).
pub fn self_signed(dir: &Path) -> (PathBuf, PathBuf, PathBuf) {
    let run = |args: &[&str]| {
        let out = Command::new("openssl")
            .args(args)
            .current_dir(dir)
            .output()
            .expect("openssl is needed to make test certificates (apt-get install openssl)");
        assert!(
            out.status.success(),
            "openssl {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    run(&[
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "2",
        "-subj",
        "/CN=berth test CA",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
    ]);
    run(&[
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-subj",
        "/CN=127.0.0.1",
        "-keyout",
        "key.pem",
        "-out",
        "server.csr",
    ]);
    std::fs::write(
        dir.join("ext.cnf"),
        "basicConstraints=CA:FALSE\nsubjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n",
    )
    .unwrap();
    run(&[
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-days",
        "2",
        "-extfile",
        "ext.cnf",
        "-out",
        "cert.pem",
    ]);
    (
        dir.join("cert.pem"),
        dir.join("key.pem"),
        dir.join("ca.pem"),
    )
}
