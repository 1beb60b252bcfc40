//! Which containers or pods a command acts on: names given, `--all`,
//! `--latest`, IDs read from `--cidfile`/`--pod-id-file`; and the checks
//! podman makes on them.

use crate::error::{CliError, Result};
use std::path::PathBuf;

/// The objects a command acts on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Targets {
    /// `--all`.
    All,
    /// `--latest`: the most recently created.
    Latest,
    /// Names or IDs, in order, from the arguments then the ID files.
    Named(Vec<String>),
    /// Only `--filter`s select (every object they match).
    Filtered,
}

/// What a command that selects containers or pods acts on, parsed once
/// from its `--all`, `--latest`, `--filter`, `--cidfile`/`--pod-id-file`
/// and names (ID files read here, filters checked here) before the
/// runtime is opened; the handlers resolve it against the runtime.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selection {
    /// The objects named, or how to find them.
    pub targets: Targets,
    /// The `--filter`s ([`Targets::Filtered`] selects what they match);
    /// empty for commands without `--filter`.
    pub filters: crate::opts::filter::Filters,
}

impl Selection {
    /// The container selection of commands that take names, `--all`,
    /// `--latest`, `--cidfile` and `--filter` (empty slices for the flags a
    /// command lacks), checked together as podman does.
    pub fn containers(
        all: bool,
        latest: bool,
        names: &[String],
        cidfiles: &[PathBuf],
        filter: &[String],
    ) -> Result<Self> {
        let filters =
            crate::opts::filter::parse_filters(crate::opts::FilterTarget::Containers, filter)?;
        let targets = select(
            all,
            latest,
            names,
            cidfiles,
            "--cidfile",
            !filter.is_empty(),
        )?;
        Ok(Self { targets, filters })
    }

    /// The pod selection of commands that take names, `--all`, `--latest`
    /// and `--pod-id-file` (an empty `pod_id_files` for those without it).
    pub fn pods(
        all: bool,
        latest: bool,
        pods: &[String],
        pod_id_files: &[PathBuf],
    ) -> Result<Self> {
        Ok(Self::of(select(
            all,
            latest,
            pods,
            pod_id_files,
            "--pod-id-file",
            false,
        )?))
    }

    /// The selection of commands that act on the names given or on the
    /// newest container (`--latest`, which wins over names): `inspect`,
    /// `logs`, `wait`, `attach`, `top`, `stats`, `port`. Names are kept as
    /// given, not resolved.
    pub fn latest_or_named(latest: bool, names: &[String]) -> Result<Self> {
        if latest {
            Ok(Self::of(Targets::Latest))
        } else if names.is_empty() {
            Err(CliError::conflict(
                "CONTAINER",
                "give a container name or ID, or --latest",
            ))
        } else {
            Ok(Self::of(Targets::Named(names.to_vec())))
        }
    }

    /// As [`Selection::latest_or_named`], with `--all` first: `mount`,
    /// `unmount`, `cleanup`.
    pub fn all_latest_or_named(all: bool, latest: bool, names: &[String]) -> Result<Self> {
        if all {
            Ok(Self::of(Targets::All))
        } else {
            Self::latest_or_named(latest, names)
        }
    }

    /// A selection without filters.
    pub fn of(targets: Targets) -> Self {
        Self {
            targets,
            filters: crate::opts::filter::Filters::default(),
        }
    }

    /// Whether `--all` selected.
    pub fn is_all(&self) -> bool {
        self.targets == Targets::All
    }
}

/// Combines `--all`, `--latest`, names, ID files (`file_flag` names the
/// flag in errors) and whether filters were given.
pub fn select(
    all: bool,
    latest: bool,
    names: &[String],
    id_files: &[PathBuf],
    file_flag: &str,
    filtered: bool,
) -> Result<Targets> {
    let mut named = names.to_vec();
    for path in id_files {
        named.push(read_id_file(file_flag, path)?);
    }
    let given = usize::from(all) + usize::from(latest) + usize::from(!named.is_empty());
    if given > 1 {
        return Err(CliError::conflict(
            if all { "--all" } else { "--latest" },
            "cannot be combined with container or pod names, IDs or each other",
        ));
    }
    if all {
        Ok(Targets::All)
    } else if latest {
        Ok(Targets::Latest)
    } else if !named.is_empty() {
        if filtered {
            return Err(CliError::conflict(
                "--filter",
                "cannot be combined with container or pod names or IDs",
            ));
        }
        Ok(Targets::Named(named))
    } else if filtered {
        Ok(Targets::Filtered)
    } else {
        Err(CliError::conflict(
            "CONTAINER",
            "give at least one name or ID, or --all or --latest",
        ))
    }
}

/// Reads one ID from a `--cidfile`/`--pod-id-file` (surrounding
/// whitespace ignored; the file must hold exactly one non-empty word).
pub fn read_id_file(flag: &str, path: &std::path::Path) -> Result<String> {
    let text = std::fs::read_to_string(path).map_err(|source| CliError::ReadFile {
        flag: flag.to_owned(),
        path: path.to_owned(),
        source,
    })?;
    let id = text.trim();
    if id.is_empty() || id.split_whitespace().count() != 1 {
        return Err(CliError::FileLine {
            flag: flag.to_owned(),
            path: path.to_owned(),
            line: 1,
            reason: "expected exactly one container or pod ID".into(),
        });
    }
    Ok(id.to_owned())
}

