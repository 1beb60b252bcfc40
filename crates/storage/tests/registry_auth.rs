//! Authentication and TLS against a real docker-registry: htpasswd basic
//! auth (right and wrong passwords, login/logout with an auth file), the
//! bearer token flow through a token service, and a self-signed TLS
//! certificate (refused when verifying, accepted with tls_verify=false or
//! the certificate as CA).

mod registry_util;

use berth_storage::registry::{self, AuthFile, AuthOptions, Error, LoginOptions};
use berth_storage::Driver;
use registry_util::*;

#[test]
fn htpasswd_basic_auth_login_and_logout() {
    let reg = Registry::start(RegistryConfig {
        htpasswd: Some(("alice".into(), "s3cret".into())),
        tls: false,
    });
    let hosts = [reg.host()];
    let src = TestStore::new(Driver::Vfs);
    let img = import_busybox(&src.store, "localhost/bb:1");
    let dest = format!("{}/private/bb:1", reg.host());

    // Anonymous push: refused with a clear message.
    let e = registry::push(&src.store, &img.id, Some(&dest), &push_opts(&hosts)).unwrap_err();
    assert!(e.is_unauthorized(), "{e}");
    assert!(e.to_string().contains("none were found"), "{e}");

    // With credentials given directly.
    let mut popts = push_opts(&hosts);
    popts.auth.credentials = Some(creds("alice", "s3cret"));
    registry::push(&src.store, &img.id, Some(&dest), &popts).unwrap();

    // Wrong password: a clear error, nothing stored.
    let dst = TestStore::new(Driver::Vfs);
    let mut o = pull_opts(&hosts);
    o.auth.credentials = Some(creds("alice", "wrong"));
    let e = registry::pull(&dst.store, &dest, &o).unwrap_err();
    assert!(e.is_unauthorized(), "{e}");
    let s = e.to_string();
    assert!(
        s.contains("authentication to 127.0.0.1") && s.contains("berth login"),
        "{s}"
    );
    assert!(dst.store.images().unwrap().is_empty());

    // login: a wrong password is refused and nothing is written.
    let authfile = dst.dir.path().join("auth/auth.json");
    let lopts = LoginOptions {
        auth: AuthOptions {
            authfile: Some(authfile.clone()),
            ..AuthOptions::default()
        },
        rules: insecure_rules(&hosts),
        retry: fast_retry(),
        ..LoginOptions::default()
    };
    let e = registry::login(&reg.host(), &creds("alice", "nope"), &lopts).unwrap_err();
    assert!(matches!(e, Error::Unauthorized { .. }), "{e}");
    assert!(!authfile.exists());
    // The right one is stored, then used by pull through the auth file.
    let written = registry::login(&reg.host(), &creds("alice", "s3cret"), &lopts).unwrap();
    assert_eq!(written, authfile);
    let f = AuthFile::read(&authfile).unwrap();
    assert_eq!(
        f.lookup(&reg.host(), "private/bb").unwrap(),
        Some(creds("alice", "s3cret"))
    );
    let mut o = pull_opts(&hosts);
    o.auth.authfile = Some(authfile.clone());
    let rep = registry::pull(&dst.store, &dest, &o).unwrap();
    assert_eq!(rep.image.id, img.id);
    // logout removes it; a second logout says it was not logged in.
    registry::logout(Some(&reg.host()), &lopts).unwrap();
    assert_eq!(
        AuthFile::read(&authfile)
            .unwrap()
            .lookup(&reg.host(), "")
            .unwrap(),
        None
    );
    let e = registry::logout(Some(&reg.host()), &lopts).unwrap_err();
    assert!(matches!(e, Error::NotLoggedIn { .. }), "{e}");
    // And without credentials the pull is refused again.
    let e = registry::pull(&dst.store, &format!("{}/private/bb:1", reg.host()), &o).unwrap_err();
    assert!(e.is_unauthorized(), "{e}");
}

