//! `logs` on a large log: constant memory, bytes unchanged.

mod common;

use std::io::{Read, Write};
use std::process::Stdio;

use common::{import_busybox, TestEnv};

/// Peak RSS a `logs` process may reach, whatever the log's size.
const RSS_BOUND_KIB: u64 = 30 * 1024;

/// Runs `helper logs ID TAIL`; returns its stdout (only its last `keep` bytes, so the test
/// itself holds little) and its total length, and the helper's peak RSS in KiB.
fn logs_via_helper(env: &TestEnv, id: &str, tail: &str, keep: usize) -> (Vec<u8>, u64, u64) {
    let mut child = env
        .helper(&["logs", id, tail])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawning the helper");
    let mut stdout = child.stdout.take().unwrap();
    let mut last = Vec::new();
    let mut total = 0u64;
    let mut buf = vec![0; 1 << 16];
    loop {
        let n = stdout.read(&mut buf).unwrap();
        if n == 0 {
            break;
        }
        total += n as u64;
        last.extend_from_slice(&buf[..n]);
        let cut = last.len().saturating_sub(keep);
        last.drain(..cut);
    }
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "helper logs failed: {stderr}");
    let rss = stderr
        .lines()
        .find_map(|l| l.strip_prefix("maxrss_kib="))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or_else(|| panic!("no maxrss_kib in: {stderr}"));
    (last, total, rss)
}

#[test]
fn logs_of_a_200_mib_log_stay_in_constant_memory() {
    let env = TestEnv::new(false);
    let rt = env.runtime();
    import_busybox(&rt);
    let o = berth_runtime::ContainerCreateOptions::new("busybox", &["true"]);
    let rec = rt.create_container(&o).unwrap();
    let id = rec.config.id.clone();

    // 200 MiB of 1 KiB records, then five lines to find, one of them not UTF-8.
    let mut f = std::io::BufWriter::new(std::fs::File::create(&rec.config.log_path).unwrap());
    let record = format!(
        "2024-05-01T10:00:00.000000001+00:00 stdout F {}\n",
        "x".repeat(980)
    );
    let chunk = record.repeat((1 << 20) / record.len() + 1);
    let mut written = 0u64;
    while written < 200 << 20 {
        f.write_all(chunk.as_bytes()).unwrap();
        written += chunk.len() as u64;
    }
    let tail_lines: &[&[u8]] = &[b"one", b"two \xff\xfe", b"three", b"four", b"five"];
    let mut expected = Vec::new();
    for (i, l) in tail_lines.iter().enumerate() {
        write!(f, "2024-05-01T10:00:0{}Z stdout F ", i + 1).unwrap();
        f.write_all(l).unwrap();
        f.write_all(b"\n").unwrap();
        expected.extend_from_slice(l);
        expected.push(b'\n');
    }
    f.flush().unwrap();
    drop(f);

    let (out, total, rss) = logs_via_helper(&env, &id, "5", 4096);
    eprintln!("logs --tail 5 of {written} bytes: peak RSS {rss} KiB");
    assert!(out == expected, "{:?}", String::from_utf8_lossy(&out));
    assert_eq!(total, expected.len() as u64);
    assert!(rss < RSS_BOUND_KIB, "logs --tail 5 peaked at {rss} KiB");

    // The whole log streams through in constant memory too.
    let (out, total, rss) = logs_via_helper(&env, &id, "all", expected.len());
    eprintln!("logs of {written} bytes: peak RSS {rss} KiB");
    assert!(out == expected);
    assert!(total > 190 << 20, "{total}");
    assert!(rss < RSS_BOUND_KIB, "logs peaked at {rss} KiB");
    rt.remove_container(&id, true, false).unwrap();
}
