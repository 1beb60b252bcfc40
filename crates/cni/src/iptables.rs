//! Reading and deleting the iptables rules CNI plugins leave: `iptables -S` parsed into
//! rules (chain and arguments, quotes undone), deletion by rule spec (never by position,
//! which a concurrent insert would shift), and the chain names libcni derives from a
//! (network, container) pair.

use std::ffi::OsString;
use std::fmt::Write;
use std::process::Command;

use sha2::{Digest, Sha512};

use crate::error::{Error, Result};
use crate::netns::NetNs;

/// One rule as `iptables -S` prints it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    /// `nat` or `filter`.
    pub table: String,
    /// The chain it is appended to.
    pub chain: String,
    /// Its arguments after `-A CHAIN`, unquoted.
    pub args: Vec<String>,
    /// The line as printed.
    pub line: String,
}

impl Rule {
    /// The chain it jumps to (`-j X`), if any.
    pub fn target(&self) -> Option<&str> {
        self.args
            .iter()
            .position(|a| a == "-j")
            .and_then(|i| self.args.get(i + 1))
            .map(String::as_str)
    }

    /// The container id of a CNI comment (`... id: "ID"`), if any.
    pub fn container_id(&self) -> Option<&str> {
        let i = self.args.iter().position(|a| a == "--comment")?;
        let c = self.args.get(i + 1)?;
        let rest = &c[c.find("id: \"")? + 5..];
        Some(&rest[..rest.find('"')?])
    }

    /// The network name of a CNI comment (`name: "NET" ...`), if any.
    pub fn network(&self) -> Option<&str> {
        let i = self.args.iter().position(|a| a == "--comment")?;
        let c = self.args.get(i + 1)?;
        let rest = &c[c.find("name: \"")? + 7..];
        Some(&rest[..rest.find('"')?])
    }

    /// The IPv4 addresses the rule names (`-s`, `-d`, `--to-destination`), prefix and
    /// port dropped.
    pub fn addresses(&self) -> Vec<std::net::Ipv4Addr> {
        let mut out = Vec::new();
        for w in self.args.windows(2) {
            if matches!(w[0].as_str(), "-s" | "-d" | "--to-destination") {
                let host = w[1].split(['/', ':']).next().unwrap_or_default();
                if let Ok(ip) = host.parse() {
                    out.push(ip);
                }
            }
        }
        out
    }
}

/// The chain name libcni gives a (network, container) pair: `CNI-`, `prefix`, then the
/// hex of sha512(network + id), cut at 28 characters. Bridge's masquerade chain has no
/// prefix; portmap's DNAT chain has `DN-`.
pub fn chain_name(prefix: &str, network: &str, container_id: &str) -> String {
    let digest = Sha512::digest(format!("{network}{container_id}").as_bytes());
    let mut name = format!("CNI-{prefix}");
    for b in &digest {
        let _ = write!(name, "{b:02x}");
        if name.len() >= 28 {
            break;
        }
    }
    name.truncate(28);
    name
}

/// Splits an `iptables -S` line into words: double quotes group, `\"` and `\\` escape.
pub fn split_words(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut quoted = false;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' if quoted => {
                if let Some(n) = chars.next() {
                    cur.push(n);
                }
            }
            '"' => {
                quoted = !quoted;
                in_word = true;
            }
            c if c.is_whitespace() && !quoted => {
                if in_word {
                    out.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            c => {
                cur.push(c);
                in_word = true;
            }
        }
    }
    if in_word {
        out.push(cur);
    }
    out
}

/// Runs iptables (`prog`: iptables or ip6tables) in the caller's namespace or `netns`.
#[derive(Debug, Clone)]
pub struct Iptables {
    prog: &'static str,
    path_env: OsString,
    netns: Option<std::path::PathBuf>,
}

impl Iptables {
    /// IPv4 iptables with `PATH` set to `path_env`, run inside `netns` when given (tests).
    pub fn new(path_env: OsString, netns: Option<std::path::PathBuf>) -> Self {
        Self {
            prog: "iptables",
            path_env,
            netns,
        }
    }

    /// The same for ip6tables.
    pub fn v6(mut self) -> Self {
        self.prog = "ip6tables";
        self
    }

