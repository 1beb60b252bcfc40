//! Tests of `run_flags` (and through it `run_limits`).

use super::*;
use crate::cli::{Cli, Command};
use crate::opts::create::fixed_context;
use crate::opts::RunOptions;
use clap::Parser;

fn run(args: &[&str]) -> Result<RunOptions> {
    let mut argv = vec!["berth", "run"];
    argv.extend_from_slice(args);
    let cli = Cli::try_parse_from(argv).expect("clap parse");
    let Command::Run(run) = cli.command else {
        panic!("not run")
    };
    let lookup = |k: &str| (k == "https_proxy").then(|| "http://p:1".to_owned());
    let vars = Vec::new;
    let ctx = fixed_context(Path::new("/work"), &lookup, &vars);
    RunOptions::from_args(&run, &ctx)
}

#[test]
fn a_flag_given_twice_takes_the_last_value() {
    let o = run(&["--name", "a", "--name", "b", "-m", "1g", "-m", "0", "img"]).unwrap();
    assert_eq!(o.create.name.as_deref(), Some("b"));
    assert_eq!(o.create.resources.memory, None, "-m 0 is no limit");
    let o = run(&["--log-driver", "none", "--log-driver", "k8s-file", "img"]).unwrap();
    assert_eq!(o.create.more.log.driver, berth_runtime::LogDriver::K8sFile);
}

#[test]
fn the_new_flags_reach_the_typed_options() {
    let o = run(&[
        "--tz",
        "local",
        "--timeout",
        "5",
        "--uts",
        "host",
        "--cgroupns",
        "host",
        "--health-cmd",
        "true",
        "--health-retries",
        "5",
        "--rmi",
        "--pod",
        "new:p",
        "--cpu-shares",
        "512",
        "--cpuset-cpus",
        "0",
        "-m",
        "64m",
        "--memory-swap",
        "-1",
        "--group-add",
        "wheel",
        "--unsetenv",
        "PATH",
        "-a",
        "stdout",
        "img",
    ])
    .unwrap();
    let m = &o.create.more;
    assert_eq!(m.timezone.as_deref(), Some("local"));
    assert_eq!(m.timeout, Some(5));
    assert_eq!(m.namespaces.uts, berth_runtime::NamespaceChoice::Host);
    assert_eq!(m.namespaces.cgroup, berth_runtime::NamespaceChoice::Host);
    assert_eq!(m.namespaces.ipc, berth_runtime::NamespaceChoice::Private);
    let h = m.healthcheck.as_ref().unwrap();
    assert_eq!((h.retries, h.interval_secs, h.timeout_secs), (5, 30, 30));
    assert!(o.rmi && o.create.remove, "--rmi implies --rm");
    assert!(m.new_pod);
    assert_eq!(o.create.pod.as_deref(), Some("p"));
    assert_eq!((m.cpu_shares, m.memory_swap), (Some(512), Some(-1)));
    assert!(m.attach.unwrap().stdout);
    // Without --http-proxy the host's proxy variables wait for containers.conf's say.
    assert_eq!(o.create.proxy_env, ["https_proxy=http://p:1"]);
    assert_eq!(
        run(&["--http-proxy", "img"])
            .unwrap()
            .create
            .env
            .get("https_proxy"),
        Some("http://p:1")
    );
    let o = run(&["--http-proxy=false", "img"]).unwrap();
    assert!(o.create.proxy_env.is_empty());
    assert_eq!(o.create.env.get("https_proxy"), None);
}

#[test]
fn unsupported_flags_and_values_are_named() {
    for (args, text) in [
        (
            &["--subuidname", "s", "img"][..],
            "--subuidname is not supported yet",
        ),
        (
            &["--ipc", "none", "img"][..],
            "--ipc none is not supported yet",
        ),
    ] {
        let e = run(args).unwrap_err().to_string();
        assert!(e.starts_with(text), "{args:?}: {e}");
    }
    run(&[
        "--restart",
        "no",
        "--memory-swappiness",
        "-1",
        "--userns",
        "host",
        "img",
    ])
    .unwrap();
}

#[test]
fn a_flag_where_the_image_belongs_is_refused() {
    for (word, text) in [
        ("--bogus", "unknown flag: --bogus"),
        ("--bogus=1", "unknown flag: --bogus"),
        ("-Z", "unknown shorthand flag: 'Z' in -Z"),
    ] {
        assert_eq!(run(&[word, "img"]).unwrap_err().to_string(), text);
    }
}

#[test]
fn attach_streams() {
    assert_eq!(parse_attach(&[]).unwrap(), None);
    let a = parse_attach(&["STDIN".into(), "stdout".into()])
        .unwrap()
        .unwrap();
    assert!(a.stdin && a.stdout && !a.stderr);
    let e = parse_attach(&["stdweird".into()]).unwrap_err().to_string();
    assert!(e.contains("--attach") && e.contains("stdweird"), "{e}");
}

#[test]
fn cpusets() {
    for ok in ["0", "0-3", "0,2-3"] {
        check_cpuset(ok).unwrap();
    }
    for bad in ["", "a", "3-1", "0,,1", "-1"] {
        assert!(check_cpuset(bad).is_err(), "{bad}");
    }
}
