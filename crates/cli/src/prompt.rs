//! The confirmations of the prune commands and `system reset`, with
//! podman's wording (less what berth does not have: build cache,
//! machines). `-f/--force` skips them; any answer not starting with `y`
//! (or end of input) means no, and the command then does nothing and
//! exits 0, as podman.

use std::io::{self, BufRead, Write};
use std::path::Path;

/// `container prune`.
pub const CONTAINER_PRUNE: &str = "WARNING! This will remove all non running containers.";
/// `image prune` without `--all`.
pub const IMAGE_PRUNE: &str = "WARNING! This command removes all dangling images.";
/// `image prune --all`.
pub const IMAGE_PRUNE_ALL: &str =
    "WARNING! This command removes all images without at least one container associated with them.";
/// `pod prune`.
pub const POD_PRUNE: &str = "WARNING! This will remove all stopped/exited pods..";
/// `network prune`.
pub const NETWORK_PRUNE: &str =
    "WARNING! This will remove all networks not used by at least one container.";

/// `volume prune`: lists the volumes that would go.
pub fn volume_prune(names: &[String]) -> String {
    let mut s = String::from(
        "WARNING! This will remove all volumes not used by at least one container. \
         The following volumes will be removed:",
    );
    for n in names {
        s.push('\n');
        s.push_str(n);
    }
    s
}

/// `system prune` (`--all` and `--volumes` widen it).
pub fn system_prune(all: bool, volumes: bool) -> String {
    let mut s = String::from("WARNING! This command removes:\n\t- all stopped containers\n");
    if volumes {
        s.push_str("\t- all volumes not used by at least one container\n");
    }
    s.push_str("\t- all networks not used by at least one container\n");
    s.push_str(if all {
        "\t- all images without at least one container associated with them\n"
    } else {
        "\t- all dangling images\n"
    });
    s
}

/// `system reset`.
pub fn system_reset(graph_root: &Path, run_root: &Path) -> String {
    format!(
        "WARNING! This will remove:\n        - all containers\n        - all pods\n        \
         - all images\n        - all networks\n        - all volumes\n        \
         - the graphRoot directory: {:?}\n        - the runRoot directory: {:?}",
        graph_root.display().to_string(),
        run_root.display().to_string()
    )
}

/// Prints `warning` and the question, reads one line; true for an answer
/// starting with `y` or `Y`.
pub fn confirm(warning: &str, input: &mut dyn BufRead, out: &mut dyn Write) -> io::Result<bool> {
    writeln!(out, "{warning}")?;
    write!(out, "Are you sure you want to continue? [y/N] ")?;
    out.flush()?;
    let mut answer = String::new();
    input.read_line(&mut answer)?;
    Ok(answer.trim_start().starts_with(['y', 'Y']))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ask(warning: &str, answer: &str) -> (bool, String) {
        let mut out = Vec::new();
        let yes = confirm(warning, &mut answer.as_bytes(), &mut out).unwrap();
        (yes, String::from_utf8(out).unwrap())
    }

    #[test]
    fn answers() {
        assert!(ask(CONTAINER_PRUNE, "y\n").0);
        assert!(ask(CONTAINER_PRUNE, "Yes\n").0);
        assert!(!ask(CONTAINER_PRUNE, "n\n").0);
        assert!(!ask(CONTAINER_PRUNE, "\n").0);
        assert!(!ask(CONTAINER_PRUNE, "").0, "end of input is no");
        assert!(!ask(CONTAINER_PRUNE, "maybe\n").0);
    }

    #[test]
    fn podman_wording() {
        let (_, out) = ask(CONTAINER_PRUNE, "n\n");
        assert_eq!(
            out,
            "WARNING! This will remove all non running containers.\nAre you sure you want to continue? [y/N] "
        );
        let v = volume_prune(&["v1".into(), "v2".into()]);
        assert!(v.ends_with("will be removed:\nv1\nv2"), "{v}");
        let r = system_reset(Path::new("/var/lib/berth/storage"), Path::new("/run/berth"));
        assert!(
            r.contains("- the graphRoot directory: \"/var/lib/berth/storage\""),
            "{r}"
        );
        assert!(system_prune(false, true).contains("\t- all volumes"));
        assert!(system_prune(true, false).contains("without at least one container"));
    }
}
