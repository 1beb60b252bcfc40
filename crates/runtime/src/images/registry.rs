//! Registries: pull, push, login and logout through the [`ImageRegistry`] seam, with the
//! rules of registries.conf and the signature policy of the configuration filled in.
//!
//! The runtime built by [`crate::RuntimeBuilder`] talks to real registries through the same
//! store it keeps images in; [`crate::Layers::registry`] takes another implementation
//! (`berth_storage::registry::testing::FakeRegistry` in tests).

use std::path::PathBuf;

use berth_storage::registry::{
    Alias, AuthOptions, Credentials, ImageRegistry, LoginOptions, PolicySource, PullOptions,
    PullPolicy, PullReport, PushOptions, PushReport, RegistryEntry, RegistryRules, ShortNameMode,
};
use berth_storage::{ImageRecord, Reference, RulesSource};

use crate::error::{Error, Result};
use crate::runtime::Runtime;

/// Transports berth reads with other commands than pull and push; `docker://` is the
/// registry.
const OTHER_TRANSPORTS: &[(&str, &str)] = &[
    ("docker-archive:", "berth load -i FILE"),
    ("oci-archive:", "berth load -i FILE"),
    ("oci:", "berth load"),
    ("dir:", "berth load"),
    ("docker-daemon:", "docker save, then berth load"),
    ("containers-storage:", "berth save, then berth load"),
];

/// A registry reference as pull and push take it: without its optional `docker://`,
/// checked to parse. Another transport (`oci-archive:`, ...) is [`Error::InvalidArgument`]
/// naming the command that reads it (`host:port/...` is a registry, not a transport).
pub fn registry_reference(reference: &str) -> Result<&str> {
    let r = without_transport(reference)?;
    Reference::parse(r)?;
    Ok(r)
}

/// [`registry_reference`] without the parse (an image id passes as it is).
fn without_transport(reference: &str) -> Result<&str> {
    let r = reference.strip_prefix("docker://").unwrap_or(reference);
    if r.len() == reference.len() {
        for (t, instead) in OTHER_TRANSPORTS {
            if let Some(rest) = r.strip_prefix(t) {
                if !rest.starts_with(|c: char| c.is_ascii_digit()) {
                    return Err(Error::invalid(
                        "image reference",
                        reference,
                        format!("only docker:// references come from a registry; use {instead}"),
                    ));
                }
            }
        }
    }
    Ok(r)
}

/// The registry part of a login target: a URL's scheme and `/v2/` path are dropped
/// (`https://quay.io/v2/` is `quay.io`), a namespace is kept (`quay.io/team`).
pub fn registry_key(registry: &str) -> String {
    let r = registry
        .strip_prefix("https://")
        .or_else(|| registry.strip_prefix("http://"))
        .unwrap_or(registry);
    let r = r.strip_prefix("docker://").unwrap_or(r);
    r.strip_suffix("/v2/")
        .or_else(|| r.strip_suffix("/v2"))
        .unwrap_or(r)
        .trim_end_matches('/')
        .to_owned()
}

impl Runtime {
    fn registry(&self) -> Result<&dyn ImageRegistry> {
        self.check()?;
        Ok(self.registry.as_ref())
    }

    /// The rules of registries.conf as the process environment finds it
    /// (`CONTAINERS_REGISTRIES_CONF`, else `/etc/containers/registries.conf` and its drop-ins),
    /// with `short-name-mode` and the aliases of `[aliases]` and the short-name-aliases.conf
    /// cache, read now so an edit applies to the next pull.
    pub fn registry_rules(&self) -> Result<RegistryRules> {
        self.check()?;
        registry_rules()
    }

    /// The signature policy of the configuration, as `berth_config::signature_policy_path`
    /// resolves it: `signature_policy_path` when it was set, else the user's
    /// `~/.config/containers/policy.json` or `/etc/containers/policy.json`.
    pub fn signature_policy(&self) -> Result<PolicySource> {
        self.check()?;
        let env = berth_config::Environment::from_process();
        Ok(PolicySource::File(berth_config::signature_policy_path(
            &env,
            &self.config.signature_policy_path,
        )))
    }

