//! `manifest create/add/annotate/inspect/exists/push/remove/rm` on real
//! parts: lists of the test image pushed to a real docker-registry on
//! 127.0.0.1 and pulled back.

mod common;

use berth_testsupport::registry::{Registry, RegistryConfig};
use common::{Berth, IMG};

const ACCEPT: &str = r#"{"default":[{"type":"insecureAcceptAnything"}]}"#;

fn plain() -> Berth {
    let mut b = Berth::new();
    b.own_registry_config("", ACCEPT);
    b
}

#[test]
fn manifest_lists_are_made_edited_pushed_and_pulled_back() {
    let reg = Registry::start(RegistryConfig::default());
    let b = plain();
    let id = b.ok(&["manifest", "create", "ml"]).trim().to_owned();
    assert_eq!(id.len(), 64, "{id}");
    let empty: serde_json::Value =
        serde_json::from_str(&b.ok(&["manifest", "inspect", "ml"])).unwrap();
    assert_eq!(
        empty,
        serde_json::json!({
            "schemaVersion": 2,
            "mediaType": "application/vnd.docker.distribution.manifest.list.v2+json",
            "manifests": null
        })
    );
    assert_eq!(b.run(&["manifest", "exists", "ml"]).code, 0);
    assert_eq!(
        b.run(&["manifest", "exists", "localhost/ml:latest"]).code,
        0
    );
    assert_eq!(b.run(&["manifest", "exists", "nosuch"]).code, 1);
    assert_eq!(
        b.run(&["manifest", "exists", IMG]).code,
        1,
        "an image is no list"
    );

    // add (with overrides), annotate, remove.
    let out = b.ok(&[
        "manifest",
        "add",
        "--arch",
        "arm64",
        "--variant",
        "v8",
        "--os-version",
        "1",
        "--annotation",
        "a=b",
        "ml",
        IMG,
    ]);
    assert_eq!(out.trim(), id);
    let digest = b.ok(&["images", "--digests", "--format", "{{.Digest}}", IMG]);
    let digest = digest.trim();
    let doc: serde_json::Value =
        serde_json::from_str(&b.ok(&["manifest", "inspect", "ml"])).unwrap();
    let m = &doc["manifests"][0];
    assert_eq!(m["digest"], digest);
    assert_eq!(m["platform"]["architecture"], "arm64");
    assert_eq!(m["platform"]["variant"], "v8");
    assert_eq!(m["platform"]["os"], "linux");
    assert_eq!(m["platform"]["os.version"], "1");
    assert_eq!(m["annotations"]["a"], "b");
    b.ok(&[
        "manifest",
        "annotate",
        "--arch",
        "amd64",
        "--variant",
        "",
        "--annotation",
        "c=d",
        "--os-features",
        "x",
        "ml",
        digest,
    ]);
    let doc: serde_json::Value =
        serde_json::from_str(&b.ok(&["manifest", "inspect", "ml"])).unwrap();
    let m = &doc["manifests"][0];
    assert_eq!(m["platform"]["architecture"], "amd64");
    assert!(m["platform"].get("variant").is_none(), "{m}");
    assert_eq!(m["platform"]["os.features"][0], "x");
    assert_eq!(m["annotations"]["c"], "d");

    // create --amend reuses the list; create without it refuses the name.
    b.fails_with(&["manifest", "create", "ml"], "already in use");
    assert_eq!(b.ok(&["manifest", "create", "--amend", "ml"]).trim(), id);

    // push --all (default) to the registry, then pull the list back into an empty store.
    let dest = format!("{}/test/ml:1", reg.host());
    let digestfile = b.dir.path().join("list-digest");
    b.ok(&[
        "manifest",
        "push",
        "--tls-verify=false",
        "--digestfile",
        digestfile.to_str().unwrap(),
        "ml",
        &format!("docker://{dest}"),
    ]);
    assert!(std::fs::read_to_string(&digestfile)
        .unwrap()
        .starts_with("sha256:"));
    let other = plain();
    let pulled = other.ok(&["pull", "-q", "--tls-verify=false", &dest]);
    let want = b.ok(&["images", "-q", "--no-trunc", IMG]);
    assert_eq!(
        pulled.trim(),
        want.trim().trim_start_matches("sha256:"),
        "the list's amd64 instance is the image"
    );
    // --format oci pushes an OCI index; --rm removes the list afterwards.
    let dest2 = format!("{}/test/ml:oci", reg.host());
    b.ok(&[
        "manifest",
        "push",
        "--tls-verify=false",
        "--format",
        "oci",
        "--rm",
        "ml",
        &dest2,
    ]);
    assert_eq!(b.run(&["manifest", "exists", "ml"]).code, 1);
    assert_eq!(
        other
            .ok(&["pull", "-q", "--tls-verify=false", &dest2])
            .trim(),
        pulled.trim()
    );

    // add of an image in a registry pulls it first (docker://, or a name not stored).
    let c = plain();
    c.ok(&["manifest", "create", "fromreg"]);
    let src = format!("{}/test/ml:1", reg.host());
    c.ok(&["rmi", IMG]);
    let out = c.ok(&[
        "manifest",
        "add",
        "--tls-verify=false",
        "fromreg",
        &format!("docker://{src}"),
    ]);
    assert_eq!(out.trim().len(), 64, "{out}");
    let doc: serde_json::Value =
        serde_json::from_str(&c.ok(&["manifest", "inspect", "fromreg"])).unwrap();
    assert_eq!(doc["manifests"][0]["digest"], digest, "{doc}");
    c.fails_with(
        &[
            "manifest",
            "add",
            "--tls-verify=false",
            "fromreg",
            "127.0.0.1:1/nothing:1",
        ],
        "127.0.0.1:1",
    );

    // remove and rm.
    b.ok(&["manifest", "create", "ml2", IMG]);
    assert_eq!(
        b.ok(&["manifest", "remove", "ml2", digest]).trim().len(),
        64
    );
    let doc: serde_json::Value =
        serde_json::from_str(&b.ok(&["manifest", "inspect", "ml2"])).unwrap();
    assert!(doc["manifests"].is_null(), "{doc}");
    let out = b.ok(&["manifest", "rm", "ml2"]);
    assert!(
        out.starts_with("Untagged: localhost/ml2:latest\nDeleted: "),
        "{out}"
    );
    assert_eq!(
        b.ok(&["images", "-q"]).lines().count(),
        1,
        "the image stays"
    );
}