/// The conditions `wait --condition` accepts.
pub const WAIT_CONDITIONS: &[&str] = &[
    "configured",
    "created",
    "exited",
    "healthy",
    "initialized",
    "paused",
    "removing",
    "running",
    "stopped",
    "stopping",
    "unhealthy",
];

/// Checks `wait --condition` values; none means `stopped` (podman's
/// default).
pub fn parse_wait_conditions(values: &[String]) -> Result<Vec<String>> {
    if values.is_empty() {
        return Ok(vec!["stopped".into()]);
    }
    values
        .iter()
        .map(|v| {
            if WAIT_CONDITIONS.contains(&v.as_str()) {
                Ok(v.clone())
            } else {
                Err(CliError::invalid(
                    "--condition",
                    v,
                    format!("unknown condition; valid: {}", WAIT_CONDITIONS.join(", ")),
                ))
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn selections() {
        assert_eq!(
            select(true, false, &[], &[], "--cidfile", false).unwrap(),
            Targets::All
        );
        assert_eq!(
            select(false, true, &[], &[], "--cidfile", false).unwrap(),
            Targets::Latest
        );
        assert_eq!(
            select(false, false, &v(&["a", "b"]), &[], "--cidfile", false).unwrap(),
            Targets::Named(v(&["a", "b"]))
        );
        assert_eq!(
            select(false, false, &[], &[], "--cidfile", true).unwrap(),
            Targets::Filtered
        );
    }

    #[test]
    fn conflicts() {
        let e = select(true, false, &v(&["a"]), &[], "--cidfile", false)
            .unwrap_err()
            .to_string();
        assert!(e.contains("--all"), "{e}");
        assert!(select(true, true, &[], &[], "--cidfile", false).is_err());
        assert!(select(false, false, &v(&["a"]), &[], "--cidfile", true).is_err());
        let e = select(false, false, &[], &[], "--cidfile", false)
            .unwrap_err()
            .to_string();
        assert!(e.contains("at least one"), "{e}");
    }

    #[test]
    fn id_files() {
        let dir = tempfile::tempdir().unwrap();
        let good = dir.path().join("cid");
        std::fs::write(&good, "  abc123\n").unwrap();
        assert_eq!(
            select(
                false,
                false,
                &v(&["x"]),
                std::slice::from_ref(&good),
                "--cidfile",
                false
            )
            .unwrap(),
            Targets::Named(v(&["x", "abc123"]))
        );
        let empty = dir.path().join("empty");
        std::fs::write(&empty, "\n").unwrap();
        let e = read_id_file("--cidfile", &empty).unwrap_err().to_string();
        assert!(e.contains("--cidfile") && e.contains("exactly one"), "{e}");
        let two = dir.path().join("two");
        std::fs::write(&two, "a b").unwrap();
        assert!(read_id_file("--cidfile", &two).is_err());
        let e = read_id_file("--pod-id-file", &dir.path().join("missing"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("--pod-id-file") && e.contains("missing"), "{e}");
    }

    #[test]
    fn pod_id_files_are_named_in_errors() {
        let dir = tempfile::tempdir().unwrap();
        let good = dir.path().join("pod");
        std::fs::write(&good, "p1\n").unwrap();
        assert_eq!(
            Selection::pods(false, false, &[], std::slice::from_ref(&good))
                .unwrap()
                .targets,
            Targets::Named(v(&["p1"]))
        );
        let missing = dir.path().join("missing");
        let e = Selection::pods(false, false, &[], &[missing])
            .unwrap_err()
            .to_string();
        assert!(e.contains("--pod-id-file"), "{e}");
        assert!(Selection::pods(true, true, &[], &[]).is_err());
    }

    #[test]
    fn container_selections_parse_filters_once() {
        let s = Selection::containers(false, false, &[], &[], &v(&["name=web"])).unwrap();
        assert_eq!(s.targets, Targets::Filtered);
        assert_ne!(s.filters, crate::opts::Filters::default());
        let e = Selection::containers(false, false, &[], &[], &v(&["bogus=1"]))
            .unwrap_err()
            .to_string();
        assert!(e.contains("--filter"), "{e}");
        assert!(Selection::containers(true, false, &[], &[], &[])
            .unwrap()
            .is_all());
    }

    #[test]
    fn latest_or_named() {
        assert_eq!(
            Selection::latest_or_named(true, &v(&["a"]))
                .unwrap()
                .targets,
            Targets::Latest
        );
        assert_eq!(
            Selection::latest_or_named(false, &v(&["a"]))
                .unwrap()
                .targets,
            Targets::Named(v(&["a"]))
        );
        let e = Selection::latest_or_named(false, &[])
            .unwrap_err()
            .to_string();
        assert!(e.contains("--latest"), "{e}");
        assert_eq!(
            Selection::all_latest_or_named(true, true, &[])
                .unwrap()
                .targets,
            Targets::All
        );
    }

    #[test]
    fn wait_conditions() {
        assert_eq!(parse_wait_conditions(&[]).unwrap(), ["stopped"]);
        assert_eq!(
            parse_wait_conditions(&v(&["running", "exited"]))
                .unwrap()
                .len(),
            2
        );
        let e = parse_wait_conditions(&v(&["done"]))
            .unwrap_err()
            .to_string();
        assert!(e.contains("--condition") && e.contains("done"), "{e}");
    }
}
