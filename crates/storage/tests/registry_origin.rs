//! Credentials stay with the registry's own origin: a bearer realm on
//! `http://` for an `https://` registry is refused before anything is sent
//! to it; an upload `Location` or a blob redirect on another origin gets no
//! `Authorization` header (basic or bearer). Fake servers record every
//! header they receive.

mod registry_util;

use std::sync::Arc;

use berth_storage::registry::{self, Error, PullOptions};
use berth_storage::Driver;
use registry_util::fake::{FakeImage, FakeServer, Req, Resp};
use registry_util::*;

const TOKEN: &str = "tok-123";

/// How the fake registry wants to be authenticated.
#[derive(Clone, Copy, Debug)]
enum Scheme {
    Basic,
    Bearer,
}

/// A token service answering every request with [`TOKEN`].
fn token_service() -> FakeServer {
    FakeServer::http(|_| {
        Resp::status(200)
            .header("Content-Type", "application/json")
            .body(format!(r#"{{"token":"{TOKEN}"}}"#))
    })
}

/// The 401 a registry answers an unauthenticated request with.
fn challenge(scheme: Scheme, realm: &str) -> Resp {
    let h = match scheme {
        Scheme::Basic => r#"Basic realm="fake""#.to_string(),
        Scheme::Bearer => format!(r#"Bearer realm="{realm}",service="fake""#),
    };
    Resp::status(401).header("WWW-Authenticate", h)
}

fn authorized(req: &Req, scheme: Scheme) -> bool {
    let want = match scheme {
        Scheme::Basic => format!("Basic {}", base64_encode(b"alice:s3cret")),
        Scheme::Bearer => format!("Bearer {TOKEN}"),
    };
    req.header("authorization") == Some(want.as_str())
}

fn no_auth_anywhere(server: &FakeServer) {
    let reqs = server.requests();
    assert!(!reqs.is_empty(), "the other origin was never contacted");
    for r in reqs {
        assert!(
            r.header("authorization").is_none(),
            "{} {} on another origin carried Authorization: {:?}",
            r.method,
            r.path,
            r.header("authorization")
        );
    }
}

#[test]
fn an_http_realm_for_an_https_registry_is_refused_before_anything_is_sent() {
    let certs = tempfile::tempdir().unwrap();
    let (cert, key, ca) = berth_testsupport::registry::self_signed(certs.path());
    let tokens = token_service();
    let realm = format!("{}/token", tokens.base());
    let reg = {
        let realm = realm.clone();
        FakeServer::https(&cert, &key, move |req| {
            if authorized(req, Scheme::Bearer) {
                Resp::status(404)
            } else {
                challenge(Scheme::Bearer, &realm)
            }
        })
    };
    let dst = TestStore::new(Driver::Vfs);
    for credentials in [Some(creds("alice", "s3cret")), None] {
        let mut o = PullOptions {
            ca_pem: Some(std::fs::read(&ca).unwrap()),
            ..pull_opts(&[])
        };
        o.auth.credentials = credentials;
        let e = registry::pull(&dst.store, &format!("{}/x/y:1", reg.host()), &o).unwrap_err();
        assert!(matches!(e, Error::InsecureRealm { .. }), "{e}");
        let s = e.to_string();
        assert!(s.contains(&realm) && s.contains("plain HTTP"), "{s}");
    }
    assert!(
        tokens.requests().is_empty(),
        "the plain-HTTP token service was contacted: {:?}",
        tokens.requests()
    );
    assert!(dst.store.images().unwrap().is_empty());
    // The registry itself was reached over TLS and never got credentials.
    assert!(reg
        .requests()
        .iter()
        .all(|r| r.header("authorization").is_none()));
}

#[test]
fn a_cross_origin_upload_location_gets_no_authorization() {
    let src = TestStore::new(Driver::Vfs);
    let img = import_random(&src.store, "localhost/r:1", 4096);
    for scheme in [Scheme::Basic, Scheme::Bearer] {
        let uploads = FakeServer::http(|req| match req.method.as_str() {
            "PUT" => Resp::status(201),
            _ => Resp::status(202).header("Location", "/upload/next"),
        });
        let tokens = token_service();
        let realm = format!("{}/token", tokens.base());
        let elsewhere = format!("{}/upload/1?state=abc", uploads.base());
        let reg = FakeServer::http(move |req| {
            if !authorized(req, scheme) {
                return challenge(scheme, &realm);
            }
            match (req.method.as_str(), req.path.as_str()) {
                ("GET", "/v2/") => Resp::status(200),
                ("HEAD", _) => Resp::status(404),
                ("POST", p) if p.contains("/blobs/uploads/") => {
                    Resp::status(202).header("Location", elsewhere.clone())
                }
                ("PUT", p) if p.contains("/manifests/") => Resp::status(201),
                _ => Resp::status(400),
            }
        });
        let mut o = push_opts(&[reg.host()]);
        o.auth.credentials = Some(creds("alice", "s3cret"));
        let dest = format!("{}/team/r:1", reg.host());
        let rep = registry::push(&src.store, &img.id, Some(&dest), &o)
            .unwrap_or_else(|e| panic!("{scheme:?}: {e}"));
        assert_eq!(rep.blobs_uploaded, 2, "{scheme:?}");
        // Both blobs (config and layer) went to the other origin, without credentials.
        let puts: Vec<Req> = uploads
            .requests()
            .into_iter()
            .filter(|r| r.method == "PUT")
            .collect();
        assert_eq!(puts.len(), 2, "{scheme:?}");
        no_auth_anywhere(&uploads);
        // The registry itself got them on every authenticated request.
        assert!(
            reg.requests().iter().any(|r| authorized(r, scheme)),
            "{scheme:?}"
        );
    }
}

#[test]
fn a_blob_redirected_to_another_origin_gets_no_authorization() {
    let image = Arc::new(FakeImage::new("hello.txt", b"hello from elsewhere\n"));
    let im = image.clone();
    let cdn = FakeServer::http(move |req| {
        let digest = req.path.rsplit('/').next().unwrap_or("");
        match im.blob(digest) {
            Some(b) => Resp::status(200).body(b.to_vec()),
            None => Resp::status(404),
        }
    });
    let cdn_base = cdn.base();
    let im = image.clone();
    let reg = FakeServer::http(move |req| {
        if !authorized(req, Scheme::Basic) {
            return challenge(Scheme::Basic, "");
        }
        let p = req.path.as_str();
        if p == "/v2/" {
            Resp::status(200)
        } else if p.contains("/manifests/") {
            im.manifest_resp()
        } else if let Some((_, digest)) = p.split_once("/blobs/") {
            Resp::status(307).header("Location", format!("{cdn_base}/cdn/{digest}"))
        } else {
            Resp::status(404)
        }
    });
    let dst = TestStore::new(Driver::Vfs);
    let mut o = pull_opts(&[reg.host()]);
    o.auth.credentials = Some(creds("alice", "s3cret"));
    let rep = registry::pull(&dst.store, &format!("{}/x/y:1", reg.host()), &o).unwrap();
    assert_eq!(rep.layers_fetched, 1);
    no_auth_anywhere(&cdn);
    assert!(dst.tmp_entries().is_empty(), "{:?}", dst.tmp_entries());
}
