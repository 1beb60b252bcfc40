//! `cargo xtask demo`: install what is missing, build berth (release) and
//! the busybox test image, then a short tour with its own root under
//! `target/demo`: a greeting, a web server on a published port fetched over
//! TCP, a pod of two containers talking over localhost, `berth ps`, cleanup.

use anyhow::{bail, Context, Result};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

/// The demo's own default bridge, so it never touches `berth0`.
const BRIDGE: &str = "berthdemo0:10.89.77.0/24";

struct Demo {
    berth: PathBuf,
    globals: Vec<String>,
}

impl Demo {
    /// Prints and runs `berth ARGS`; stdout is shown and returned.
    fn run(&self, args: &[&str]) -> Result<String> {
        println!("$ berth {}", args.join(" "));
        let out = Command::new(&self.berth)
            .args(&self.globals)
            .args(args)
            .env("BERTH_DEFAULT_BRIDGE", BRIDGE)
            .output()
            .with_context(|| format!("running {}", self.berth.display()))?;
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        print!("{stdout}");
        eprint!("{}", String::from_utf8_lossy(&out.stderr));
        if !out.status.success() {
            bail!("berth {} failed with {}", args.join(" "), out.status);
        }
        Ok(stdout)
    }

    /// Runs `berth ARGS`, ignoring failure (cleanup).
    fn quiet(&self, args: &[&str]) {
        let _ = Command::new(&self.berth)
            .args(&self.globals)
            .args(args)
            .env("BERTH_DEFAULT_BRIDGE", BRIDGE)
            .output();
    }
}

/// Runs the demo.
pub fn run() -> Result<()> {
    crate::deps::install()?;
    crate::run::cargo(&["build", "--release", "-p", "berth-cli"])?;
    let tar = crate::testimage::build()?;
    let root = crate::testimage::workspace_root();
    let target =
        std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), PathBuf::from);
    let berth = target.join("release").join("berth");
    let dir = root.join("target").join("demo");
    let p = |s: &str| dir.join(s).to_string_lossy().into_owned();
    let demo = Demo {
        berth,
        globals: vec![
            "--root".into(),
            p("root"),
            "--runroot".into(),
            p("run"),
            "--tmpdir".into(),
            p("tmp"),
            "--cni-config-dir".into(),
            p("cni"),
        ],
    };
    let result = tour(&demo, &tar);
    println!("$ berth pod rm -a -f; berth rm -a -f; berth system reset -f");
    demo.quiet(&["pod", "rm", "-a", "-f"]);
    demo.quiet(&["rm", "-a", "-f"]);
    demo.quiet(&["system", "reset", "-f"]);
    let _ = Command::new("ip")
        .args(["link", "del", BRIDGE.split(':').next().unwrap_or_default()])
        .output();
    let _ = std::fs::remove_dir_all(&dir);
    result?;
    println!("\nthe berth demo finished.");
    Ok(())
}

fn tour(demo: &Demo, tar: &Path) -> Result<()> {
    const IMG: &str = "localhost/busybox:latest";
    demo.run(&["import", &tar.to_string_lossy(), IMG])?;
    demo.run(&["images"])?;
    demo.run(&["run", "--rm", IMG, "echo", "hello from berth"])?;

    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let publish = format!("{port}:80");
    demo.run(&[
        "run", "-d", "--name", "web", "-p", &publish, IMG, "httpd", "-f", "-p", "80", "-h",
        "/var/www",
    ])?;
    println!("$ curl http://127.0.0.1:{port}/");
    let page = http_get(port)?;
    print!("{page}");
    if !page.contains("hello from berth") {
        bail!("the web server answered {page:?}");
    }

    demo.run(&["pod", "create", "--name", "duo"])?;
    demo.run(&[
        "run", "-d", "--pod", "duo", "--name", "duo-web", IMG, "httpd", "-f", "-p", "8080", "-h",
        "/var/www",
    ])?;
    let mut ok = false;
    for _ in 0..20 {
        let r = demo.run(&[
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
        if r.is_ok_and(|o| o.contains("hello from berth")) {
            ok = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(250));
    }
    if !ok {
        bail!("the pod's second container could not reach the first over localhost");
    }
    demo.run(&["ps"])?;
    demo.run(&["pod", "ps"])?;
    Ok(())
}

/// A GET of `/` on 127.0.0.1:`port`, the body only, retried briefly.
fn http_get(port: u16) -> Result<String> {
    let mut last = String::new();
    for _ in 0..50 {
        if let Ok(mut s) = std::net::TcpStream::connect(("127.0.0.1", port)) {
            s.set_read_timeout(Some(Duration::from_secs(3)))?;
            write!(s, "GET / HTTP/1.0\r\nHost: localhost\r\n\r\n")?;
            let mut resp = String::new();
            let _ = s.read_to_string(&mut resp);
            if let Some((_, body)) = resp.split_once("\r\n\r\n") {
                return Ok(body.to_owned());
            }
            last = resp;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    bail!("no answer on port {port}: {last:?}")
}
