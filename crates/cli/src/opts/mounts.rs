//! `-v/--volume`, `--mount` and `--tmpfs`: what a container mounts. The
//! values are parsed by the runtime ([`berth_runtime::parse_volume`] and its
//! siblings, which document the forms); here each gets its flag's name, and
//! a destination may be used once across the three flags.

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
    let mut push = |spec: ContainerMount, flag: &str, value: &str| -> Result<()> {
        if out.iter().any(|m| m.destination() == spec.destination()) {
            return Err(CliError::invalid(
                flag,
                value,
                format!(
                    "{} is already a mount destination",
                    spec.destination().display()
                ),
            ));
        }
        out.push(spec);
        Ok(())
    };
    for v in volumes {
        push(parse_volume(v, cwd)?, "--volume", v)?;
    }
    for m in mounts {
        push(parse_mount(m, cwd)?, "--mount", m)?;
    }
    for t in tmpfs {
        push(parse_tmpfs(t)?, "--tmpfs", t)?;
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
        assert!(
            e.contains("--tmpfs") && e.contains("already a mount destination"),
            "{e}"
        );
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
