//! `-v/--volume`, `--mount` and `--tmpfs`: what a container mounts. The
//! values are parsed by the runtime ([`berth_runtime::parse_volume`] and its
//! siblings, which document the forms); here each gets its flag's name, and
//! a destination takes one mount across the three flags (the same one twice counts once).

use crate::error::{CliError, Result};
pub use berth_runtime::ContainerMount;
use std::path::Path;

/// Parses `-v`, `--mount` and `--tmpfs` together; a destination may be
/// used once. `cwd` resolves relative bind sources.
pub fn parse_mounts(
    volumes: &[String],
    mounts: &[String],
    tmpfs: &[String],
    cwd: &Path,
) -> Result<Vec<ContainerMount>> {
    let mut out: Vec<ContainerMount> = Vec::new();
    // As podman: the very same mount twice counts once; another on its destination fails.
    let mut push = |spec: ContainerMount| -> Result<()> {
        match out.iter().find(|m| m.destination() == spec.destination()) {
            Some(m) if *m == spec => Ok(()),
            Some(_) => Err(CliError::DuplicateMount(spec.destination().to_path_buf())),
            None => {
                out.push(spec);
                Ok(())
            }
        }
    };
    for v in volumes {
        push(parse_volume(v, cwd)?)?;
    }
    for m in mounts {
        push(parse_mount(m, cwd)?)?;
    }
    for t in tmpfs {
        push(parse_tmpfs(t)?)?;
    }
    Ok(out)
}

/// Parses one `-v` value.
pub fn parse_volume(value: &str, cwd: &Path) -> Result<ContainerMount> {
    Ok(berth_runtime::parse_volume("--volume", value, cwd)?)
}

/// Parses one `--mount` value.
pub fn parse_mount(value: &str, cwd: &Path) -> Result<ContainerMount> {
    Ok(berth_runtime::parse_mount("--mount", value, cwd)?)
}

/// Parses one `--tmpfs DST[:OPTS]` value.
pub fn parse_tmpfs(value: &str) -> Result<ContainerMount> {
    Ok(berth_runtime::parse_tmpfs("--tmpfs", value)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn cwd() -> PathBuf {
        PathBuf::from("/home/u/work")
    }

    #[test]
    fn each_flag_is_named_in_its_errors() {
        for (e, flag) in [
            (parse_volume("a:b:c:d", &cwd()).unwrap_err(), "--volume"),
            (
                parse_mount("type=nfs,dst=/b", &cwd()).unwrap_err(),
                "--mount",
            ),
            (parse_tmpfs("tmp").unwrap_err(), "--tmpfs"),
        ] {
            let e = e.to_string();
            assert!(e.starts_with("invalid value") && e.contains(flag), "{e}");
        }
    }

    #[test]
    fn duplicate_destinations_across_flags() {
        let e = parse_mounts(&["/a:/data".into()], &[], &["/data/".into()], &cwd())
            .unwrap_err()
            .to_string();
        assert_eq!(e, "/data: duplicate mount destination");
        // 160-volumes "podman volume duplicates": the same mount twice is one.
        let same = |v: &[&str], t: &[&str]| {
            let s = |x: &[&str]| x.iter().map(|&y| y.to_owned()).collect::<Vec<_>>();
            parse_mounts(&s(v), &[], &s(t), &cwd())
        };
        assert_eq!(same(&["/a:/v1", "/a:/v1"], &[]).unwrap().len(), 1);
        assert_eq!(same(&["n:/v1", "n:/v1"], &[]).unwrap().len(), 1);
        assert_eq!(same(&[], &["/v1", "/v1"]).unwrap().len(), 1);
        for (v, t, dest) in [
            (&["/a:/v1", "/b:/v1"][..], &[][..], "/v1"),
            (&["n:/v1", "m:/v1"], &[], "/v1"),
            (&[], &["/v1", "/v1:ro"], "/v1"),
            (&["n:/v2"], &["/v2"], "/v2"),
            (&["/a:/v1:ro", "/a:/v1"], &[], "/v1"),
        ] {
            let e = same(v, t).unwrap_err();
            assert_eq!(
                e.to_string(),
                format!("{dest}: duplicate mount destination")
            );
        }
        let all = parse_mounts(
            &["v:/v".into()],
            &["type=bind,src=/x,dst=/x".into()],
            &["/t".into()],
            &cwd(),
        )
        .unwrap();
        assert_eq!(all.len(), 3);
    }
}