    /// Credentials options with the default auth files of the process environment
    /// (`berth_config::auth_file_candidates`) filled in; the caller adds `--authfile` and
    /// `--creds`.
    pub fn auth_options(&self) -> Result<AuthOptions> {
        self.check()?;
        let env = berth_config::Environment::from_process();
        Ok(AuthOptions {
            default_files: berth_config::auth_file_candidates(&env),
            ..AuthOptions::default()
        })
    }

    /// Pull options with the registry rules, the signature policy and the default auth files
    /// filled in; the caller adds the platform, TLS choice, credentials and progress.
    pub fn pull_options(&self) -> Result<PullOptions> {
        Ok(PullOptions {
            rules: self.registry_rules()?,
            policy: self.signature_policy()?,
            auth: self.auth_options()?,
            ..PullOptions::default()
        })
    }

    /// Push options with the registry rules and the default auth files filled in.
    pub fn push_options(&self) -> Result<PushOptions> {
        Ok(PushOptions {
            rules: self.registry_rules()?,
            auth: self.auth_options()?,
            ..PushOptions::default()
        })
    }

    /// Login options with the registry rules and the default auth files filled in.
    pub fn login_options(&self) -> Result<LoginOptions> {
        Ok(LoginOptions {
            rules: self.registry_rules()?,
            auth: self.auth_options()?,
            ..LoginOptions::default()
        })
    }

    /// Pulls `reference` (a short name is tried against the search registries; `docker://`
    /// may prefix it, see [`registry_reference`]) into the store.
    pub fn pull_image(&self, reference: &str, opts: &PullOptions) -> Result<PullReport> {
        let reference = without_transport(reference)?;
        let report = self.registry()?.pull(reference, opts)?;
        self.image_event(&report.image.id, reference, crate::EventStatus::Pull);
        Ok(report)
    }

    /// `run`/`create --pull`'s policy when the flag is not given: containers.conf's
    /// `engine.pull_policy`, else `missing`.
    pub fn default_pull_policy(&self) -> PullPolicy {
        self.config
            .containers_conf
            .string("engine.pull_policy")
            .and_then(|p| p.parse().ok())
            .unwrap_or(PullPolicy::Missing)
    }

    /// The image `reference` names, pulled first as `policy` says (`run`/`create --pull`).
    /// `opts` is called only when a pull happens, so a local image costs no registries.conf
    /// read. Returns the image and whether it was pulled.
    pub fn ensure_image(
        &self,
        reference: &str,
        policy: PullPolicy,
        opts: impl FnOnce() -> Result<PullOptions>,
    ) -> Result<(ImageRecord, bool)> {
        self.check()?;
        let reference = without_transport(reference)?;
        if policy != PullPolicy::Always {
            match self.storage.resolve_image(reference) {
                Ok(image) => return Ok((image, false)),
                Err(berth_storage::Error::ImageNotFound(_)) if policy == PullPolicy::Missing => {}
                Err(e) => return Err(e.into()),
            }
        }
        Ok((self.pull_image(reference, &opts()?)?.image, true))
    }

    /// Pushes a local image (name or id) to `destination` (`docker://` may prefix it), or
    /// to its own name when `None`.
    pub fn push_image(
        &self,
        image: &str,
        destination: Option<&str>,
        opts: &PushOptions,
    ) -> Result<PushReport> {
        let destination = destination.map(without_transport).transpose()?;
        let report = self.registry()?.push(image, destination, opts)?;
        let id = self
            .storage
            .resolve_image(image)
            .map(|i| i.id)
            .unwrap_or_default();
        self.image_event(&id, &report.destination, crate::EventStatus::Push);
        Ok(report)
    }

