//! The runtime directory of a rootless user and the default tmp dir.
//!
//! The order is the seed's: `XDG_RUNTIME_DIR`; `/run/user/UID` if it is owned
//! by the user with mode 0700; `$TMPDIR/user/UID` under the same check;
//! `$HOME/rundir` with symlinks resolved. Unlike the seed, every place that
//! was tried and rejected is kept: in the error when nothing works, and in
//! [`RuntimeDir::rejected`] (and a debug log) when a later place was used.

use std::fmt;
use std::os::unix::fs::{DirBuilderExt, MetadataExt};
use std::path::{Path, PathBuf};

use crate::{Environment, Error, Result};

/// Where a runtime directory candidate came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuntimeDirSource {
    /// The `XDG_RUNTIME_DIR` variable.
    XdgRuntimeDir,
    /// `/run/user/UID`.
    RunUser,
    /// `$TMPDIR/user/UID` (`/tmp` when `TMPDIR` is unset).
    TmpDirUser,
    /// `$HOME/rundir`.
    HomeRundir,
}

impl fmt::Display for RuntimeDirSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            RuntimeDirSource::XdgRuntimeDir => "XDG_RUNTIME_DIR",
            RuntimeDirSource::RunUser => "/run/user/UID",
            RuntimeDirSource::TmpDirUser => "$TMPDIR/user/UID",
            RuntimeDirSource::HomeRundir => "$HOME/rundir",
        })
    }
}

/// One rejected candidate and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuntimeDirAttempt {
    /// Which rule produced the candidate.
    pub source: RuntimeDirSource,
    /// The candidate path, when there was one.
    pub path: Option<PathBuf>,
    /// Why it was not used.
    pub reason: String,
}

impl fmt::Display for RuntimeDirAttempt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.path {
            Some(p) => write!(f, "{} ({}): {}", self.source, p.display(), self.reason),
            None => write!(f, "{}: {}", self.source, self.reason),
        }
    }
}

/// The chosen runtime directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuntimeDir {
    /// The directory (as the configuration names it, without the root prefix).
    pub path: PathBuf,
    /// Which rule gave it.
    pub source: RuntimeDirSource,
    /// Candidates tried before it and why they were rejected.
    pub rejected: Vec<RuntimeDirAttempt>,
}

/// The runtime directory of a rootless user (see the module docs for the order).
///
/// Like the seed, `/run/user/UID` and `$TMPDIR/user/UID` are created (mode
/// 0700) when missing, below the environment's filesystem root.
pub fn rootless_runtime_dir(env: &Environment) -> Result<RuntimeDir> {
    let uid = env.uid();
    let mut rejected = Vec::new();
    let found = |path: PathBuf, source, rejected: Vec<RuntimeDirAttempt>| {
        for r in &rejected {
            tracing::debug!(uid, candidate = %r, "runtime dir candidate rejected");
        }
        Ok(RuntimeDir {
            path,
            source,
            rejected,
        })
    };

    match env.var("XDG_RUNTIME_DIR") {
        Some(v) if Path::new(v).is_absolute() => {
            return found(PathBuf::from(v), RuntimeDirSource::XdgRuntimeDir, rejected);
        }
        Some(v) => rejected.push(RuntimeDirAttempt {
            source: RuntimeDirSource::XdgRuntimeDir,
            path: Some(PathBuf::from(v)),
            reason: "not an absolute path".to_owned(),
        }),
        None => rejected.push(RuntimeDirAttempt {
            source: RuntimeDirSource::XdgRuntimeDir,
            path: None,
            reason: "not set".to_owned(),
        }),
    }

    let run_user = PathBuf::from(format!("/run/user/{uid}"));
    match private_dir(env, &run_user) {
        Ok(()) => return found(run_user, RuntimeDirSource::RunUser, rejected),
        Err(reason) => rejected.push(RuntimeDirAttempt {
            source: RuntimeDirSource::RunUser,
            path: Some(run_user),
            reason,
        }),
    }

    let tmp = env
        .absolute_var("TMPDIR")
        .unwrap_or_else(|| PathBuf::from("/tmp"));
    let tmp_user = tmp.join("user").join(uid.to_string());
    match private_dir(env, &tmp_user) {
        Ok(()) => return found(tmp_user, RuntimeDirSource::TmpDirUser, rejected),
        Err(reason) => rejected.push(RuntimeDirAttempt {
            source: RuntimeDirSource::TmpDirUser,
            path: Some(tmp_user),
            reason,
        }),
    }

    match env.home() {
        None => rejected.push(RuntimeDirAttempt {
            source: RuntimeDirSource::HomeRundir,
            path: None,
            reason: "HOME is not set to an absolute path".to_owned(),
        }),
        Some(home) => match std::fs::canonicalize(env.host_path(&home)) {
            Ok(resolved) => {
                let path = env.config_path(&resolved).join("rundir");
                return found(path, RuntimeDirSource::HomeRundir, rejected);
            }
            Err(e) => rejected.push(RuntimeDirAttempt {
                source: RuntimeDirSource::HomeRundir,
                path: Some(home.join("rundir")),
                reason: format!("cannot resolve {}: {e}", home.display()),
            }),
        },
    }

    Err(Error::NoRuntimeDir {
        uid,
        attempts: rejected,
    })
}

