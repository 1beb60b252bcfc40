//! Healthchecks with fakes: the health log's rules (healthy, streak, unhealthy, five
//! results), refusals, the image's `HEALTHCHECK` as the default, `health=` filters.

use berth_oci::testing::Call;

use super::Fx;
use crate::{ContainerCreateOptions, ErrorKind, HealthCheckOutcome, Healthcheck};

fn hc(cmd: &str, retries: u32) -> Healthcheck {
    Healthcheck {
        test: vec!["CMD-SHELL".into(), cmd.into()],
        interval_secs: 30,
        timeout_secs: 5,
        start_period_secs: 0,
        retries,
        on_failure: "none".into(),
    }
}

fn running(fx: &Fx, name: &str, check: Option<Healthcheck>) -> String {
    let o = ContainerCreateOptions {
        name: Some(name.into()),
        healthcheck: check,
        ..ContainerCreateOptions::new("busybox", &["sleep", "100"])
    };
    let id = fx.rt.create_container(&o).unwrap().config.id;
    fx.rt.start_container(&id).unwrap();
    id
}

fn health(fx: &Fx, id: &str) -> crate::HealthCheckResults {
    let rec = fx.rt.container(id).unwrap();
    fx.rt.container_health(&rec).unwrap()
}

#[test]
fn results_make_it_healthy_then_unhealthy_after_the_retries() {
    let fx = Fx::new();
    let id = running(&fx, "c", Some(hc("echo hi", 2)));
    assert_eq!(health(&fx, &id).status, "starting");
    fx.oci.set_exec_result(0, b"hi\n");
    assert_eq!(
        fx.rt.run_healthcheck("c").unwrap(),
        HealthCheckOutcome::Healthy
    );
    let h = health(&fx, &id);
    assert_eq!((h.status.as_str(), h.failing_streak), ("healthy", 0));
    assert_eq!((h.log[0].exit_code, h.log[0].output.as_str()), (0, "hi"));
    let exec = fx
        .oci
        .calls()
        .into_iter()
        .find_map(|c| match c {
            Call::Exec(r) => Some(r),
            _ => None,
        })
        .unwrap();
    assert_eq!(exec.args, ["/bin/sh", "-c", "echo hi"]);
    assert!(exec.session_id.starts_with("healthcheck-"));

    fx.oci.set_exec_result(7, b"no\n");
    assert_eq!(
        fx.rt.run_healthcheck("c").unwrap(),
        HealthCheckOutcome::Unhealthy
    );
    let h = health(&fx, &id);
    assert_eq!((h.status.as_str(), h.failing_streak), ("healthy", 1));
    assert_eq!(h.log[1].exit_code, 1, "podman records 1 for any failure");
    fx.rt.run_healthcheck("c").unwrap();
    assert_eq!(health(&fx, &id).status, "unhealthy");
    let rec = fx.rt.container(&id).unwrap();
    assert_eq!(fx.rt.health_status(&rec).as_deref(), Some("unhealthy"));
    for _ in 0..4 {
        fx.rt.run_healthcheck("c").unwrap();
    }
    assert_eq!(health(&fx, &id).log.len(), 5);
    // A pass clears the streak.
    fx.oci.set_exec_result(0, b"");
    fx.rt.run_healthcheck("c").unwrap();
    let h = health(&fx, &id);
    assert_eq!((h.status.as_str(), h.failing_streak), ("healthy", 0));
}

#[test]
fn what_cannot_be_checked_is_refused() {
    let fx = Fx::new();
    running(&fx, "plain", None);
    let e = fx.rt.run_healthcheck("plain").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidState);
    assert!(e.to_string().ends_with("has no defined healthcheck"), "{e}");
    running(&fx, "off", Some(Healthcheck::disabled()));
    assert!(fx.rt.run_healthcheck("off").is_err());
    let rec = fx.rt.container("off").unwrap();
    assert!(fx.rt.container_health(&rec).is_none());

    let o = ContainerCreateOptions {
        name: Some("idle".into()),
        healthcheck: Some(hc("true", 1)),
        ..ContainerCreateOptions::new("busybox", &["true"])
    };
    fx.rt.create_container(&o).unwrap();
    let e = fx.rt.run_healthcheck("idle").unwrap_err();
    assert!(e.to_string().ends_with("is not running"), "{e}");
    assert_eq!(
        fx.rt.run_healthcheck("nope").unwrap_err().kind(),
        ErrorKind::NotFound
    );
}

#[test]
fn the_image_healthcheck_is_the_default() {
    let fx = Fx::new();
    fx.storage.add_image(
        &["hcimg"],
        berth_storage::ImageConfig {
            healthcheck: Some(berth_storage::HealthConfig {
                test: vec!["CMD".into(), "true".into()],
                interval: 5_000_000_000,
                ..Default::default()
            }),
            ..Default::default()
        },
    );
    let rec = fx
        .rt
        .create_container(&ContainerCreateOptions::new("hcimg", &["sleep", "1"]))
        .unwrap();
    let h = crate::configured_healthcheck(&rec).unwrap();
    assert_eq!(
        (
            h.test[1].as_str(),
            h.interval_secs,
            h.timeout_secs,
            h.retries
        ),
        ("true", 5, 30, 3)
    );
    let off = ContainerCreateOptions {
        healthcheck: Some(Healthcheck::disabled()),
        ..ContainerCreateOptions::new("hcimg", &["sleep", "1"])
    };
    let rec = fx.rt.create_container(&off).unwrap();
    assert!(!crate::configured_healthcheck(&rec).unwrap().is_enabled());
    let inspect = fx.rt.inspect_container(&rec.config.id).unwrap();
    assert_eq!(inspect.config.healthcheck.unwrap().test, ["NONE"]);
}

#[test]
fn health_filters_read_the_log() {
    let fx = Fx::new();
    running(&fx, "plain", None);
    running(&fx, "checked", Some(hc("true", 1)));
    let names = |word: &str| -> Vec<String> {
        let f = crate::parse_filters(crate::FilterTarget::Containers, &[format!("health={word}")])
            .unwrap();
        fx.rt
            .list_containers_filtered(&crate::ListOptions::default(), &f)
            .unwrap()
            .into_iter()
            .map(|r| r.config.name)
            .collect()
    };
    assert_eq!(names("none"), ["plain"]);
    assert_eq!(names("starting"), ["checked"]);
    fx.oci.set_exec_result(0, b"");
    fx.rt.run_healthcheck("checked").unwrap();
    assert_eq!(names("healthy"), ["checked"]);
    assert!(names("unhealthy").is_empty());
    assert!(
        crate::parse_filters(crate::FilterTarget::Containers, &["health=sick".to_owned()]).is_err()
    );
}