    /// Checks the credentials against `registry` (a [`registry_key`] or a URL) and stores
    /// them in the auth file; returns the file written.
    pub fn login(
        &self,
        registry: &str,
        credentials: &Credentials,
        opts: &LoginOptions,
    ) -> Result<PathBuf> {
        Ok(self
            .registry()?
            .login(&registry_key(registry), credentials, opts)?)
    }

    /// The user name stored for `registry` (a [`registry_key`] or a URL), `None` when not
    /// logged in (`login --get-login`).
    pub fn login_user(&self, registry: &str, opts: &LoginOptions) -> Result<Option<String>> {
        self.check()?;
        let key = registry_key(registry);
        let (host, repo) = key.split_once('/').unwrap_or((&key, ""));
        Ok(opts.auth.lookup(host, repo)?.map(|c| c.username))
    }

    /// Removes the credentials of `registry` (a [`registry_key`] or a URL; every registry
    /// when `None`) from the auth file.
    pub fn logout(&self, registry: Option<&str>, opts: &LoginOptions) -> Result<PathBuf> {
        let key = registry.map(registry_key);
        Ok(self.registry()?.logout(key.as_deref(), opts)?)
    }
}

/// registries.conf's rules as [`Runtime::registry_rules`] reads them, for a store opened
/// without a runtime.
pub fn registry_rules() -> Result<RegistryRules> {
    let env = berth_config::Environment::from_process();
    let conf = berth_config::RegistriesConfig::load(&env)?;
    Ok(RegistryRules {
        search: conf.search_registries().to_vec(),
        short_name_mode: match conf.effective_short_name_mode() {
            berth_config::ShortNameMode::Enforcing => ShortNameMode::Enforcing,
            berth_config::ShortNameMode::Permissive => ShortNameMode::Permissive,
            berth_config::ShortNameMode::Disabled => ShortNameMode::Disabled,
        },
        aliases: conf
            .resolved_aliases()
            .into_iter()
            .map(|(name, (target, origin))| {
                let origin = origin.display().to_string();
                (name, Alias { target, origin })
            })
            .collect(),
        registries: conf
            .registries
            .iter()
            .map(|r| RegistryEntry {
                prefix: r.prefix.clone(),
                location: r.location.clone(),
                insecure: r.insecure,
                blocked: r.blocked,
                mirror_by_digest_only: r.mirror_by_digest_only,
                mirrors: r
                    .mirrors
                    .iter()
                    .map(|m| berth_storage::registry::Mirror {
                        location: m.location.clone(),
                        insecure: m.insecure,
                    })
                    .collect(),
            })
            .collect(),
    })
}

/// Where the store finds the aliases and search registries a look-up of a short name needs:
/// registries.conf, read at each such look-up (the runtime's store and the CLI's image
/// commands use it, so `run`, `create` and `image inspect` find what podman finds).
pub fn short_name_rules() -> RulesSource {
    RulesSource::new(|| registry_rules().map_err(|e| Box::new(e) as _))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_keep_to_the_docker_transport() {
        assert_eq!(
            registry_reference("docker://quay.io/a/b:1").unwrap(),
            "quay.io/a/b:1"
        );
        assert_eq!(registry_reference("busybox").unwrap(), "busybox");
        assert_eq!(registry_reference("oci:5000/x").unwrap(), "oci:5000/x");
        let e = registry_reference("oci-archive:/tmp/x.tar")
            .unwrap_err()
            .to_string();
        assert!(e.contains("berth load"), "{e}");
        assert!(registry_reference("dir:/tmp/x").is_err());
        let e = registry_reference("bad//name").unwrap_err().to_string();
        assert!(e.contains("bad//name"), "{e}");
    }

    #[test]
    fn registry_names_lose_scheme_and_api_path() {
        assert_eq!(registry_key("https://quay.io/v2/"), "quay.io");
        assert_eq!(registry_key("127.0.0.1:5000"), "127.0.0.1:5000");
        assert_eq!(registry_key("quay.io/team"), "quay.io/team");
        assert_eq!(registry_key("docker://quay.io/"), "quay.io");
    }
}
