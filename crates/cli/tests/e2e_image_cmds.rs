//! `image mount`/`unmount`, `image tree`, `search`/`image search` on real
//! parts: overlay mounts of the test image, and a real docker-registry on
//! 127.0.0.1 for search.

mod common;

use berth_testsupport::registry::{Registry, RegistryConfig};
use common::{Berth, IMG};
use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::Path;

const ACCEPT: &str = r#"{"default":[{"type":"insecureAcceptAnything"}]}"#;

fn plain() -> Berth {
    let mut b = Berth::new();
    b.own_registry_config("", ACCEPT);
    b
}

fn is_mount(path: &str) -> bool {
    std::fs::read_to_string("/proc/self/mounts")
        .unwrap()
        .lines()
        .any(|l| l.split_whitespace().nth(1) == Some(path))
}

#[test]
fn image_mount_is_read_only_and_counted_as_podman() {
    let b = Berth::new();
    b.ok(&["tag", IMG, "localhost/bb2"]);
    assert_eq!(b.ok(&["image", "mount"]), "", "nothing mounted yet");

    let path = b.ok(&["image", "mount", IMG]).trim().to_owned();
    assert!(path.ends_with("/merged"), "{path}");
    assert!(is_mount(&path), "{path} is not a mount point");
    assert!(Path::new(&path).join("bin/busybox").exists());
    let err = std::fs::write(Path::new(&path).join("x"), "x").unwrap_err();
    assert_eq!(err.raw_os_error(), Some(nix::libc::EROFS), "{err}");

    // A second mount (by the other name: same top layer) shares the mount point.
    assert_eq!(b.ok(&["image", "mount", "localhost/bb2"]).trim(), path);
    let list = b.ok(&["image", "mount"]);
    assert!(
        list.starts_with("localhost/bb:latest  ") && list.contains(&path),
        "{list}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&b.ok(&["image", "mount", "--format", "json"])).unwrap();
    assert_eq!(json[0]["mountpoint"], path.as_str());
    assert_eq!(json[0]["id"].as_str().unwrap().len(), 64);
    assert!(json[0]["Names"][0].as_str().unwrap().starts_with("sha256:"));

    // Two mounts need two unmounts; each prints the image id.
    let id = b.ok(&["images", "-q", "--no-trunc", IMG]);
    let id = id.trim().trim_start_matches("sha256:");
    assert_eq!(b.ok(&["image", "unmount", IMG]).trim(), id);
    assert!(is_mount(&path), "one reference is left");
    assert_eq!(b.ok(&["image", "umount", IMG]).trim(), id);
    assert!(!is_mount(&path));
    assert_eq!(
        b.ok(&["image", "unmount", IMG]),
        "",
        "not mounted: passed over"
    );
    assert_eq!(b.ok(&["image", "mount"]), "");

    // --all, then unmount --force drops every reference at once.
    b.ok(&["image", "mount", IMG]);
    b.ok(&["image", "mount", "--all"]);
    assert!(is_mount(&path));
    assert_eq!(b.ok(&["image", "unmount", "--force", IMG]).trim(), id);
    assert!(!is_mount(&path));
    b.ok(&["image", "mount", IMG]);
    b.ok(&["image", "unmount", "--all"]);
    assert!(!is_mount(&path));

    // rmi of a mounted image takes the mount with it.
    b.ok(&["image", "mount", IMG]);
    b.ok(&["rmi", "-f", IMG, "localhost/bb2"]);
    assert!(!is_mount(&path));

    // system reset unmounts mounted images before it removes the store.
    b.ok(&["import", common::image_tar().to_str().unwrap(), IMG]);
    let path = b.ok(&["image", "mount", IMG]).trim().to_owned();
    assert!(is_mount(&path));
    b.ok(&["system", "reset", "-f"]);
    assert!(!is_mount(&path));
}

#[test]
fn image_mount_bad_input() {
    let b = Berth::new();
    b.fails(&["image", "mount", "nosuch"], "nosuch: image not known");
    b.fails(&["image", "unmount", "nosuch"], "nosuch: image not known");
    b.fails(&["image", "unmount"], "image name or ID must be specified");
    b.fails(
        &["image", "mount", "--all", IMG],
        "when using the --all switch, you may not pass any image names or IDs",
    );
    b.fails(
        &["image", "unmount", "--all", IMG],
        "when using the --all switch, you may not pass any image names or IDs",
    );
    b.fails(
        &["image", "mount", "--format", "{{.ID}}", IMG],
        "unknown --format argument: \"{{.ID}}\"",
    );
    // A missing name among good ones mounts nothing.
    b.fails_with(&["image", "mount", IMG, "nosuch"], "nosuch");
    assert_eq!(b.ok(&["image", "mount"]), "");
}

#[test]
fn image_tree_prints_podmans_layout() {
    let b = Berth::new();
    b.ok(&["tag", IMG, "localhost/bb2"]);
    let out = b.ok(&["image", "tree", IMG]);
    let lines: Vec<&str> = out.lines().collect();
    assert!(
        lines[0].starts_with("Image ID: ") && lines[0].len() == 22,
        "{out}"
    );
    assert_eq!(
        lines[1],
        "Tags:     [localhost/bb:latest localhost/bb2:latest]"
    );
    assert!(
        lines[2].starts_with("Size:     ") && lines[2].ends_with("MB"),
        "{out}"
    );
    assert_eq!(lines[3], "Image Layers");
    assert!(
        lines[4].starts_with("└── ID: ")
            && lines[4].ends_with(" Top Layer of: [localhost/bb:latest localhost/bb2:latest]"),
        "{out}"
    );
    assert!(out.ends_with("]\n\n"), "{out:?}");
    assert_eq!(b.ok(&["image", "tree", "--whatrequires", IMG]), out);
    b.fails(&["image", "tree", "nosuch"], "nosuch: image not known");
}

/// A registry with `bb`, `library/bb` (two tags) and `other/bbhc`.
fn seeded_registry() -> (Registry, Berth) {
    let reg = Registry::start(RegistryConfig::default());
    let b = plain();
    for dest in ["bb:latest", "library/bb:1", "library/bb:2", "other/bbhc:v2"] {
        b.ok(&[
            "push",
            "-q",
            "--tls-verify=false",
            IMG,
            &format!("{}/{dest}", reg.host()),
        ]);
    }
    (reg, b)
}

#[test]
fn search_lists_a_v2_catalog_as_podman() {
    let (reg, b) = seeded_registry();
    let h = reg.host();
    let term = format!("{h}/bb");
    let out = b.ok(&["search", "--tls-verify=false", &term]);
    let w = format!("{h}/library/bb").len() + 2;
    assert_eq!(
        out,
        format!(
            "{:w$}DESCRIPTION\n{:w$}\n{:w$}\n{:w$}\n",
            "NAME",
            format!("{h}/bb"),
            format!("{h}/library/bb"),
            format!("{h}/other/bbhc")
        )
    );
    // image search is the same command; --limit cuts the list.
    let out = b.ok(&[
        "image",
        "search",
        "--tls-verify=false",
        "--limit",
        "1",
        &term,
    ]);
    assert_eq!(out.lines().count(), 2, "{out}");
    let out = b.ok(&["search", "--tls-verify=false", &format!("{h}/other")]);
    assert!(
        out.contains("other/bbhc") && out.lines().count() == 2,
        "{out}"
    );
    assert_eq!(
        b.ok(&["search", "--tls-verify=false", &format!("{h}/zzz")]),
        "",
        "no match prints nothing"
    );

    // --format json / template / table template.
    let json: serde_json::Value = serde_json::from_str(&b.ok(&[
        "search",
        "--tls-verify=false",
        "--format",
        "json",
        &format!("{h}/other"),
    ]))
    .unwrap();
    assert_eq!(json[0]["Index"], h.as_str());
    assert_eq!(json[0]["Name"], format!("{h}/other/bbhc").as_str());
    assert_eq!(json[0]["Stars"], 0);
    assert_eq!(
        b.ok(&[
            "search",
            "--tls-verify=false",
            "--format",
            "{{.Name}}",
            &format!("{h}/other")
        ]),
        format!("{h}/other/bbhc\n")
    );
    let out = b.ok(&[
        "search",
        "--tls-verify=false",
        "--format",
        "table {{.Index}} {{.Name}}",
        &format!("{h}/other"),
    ]);
    assert!(out.starts_with("INDEX"), "{out}");
    let out = b.ok(&[
        "search",
        "--tls-verify=false",
        "--compatible",
        &format!("{h}/other"),
    ]);
    assert!(
        out.starts_with("NAME") && out.contains("AUTOMATED"),
        "{out}"
    );

    // Filters: catalog entries have no stars and are neither official nor automated.
    assert_eq!(
        b.ok(&[
            "search",
            "--tls-verify=false",
            "--filter",
            "is-official",
            &term
        ]),
        ""
    );
    assert_eq!(
        b.ok(&["search", "--tls-verify=false", "--filter", "stars=1", &term]),
        ""
    );
    let out = b.ok(&[
        "search",
        "--tls-verify=false",
        "-f",
        "is-automated=false",
        &term,
    ]);
    assert_eq!(out.lines().count(), 4, "{out}");
}

#[test]
fn search_list_tags() {
    let (reg, b) = seeded_registry();
    let h = reg.host();
    let out = b.ok(&[
        "search",
        "--tls-verify=false",
        "--list-tags",
        &format!("{h}/library/bb"),
    ]);
    let name = format!("{h}/library/bb");
    let w = name.len() + 2;
    // The registry's order, as podman prints it.
    let mut lines: Vec<&str> = out.lines().collect();
    lines[1..].sort_unstable();
    assert_eq!(
        lines,
        [
            format!("{:w$}TAG", "NAME"),
            format!("{name:w$}1"),
            format!("{name:w$}2")
        ]
    );
    let json: serde_json::Value = serde_json::from_str(&b.ok(&[
        "search",
        "--tls-verify=false",
        "--list-tags",
        "--format",
        "json",
        &name,
    ]))
    .unwrap();
    assert_eq!(json[0]["Name"], name.as_str());
    let mut tags: Vec<&str> = json[0]["Tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap())
        .collect();
    tags.sort_unstable();
    assert_eq!(tags, ["1", "2"]);
    let out = b.ok(&[
        "search",
        "--tls-verify=false",
        "--list-tags",
        "--limit",
        "1",
        &name,
    ]);
    assert_eq!(out.lines().count(), 2, "{out}");
}

#[test]
fn search_bad_input() {
    let (reg, b) = seeded_registry();
    let h = reg.host();
    b.fails(
        &[
            "search",
            "--list-tags",
            "--filter",
            "stars=1",
            &format!("{h}/bb"),
        ],
        "filters are not applicable to list tags result",
    );
    for bad in ["color=red", "stars", "stars=many"] {
        b.fails_with(&["search", "--filter", bad, &format!("{h}/bb")], "--filter");
    }
    b.fails_with(
        &["search", "--format", "{{.Name", &format!("{h}/bb")],
        "--format",
    );
    b.fails_with(
        &[
            "search",
            "--authfile",
            "/nonexistent/auth.json",
            &format!("{h}/bb"),
        ],
        "/nonexistent/auth.json",
    );
    // TLS against a plain-HTTP registry, nothing listening, an unknown repository.
    b.fails_with(&["search", &format!("{h}/bb")], &h);
    b.fails_with(
        &["search", "--tls-verify=false", "127.0.0.1:1/bb"],
        "127.0.0.1:1",
    );
    b.fails_with(
        &[
            "search",
            "--tls-verify=false",
            "--list-tags",
            &format!("{h}/nosuch"),
        ],
        "404",
    );
    b.fails_with(
        &[
            "search",
            "--tls-verify=false",
            "--list-tags",
            &format!("{h}/BAD"),
        ],
        "docker reference",
    );
    // A term without a registry and no search registries configured.
    b.fails_with(&["search", "bb"], "unqualified-search-registries");
}

/// A "registry" that answers `/v2/` and then garbage for the catalog.
#[test]
fn search_of_a_registry_answering_garbage_fails_clearly() {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for s in l.incoming().flatten().take(20) {
            let mut s = s;
            let mut buf = [0u8; 4096];
            let n = s.read(&mut buf).unwrap_or(0);
            let req = String::from_utf8_lossy(&buf[..n]);
            let body = if req.starts_with("GET /v2/ ") {
                "{}"
            } else {
                "this is not json"
            };
            let _ = write!(
                s,
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    let b = plain();
    let r = b.fails_with(
        &[
            "search",
            "--tls-verify=false",
            &format!("127.0.0.1:{port}/x"),
        ],
        "_catalog",
    );
    assert!(r.err.contains("invalid"), "{}", r.err);
    b.fails_with(
        &[
            "search",
            "--tls-verify=false",
            "--list-tags",
            &format!("127.0.0.1:{port}/x"),
        ],
        "tags/list",
    );
}
