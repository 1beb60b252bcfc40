//! Other well-known files of the engine: the seccomp profile, the signature
//! policy and registry credentials.
//!
//! These are the one place their rules live: the layers (oci, storage) take
//! the paths as options and never read the environment for them; the
//! runtime resolves them here and passes them down.

use std::path::{Path, PathBuf};

use crate::Environment;

/// The default seccomp profile (the seed's `SeccompDefaultPath`).
pub const SECCOMP_DEFAULT_PATH: &str = "/usr/share/containers/seccomp.json";
/// A seccomp profile that, when present, is used instead (the seed's `SeccompOverridePath`).
pub const SECCOMP_OVERRIDE_PATH: &str = "/etc/crio/seccomp.json";
/// The variable naming the registry credentials file, as in containers/image.
pub const REGISTRY_AUTH_FILE_ENV_VAR: &str = "REGISTRY_AUTH_FILE";

/// The default seccomp profiles, most preferred first: the override, then
/// the default. The first of them that exists is the profile of a container
/// created without `--security-opt seccomp=...`; it is looked up when the
/// container is created, so a profile installed later is seen.
pub fn seccomp_profile_candidates() -> Vec<PathBuf> {
    vec![
        PathBuf::from(SECCOMP_OVERRIDE_PATH),
        PathBuf::from(SECCOMP_DEFAULT_PATH),
    ]
}

/// The seccomp profile to use: the first of [`seccomp_profile_candidates`]
/// that exists (below the environment's root), else the default (which may
/// itself be missing).
pub fn seccomp_profile_path(env: &Environment) -> PathBuf {
    seccomp_profile_candidates()
        .into_iter()
        .find(|p| env.host_path(p).is_file())
        .unwrap_or_else(|| PathBuf::from(SECCOMP_DEFAULT_PATH))
}

/// The signature policy file a pull uses: `configured` (the configuration's
/// `signature_policy_path`, or `--signature-policy`) when it is not the
/// built-in default; else the user's `~/.config/containers/policy.json` when
/// it exists (below the environment's root), else the system-wide
/// [`SIGNATURE_POLICY_PATH`](crate::SIGNATURE_POLICY_PATH), as
/// containers/image does.
pub fn signature_policy_path(env: &Environment, configured: &Path) -> PathBuf {
    if configured != Path::new(crate::SIGNATURE_POLICY_PATH) {
        return configured.to_path_buf();
    }
    env.home()
        .map(|h| h.join(".config/containers/policy.json"))
        .filter(|p| env.host_path(p).is_file())
        .unwrap_or_else(|| configured.to_path_buf())
}

/// Registry credential files, most preferred first.
///
/// `REGISTRY_AUTH_FILE` alone when set; else `$XDG_RUNTIME_DIR/containers/auth.json`
/// (`/run/containers/UID/auth.json` when the variable is unset), then
/// `$XDG_CONFIG_HOME/containers/auth.json` (else `~/.config/containers/auth.json`).
/// The files need not exist; a writer uses the first, a reader the first that exists.
pub fn auth_file_candidates(env: &Environment) -> Vec<PathBuf> {
    if let Some(f) = env.var(REGISTRY_AUTH_FILE_ENV_VAR) {
        return vec![PathBuf::from(f)];
    }
    let mut out = Vec::new();
    match env.absolute_var("XDG_RUNTIME_DIR") {
        Some(d) => out.push(d.join("containers/auth.json")),
        None => out.push(PathBuf::from(format!(
            "/run/containers/{}/auth.json",
            env.uid()
        ))),
    }
    if let Some(c) = config_home(env) {
        out.push(c.join("containers/auth.json"));
    }
    out
}

/// `$XDG_CONFIG_HOME`, else `~/.config`.
pub(crate) fn config_home(env: &Environment) -> Option<PathBuf> {
    env.absolute_var("XDG_CONFIG_HOME")
        .or_else(|| env.home().map(|h| h.join(".config")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seccomp_override_wins_when_present() {
        let root = tempfile::tempdir().unwrap();
        let env = Environment::new(0).with_root(root.path());
        assert_eq!(
            seccomp_profile_path(&env),
            PathBuf::from(SECCOMP_DEFAULT_PATH)
        );
        std::fs::create_dir_all(root.path().join("etc/crio")).unwrap();
        std::fs::write(root.path().join("etc/crio/seccomp.json"), "{}").unwrap();
        assert_eq!(
            seccomp_profile_path(&env),
            PathBuf::from(SECCOMP_OVERRIDE_PATH)
        );
    }

    #[test]
    fn seccomp_candidates_put_the_override_first() {
        assert_eq!(
            seccomp_profile_candidates(),
            [
                PathBuf::from(SECCOMP_OVERRIDE_PATH),
                PathBuf::from(SECCOMP_DEFAULT_PATH)
            ]
        );
    }

    #[test]
    fn signature_policy_prefers_the_configured_then_the_users_file() {
        let root = tempfile::tempdir().unwrap();
        let env = Environment::new(1000)
            .with_root(root.path())
            .with_var("HOME", "/home/alice");
        let system = Path::new(crate::SIGNATURE_POLICY_PATH);
        assert_eq!(signature_policy_path(&env, system), system);
        let user = root.path().join("home/alice/.config/containers");
        std::fs::create_dir_all(&user).unwrap();
        std::fs::write(user.join("policy.json"), "{}").unwrap();
        assert_eq!(
            signature_policy_path(&env, system),
            PathBuf::from("/home/alice/.config/containers/policy.json")
        );
        // A configured file wins over the user's, even when missing.
        assert_eq!(
            signature_policy_path(&env, Path::new("/etc/x/p.json")),
            PathBuf::from("/etc/x/p.json")
        );
        // A relative or missing HOME is no home.
        for env in [env.clone().with_var("HOME", "rel"), env.without_var("HOME")] {
            assert_eq!(signature_policy_path(&env, system), system);
        }
    }

    #[test]
    fn auth_files_follow_containers_image_order() {
        let env = Environment::new(1000)
            .with_var("XDG_RUNTIME_DIR", "/run/user/1000")
            .with_var("HOME", "/home/alice");
        assert_eq!(
            auth_file_candidates(&env),
            [
                PathBuf::from("/run/user/1000/containers/auth.json"),
                PathBuf::from("/home/alice/.config/containers/auth.json"),
            ]
        );
        let env = Environment::new(0)
            .with_var("HOME", "/root")
            .with_var("XDG_CONFIG_HOME", "/cfg");
        assert_eq!(
            auth_file_candidates(&env),
            [
                PathBuf::from("/run/containers/0/auth.json"),
                PathBuf::from("/cfg/containers/auth.json")
            ]
        );
        let env = env.with_var("REGISTRY_AUTH_FILE", "/x/auth.json");
        assert_eq!(auth_file_candidates(&env), [PathBuf::from("/x/auth.json")]);
        assert_eq!(
            auth_file_candidates(&Environment::new(0)),
            [PathBuf::from("/run/containers/0/auth.json")]
        );
    }
}
