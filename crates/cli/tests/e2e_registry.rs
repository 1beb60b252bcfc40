//! `berth pull`, `push`, `login`, `logout` and `run --pull` against a real
//! docker-registry on 127.0.0.1 (plain HTTP, basic auth, self-signed TLS).
//! Each berth instance has its own auth file, registries.conf and policy.

mod common;

use berth_testsupport::registry::{Registry, RegistryConfig};
use common::{Berth, IMG};
use std::io::Write;
use std::process::Stdio;

/// An instance whose registries.conf, auth file and signature policy live
/// in its own dir; `registries_conf` is the registries.conf text.
fn berth(with_image: bool, registries_conf: &str, policy: &str) -> Berth {
    let mut b = if with_image {
        Berth::new()
    } else {
        Berth::empty()
    };
    b.own_registry_config(registries_conf, policy);
    b
}

const ACCEPT: &str = r#"{"default":[{"type":"insecureAcceptAnything"}]}"#;

fn plain() -> Berth {
    berth(true, "", ACCEPT)
}

fn is_image_id(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|c| c.is_ascii_hexdigit())
}

/// Pushes the test image to `reference` on a plain-HTTP registry.
fn seed(reg: &Registry, reference: &str) {
    let b = plain();
    let dest = format!("{}/{reference}", reg.host());
    b.ok(&["push", "-q", "--tls-verify=false", IMG, &dest]);
}

#[test]
fn push_then_pull_into_an_empty_store_and_run() {
    let reg = Registry::start(RegistryConfig::default());
    let src = plain();
    let dest = format!("{}/test/bb:1", reg.host());
    let digestfile = src.dir.path().join("digest");
    let r = src.run(&[
        "push",
        "--tls-verify=false",
        "--digestfile",
        digestfile.to_str().unwrap(),
        IMG,
        &format!("docker://{dest}"),
    ]);
    assert_eq!(r.code, 0, "{r:?}");
    assert_eq!(r.out, "");
    assert!(r.err.contains("Writing manifest"), "{}", r.err);
    let digest = std::fs::read_to_string(&digestfile).unwrap();
    assert!(digest.starts_with("sha256:"), "{digest}");

    let b = berth(false, "", ACCEPT);
    let r = b.run(&["pull", "--tls-verify=false", &dest]);
    assert_eq!(r.code, 0, "{r:?}");
    let id = r.out.trim();
    assert!(is_image_id(id), "{}", r.out);
    assert!(
        r.err.contains(&format!("Trying to pull {dest}...")),
        "{}",
        r.err
    );
    let images = b.ok(&["images", "--format", "{{.Repository}}:{{.Tag}} {{.ID}}"]);
    assert!(
        images.contains(&format!("{dest} {}", &id[..12])),
        "{images}"
    );
    assert_eq!(
        b.ok(&["run", "--rm", "--network", "none", &dest, "echo", "pulled"]),
        "pulled\n"
    );

    // `.Digest` is the registry's manifest digest (001-basic "podman can pull an image"
    // pulls by it), whatever manifest the store keeps.
    assert_eq!(
        b.ok(&["image", "inspect", "--format", "{{.Digest}}", &dest])
            .trim(),
        digest.trim()
    );

    // Again: every layer is already there; by digest too.
    let again = b.ok(&["pull", "-q", "--tls-verify=false", &dest]);
    assert_eq!(again.trim(), id);
    let by_digest = format!("{}/test/bb@{digest}", reg.host());
    assert_eq!(
        b.ok(&["image", "pull", "-q", "--tls-verify=false", &by_digest])
            .trim(),
        id
    );
}

