//! `logout`.

use crate::cli::LogoutArgs;
use crate::commands::out;
use berth_runtime::{registry_key, Runtime};

/// Runs `logout`.
pub(super) fn run(rt: &Runtime, a: &LogoutArgs) -> anyhow::Result<u8> {
    let mut opts = rt.login_options()?;
    opts.auth.authfile.clone_from(&a.authfile);
    let registry = a.registry_name.as_deref().map(registry_key);
    rt.logout(registry.as_deref(), &opts)?;
    match registry {
        Some(r) => out(&format!("Removed login credentials for {r}\n"))?,
        None => out("Removed login credentials for all registries\n")?,
    }
    Ok(0)
}