#[test]
fn manifest_bad_input() {
    let b = plain();
    b.ok(&["manifest", "create", "ml"]);
    b.fails(
        &["manifest", "inspect", "nosuch"],
        "nosuch: image not known",
    );
    b.fails_with(
        &["manifest", "inspect", IMG],
        "image is not a manifest list",
    );
    b.fails_with(&["manifest", "add", "ml", "nosuch"], "nosuch");
    b.fails_with(&["manifest", "add", "nosuch", IMG], "nosuch");
    b.fails_with(&["manifest", "create", "ml3", "nosuch"], "nosuch");
    assert_eq!(
        b.run(&["manifest", "exists", "ml3"]).code,
        1,
        "nothing made"
    );
    b.fails_with(&["manifest", "create", "Bad:Name:x"], "Bad:Name:x");
    b.fails_with(
        &["manifest", "add", "--annotation", "novalue", "ml", IMG],
        "--annotation",
    );
    b.fails_with(&["manifest", "annotate", "ml", "sha256:nothex"], "digest");
    b.fails_with(
        &[
            "manifest",
            "annotate",
            "ml",
            &format!("sha256:{}", "a".repeat(64)),
        ],
        "no instance matching digest",
    );
    b.fails_with(
        &[
            "manifest",
            "remove",
            "ml",
            &format!("sha256:{}", "a".repeat(64)),
        ],
        "no instance matching digest",
    );
    b.fails_with(
        &[
            "manifest",
            "push",
            "--format",
            "v2s1",
            "ml",
            "127.0.0.1:1/x:1",
        ],
        "--format",
    );
    b.fails_with(
        &[
            "manifest",
            "push",
            "--tls-verify=false",
            "ml",
            "127.0.0.1:1/x:1",
        ],
        "127.0.0.1:1",
    );
    b.fails_with(
        &["manifest", "push", "ml", "oci-archive:/tmp/x"],
        "oci-archive",
    );
    b.fails_with(&["manifest", "create", "--all", "ml4"], "--all");
    b.fails_with(
        &[
            "manifest",
            "push",
            "--sign-by",
            "k",
            "ml",
            "127.0.0.1:1/x:1",
        ],
        "--sign-by",
    );
    // rm of a missing list: exit 1, as podman.
    let r = b.run(&["manifest", "rm", "nosuch"]);
    assert_eq!(r.code, 1, "{r:?}");
    assert_eq!(r.err, "Error: nosuch: image not known\n");
    assert_eq!(b.run(&["manifest", "exists", "ml"]).code, 0, "ml untouched");
}
