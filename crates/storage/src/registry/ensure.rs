//! `--pull=missing|always|never|newer` for `run`/`create`: find the image
//! locally or pull it.

use crate::model::ImageRecord;
use crate::store::Store;

use super::error::{Error, Result};
use super::pull::{pull, PullOptions};

/// When `run`/`create` pull.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum PullPolicy {
    /// Pull only when the image is not in the store (the default).
    #[default]
    Missing,
    /// Always pull (the store's copy is replaced if the registry has a newer one).
    Always,
    /// Never pull; a missing image is an error.
    Never,
}

impl std::str::FromStr for PullPolicy {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s.to_ascii_lowercase().as_str() {
            "missing" | "ifmissing" | "" => Ok(PullPolicy::Missing),
            "always" | "true" | "newer" | "ifnewer" => Ok(PullPolicy::Always),
            "never" | "false" => Ok(PullPolicy::Never),
            other => Err(Error::InvalidOption(format!(
                "pull policy {other:?}: use missing, always, newer or never"
            ))),
        }
    }
}

/// The image for `reference` under `policy`: from the store, or pulled.
/// Returns the record and whether it was pulled.
pub fn ensure_image(
    store: &Store,
    reference: &str,
    policy: PullPolicy,
    opts: &PullOptions,
) -> Result<(ImageRecord, bool)> {
    if policy != PullPolicy::Always {
        match store.image(reference) {
            Ok(img) => return Ok((img, false)),
            Err(crate::Error::ImageNotFound(_)) if policy == PullPolicy::Missing => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok((pull(store, reference, opts)?.image, true))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pull_policies_parse() {
        assert_eq!(
            "missing".parse::<PullPolicy>().unwrap(),
            PullPolicy::Missing
        );
        assert_eq!("Always".parse::<PullPolicy>().unwrap(), PullPolicy::Always);
        assert_eq!("newer".parse::<PullPolicy>().unwrap(), PullPolicy::Always);
        assert_eq!("never".parse::<PullPolicy>().unwrap(), PullPolicy::Never);
        let e = "sometimes".parse::<PullPolicy>().unwrap_err();
        assert!(e.to_string().contains("missing, always"), "{e}");
    }
}