/// Creates `dir` (0700) when missing and checks it is owned by the user with mode 0700.
fn private_dir(env: &Environment, dir: &Path) -> Result<(), String> {
    let host = env.host_path(dir);
    if let Err(e) = std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(&host)
    {
        return Err(format!("cannot create: {e}"));
    }
    let meta = std::fs::metadata(&host).map_err(|e| format!("cannot inspect: {e}"))?;
    if meta.uid() != env.uid() {
        return Err(format!("owned by uid {}, not {}", meta.uid(), env.uid()));
    }
    let mode = meta.mode() & 0o7777;
    if mode != 0o700 {
        return Err(format!("mode {mode:04o}, not 0700"));
    }
    Ok(())
}

/// The default per-boot tmp dir: `/run/berth` for root, `<runtime dir>/berth/tmp` rootless.
pub fn default_tmp_dir(env: &Environment) -> Result<PathBuf> {
    if env.is_rootless() {
        Ok(rootless_runtime_dir(env)?.path.join("berth").join("tmp"))
    } else {
        Ok(PathBuf::from(crate::defaults::ROOT_TMP_DIR))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;
    use std::os::unix::fs::PermissionsExt;

    fn fake_root() -> (tempfile::TempDir, Environment) {
        let dir = tempfile::tempdir().unwrap();
        let env = Environment::new(1000).with_root(dir.path());
        (dir, env)
    }

    /// The uid of whoever runs the tests (directories we create are theirs) and
    /// another one (directories we create are not its).
    fn me_and_other() -> (u32, u32) {
        let me = Environment::from_process().uid();
        (me, me + 1)
    }

    #[test]
    fn xdg_runtime_dir_wins_without_checks() {
        let (_d, env) = fake_root();
        let env = env.with_var("XDG_RUNTIME_DIR", "/run/user/1000");
        let rd = rootless_runtime_dir(&env).unwrap();
        assert_eq!(rd.path, PathBuf::from("/run/user/1000"));
        assert_eq!(rd.source, RuntimeDirSource::XdgRuntimeDir);
        assert!(rd.rejected.is_empty());
    }

    #[test]
    fn run_user_is_used_when_owned_with_mode_0700() {
        let (me, _) = me_and_other();
        let (d, env) = fake_root();
        let env = env.with_uid(me);
        let dir = d.path().join(format!("run/user/{me}"));
        fs::create_dir_all(&dir).unwrap();
        fs::set_permissions(&dir, fs::Permissions::from_mode(0o700)).unwrap();
        let rd = rootless_runtime_dir(&env).unwrap();
        assert_eq!(rd.path, PathBuf::from(format!("/run/user/{me}")));
        assert_eq!(rd.source, RuntimeDirSource::RunUser);
        assert_eq!(rd.rejected.len(), 1);
        assert_eq!(rd.rejected[0].to_string(), "XDG_RUNTIME_DIR: not set");
    }

    #[test]
    fn a_dir_of_another_owner_is_rejected() {
        let (me, other) = me_and_other();
        let (d, env) = fake_root();
        // Both candidates are made by us, so neither belongs to `other`.
        let env = env
            .with_uid(other)
            .with_var("TMPDIR", "/scratch")
            .with_var("HOME", "/home/alice");
        fs::create_dir_all(d.path().join("home/alice")).unwrap();
        let rd = rootless_runtime_dir(&env).unwrap();
        assert_eq!(rd.source, RuntimeDirSource::HomeRundir);
        let reasons: Vec<String> = rd.rejected.iter().map(ToString::to_string).collect();
        assert_eq!(
            reasons,
            [
                "XDG_RUNTIME_DIR: not set".to_owned(),
                format!("/run/user/UID (/run/user/{other}): owned by uid {me}, not {other}"),
                format!("$TMPDIR/user/UID (/scratch/user/{other}): owned by uid {me}, not {other}"),
            ]
        );
    }

    #[test]
    fn a_dir_with_a_wider_mode_is_rejected_until_it_is_0700() {
        let (me, _) = me_and_other();
        let (d, env) = fake_root();
        let env = env.with_uid(me).with_var("TMPDIR", "/scratch");
        let run = d.path().join(format!("run/user/{me}"));
        fs::create_dir_all(&run).unwrap();
        fs::set_permissions(&run, fs::Permissions::from_mode(0o755)).unwrap();
        let tmp = d.path().join(format!("scratch/user/{me}"));
        fs::create_dir_all(&tmp).unwrap();
        fs::set_permissions(&tmp, fs::Permissions::from_mode(0o755)).unwrap();
        let err = rootless_runtime_dir(&env).unwrap_err().to_string();
        assert!(
            err.contains(&format!(
                "/run/user/UID (/run/user/{me}): mode 0755, not 0700"
            )),
            "{err}"
        );
        fs::set_permissions(&tmp, fs::Permissions::from_mode(0o700)).unwrap();
        let rd = rootless_runtime_dir(&env).unwrap();
        assert_eq!(rd.path, PathBuf::from(format!("/scratch/user/{me}")));
        assert_eq!(rd.source, RuntimeDirSource::TmpDirUser);
    }

    #[test]
    fn home_rundir_resolves_symlinks() {
        let (_, other) = me_and_other();
        let (d, env) = fake_root();
        fs::create_dir_all(d.path().join("data/alice")).unwrap();
        fs::create_dir_all(d.path().join("home")).unwrap();
        std::os::unix::fs::symlink(d.path().join("data/alice"), d.path().join("home/alice"))
            .unwrap();
        let env = env.with_uid(other).with_var("HOME", "/home/alice");
        let rd = rootless_runtime_dir(&env).unwrap();
        assert_eq!(rd.path, PathBuf::from("/data/alice/rundir"));
        assert_eq!(rd.rejected.len(), 3);
    }

    #[test]
    fn every_failure_is_reported_when_nothing_works() {
        let (d, env) = fake_root();
        // Make /run a file so /run/user/1000 cannot be created; same for /tmp.
        fs::write(d.path().join("run"), "").unwrap();
        fs::write(d.path().join("tmp"), "").unwrap();
        let err = rootless_runtime_dir(&env).unwrap_err();
        let msg = err.to_string();
        assert!(
            msg.starts_with("no usable runtime directory for uid 1000: XDG_RUNTIME_DIR: not set; "),
            "{msg}"
        );
        assert!(
            msg.contains("/run/user/UID (/run/user/1000): cannot create: "),
            "{msg}"
        );
        assert!(
            msg.contains("$TMPDIR/user/UID (/tmp/user/1000): cannot create: "),
            "{msg}"
        );
        assert!(
            msg.ends_with("$HOME/rundir: HOME is not set to an absolute path"),
            "{msg}"
        );
        match err {
            Error::NoRuntimeDir { uid, attempts } => {
                assert_eq!(uid, 1000);
                assert_eq!(attempts.len(), 4);
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn unresolvable_home_and_relative_xdg_are_reported() {
        let (d, env) = fake_root();
        fs::write(d.path().join("run"), "").unwrap();
        fs::write(d.path().join("tmp"), "").unwrap();
        let env = env
            .with_var("XDG_RUNTIME_DIR", "run/me")
            .with_var("HOME", "/home/ghost");
        let msg = rootless_runtime_dir(&env).unwrap_err().to_string();
        assert!(
            msg.contains("XDG_RUNTIME_DIR (run/me): not an absolute path"),
            "{msg}"
        );
        assert!(
            msg.contains("$HOME/rundir (/home/ghost/rundir): cannot resolve /home/ghost: "),
            "{msg}"
        );
    }

    #[test]
    fn default_tmp_dir_for_root_and_rootless() {
        assert_eq!(
            default_tmp_dir(&Environment::new(0)).unwrap(),
            PathBuf::from("/run/berth")
        );
        let env = Environment::new(1000).with_var("XDG_RUNTIME_DIR", "/run/user/1000");
        assert_eq!(
            default_tmp_dir(&env).unwrap(),
            PathBuf::from("/run/user/1000/berth/tmp")
        );
    }
}