#[test]
fn run_and_create_pull_as_the_pull_policy_says() {
    let reg = Registry::start(RegistryConfig::default());
    seed(&reg, "test/bb:2");
    let image = format!("{}/test/bb:2", reg.host());
    let b = berth(false, "", ACCEPT);

    let r = b.run(&["run", "--pull=never", "--network", "none", &image, "true"]);
    assert_eq!(r.code, 125, "{r:?}");
    assert!(r.err.contains("test/bb:2"), "{}", r.err);
    assert_eq!(b.ok(&["images", "-q"]), "");

    let r = b.run(&[
        "run",
        "--rm",
        "--tls-verify=false",
        "--network",
        "none",
        &image,
        "echo",
        "first",
    ]);
    assert_eq!(r.code, 0, "{r:?}");
    assert_eq!(r.out, "first\n");
    assert!(r.err.contains("Trying to pull"), "{}", r.err);

    // Present now: the default (missing) does not contact the registry.
    let r = b.run(&["create", "--network", "none", &image, "true"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(!r.err.contains("Trying to pull"), "{}", r.err);
    let r = b.run(&[
        "create",
        "-q",
        "--pull",
        "always",
        "--tls-verify=false",
        "--network",
        "none",
        &image,
        "true",
    ]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(!r.err.contains("Trying"), "-q keeps quiet: {}", r.err);

    let r = b.run(&["run", "--pull=sometimes", &image]);
    assert_eq!(r.code, 125);
    assert!(
        r.err.contains("--pull") && r.err.contains("sometimes"),
        "{}",
        r.err
    );
}

#[test]
fn short_names_and_a_mirror_standing_in_for_quay_io() {
    let reg = Registry::start(RegistryConfig::default());
    seed(&reg, "mirrored/bb:3");
    let host = reg.host();
    let conf = format!(
        "unqualified-search-registries = [\"{host}\"]\n\n\
         [[registry]]\nlocation = \"{host}\"\ninsecure = true\n\n\
         [[registry]]\nprefix = \"quay.io/x\"\nlocation = \"quay.io/x\"\n\
         [[registry.mirror]]\nlocation = \"{host}/mirrored\"\ninsecure = true\n"
    );
    let b = berth(false, &conf, ACCEPT);
    let r = b.run(&["pull", "quay.io/x/bb:3"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(is_image_id(r.out.trim()), "{r:?}");
    let names = b.ok(&["images", "--format", "{{.Repository}}:{{.Tag}}"]);
    assert!(names.contains("quay.io/x/bb:3"), "{names}");

    let r = b.run(&["pull", "mirrored/bb:3"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(
        r.err
            .contains(&format!("Trying to pull {host}/mirrored/bb:3")),
        "{}",
        r.err
    );
    let r = b.run(&["pull", "nothere/bb:3"]);
    assert_eq!(r.code, 125, "{r:?}");
    assert!(r.err.contains("nothere"), "{}", r.err);
}

#[test]
fn short_name_mode_and_aliases_of_registries_conf_apply_to_pull() {
    let (reg_a, reg_b) = (
        Registry::start(RegistryConfig::default()),
        Registry::start(RegistryConfig::default()),
    );
    seed(&reg_a, "tools/bb:1");
    let (ha, hb) = (reg_a.host(), reg_b.host());
    let conf = |mode: &str, aliases: &str| {
        format!(
            "unqualified-search-registries = [\"{hb}\", \"{ha}\"]\nshort-name-mode = \"{mode}\"\n\n\
             [[registry]]\nlocation = \"{ha}\"\ninsecure = true\n\n\
             [[registry]]\nlocation = \"{hb}\"\ninsecure = true\n\n[aliases]\n{aliases}"
        )
    };
    // enforcing, two search registries, no alias: podman's error, exit 125, nothing pulled.
    let enf = berth(false, &conf("enforcing", ""), ACCEPT);
    let r = enf.run(&["pull", "tools/bb:1"]);
    assert_eq!(r.code, 125, "{r:?}");
    assert!(
        r.err
            .contains("short-name resolution enforced but cannot prompt without a TTY"),
        "{}",
        r.err
    );
    assert!(
        r.err
            .contains(&format!("{hb}/tools/bb:1 or {ha}/tools/bb:1")),
        "{}",
        r.err
    );
    assert_eq!(enf.ok(&["images", "-q"]).trim(), "");
    // permissive and disabled try each search registry in order.
    for mode in ["permissive", "disabled"] {
        let p = berth(false, &conf(mode, ""), ACCEPT);
        let r = p.run(&["pull", "tools/bb:1"]);
        assert_eq!(r.code, 0, "{mode}: {r:?}");
        let names = p.ok(&["images", "--format", "{{.Repository}}:{{.Tag}}"]);
        assert_eq!(names.trim(), format!("{ha}/tools/bb:1"), "{mode}");
    }
    // An alias wins in enforcing mode, and the user's tag is kept.
    let al = berth(
        false,
        &conf("enforcing", &format!("\"mybb\" = \"{ha}/tools/bb\"\n")),
        ACCEPT,
    );
    let r = al.run(&["pull", "mybb:1"]);
    assert_eq!(r.code, 0, "{r:?}");
    let names = al.ok(&["images", "--format", "{{.Repository}}:{{.Tag}}"]);
    assert_eq!(names.trim(), format!("{ha}/tools/bb:1"));
    // A malformed alias is a configuration error naming the file and key.
    let bad = berth(false, &conf("enforcing", "\"mybb\" = \"mybb:1\"\n"), ACCEPT);
    let r = bad.run(&["pull", "mybb:1"]);
    assert_eq!(r.code, 125, "{r:?}");
    assert!(
        r.err.contains("registries.conf") && r.err.contains("aliases.mybb"),
        "{}",
        r.err
    );
}

#[test]
fn login_push_and_logout_with_basic_auth() {
    let reg = Registry::start(RegistryConfig {
        htpasswd: Some(("berth".into(), "s3cret".into())),
        tls: false,
    });
    let host = reg.host();
    let b = plain();
    let auth = b.dir.path().join("auth.json");
    let dest = format!("{host}/private/bb:1");

    let r = b.run(&["push", "--tls-verify=false", IMG, &dest]);
    assert_eq!(r.code, 125, "{r:?}");
    assert!(r.err.contains("authentication to"), "{}", r.err);

    let r = b.run(&[
        "login",
        "--tls-verify=false",
        "-u",
        "berth",
        "-p",
        "wrong",
        &host,
    ]);
    assert_eq!(r.code, 125, "{r:?}");
    assert!(r.err.to_lowercase().contains("unauthorized"), "{}", r.err);
    assert!(
        !r.err.contains("wrong"),
        "the password is never printed: {}",
        r.err
    );
    assert!(!auth.exists());

    let mut child = b
        .cmd()
        .args([
            "login",
            "--tls-verify=false",
            "-u",
            "berth",
            "--password-stdin",
            &host,
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(b"s3cret\n").unwrap();
    let o = child.wait_with_output().unwrap();
    assert!(o.status.success(), "{o:?}");
    assert_eq!(String::from_utf8_lossy(&o.stdout), "Login Succeeded!\n");
    let stored = std::fs::read_to_string(&auth).unwrap();
    assert!(stored.contains(&host), "{stored}");
    assert_eq!(b.ok(&["login", "--get-login", &host]), "berth\n");

    b.ok(&["push", "-q", "--tls-verify=false", IMG, &dest]);
    let other = berth(false, "", ACCEPT);
    let r = other.run(&["pull", "--tls-verify=false", &dest]);
    assert_eq!(r.code, 125, "no credentials there: {r:?}");
    let creds = other.ok(&[
        "pull",
        "-q",
        "--tls-verify=false",
        "--creds",
        "berth:s3cret",
        &dest,
    ]);
    assert!(is_image_id(creds.trim()), "{creds}");
    let r = other.run(&[
        "pull",
        "--tls-verify=false",
        "--authfile",
        auth.to_str().unwrap(),
        &dest,
    ]);
    assert_eq!(r.code, 0, "--authfile: {r:?}");

    assert_eq!(
        b.ok(&["logout", &host]),
        format!("Removed login credentials for {host}\n")
    );
    let r = b.run(&["logout", &host]);
    assert_eq!(r.code, 125);
    assert!(r.err.contains("not logged in"), "{}", r.err);
    b.ok(&["logout", "--all"]);
}

#[test]
fn self_signed_tls_needs_its_ca_or_tls_verify_false() {
    let reg = Registry::start(RegistryConfig {
        htpasswd: None,
        tls: true,
    });
    let host = reg.host();
    let b = plain();
    let dest = format!("{host}/tls/bb:1");
    let r = b.run(&["push", IMG, &dest]);
    assert_eq!(r.code, 125, "{r:?}");
    assert!(r.err.to_lowercase().contains("certificate"), "{}", r.err);
    b.ok(&["push", "-q", "--tls-verify=false", IMG, &dest]);

    let certs = b.dir.path().join("certs");
    std::fs::create_dir_all(certs.join(&host)).unwrap();
    std::fs::write(
        certs.join(&host).join("ca.crt"),
        reg.cert_pem.as_ref().unwrap(),
    )
    .unwrap();
    let other = berth(false, "", ACCEPT);
    let out = other.ok(&["pull", "-q", "--cert-dir", certs.to_str().unwrap(), &dest]);
    assert!(is_image_id(out.trim()), "{out}");
}

#[test]
fn a_reject_policy_blocks_the_pull_and_stores_nothing() {
    let reg = Registry::start(RegistryConfig::default());
    seed(&reg, "test/bb:4");
    let image = format!("{}/test/bb:4", reg.host());
    let b = berth(false, "", r#"{"default":[{"type":"reject"}]}"#);
    let r = b.run(&["pull", "--tls-verify=false", &image]);
    assert_eq!(r.code, 125, "{r:?}");
    assert!(r.err.to_lowercase().contains("reject"), "{}", r.err);
    assert_eq!(b.ok(&["images", "-q"]), "");
    let r = b.run(&[
        "run",
        "--tls-verify=false",
        "--network",
        "none",
        &image,
        "true",
    ]);
    assert_eq!(r.code, 125, "{r:?}");
    assert_eq!(b.ok(&["ps", "-a", "-q"]), "");
}

#[test]
fn bad_registry_flags_fail_before_anything_is_opened() {
    let b = berth(false, "", ACCEPT);
    for (args, needle) in [
        (&["pull", "--platform", "linux", "x"][..], "--platform"),
        (
            &["pull", "--platform", "linux/amd64", "--arch", "arm64", "x"],
            "--platform",
        ),
        (&["pull", "oci-archive:/tmp/x.tar"], "berth load"),
        (&["pull", "--creds", "nopassword", "x"], "--creds"),
        (&["pull", "-a", "x"], "--all-tags"),
        (&["login", "--password-stdin", "localhost:1"], "--username"),
        (&["login", "-u", "me", "localhost:1"], "terminal"),
        (&["run", "--platform", "a/b/c/d", "x"], "--platform"),
        (&["pull", "bad//name"], "bad//name"),
    ] {
        let r = b.run(args);
        assert_eq!(r.code, 125, "{args:?}: {r:?}");
        assert!(r.err.contains(needle), "{args:?}: {}", r.err);
    }
    // Nothing was created by any of them.
    assert!(!b.dir.path().join("root").join("state").exists());
    let r = b.run(&["pull", "--tls-verify=false", "127.0.0.1:1/none/x:1"]);
    assert_eq!(r.code, 125, "{r:?}");
}

/// registries.conf with two search registries (`hb` first, empty) in
/// `mode`, both insecure, and `aliases`.
fn two_search_registries(ha: &str, hb: &str, mode: &str, aliases: &str) -> String {
    format!(
        "unqualified-search-registries = [\"{hb}\", \"{ha}\"]\nshort-name-mode = \"{mode}\"\n\n\
         [[registry]]\nlocation = \"{ha}\"\ninsecure = true\n\n\
         [[registry]]\nlocation = \"{hb}\"\ninsecure = true\n\n[aliases]\n{aliases}"
    )
}

fn image_id(b: &Berth, name: &str) -> String {
    b.ok(&["image", "inspect", "--format", "{{.Id}}", name])
        .trim()
        .to_string()
}

#[test]
fn an_alias_pull_says_so_and_local_lookups_go_through_the_alias() {
    let (reg_a, reg_b) = (
        Registry::start(RegistryConfig::default()),
        Registry::start(RegistryConfig::default()),
    );
    seed(&reg_a, "tools/bb:1");
    let (ha, hb) = (reg_a.host(), reg_b.host());
    let conf = two_search_registries(
        &ha,
        &hb,
        "enforcing",
        &format!("\"mybb\" = \"{ha}/tools/bb\"\n"),
    );
    let b = berth(true, &conf, ACCEPT);
    let conf_path = b.dir.path().join("registries.conf");
    let target = format!("{ha}/tools/bb:1");

    // podman: the resolution first, then the candidate.
    let r = b.run(&["pull", "mybb:1"]);
    assert_eq!(r.code, 0, "{r:?}");
    let said = format!(
        "Resolved \"mybb\" as an alias ({})\nTrying to pull {target}...\n",
        conf_path.display()
    );
    assert!(r.err.starts_with(&said), "{}", r.err);
    let pulled = r.out.trim().to_string();
    assert!(is_image_id(&pulled), "{r:?}");
    // Quiet says nothing; with the image present the pull goes by its local
    // name, without resolving again (as podman's does).
    let r = b.run(&["pull", "-q", "mybb:1"]);
    assert_eq!((r.code, r.err.as_str()), (0, ""), "{r:?}");
    let r = b.run(&["pull", "mybb:1"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(!r.err.contains("Resolved"), "{}", r.err);
    assert!(
        r.err.starts_with(&format!("Trying to pull {target}...")),
        "{}",
        r.err
    );

    // A different image as localhost/mybb:1: the alias still wins locally.
    let other = b.dir.path().join("other.tar");
    std::fs::copy(common::image_tar(), &other).unwrap();
    let local = b
        .ok(&[
            "import",
            "--change",
            "CMD=/bin/true",
            other.to_str().unwrap(),
            "mybb:1",
        ])
        .trim()
        .trim_start_matches("sha256:")
        .to_string();
    assert_ne!(local, pulled);
    assert_eq!(image_id(&b, "localhost/mybb:1"), local);
    assert_eq!(image_id(&b, "mybb:1"), pulled);
    // run and create use the aliased local image: no pull, no prompt error.
    let r = b.run(&[
        "run",
        "--rm",
        "--network",
        "none",
        "mybb:1",
        "echo",
        "via alias",
    ]);
    assert_eq!((r.code, r.out.as_str()), (0, "via alias\n"), "{r:?}");
    assert!(!r.err.contains("Trying to pull"), "{}", r.err);
    let ctr = b.ok(&["create", "--network", "none", "mybb:1", "true"]);
    let used = b.ok(&["inspect", "--format", "{{.Image}}", ctr.trim()]);
    assert_eq!(used.trim(), pulled);
    b.ok(&["rm", ctr.trim()]);
    // rmi of the short name removes the alias's name; then localhost/ is next.
    assert_eq!(
        b.ok(&["rmi", "mybb:1"]),
        format!("Untagged: {target}\nDeleted: {pulled}\n")
    );
    assert_eq!(image_id(&b, "mybb:1"), local);
}

#[test]
fn enforcing_with_two_search_registries_fails_run_as_podman_unless_the_image_is_local() {
    let (reg_a, reg_b) = (
        Registry::start(RegistryConfig::default()),
        Registry::start(RegistryConfig::default()),
    );
    seed(&reg_a, "tools/bb:2");
    let (ha, hb) = (reg_a.host(), reg_b.host());
    let b = berth(
        false,
        &two_search_registries(&ha, &hb, "enforcing", ""),
        ACCEPT,
    );
    for args in [
        &["run", "--rm", "--network", "none", "tools/bb:2", "true"][..],
        &["create", "--network", "none", "tools/bb:2", "true"],
        &["pull", "tools/bb:2"],
    ] {
        let r = b.run(args);
        assert_eq!(r.code, 125, "{args:?}: {r:?}");
        assert!(
            r.err.starts_with(
                "Error: short-name resolution enforced but cannot prompt without a TTY"
            ),
            "{args:?}: {}",
            r.err
        );
        assert!(!r.err.contains("Trying to pull"), "{}", r.err);
    }
    assert_eq!(b.ok(&["images", "-q"]), "");
    assert_eq!(b.ok(&["ps", "-a", "-q"]), "");
    let r = b.run(&["image", "inspect", "tools/bb:2"]);
    assert_eq!(r.code, 125, "{r:?}");
    assert!(r.err.contains("image not known"), "{}", r.err);

    // Pulled by its full name, the short name finds it locally: run needs no
    // choice, and a pull of the short name goes to that image's registry.
    let full = format!("{ha}/tools/bb:2");
    b.ok(&["pull", "-q", &full]);
    assert_eq!(
        b.ok(&[
            "run",
            "--rm",
            "--network",
            "none",
            "tools/bb:2",
            "echo",
            "local"
        ]),
        "local\n"
    );
    let r = b.run(&["pull", "tools/bb:2"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(
        r.err.starts_with(&format!("Trying to pull {full}...")),
        "{}",
        r.err
    );
}
