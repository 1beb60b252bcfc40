//! mounts.conf: host paths every container gets (containers/common's subscriptions).

use std::path::{Path, PathBuf};

use crate::{Environment, Error, Result};

/// The distribution's mounts.conf.
pub const MOUNTS_CONF_VENDOR_PATH: &str = "/usr/share/containers/mounts.conf";
/// The administrator's mounts.conf, used in place of the distribution's when present.
pub const MOUNTS_CONF_ADMIN_PATH: &str = "/etc/containers/mounts.conf";

/// One default mount: `HOST[:CONTAINER]` of a mounts.conf line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DefaultMount {
    /// The host path.
    pub source: PathBuf,
    /// Where it appears in the container (the host path when the line names one path).
    pub destination: PathBuf,
}

/// The mounts.conf berth reads, `(on disk, as named)`, as podman picks it: `explicit`
/// (`--default-mounts-file`) alone when given; else the first present of, rootless,
/// `$HOME/.config/containers/mounts.conf`, then `/etc/containers/mounts.conf`,
/// then `/usr/share/containers/mounts.conf`.
pub fn mounts_conf_file(env: &Environment, explicit: Option<&Path>) -> Option<(PathBuf, PathBuf)> {
    if let Some(p) = explicit {
        return p.exists().then(|| (p.to_path_buf(), p.to_path_buf()));
    }
    let mut candidates = Vec::new();
    if env.is_rootless() {
        candidates.extend(env.home().map(|h| h.join(".config/containers/mounts.conf")));
    }
    candidates.push(PathBuf::from(MOUNTS_CONF_ADMIN_PATH));
    candidates.push(PathBuf::from(MOUNTS_CONF_VENDOR_PATH));
    candidates
        .into_iter()
        .map(|p| (env.host_path(&p), p))
        .find(|(host, _)| host.is_file())
}

/// Reads a mounts.conf: one `HOST[:CONTAINER]` per line, `#` comments and blank lines
/// skipped; both paths must be absolute (an error names the file and line).
pub fn read_mounts_conf(host: &Path, shown: &Path) -> Result<Vec<DefaultMount>> {
    let text = std::fs::read_to_string(host).map_err(|source| Error::Read {
        path: shown.to_path_buf(),
        source,
    })?;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (source, destination) = line.split_once(':').unwrap_or((line, line));
        let (source, destination) = (PathBuf::from(source), PathBuf::from(destination));
        if !source.is_absolute() || !destination.is_absolute() {
            return Err(Error::InvalidValue {
                path: shown.to_path_buf(),
                line: i + 1,
                column: 1,
                key: "mounts.conf".into(),
                expected: "HOST[:CONTAINER] with absolute paths".into(),
                found: format!("{line:?}"),
            });
        }
        out.push(DefaultMount {
            source,
            destination,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_present_file_and_its_lines() {
        let dir = tempfile::tempdir().unwrap();
        let env = Environment::new(0).with_root(dir.path());
        assert_eq!(mounts_conf_file(&env, None), None);
        let write = |p: &str, text: &str| {
            let host = env.host_path(Path::new(p));
            std::fs::create_dir_all(host.parent().unwrap()).unwrap();
            std::fs::write(&host, text).unwrap();
            host
        };
        write(MOUNTS_CONF_VENDOR_PATH, "/a\n");
        let admin = write(
            MOUNTS_CONF_ADMIN_PATH,
            "# c\n\n/usr/share/rhel/secrets:/run/secrets\n/b\n",
        );
        let (host, shown) = mounts_conf_file(&env, None).unwrap();
        assert_eq!(
            (host.as_path(), shown.as_path()),
            (admin.as_path(), Path::new(MOUNTS_CONF_ADMIN_PATH))
        );
        let mounts = read_mounts_conf(&host, &shown).unwrap();
        assert_eq!(mounts[0].destination, Path::new("/run/secrets"));
        assert_eq!(mounts[1].source, mounts[1].destination);
        let user_root = Environment::new(1000)
            .with_var("HOME", "/home/u")
            .with_root(dir.path());
        write("/home/u/.config/containers/mounts.conf", "/u\n");
        assert_eq!(
            mounts_conf_file(&user_root, None).unwrap().1,
            Path::new("/home/u/.config/containers/mounts.conf")
        );
        write("/bad.conf", "/x\nrelative:/y\n");
        let err = read_mounts_conf(
            &env.host_path(Path::new("/bad.conf")),
            Path::new("/bad.conf"),
        )
        .unwrap_err();
        assert_eq!(err.to_string(), "/bad.conf:2:1: `mounts.conf`: expected HOST[:CONTAINER] with absolute paths, found \"relative:/y\"");
    }
}
