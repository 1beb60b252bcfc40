//! Registries: pull, push, login and logout through the [`ImageRegistry`] seam, with the
//! rules of registries.conf and the signature policy of the configuration filled in.
//!
//! The runtime built by [`crate::RuntimeBuilder`] talks to real registries through the same
//! store it keeps images in; [`Runtime::with_registry`] swaps in another implementation
//! (`berth_storage::registry::testing::FakeRegistry` in tests).

use std::path::PathBuf;
use std::sync::Arc;

use berth_storage::registry::{
    Alias, AuthOptions, Credentials, ImageRegistry, LoginOptions, PolicySource, PullOptions,
    PullPolicy, PullReport, PushOptions, PushReport, RegistryEntry, RegistryRules, ShortNameMode,
};
use berth_storage::{ImageRecord, RulesSource};

use crate::error::{Error, Result};
use crate::runtime::Runtime;

impl Runtime {
    /// Uses `registry` for pull, push, login and logout.
    #[must_use]
    pub fn with_registry(mut self, registry: Arc<dyn ImageRegistry>) -> Self {
        self.registry = Some(registry);
        self
    }

    fn registry(&self) -> Result<&dyn ImageRegistry> {
        self.check()?;
        self.registry.as_deref().ok_or(Error::NoRegistry)
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

    /// Pulls `reference` (a short name is tried against the search registries) into the store.
    pub fn pull_image(&self, reference: &str, opts: &PullOptions) -> Result<PullReport> {
        Ok(self.registry()?.pull(reference, opts)?)
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
        if policy != PullPolicy::Always {
            match self.storage.resolve_image(reference) {
                Ok(image) => return Ok((image, false)),
                Err(berth_storage::Error::ImageNotFound(_)) if policy == PullPolicy::Missing => {}
                Err(e) => return Err(e.into()),
            }
        }
        Ok((self.pull_image(reference, &opts()?)?.image, true))
    }

    /// Pushes a local image (name or id) to `destination`, or to its own name when `None`.
    pub fn push_image(
        &self,
        image: &str,
        destination: Option<&str>,
        opts: &PushOptions,
    ) -> Result<PushReport> {
        Ok(self.registry()?.push(image, destination, opts)?)
    }

    /// Checks the credentials against `registry` and stores them in the auth file; returns
    /// the file written.
    pub fn login(
        &self,
        registry: &str,
        credentials: &Credentials,
        opts: &LoginOptions,
    ) -> Result<PathBuf> {
        Ok(self.registry()?.login(registry, credentials, opts)?)
    }

    /// Removes the credentials of `registry` (every registry when `None`) from the auth file.
    pub fn logout(&self, registry: Option<&str>, opts: &LoginOptions) -> Result<PathBuf> {
        Ok(self.registry()?.logout(registry, opts)?)
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
