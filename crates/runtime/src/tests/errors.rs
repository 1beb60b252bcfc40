//! `Error::kind()`: each failure a caller branches on has its kind, decided from the typed
//! variants (the layers' errors included), never from the message.

use berth_config::testing::InjectFailures as _;
use berth_oci::testing::Op;

use super::Fx;
use crate::{ContainerCreateOptions, ErrorKind, OciFailure, VolumeCreateOptions};

#[test]
fn lookups_of_missing_objects_are_not_found() {
    let fx = Fx::new();
    assert_eq!(
        fx.rt.container("ghost").unwrap_err().kind(),
        ErrorKind::NotFound
    );
    assert_eq!(fx.rt.pod("ghost").unwrap_err().kind(), ErrorKind::NotFound);
    assert_eq!(
        fx.rt.inspect_volume("ghost").unwrap_err().kind(),
        ErrorKind::NotFound
    );
    let o = ContainerCreateOptions::new("no-such-image", &[]);
    assert_eq!(
        fx.rt.create_container(&o).unwrap_err().kind(),
        ErrorKind::NotFound
    );
}

#[test]
fn taken_names_already_exist_and_used_objects_are_in_use() {
    let fx = Fx::new();
    let id = fx.create("web");
    let mut o = ContainerCreateOptions::new("busybox", &[]);
    o.name = Some("web".into());
    assert_eq!(
        fx.rt.create_container(&o).unwrap_err().kind(),
        ErrorKind::AlreadyExists
    );

    let v = VolumeCreateOptions {
        name: Some("data".into()),
        ..Default::default()
    };
    fx.rt.create_volume(&v).unwrap();
    assert_eq!(
        fx.rt.create_volume(&v).unwrap_err().kind(),
        ErrorKind::AlreadyExists
    );

    fx.rt.start_container(&id).unwrap();
    let err = fx.rt.remove_container(&id, false, false).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidState, "{err}");
}

#[test]
fn bad_input_is_invalid_input() {
    let fx = Fx::new();
    let mut o = ContainerCreateOptions::new("busybox", &[]);
    o.name = Some("bad name!".into());
    let err = fx.rt.create_container(&o).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput, "{err}");
}

#[test]
fn oci_runtime_failures_carry_podmans_class() {
    let fx = Fx::new();
    let cases = [
        (
            "exec: \"nosuch\": executable file not found in $PATH",
            OciFailure::CommandNotFound,
        ),
        (
            "exec: \"/etc\": permission denied",
            OciFailure::CannotInvoke,
        ),
        ("cgroup setup went wrong", OciFailure::Other),
    ];
    for (i, (message, class)) in cases.into_iter().enumerate() {
        let id = fx.create(&format!("c{i}"));
        fx.oci.fail_with_runtime_message(Op::Start, message);
        let err = fx.rt.start_container(&id).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::OciRuntime(class), "{err}");
        fx.oci.clear_failure(&Op::Start);
    }
}

#[test]
fn a_stopped_runtime_says_so() {
    let fx = Fx::new();
    fx.rt.shutdown(false).unwrap();
    assert_eq!(fx.rt.container("x").unwrap_err().kind(), ErrorKind::Stopped);
}
