//! End to end: `secret create/ls/inspect/rm` and `run/create --secret` (a read-only file,
//! or an environment variable). Needs root, runc, conmon and the CNI plugins.

mod common;

use common::Berth;
use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::process::Stdio;

/// `berth ARGS` with `input` on stdin and `env` set.
fn piped(b: &Berth, args: &[&str], input: &[u8], env: &[(&str, &str)]) -> common::Run {
    let mut child = b
        .cmd()
        .args(args)
        .envs(env.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input).unwrap();
    let o = child.wait_with_output().unwrap();
    common::Run {
        code: o.status.code().unwrap_or(-1),
        out: String::from_utf8_lossy(&o.stdout).into_owned(),
        err: String::from_utf8_lossy(&o.stderr).into_owned(),
    }
}

fn is_id(s: &str) -> bool {
    s.len() == 25 && s.chars().all(|c| c.is_ascii_hexdigit())
}

#[test]
fn create_list_inspect_and_remove() {
    let b = Berth::new();
    let file = b.dir.path().join("data");
    std::fs::write(&file, "from a file").unwrap();
    let id1 = b.ok(&["secret", "create", "one", file.to_str().unwrap()]);
    let id1 = id1.trim();
    assert!(is_id(id1), "{id1}");
    let r = piped(
        &b,
        &["secret", "create", "--label", "a=b", "-l", "c", "two", "-"],
        b"from stdin",
        &[],
    );
    assert_eq!(r.code, 0, "{r:?}");
    let id2 = r.out.trim().to_owned();
    let r = piped(
        &b,
        &["secret", "create", "--env", "three", "MY_SECRET"],
        b"",
        &[("MY_SECRET", "from env")],
    );
    assert_eq!(r.code, 0, "{r:?}");

    // Stored 0600 under the graph root, in a typed record.
    let root = b.dir.path().join("root/secrets");
    let data = root.join("filedriver").join(id1);
    assert_eq!(std::fs::read_to_string(&data).unwrap(), "from a file");
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&data), 0o600);
    assert_eq!(mode(&root.join("secrets.json")), 0o600);
    assert_eq!(mode(&root), 0o700);

    let ls = b.ok(&["secret", "ls"]);
    let mut lines = ls.lines();
    let header: Vec<&str> = lines.next().unwrap().split_whitespace().collect();
    assert_eq!(header, ["ID", "NAME", "DRIVER", "CREATED", "UPDATED"]);
    assert_eq!(lines.count(), 3, "{ls}");
    let quiet = b.ok(&["secret", "ls", "-q", "--filter", "name=^one$"]);
    assert_eq!(quiet, format!("{id1}\n"));
    let names = b.ok(&[
        "secret",
        "list",
        "--noheading",
        "--format",
        "{{.Name}} {{.Driver}}",
    ]);
    assert_eq!(
        names, "one file\ntwo file\nthree file\n",
        "in the order made"
    );
    let by_id = b.ok(&[
        "secret",
        "ls",
        "--format",
        "{{.Name}}",
        "--filter",
        &format!("id={id2}"),
    ]);
    assert_eq!(by_id, "two\n");

    let json = b.ok(&["secret", "inspect", "two"]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v[0]["ID"], id2.as_str());
    assert_eq!(v[0]["Spec"]["Name"], "two");
    assert_eq!(v[0]["Spec"]["Driver"]["Name"], "file");
    assert_eq!(v[0]["Spec"]["Labels"]["a"], "b");
    assert_eq!(v[0]["Spec"]["Labels"]["c"], "");
    assert_eq!(
        b.ok(&[
            "secret",
            "inspect",
            "--format",
            "{{.Spec.Name}}",
            &id2[..10]
        ]),
        "two\n",
        "an id prefix names a secret"
    );
    let pretty = b.ok(&["secret", "inspect", "--pretty", "two"]);
    assert!(pretty.starts_with(&format!("ID:              {id2}\nName:              two\nLabels:\n - a=b\n - c\nDriver:            file\n")), "{pretty}");

    assert_eq!(b.ok(&["secret", "rm", "one"]), format!("{id1}\n"));
    assert!(!data.exists(), "the data goes with the record");
    let all = b.ok(&["secret", "rm", "-a"]);
    assert_eq!(all.lines().count(), 2, "{all}");
    assert_eq!(b.ok(&["secret", "ls", "-q"]), "");
}

