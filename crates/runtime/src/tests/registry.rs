//! Pull, push, login and pull-on-create through the registry seam, on the fakes.

use berth_config::testing::InjectFailures as _;
use std::sync::Arc;

use berth_storage::registry::testing::{Call, FakeRegistry};
use berth_storage::registry::{Credentials, PullOptions, PullPolicy};
use berth_storage::Storage;

use super::Fx;
use crate::Error;

fn with_fake(fx: &Fx) -> (crate::Runtime, Arc<FakeRegistry>) {
    let reg = Arc::new(FakeRegistry::new());
    (fx.again().with_registry(reg.clone()), reg)
}

#[test]
fn ensure_image_pulls_only_what_is_missing() {
    let fx = Fx::new();
    let (rt, reg) = with_fake(&fx);
    let opts = PullOptions::default();

    let (img, pulled) = rt
        .ensure_image("busybox", PullPolicy::Missing, || Ok(opts.clone()))
        .unwrap();
    assert!(!pulled);
    assert!(img.names.iter().any(|n| n.contains("busybox")));
    assert!(reg.calls().is_empty(), "{:?}", reg.calls());

    let mut alpine = fx.storage.resolve_image("busybox").unwrap();
    alpine.id = "a1".repeat(32);
    alpine.names = vec!["quay.io/x/alpine:1".into()];
    reg.add_image("quay.io/x/alpine:1", alpine.clone());
    let (img, pulled) = rt
        .ensure_image("quay.io/x/alpine:1", PullPolicy::Missing, || {
            Ok(opts.clone())
        })
        .unwrap();
    assert!(pulled);
    assert_eq!(img.id, alpine.id);
    assert_eq!(reg.calls(), [Call::Pull("quay.io/x/alpine:1".into())]);
}

#[test]
fn pull_never_and_always() {
    let fx = Fx::new();
    let (rt, reg) = with_fake(&fx);
    let opts = PullOptions::default();
    let e = rt
        .ensure_image(
            "quay.io/x/nothere:1",
            PullPolicy::Never,
            || Ok(opts.clone()),
        )
        .unwrap_err();
    assert!(e.to_string().contains("nothere"), "{e}");
    assert!(reg.calls().is_empty());

    let busybox = fx.storage.resolve_image("busybox").unwrap();
    reg.add_image("busybox", busybox.clone());
    let (_, pulled) = rt
        .ensure_image("busybox", PullPolicy::Always, || Ok(opts.clone()))
        .unwrap();
    assert!(pulled);
    assert_eq!(reg.calls(), [Call::Pull("busybox".into())]);
}

#[test]
fn registry_failures_come_back_whole() {
    let fx = Fx::new();
    let (rt, reg) = with_fake(&fx);
    reg.fail_next("pull");
    let e = rt
        .pull_image("quay.io/x/y:1", &PullOptions::default())
        .unwrap_err();
    assert!(matches!(e, Error::Registry(_)), "{e:?}");

    let creds = Credentials {
        username: "u".into(),
        password: "p".into(),
    };
    let opts = rt.login_options().unwrap();
    rt.login("127.0.0.1:5000", &creds, &opts).unwrap();
    assert_eq!(reg.credentials("127.0.0.1:5000").unwrap().username, "u");
    rt.logout(Some("127.0.0.1:5000"), &opts).unwrap();
    assert!(reg.credentials("127.0.0.1:5000").is_none());
}

#[test]
fn without_a_registry_or_after_shutdown_it_says_so() {
    let fx = Fx::new();
    let e = fx
        .rt
        .pull_image("busybox", &PullOptions::default())
        .unwrap_err();
    assert!(matches!(e, Error::NoRegistry), "{e:?}");
    let (rt, _reg) = with_fake(&fx);
    rt.shutdown(false).unwrap();
    assert!(rt
        .push_image(
            "busybox",
            None,
            &berth_storage::registry::PushOptions::default()
        )
        .unwrap_err()
        .is_stopped());
}

#[test]
fn options_carry_the_signature_policy_of_the_config() {
    let fx = Fx::new();
    let policy = fx.rt.signature_policy().unwrap();
    let env = berth_config::Environment::from_process();
    let want = berth_config::signature_policy_path(
        &env,
        std::path::Path::new(berth_config::SIGNATURE_POLICY_PATH),
    );
    assert_eq!(policy, berth_storage::registry::PolicySource::File(want));
}

#[test]
fn options_carry_the_default_auth_files_of_the_environment() {
    let fx = Fx::new();
    let want = berth_config::auth_file_candidates(&berth_config::Environment::from_process());
    assert!(!want.is_empty());
    assert_eq!(fx.rt.pull_options().unwrap().auth.default_files, want);
    assert_eq!(fx.rt.push_options().unwrap().auth.default_files, want);
    let login = fx.rt.login_options().unwrap();
    assert_eq!(login.auth.default_files, want);
    assert_eq!(login.auth.write_target().unwrap(), want[0]);
}
