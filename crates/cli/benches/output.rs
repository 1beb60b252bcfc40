//! What `ps -a` costs berth-cli itself: building the template rows of
//! 100 and 1,000 containers and rendering the default table, a custom
//! template, and JSON; and parsing a long `run` command line.

use berth_cli::opts::ports::parse_publish;
use berth_cli::output::{parse_format, render_listing, rows::PS, ContainerSummary, StatusView};
use chrono::{Duration, TimeZone, Utc};
use clap::Parser;
use std::collections::BTreeMap;

fn main() {
    divan::main();
}

fn containers(n: usize) -> Vec<ContainerSummary> {
    let now = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    (0..n)
        .map(|i| ContainerSummary {
            id: format!("{i:064x}"),
            image: "localhost/busybox:latest".into(),
            image_id: format!("{:064x}", i * 7),
            command: vec![
                "sh".into(),
                "-c".into(),
                format!("echo container number {i}"),
            ],
            created: now - Duration::seconds(i as i64 * 13),
            status: if i % 2 == 0 {
                StatusView::Running {
                    started: now - Duration::seconds(i as i64),
                }
            } else {
                StatusView::Exited {
                    code: (i % 3) as i32,
                    finished: now - Duration::seconds(i as i64),
                }
            },
            ports: if i % 5 == 0 {
                parse_publish(&[format!("{}:80", 10000 + i)]).unwrap()
            } else {
                vec![]
            },
            names: vec![format!("ctr-{i}")],
            labels: BTreeMap::from([("app".to_owned(), "bench".to_owned())]),
            pod_id: None,
            pod_name: None,
            networks: vec!["berth".into()],
            mounts: vec![],
            pid: 0,
            auto_remove: false,
            is_infra: false,
            size: None,
            health: None,
        })
        .collect()
}

#[divan::bench(args = [100, 1000])]
fn ps_default_table(bencher: divan::Bencher, n: usize) {
    let cs = containers(n);
    let now = Utc.with_ymd_and_hms(2026, 1, 1, 0, 5, 0).unwrap();
    let format = parse_format("--format", None).unwrap();
    bencher.bench(|| {
        let rows: Vec<_> = cs.iter().map(|c| c.template_row(now, false)).collect();
        render_listing(&format, &PS, &rows, &[], false).unwrap()
    });
}

#[divan::bench(args = [100, 1000])]
fn ps_custom_template(bencher: divan::Bencher, n: usize) {
    let cs = containers(n);
    let now = Utc.with_ymd_and_hms(2026, 1, 1, 0, 5, 0).unwrap();
    let format = parse_format(
        "--format",
        Some("{{.ID}} {{.Names}} {{.Labels.app}} {{.Status}}"),
    )
    .unwrap();
    bencher.bench(|| {
        let rows: Vec<_> = cs.iter().map(|c| c.template_row(now, false)).collect();
        render_listing(&format, &PS, &rows, &[], false).unwrap()
    });
}

#[divan::bench(args = [100, 1000])]
fn ps_json(bencher: divan::Bencher, n: usize) {
    let cs = containers(n);
    let now = Utc.with_ymd_and_hms(2026, 1, 1, 0, 5, 0).unwrap();
    let format = parse_format("--format", Some("json")).unwrap();
    bencher.bench(|| {
        let rows: Vec<_> = cs.iter().map(|c| c.json(now)).collect();
        render_listing(&format, &PS, &[], &rows, false).unwrap()
    });
}

#[divan::bench]
fn parse_run_command_line() -> berth_cli::opts::RunOptions {
    let argv = [
        "berth",
        "run",
        "-d",
        "--rm",
        "--name",
        "web",
        "-e",
        "A=1",
        "-l",
        "tier=front",
        "-p",
        "8080:80",
        "-p",
        "127.0.0.1::53/udp",
        "-v",
        "data:/data:Z",
        "--tmpfs",
        "/run",
        "--memory",
        "64m",
        "--cpus",
        "0.5",
        "--ulimit",
        "nofile=100:200",
        "--security-opt",
        "no-new-privileges",
        "busybox",
        "httpd",
        "-f",
    ];
    let cli = berth_cli::cli::Cli::try_parse_from(argv).unwrap();
    let berth_cli::cli::Command::Run(args) = cli.command else {
        unreachable!()
    };
    let lookup = |_: &str| None;
    let all = Vec::new;
    let ctx = berth_cli::opts::create::fixed_context(std::path::Path::new("/"), &lookup, &all);
    berth_cli::opts::RunOptions::from_args(&args, &ctx).unwrap()
}