#[test]
fn bad_input_is_refused_with_podmans_codes() {
    let b = Berth::new();
    let file = b.dir.path().join("data");
    std::fs::write(&file, "x").unwrap();
    let f = file.to_str().unwrap();
    b.ok(&["secret", "create", "s", f]);
    b.fails(&["secret", "create", "s", f], "s: secret name in use");
    for bad in ["bad/name", "-lead", "trail.", &"a".repeat(65)] {
        let r = b.run(&["secret", "create", bad, f]);
        assert_eq!(r.code, 125, "{bad}: {r:?}");
        if !bad.starts_with('-') {
            assert!(r.err.contains("invalid secret name"), "{bad}: {r:?}");
        }
    }
    b.fails(
        &["secret", "create", "m", "/nonexistent"],
        "open /nonexistent: no such file or directory",
    );
    let r = piped(&b, &["secret", "create", "e", "-"], b"", &[]);
    assert_eq!(r.code, 125, "{r:?}");
    assert!(
        r.err.contains("larger than 0 and less than 512000 bytes"),
        "{r:?}"
    );
    let big = b.dir.path().join("big");
    std::fs::write(&big, vec![b'x'; 512_000]).unwrap();
    b.fails_with(
        &["secret", "create", "big", big.to_str().unwrap()],
        "less than 512000",
    );
    b.fails_with(
        &[
            "secret",
            "create",
            "--env",
            "v",
            "BERTH_TEST_UNSET_VARIABLE",
        ],
        "environment variable BERTH_TEST_UNSET_VARIABLE is not set",
    );
    b.fails_with(
        &["secret", "create", "-d", "pass", "p", f],
        "only the file driver",
    );
    b.fails_with(
        &["secret", "create", "--driver-opts", "bogus=1", "o", f],
        "the file driver takes only path",
    );
    // Nothing was stored by the refusals.
    assert_eq!(b.ok(&["secret", "ls", "--format", "{{.Name}}"]), "s\n");

    b.fails(
        &["secret", "rm", "nope"],
        "no secret with name or id \"nope\": no such secret",
    );
    let r = b.run(&["secret", "inspect", "nope"]);
    assert_eq!((r.code, r.out.as_str()), (125, "[]\n"), "{r:?}");
    assert_eq!(
        r.err,
        "Error: inspecting secret: no secret with name or id \"nope\": no such secret\n"
    );
    b.fails(
        &["secret", "rm"],
        "`berth secret rm` requires one argument, or the --all flag",
    );
    b.fails(
        &["secret", "rm", "-a", "s"],
        "`berth secret rm` requires one argument, or the --all flag",
    );
    b.fails_with(&["secret", "ls", "--filter", "bogus=1"], "invalid filter");
}

#[test]
fn containers_get_secrets_as_files_or_variables() {
    let b = Berth::new();
    let file = b.dir.path().join("data");
    std::fs::write(&file, "s3cr3t").unwrap();
    b.ok(&["secret", "create", "pw", file.to_str().unwrap()]);

    // Default: read-only at /run/secrets/NAME, mode 0444, root's.
    let out = b
        .run_rm(
            &["--secret", "pw"],
            &["sh", "-c", "cat /run/secrets/pw; echo; stat -c %a:%u:%g /run/secrets/pw; touch /run/secrets/pw 2>/dev/null || echo read-only"],
        )
        .ok();
    assert_eq!(out, "s3cr3t\n444:0:0\nread-only\n");
    // Target, owner and mode.
    let out = b
        .run_rm(
            &[
                "--secret",
                "pw,type=mount,target=/etc/pw,uid=5,gid=6,mode=0400",
            ],
            &["stat", "-c", "%a:%u:%g", "/etc/pw"],
        )
        .ok();
    assert_eq!(out, "400:5:6\n");
    let out = b
        .run_rm(&["--secret", "pw,target=rel"], &["cat", "/run/secrets/rel"])
        .ok();
    assert_eq!(out, "s3cr3t");
    // As an environment variable.
    let out = b
        .run_rm(
            &[
                "--secret",
                "pw,type=env",
                "--secret",
                "pw,type=env,target=PASSWORD",
            ],
            &["sh", "-c", "echo $pw $PASSWORD"],
        )
        .ok();
    assert_eq!(out, "s3cr3t s3cr3t\n");

    // A container keeps its copy when the secret is removed (podman's).
    b.ok(&[
        "create",
        "--name",
        "keeps",
        "--network",
        "none",
        "--secret",
        "pw",
        common::IMG,
        "cat",
        "/run/secrets/pw",
    ]);
    b.ok(&["secret", "rm", "pw"]);
    assert_eq!(b.ok(&["start", "-a", "keeps"]), "s3cr3t");
    b.ok(&["rm", "keeps"]);

    // Bad uses: refused, no container made.
    b.fails(
        &[
            "run",
            "--rm",
            "--network",
            "none",
            "--secret",
            "nope",
            common::IMG,
            "true",
        ],
        "no secret with name or id \"nope\": no such secret",
    );
    for (value, part) in [
        ("pw,type=bogus", "type bogus is invalid"),
        ("pw,type=env,mode=0400", "only for type=mount"),
        ("pw,uid=x", "uid=x is not a valid number"),
        ("pw,what=1", "\"what\" is invalid"),
        ("type=env", "the secret's name comes first"),
    ] {
        b.fails_with(
            &[
                "create",
                "--network",
                "none",
                "--secret",
                value,
                common::IMG,
                "true",
            ],
            part,
        );
    }
    assert_eq!(b.ok(&["ps", "-a", "-q"]), "");
}
