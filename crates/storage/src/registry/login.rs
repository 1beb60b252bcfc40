//! `login` (verify, then store in the auth file) and `logout`.

use std::path::PathBuf;

use super::auth::{AuthFile, AuthOptions, Credentials};
use super::client::{Client, ClientOptions, RetryPolicy};
use super::error::{Error, Result};
use super::pull::insecure_for;
use super::rules::RegistryRules;

/// Options of [`login`] and [`logout`].
#[derive(Debug, Clone, Default)]
pub struct LoginOptions {
    /// `--authfile` (else the default auth file location).
    pub auth: AuthOptions,
    /// registries.conf rules (for `insecure`).
    pub rules: RegistryRules,
    /// `--tls-verify`.
    pub tls_verify: Option<bool>,
    /// Retries.
    pub retry: RetryPolicy,
    /// CA certificates (PEM) to trust instead of the webpki roots.
    pub ca_pem: Option<Vec<u8>>,
    /// certs.d directory (`None`: /etc/containers/certs.d).
    pub certs_dir: Option<std::path::PathBuf>,
}

fn host_of(registry: &str) -> Result<&str> {
    let r = registry
        .trim_start_matches("https://")
        .trim_start_matches("http://")
        .trim_end_matches('/');
    let host = r.split('/').next().unwrap_or("");
    if host.is_empty() || host.contains(|c: char| c.is_whitespace() || c == '@') {
        return Err(Error::InvalidOption(format!(
            "registry {registry:?}: give a host[:port] (optionally /namespace)"
        )));
    }
    Ok(host)
}

/// Checks `credentials` against `registry` (`host[:port][/namespace]`) and,
/// when the registry accepts them, stores them. Returns the auth file written.
pub fn login(registry: &str, credentials: &Credentials, opts: &LoginOptions) -> Result<PathBuf> {
    if credentials.username.is_empty() {
        return Err(Error::InvalidOption("login needs a user name".into()));
    }
    let host = host_of(registry)?;
    let client = Client::connect(
        host,
        &ClientOptions {
            insecure: insecure_for(opts.tls_verify, opts.rules.is_insecure(host)),
            credentials: Some(credentials.clone()),
            retry: opts.retry,
            ca_pem: opts.ca_pem.clone(),
            certs_dir: opts.certs_dir.clone(),
        },
    )?;
    client.verify_login()?;
    let path = opts.auth.write_target()?;
    let mut f = AuthFile::read(&path)?;
    let key = registry
        .trim_start_matches("https://")
        .trim_start_matches("http://")
        .trim_end_matches('/');
    f.set(key, credentials);
    f.write()?;
    Ok(path)
}

/// Removes the stored credentials of `registry` (`None`: all of them).
/// Returns the auth file written.
pub fn logout(registry: Option<&str>, opts: &LoginOptions) -> Result<PathBuf> {
    let path = opts.auth.write_target()?;
    let mut f = AuthFile::read(&path)?;
    match registry {
        None => f.clear(),
        Some(r) => {
            host_of(r)?;
            let key = r
                .trim_start_matches("https://")
                .trim_start_matches("http://")
                .trim_end_matches('/');
            if !f.remove(key) {
                return Err(Error::NotLoggedIn {
                    registry: key.to_string(),
                    path,
                });
            }
        }
    }
    f.write()?;
    Ok(path)
}
