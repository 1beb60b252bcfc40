//! Every parser of outside input returns a value or an error for any
//! string; none panics (a panic would be a 125 "internal error" instead of
//! a message naming the flag).

use berth_cli::opts::{env, filter, kv, mounts, network, ports, resources, security, signal};
use berth_cli::output::filter_match::parse_until;
use berth_cli::output::{parse_format, Template};
use chrono::Utc;
use proptest::prelude::*;
use std::path::Path;

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        ".{0,40}",
        "[0-9:.\\[\\]a-f/,-]{0,30}",
        "[a-z=,:/.0-9]{0,40}",
        "\\{\\{[ .a-zA-Z|\"$-]{0,20}\\}\\}[ a-z]{0,5}",
    ]
}

/// Every option parser (and `--filter until=`'s) on `s`, alone or as the one value of a repeated flag; the results
/// do not matter, only that none panics.
fn every_option_parser(s: &str) {
    let one = vec![s.to_owned()];
    let _ = ports::parse_publish(&one);
    let _ = mounts::parse_volume(s, Path::new("/"));
    let _ = mounts::parse_mount(s, Path::new("/"));
    let _ = mounts::parse_tmpfs(s);
    let _ = resources::parse_size("--memory", s);
    let _ = resources::parse_ulimits(&one);
    let _ = signal::parse_signal("--signal", s);
    let _ = network::parse_network(&one);
    let _ = network::parse_share(s);
    let _ = security::parse_security_opts(&one);
    let _ = kv::parse_sysctls(&one);
    let _ = kv::parse_add_hosts(&one);
    let _ = kv::parse_dns(&one);
    let _ = kv::parse_key_values("--label", &one);
    let _ = env::parse_env(&one, &[], &|_| None, &Vec::new);
    let _ = parse_until(s, Utc::now());
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn option_parsers(s in text()) {
        every_option_parser(&s);
        let one = vec![s.clone()];
        for target in [filter::FilterTarget::Containers, filter::FilterTarget::Images, filter::FilterTarget::Pods] {
            let _ = filter::parse_filters(target, &one);
        }
    }

    #[test]
    fn templates(s in text()) {
        let _ = parse_format("--format", Some(&s));
        if let Ok(t) = Template::parse(&s) {
            let _ = t.render(&serde_json::json!({"ID": "x", "Labels": {"a": "b"}, "N": 3}));
            let _ = t.render_header(&|p: &[String]| p.join("."));
        }
    }
}

/// A 1 MiB value cannot reach berth through argv (Linux passes at most
/// 128 KiB per argument; `bad_flag_values` runs the binary with that), so
/// the parsers get it here, with 2^70 and its negative.
#[test]
fn huge_values_give_errors_or_values() {
    let mib = "9".repeat(1 << 20);
    let mib_kv = format!("{}={}", "k".repeat(1 << 19), "v".repeat(1 << 19));
    let huge_template = format!("{{{{printf \"%{mib}s\" .ID}}}}");
    for s in [
        mib.as_str(),
        mib_kv.as_str(),
        "1180591620717411303424",
        "-1180591620717411303424",
        huge_template.as_str(),
    ] {
        every_option_parser(s);
        if let Ok(t) = Template::parse(s) {
            let _ = t.render(&serde_json::json!({"ID": "x"}));
        }
    }
}
