//! rename: a container's new name, while it runs too.

use tracing::instrument;

use crate::error::Result;
use crate::runtime::Runtime;

impl Runtime {
    /// Gives a container (in any status) a new name: checked by the one name rule, and
    /// refused while a container or pod holds it. Its id, pod and dependents stay.
    #[instrument(skip(self))]
    pub fn rename_container(&self, id_or_name: &str, new_name: &str) -> Result<()> {
        self.check()?;
        crate::names::validate_name(new_name)?;
        let id = self.resolve_container_id(id_or_name)?;
        let _lock = self.lock_container(&id)?;
        Ok(self.state.rename_container(&id, new_name)?)
    }
}
