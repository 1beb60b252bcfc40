//! diff, export, commit: a container's root filesystem against its image.

use std::io::Write;

use berth_state::ContainerStatus;
use berth_storage::{Change, CommitOptions, ImageRecord, ImportOptions};
use tracing::instrument;

use crate::error::{Error, Result};
use crate::images::{apply_import_change, image_error};
use crate::runtime::Runtime;

/// Paths the engine itself puts in every container; `diff` leaves them out, as podman does.
const ENGINE_PATHS: &[&str] = &[
    "/dev",
    "/etc/hostname",
    "/etc/hosts",
    "/etc/resolv.conf",
    "/proc",
    "/run",
    "/run/notify",
    "/run/.containerenv",
    "/run/secrets",
    "/sys",
    "/etc/mtab",
];

/// What `diff` compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DiffTarget {
    /// An image or, failing that, a container (`podman diff`).
    #[default]
    Any,
    /// A container only.
    Container,
    /// An image only.
    Image,
}

/// Everything `commit` accepts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContainerCommitOptions {
    /// The new image's name (`localhost/` added to a short one); `None` = no name.
    pub image: Option<String>,
    /// Author (`-a`).
    pub author: Option<String>,
    /// History comment (`-m`).
    pub message: Option<String>,
    /// Dockerfile instructions applied to the config (`-c`): as `import`'s.
    pub changes: Vec<String>,
    /// Pause a running container while its files are read (`-p`).
    pub pause: bool,
    /// One layer holding the whole root filesystem (`-s`).
    pub squash: bool,
    /// Every volume of the container becomes a `VOLUME` (`--include-volumes`); else
    /// only its anonymous ones.
    pub include_volumes: bool,
}

impl Runtime {
    /// What a container (or an image's top layer) changed, in the order podman prints it,
    /// without the paths the engine adds to every container.
    #[instrument(skip(self))]
    pub fn diff(&self, name: &str, target: DiffTarget) -> Result<Vec<Change>> {
        self.check()?;
        let not_found = |reason: String| Error::DiffTargetNotFound {
            name: name.to_string(),
            reason,
        };
        let container = |missing: &str| -> Result<Vec<Change>> {
            let rec = self
                .state
                .lookup_container(name)
                .map_err(|_| not_found(missing.into()))?;
            Ok(self
                .storage
                .container_changes(&rec.config.rootfs_storage_id)?)
        };
        let changes = match target {
            DiffTarget::Image => match self.storage.image_changes(name) {
                Err(berth_storage::Error::ImageNotFound(_)) => {
                    return Err(not_found(format!("{name}: image not known")))
                }
                r => r?,
            },
            DiffTarget::Container => container("container not known")?,
            DiffTarget::Any => match self.storage.image_changes(name) {
                Err(berth_storage::Error::ImageNotFound(_)) => container("layer not known")?,
                r => r?,
            },
        };
        Ok(changes
            .into_iter()
            .filter(|c| !ENGINE_PATHS.contains(&c.path.as_str()))
            .collect())
    }

    /// Writes a container's whole root filesystem as a tar to `out`.
    #[instrument(skip(self, out))]
    pub fn export_container(&self, id_or_name: &str, out: &mut dyn Write) -> Result<()> {
        self.check()?;
        let rec = self.state.lookup_container(id_or_name)?;
        Ok(self
            .storage
            .export_container(&rec.config.rootfs_storage_id, out)?)
    }

    /// Makes an image of a container: its image's layers plus its changes, its config
    /// (entrypoint, command, environment, ports, labels, user, working directory) with
    /// `opts.changes` applied. A running container is paused meanwhile when `opts.pause`.
    #[instrument(skip(self))]
    pub fn commit_container(
        &self,
        id_or_name: &str,
        opts: &ContainerCommitOptions,
    ) -> Result<ImageRecord> {
        self.check()?;
        let id = self.resolve_container_id(id_or_name)?;
        let rec = self.state.container(&id)?;
        let mut config = ImportOptions {
            names: opts.image.iter().cloned().collect(),
            entrypoint: Some(rec.config.entrypoint.clone()).filter(|e| !e.is_empty()),
            cmd: Some(rec.config.command.clone()).filter(|c| !c.is_empty()),
            env: rec.config.env.clone(),
            working_dir: Some(rec.config.working_dir.clone()).filter(|w| !w.is_empty()),
            user: Some(rec.config.user.clone()).filter(|u| !u.is_empty()),
            labels: rec.config.labels.clone(),
            message: opts.message.clone(),
            healthcheck: crate::health::configured_healthcheck(&rec).map(|h| h.to_config()),
            ..ImportOptions::default()
        };
        for p in &rec.config.port_mappings {
            push_unique(
                &mut config.exposed_ports,
                format!("{}/{}", p.container_port, p.protocol.as_str()),
            );
        }
        // An anonymous volume is named with 64 hex digits at create.
        let anonymous =
            |name: &str| name.len() == 64 && name.bytes().all(|b| b.is_ascii_hexdigit());
        let volumes = rec
            .config
            .named_volumes
            .iter()
            .filter(|v| opts.include_volumes || anonymous(&v.name));
        for v in volumes {
            push_unique(&mut config.volumes, v.destination.clone());
        }
        if opts.include_volumes {
            for m in &rec.config.mounts {
                push_unique(&mut config.volumes, m.destination.clone());
            }
        }
        for change in &opts.changes {
            apply_import_change(&mut config, change)?;
        }
        config.env = last_wins(&config.env);
        let paused = opts.pause && rec.state.status == ContainerStatus::Running && {
            self.pause_container(&id)?;
            true
        };
        let made = self
            .storage
            .commit_container(
                &rec.config.rootfs_storage_id,
                &CommitOptions {
                    config,
                    author: opts.author.clone(),
                    created_by: None,
                    squash: opts.squash,
                },
            )
            .map_err(image_error);
        if paused {
            let unpaused = self.unpause_container(&id);
            let img = made?;
            unpaused?;
            return Ok(img);
        }
        made
    }
}

fn push_unique(list: &mut Vec<String>, item: String) {
    if !list.contains(&item) {
        list.push(item);
    }
}

/// `KEY=VALUE` entries with one per key: the last value, at the key's first place.
fn last_wins(env: &[String]) -> Vec<String> {
    let key = |e: &str| e.split_once('=').map_or(e, |(k, _)| k).to_string();
    let mut out: Vec<String> = Vec::new();
    for e in env {
        match out.iter_mut().find(|o| key(o) == key(e)) {
            Some(o) => o.clone_from(e),
            None => out.push(e.clone()),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::last_wins;

    #[test]
    fn env_keeps_one_value_per_key() {
        let env = ["A=1", "B=2", "A=3"].map(String::from);
        assert_eq!(last_wins(&env), ["A=3", "B=2"]);
    }
}
