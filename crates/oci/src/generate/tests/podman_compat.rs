//! `/run/.containerenv`, podman's default environment and the user's workdir check.

use std::path::Path;

use super::{Fixture, ID};
use crate::container_spec::{BindMount, ContainerSpec};
use crate::generate::{generate_spec, write_bundle, CONTAINERENV};
use crate::Error;

#[test]
fn default_env_is_podmans_and_unsetenv_drops_it() {
    let f = Fixture::new();
    let mut s = f.spec();
    s.image.env.clear();
    let env_of = |s: &ContainerSpec| {
        generate_spec(s, &f.opts)
            .unwrap()
            .process()
            .as_ref()
            .unwrap()
            .env()
            .clone()
            .unwrap()
    };
    let env = env_of(&s);
    for want in ["TERM=xterm", "container=podman"] {
        assert!(env.contains(&want.to_owned()), "{want} without -t: {env:?}");
    }
    assert!(env.iter().any(|e| e.starts_with("PATH=")));
    s.unset_env = vec!["TERM".into()];
    let env = env_of(&s);
    assert!(!env.iter().any(|e| e.starts_with("TERM=")), "{env:?}");
    assert!(env.contains(&"container=podman".to_owned()));
    s.unset_env_all = true;
    s.env = vec!["TERM=abc".into()];
    let env = env_of(&s);
    for gone in ["PATH=", "container="] {
        assert!(!env.iter().any(|e| e.starts_with(gone)), "{gone}: {env:?}");
    }
    assert!(
        env.contains(&"TERM=abc".to_owned()),
        "the user's own TERM stays"
    );
}

#[test]
fn containerenv_is_empty_unless_privileged() {
    let f = Fixture::new();
    let mut s = f.spec();
    s.name = "web".into();
    s.image_name = "quay.io/x/y:1".into();
    s.image_id = "ab".repeat(32);
    write_bundle(&s, &f.opts).unwrap();
    let file = s.bundle_dir.join(CONTAINERENV);
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "");
    let spec = generate_spec(&s, &f.opts).unwrap();
    let m = spec
        .mounts()
        .as_ref()
        .unwrap()
        .iter()
        .find(|m| m.destination() == Path::new("/run/.containerenv"))
        .expect("/run/.containerenv is mounted");
    assert_eq!(m.source().as_deref(), Some(file.as_path()));
    s.privileged = true;
    write_bundle(&s, &f.opts).unwrap();
    let text = std::fs::read_to_string(&file).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("engine=\"berth-"), "{text}");
    assert_eq!(
        &lines[1..],
        [
            "name=\"web\"".to_owned(),
            format!("id=\"{ID}\""),
            "image=\"quay.io/x/y:1\"".to_owned(),
            format!("imageid=\"{}\"", "ab".repeat(32)),
            "rootless=0".to_owned(),
        ]
    );
}

#[test]
fn a_workdir_the_user_named_must_exist_or_come_from_a_mount() {
    let f = Fixture::new();
    let mut s = f.spec();
    s.workdir_must_exist = true;
    s.workdir = Some("/i/do/not/exist".into());
    match generate_spec(&s, &f.opts).unwrap_err() {
        Error::Runtime { message, class, .. } => {
            assert_eq!(
                message,
                format!("workdir \"/i/do/not/exist\" does not exist on container {ID}")
            );
            assert_eq!(class, crate::ExitCodeClass::Other, "podman's 126");
        }
        e => panic!("{e}"),
    }
    // The image's workdir is made by the runtime, as podman.
    s.workdir_must_exist = false;
    generate_spec(&s, &f.opts).unwrap();
    s.workdir_must_exist = true;
    // Present, also through a symlink that points out of the root (resolved inside it).
    std::fs::create_dir_all(s.rootfs.join("srv/app")).unwrap();
    std::os::unix::fs::symlink("/srv", s.rootfs.join("link")).unwrap();
    for ok in ["/etc", "/srv/app/", "/link/app", "/etc/../srv"] {
        s.workdir = Some(ok.into());
        generate_spec(&s, &f.opts).unwrap_or_else(|e| panic!("{ok}: {e}"));
    }
    std::fs::write(s.rootfs.join("file"), "").unwrap();
    for bad in ["/file", "/link/nope"] {
        s.workdir = Some(bad.into());
        assert!(generate_spec(&s, &f.opts).is_err(), "{bad}");
    }
    // A mount's destination, a directory under one, or one above one.
    s.mounts = vec![BindMount {
        source: f.dir.path().into(),
        destination: "/vol/data".into(),
        ..BindMount::default()
    }];
    for ok in ["/vol/data", "/vol/data/sub", "/vol"] {
        s.workdir = Some(ok.into());
        generate_spec(&s, &f.opts).unwrap_or_else(|e| panic!("{ok}: {e}"));
    }
    s.workdir = Some("/vol/database".into());
    assert!(generate_spec(&s, &f.opts).is_err());
}