#[test]
fn bearer_token_flow() {
    let reg = Registry::start(RegistryConfig::default());
    let gate = BearerGate::start(reg.port, "bob", "pw", "tok3n");
    let hosts = [gate.host()];
    let src = TestStore::new(Driver::Vfs);
    let img = import_busybox(&src.store, "localhost/bb:1");
    let dest = format!("{}/team/bb:1", gate.host());
    let mut popts = push_opts(&hosts);
    popts.auth.credentials = Some(creds("bob", "pw"));
    registry::push(&src.store, &img.id, Some(&dest), &popts).unwrap();
    let scopes = gate.scopes.lock().unwrap().clone();
    assert!(
        scopes
            .iter()
            .any(|s| s.contains("scope=repository%3Ateam%2Fbb%3Apull%2Cpush")
                && s.contains("service=gate")),
        "{scopes:?}"
    );
    let dst = TestStore::new(Driver::Vfs);
    let mut o = pull_opts(&hosts);
    o.auth.credentials = Some(creds("bob", "pw"));
    assert_eq!(
        registry::pull(&dst.store, &dest, &o).unwrap().image.id,
        img.id
    );
    o.auth.credentials = Some(creds("bob", "bad"));
    let e = registry::pull(&dst.store, &dest, &o).unwrap_err();
    assert!(e.to_string().contains("token service"), "{e}");
    // login verifies through the token service too.
    let d = tempfile::tempdir().unwrap();
    let lopts = LoginOptions {
        auth: AuthOptions {
            authfile: Some(d.path().join("a.json")),
            ..AuthOptions::default()
        },
        rules: insecure_rules(&hosts),
        retry: fast_retry(),
        ..LoginOptions::default()
    };
    assert!(registry::login(&gate.host(), &creds("bob", "bad"), &lopts)
        .unwrap_err()
        .is_unauthorized());
    registry::login(&gate.host(), &creds("bob", "pw"), &lopts).unwrap();
}

#[test]
fn self_signed_tls_fails_verified_and_works_with_tls_verify_false() {
    let reg = Registry::start(RegistryConfig {
        htpasswd: None,
        tls: true,
    });
    let src = TestStore::new(Driver::Vfs);
    let img = import_busybox(&src.store, "localhost/bb:1");
    let dest = format!("{}/tls/bb:1", reg.host());
    // Verified (the default, no insecure rule): refused, with a hint.
    let mut popts = push_opts(&[]);
    let e = registry::push(&src.store, &img.id, Some(&dest), &popts).unwrap_err();
    let s = e.to_string();
    assert!(s.contains("tls-verify=false"), "{s}");
    // tls_verify=false: works over unverified TLS.
    popts.tls_verify = Some(false);
    registry::push(&src.store, &img.id, Some(&dest), &popts).unwrap();
    let dst = TestStore::new(Driver::Vfs);
    let mut o = pull_opts(&[]);
    assert!(registry::pull(&dst.store, &dest, &o).is_err());
    o.tls_verify = Some(false);
    assert_eq!(
        registry::pull(&dst.store, &dest, &o).unwrap().image.id,
        img.id
    );
    // tls_verify=true overrides an insecure rule.
    let mut o = pull_opts(&[reg.host()]);
    o.tls_verify = Some(true);
    assert!(registry::pull(&dst.store, &dest, &o).is_err());
    // Trusting the certificate as a CA verifies it.
    let mut o = pull_opts(&[]);
    o.ca_pem = reg.cert_pem.clone();
    assert_eq!(
        registry::pull(&dst.store, &dest, &o).unwrap().image.id,
        img.id
    );
    // So does a certs.d directory with the CA under the host's name.
    let certs = dst.dir.path().join("certs.d");
    std::fs::create_dir_all(certs.join(reg.host())).unwrap();
    std::fs::write(
        certs.join(reg.host()).join("ca.crt"),
        reg.cert_pem.as_ref().unwrap(),
    )
    .unwrap();
    let mut o = pull_opts(&[]);
    o.certs_dir = Some(certs.clone());
    assert_eq!(
        registry::pull(&dst.store, &dest, &o).unwrap().image.id,
        img.id
    );
    // A certs.d file that holds no certificate is an error naming the problem.
    std::fs::write(certs.join(reg.host()).join("ca.crt"), "not a pem").unwrap();
    let e = registry::pull(&dst.store, &dest, &o).unwrap_err();
    assert!(e.to_string().contains("CA certificates"), "{e}");
}
