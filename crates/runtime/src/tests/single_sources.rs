//! Rules that live in one place below the runtime (the signal parser of berth-oci, the name
//! rule of berth-config), checked where the runtime applies them.

use super::Fx;
use crate::ContainerCreateOptions;

fn image_with_stop_signal(fx: &Fx, name: &str, signal: &str) {
    fx.storage.add_image(
        &[name],
        berth_storage::ImageConfig {
            cmd: Some(vec!["sh".into()]),
            stop_signal: Some(signal.into()),
            ..Default::default()
        },
    );
}

#[test]
fn an_image_stop_signal_is_read_by_the_one_signal_parser() {
    let fx = Fx::new();
    for (image, signal, want) in [
        ("quit", "SIGQUIT", libc::SIGQUIT),
        ("lower", "int", libc::SIGINT),
        ("number", "10", libc::SIGUSR1),
        ("realtime", "SIGRTMIN+3", 37),
        ("alias", "SIGIOT", libc::SIGABRT),
        ("nonsense", "SIGNOPE", libc::SIGTERM),
        ("zero", "0", libc::SIGTERM),
    ] {
        image_with_stop_signal(&fx, image, signal);
        let rec = fx
            .rt
            .create_container(&ContainerCreateOptions::new(image, &[]))
            .unwrap();
        assert_eq!(
            i64::from(rec.config.stop_signal),
            i64::from(want),
            "{image}: {signal}"
        );
    }
}

#[test]
fn the_users_stop_signal_wins_over_the_images() {
    let fx = Fx::new();
    image_with_stop_signal(&fx, "quit", "SIGQUIT");
    let mut opts = ContainerCreateOptions::new("quit", &[]);
    opts.stop_signal = Some(9);
    let rec = fx.rt.create_container(&opts).unwrap();
    assert_eq!(rec.config.stop_signal, 9);
}
