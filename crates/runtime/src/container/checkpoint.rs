//! checkpoint and restore: need CRIU; berth says so by name instead of failing inside runc.

use std::path::PathBuf;

use tracing::instrument;

use crate::error::{Error, Result};
use crate::runtime::Runtime;

/// Where CRIU is looked for: every `PATH` directory, then the usual system places.
fn criu_candidates() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).map(|d| d.join("criu")).collect())
        .unwrap_or_default();
    v.extend(["/usr/sbin/criu", "/usr/bin/criu", "/sbin/criu"].map(PathBuf::from));
    v
}

impl Runtime {
    /// `checkpoint` (`restore` = false) or `restore` of a container: the container must
    /// exist; then CRIU must be installed. berth does not drive CRIU yet, so with CRIU
    /// present this is refused as not supported.
    #[instrument(skip(self))]
    pub fn checkpoint_restore(&self, id_or_name: &str, restore: bool) -> Result<()> {
        self.check()?;
        self.resolve_container_id(id_or_name)?;
        let what = if restore { "restore" } else { "checkpoint" };
        if berth_config::find_binary("CRIU", &criu_candidates()).is_err() {
            return Err(Error::invalid(
                "container",
                id_or_name,
                format!(
                    "{what} needs CRIU (the criu binary, 3.11 or later), which is not installed: install criu (Debian: apt-get install criu)"
                ),
            ));
        }
        Err(Error::invalid(
            "container",
            id_or_name,
            format!("{what} with CRIU is not supported by berth yet"),
        ))
    }
}