    fn run(&self, args: &[&str]) -> Result<String> {
        let mut cmd = Command::new(self.prog);
        cmd.arg("-w").args(args).env("PATH", &self.path_env);
        if let Some(ns) = &self.netns {
            NetNs::open(ns)?.enter_command(&mut cmd)?;
        }
        let out = cmd.output().map_err(|e| Error::io("run", self.prog, e))?;
        if out.status.success() {
            Ok(String::from_utf8_lossy(&out.stdout).into_owned())
        } else {
            Err(Error::Iptables {
                command: format!("{} {}", self.prog, args.join(" ")),
                stderr: String::from_utf8_lossy(&out.stderr).trim().to_string(),
            })
        }
    }

    /// The chains (`-N`) and rules (`-A`) of `table`.
    pub fn list(&self, table: &str) -> Result<(Vec<String>, Vec<Rule>)> {
        let text = self.run(&["-t", table, "-S"])?;
        Ok(parse_listing(table, &text))
    }

    /// Deletes one rule by its spec.
    pub fn delete(&self, rule: &Rule) -> Result<()> {
        let mut args = vec!["-t", rule.table.as_str(), "-D", rule.chain.as_str()];
        args.extend(rule.args.iter().map(String::as_str));
        self.run(&args).map(drop)
    }

    /// Flushes and deletes a chain; a chain already gone is fine.
    pub fn delete_chain(&self, table: &str, chain: &str) -> Result<()> {
        let exists = self.run(&["-t", table, "-S", chain]).is_ok();
        if !exists {
            return Ok(());
        }
        self.run(&["-t", table, "-F", chain])?;
        self.run(&["-t", table, "-X", chain]).map(drop)
    }
}

/// Parses `iptables -t TABLE -S` output.
pub fn parse_listing(table: &str, text: &str) -> (Vec<String>, Vec<Rule>) {
    let mut chains = Vec::new();
    let mut rules = Vec::new();
    for line in text.lines() {
        let words = split_words(line);
        match words.first().map(String::as_str) {
            Some("-N" | "-P") => {
                if let Some(c) = words.get(1) {
                    chains.push(c.clone());
                }
            }
            Some("-A") if words.len() >= 2 => rules.push(Rule {
                table: table.to_string(),
                chain: words[1].clone(),
                args: words[2..].to_vec(),
                line: line.to_string(),
            }),
            _ => {}
        }
    }
    (chains, rules)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_split_and_rules_read() {
        let text = r#"-P POSTROUTING ACCEPT
-N CNI-1094026b4cc1be94f269441c
-A POSTROUTING -s 10.89.0.5/32 -m comment --comment "name: \"berth\" id: \"abc\"" -j CNI-1094026b4cc1be94f269441c
-A CNI-DN-x -p tcp -m tcp --dport 8080 -j DNAT --to-destination 10.89.0.5:80
"#;
        let (chains, rules) = parse_listing("nat", text);
        assert_eq!(chains, ["POSTROUTING", "CNI-1094026b4cc1be94f269441c"]);
        assert_eq!(rules.len(), 2);
        let r = &rules[0];
        assert_eq!(r.chain, "POSTROUTING");
        assert_eq!(r.args[4], "--comment");
        assert_eq!(r.args[5], r#"name: "berth" id: "abc""#);
        assert_eq!(r.container_id(), Some("abc"));
        assert_eq!(r.network(), Some("berth"));
        assert_eq!(r.target(), Some("CNI-1094026b4cc1be94f269441c"));
        assert_eq!(
            r.addresses(),
            ["10.89.0.5".parse::<std::net::Ipv4Addr>().unwrap()]
        );
        assert_eq!(rules[1].addresses()[0].to_string(), "10.89.0.5");
        assert_eq!(rules[1].container_id(), None);
    }

    #[test]
    fn chain_names_match_libcni() {
        assert_eq!(
            chain_name("", "podmanlike", "p1"),
            "CNI-1094026b4cc1be94f269441c"
        );
        let dn = chain_name("DN-", "podmanlike", "p1");
        assert_eq!(dn.len(), 28);
        assert!(dn.starts_with("CNI-DN-1094026b4cc1be94f2694"), "{dn}");
    }
}
