//! End to end: `network reload` brings back the firewall rules of a running container
//! after its chains were flushed (real CNI, iptables; the instance's own bridge and subnet).

mod common;

use common::{Berth, IMG};
use std::process::Command;

/// One HTTP GET on 127.0.0.1:`port` with a 2 s timeout: whether an HTTP answer came.
fn answers(port: u16) -> bool {
    use std::io::{Read, Write as _};
    let addr = std::net::SocketAddr::from(([127, 0, 0, 1], port));
    let Ok(mut s) = std::net::TcpStream::connect_timeout(&addr, std::time::Duration::from_secs(2))
    else {
        return false;
    };
    let _ = s.set_read_timeout(Some(std::time::Duration::from_secs(2)));
    let _ = write!(s, "GET /index.html HTTP/1.0\r\n\r\n");
    let mut body = String::new();
    let _ = s.read_to_string(&mut body);
    body.starts_with("HTTP/")
}

/// `iptables-save` lines (nat and filter) that name the container's CNI chains or address.
fn rules_of(id: &str, ip: &str) -> Vec<String> {
    let chains = common::leftovers::cni_chains(id);
    let mut lines = Vec::new();
    for table in ["nat", "filter"] {
        let o = Command::new("iptables-save")
            .args(["-t", table])
            .output()
            .unwrap();
        for l in String::from_utf8_lossy(&o.stdout).lines() {
            let ip_match = l.contains(&format!("{ip}/32")) || l.contains(&format!("{ip}:"));
            if (ip_match || chains.iter().any(|c| l.contains(c.as_str()))) && !l.starts_with(':') {
                lines.push(format!("{table} {l}"));
            }
        }
    }
    lines.sort();
    lines
}

fn iptables(args: &[&str]) {
    let st = Command::new("iptables").args(args).status().unwrap();
    assert!(st.success(), "iptables {args:?}");
}

#[test]
fn reload_brings_flushed_rules_back() {
    let b = Berth::new();
    let port = common::free_port();
    let publish = format!("{port}:80");
    let id = b.ok(&[
        "run", "-d", "--name", "web", "-p", &publish, IMG, "httpd", "-f", "-p", "80", "-h",
        "/var/www",
    ]);
    let id = id.trim().to_owned();
    common::http_get(port, "/index.html");
    let ip = b.ok(&[
        "inspect",
        "--format",
        "{{.NetworkSettings.IPAddress}}",
        "web",
    ]);
    let ip = ip.trim().to_owned();
    let before = rules_of(&id, &ip);
    assert!(before.len() > 4, "{before:?}");

    // Flush the container's own chains and its CNI-FORWARD rules: the port stops answering.
    let [masq, dnat] = common::leftovers::cni_chains(&id);
    iptables(&["-t", "nat", "-F", &masq]);
    iptables(&["-t", "nat", "-F", &dnat]);
    for l in rules_of(&id, &ip) {
        if let Some(rule) = l.strip_prefix("filter -A CNI-FORWARD ") {
            let mut args = vec!["-t", "filter", "-D", "CNI-FORWARD"];
            let words = shell_words(rule);
            args.extend(words.iter().map(String::as_str));
            iptables(&args);
        }
    }
    assert!(!answers(port), "still answering after the flush");

    assert_eq!(b.ok(&["network", "reload", "web"]), format!("{id}\n"));
    assert!(
        common::eventually(30, || answers(port)),
        "no answer after reload"
    );
    assert_eq!(rules_of(&id, &ip), before, "the same rules, none twice");
    assert_eq!(
        b.ok(&[
            "inspect",
            "--format",
            "{{.NetworkSettings.IPAddress}}",
            "web"
        ])
        .trim(),
        ip,
        "the same address"
    );

    // --all reloads running containers only; a stopped one is an error when named.
    b.ok(&["create", "--name", "idle", IMG, "true"]);
    assert_eq!(b.ok(&["network", "reload", "--all"]), format!("{id}\n"));
    assert_eq!(rules_of(&id, &ip), before);
    b.fails_with(
        &["network", "reload", "idle"],
        "network is not configured, refusing to reload",
    );
    b.fails_with(&["network", "reload", "nosuchctr"], "nosuchctr");
    b.fails_with(&["network", "reload"], "--latest");
    b.sleeper("nonet", &[]);
    b.fails_with(&["network", "reload", "nonet"], "refusing to reload");

    b.ok(&["rm", "-f", "web"]);
    assert!(rules_of(&id, &ip).is_empty(), "{:?}", rules_of(&id, &ip));
}

/// Splits an `iptables-save` rule into words, honouring double quotes (comments).
fn shell_words(s: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let (mut quoted, mut escaped) = (false, false);
    for c in s.chars() {
        match c {
            _ if escaped => {
                cur.push(c);
                escaped = false;
            }
            '\\' => escaped = true,
            '"' => quoted = !quoted,
            ' ' if !quoted => {
                if !cur.is_empty() {
                    words.push(std::mem::take(&mut cur));
                }
            }
            _ => cur.push(c),
        }
    }
    if !cur.is_empty() {
        words.push(cur);
    }
    words
}
