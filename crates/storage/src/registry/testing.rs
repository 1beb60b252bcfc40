//! `FakeRegistry`: an in-memory [`ImageRegistry`] for the runtime's tests.
//! It records every call, answers pulls of the references it was given,
//! and fails a chosen method on request through [`InjectFailures`], like
//! the layers' other fakes.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Mutex;

use berth_config::testing::{Failures, InjectFailures, Strike};

use crate::model::ImageRecord;

use super::api::ImageRegistry;
use super::auth::Credentials;
use super::error::{Error, Result};
use super::login::LoginOptions;
use super::pull::{PullOptions, PullReport};
use super::push::{PushOptions, PushReport};

/// One recorded call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Call {
    /// `pull(reference)`.
    Pull(String),
    /// `push(image, destination)`.
    Push(String, Option<String>),
    /// `login(registry, username)`.
    Login(String, String),
    /// `logout(registry)`.
    Logout(Option<String>),
}

/// An in-memory registry.
#[derive(Debug, Default)]
pub struct FakeRegistry {
    images: Mutex<BTreeMap<String, ImageRecord>>,
    logins: Mutex<BTreeMap<String, Credentials>>,
    calls: Mutex<Vec<Call>>,
    fail: Mutex<Failures<&'static str>>,
}

impl FakeRegistry {
    /// An empty fake.
    pub fn new() -> Self {
        Self::default()
    }

    /// Makes `pull(reference)` answer with `image` (the test adds the same
    /// record to its fake storage).
    pub fn add_image(&self, reference: &str, image: ImageRecord) {
        self.images
            .lock()
            .expect("poisoned")
            .insert(reference.to_string(), image);
    }

    /// The calls so far.
    pub fn calls(&self) -> Vec<Call> {
        self.calls.lock().expect("poisoned").clone()
    }

    /// Stored credentials of a registry.
    pub fn credentials(&self, registry: &str) -> Option<Credentials> {
        self.logins.lock().expect("poisoned").get(registry).cloned()
    }

    fn enter(&self, method: &'static str, call: Call) -> Result<()> {
        self.calls.lock().expect("poisoned").push(call);
        if self.fail.lock().expect("poisoned").strikes(&method) {
            return Err(Error::Injected(method.to_string()));
        }
        Ok(())
    }
}

/// Failures by method name (`"pull"`, `"push"`, `"login"`, `"logout"`); a failing call is
/// recorded and returns [`Error::Injected`].
impl InjectFailures for FakeRegistry {
    type Op = &'static str;

    fn inject(&self, method: &'static str, strike: Strike) {
        self.fail.lock().expect("poisoned").add(method, strike);
    }

    fn clear_failure(&self, method: &&'static str) {
        self.fail.lock().expect("poisoned").clear(method);
    }
}

impl ImageRegistry for FakeRegistry {
    fn pull(&self, reference: &str, _opts: &PullOptions) -> Result<PullReport> {
        self.enter("pull", Call::Pull(reference.to_string()))?;
        let image = self
            .images
            .lock()
            .expect("poisoned")
            .get(reference)
            .cloned()
            .ok_or_else(|| Error::ManifestUnknown {
                reference: reference.to_string(),
                tried: vec!["fake".into()],
            })?;
        Ok(PullReport {
            reference: reference.to_string(),
            source: "fake".into(),
            manifest_digest: image.manifest_digest.clone(),
            layers_fetched: image.layers.len(),
            layers_skipped: 0,
            bytes_fetched: image.size,
            resolution: super::rules::Resolution::Qualified,
            image,
        })
    }

    fn push(
        &self,
        image: &str,
        destination: Option<&str>,
        _opts: &PushOptions,
    ) -> Result<PushReport> {
        self.enter(
            "push",
            Call::Push(image.to_string(), destination.map(str::to_string)),
        )?;
        let dest = destination.unwrap_or(image).to_string();
        let rec = self
            .images
            .lock()
            .expect("poisoned")
            .values()
            .find(|i| i.id == image || i.names.iter().any(|n| n == image))
            .cloned()
            .ok_or_else(|| Error::Store(crate::Error::ImageNotFound(image.to_string())))?;
        self.images
            .lock()
            .expect("poisoned")
            .insert(dest.clone(), rec.clone());
        Ok(PushReport {
            destination: dest,
            manifest_digest: rec.manifest_digest,
            blobs_uploaded: rec.layers.len() + 1,
            blobs_skipped: 0,
        })
    }

    fn login(
        &self,
        registry: &str,
        credentials: &Credentials,
        _opts: &LoginOptions,
    ) -> Result<PathBuf> {
        self.enter(
            "login",
            Call::Login(registry.to_string(), credentials.username.clone()),
        )?;
        self.logins
            .lock()
            .expect("poisoned")
            .insert(registry.to_string(), credentials.clone());
        Ok(PathBuf::from("/fake/auth.json"))
    }

    fn logout(&self, registry: Option<&str>, _opts: &LoginOptions) -> Result<PathBuf> {
        self.enter("logout", Call::Logout(registry.map(str::to_string)))?;
        let mut l = self.logins.lock().expect("poisoned");
        match registry {
            None => l.clear(),
            Some(r) => {
                if l.remove(r).is_none() {
                    return Err(Error::NotLoggedIn {
                        registry: r.to_string(),
                        path: PathBuf::from("/fake/auth.json"),
                    });
                }
            }
        }
        Ok(PathBuf::from("/fake/auth.json"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fake_records_calls_and_injects_failures() {
        let f = FakeRegistry::new();
        let img = ImageRecord {
            id: "a".repeat(64),
            names: vec!["quay.io/x/y:1".into()],
            ..serde_json::from_value(serde_json::json!({
                "id": "", "names": [], "digests": [], "manifest_digest": "", "layers": [], "diff_ids": [],
                "size": 0, "created": null, "architecture": "amd64", "os": "linux",
                "config": {"user": null, "env": [], "cmd": null, "entrypoint": null, "working_dir": null,
                           "exposed_ports": [], "volumes": [], "labels": {}, "stop_signal": null},
                "history": []
            }))
            .unwrap()
        };
        f.add_image("quay.io/x/y:1", img.clone());
        assert_eq!(
            f.pull("quay.io/x/y:1", &PullOptions::default())
                .unwrap()
                .image
                .id,
            img.id
        );
        assert!(f
            .pull("quay.io/x/none:1", &PullOptions::default())
            .unwrap_err()
            .is_not_found());
        f.fail_next("pull");
        assert!(matches!(
            f.pull("quay.io/x/y:1", &PullOptions::default()),
            Err(Error::Injected(_))
        ));
        let c = Credentials {
            username: "u".into(),
            password: "p".into(),
        };
        f.login("r", &c, &LoginOptions::default()).unwrap();
        assert_eq!(f.credentials("r"), Some(c));
        f.logout(Some("r"), &LoginOptions::default()).unwrap();
        assert!(f.logout(Some("r"), &LoginOptions::default()).is_err());
        assert_eq!(f.calls().len(), 6);
    }
}
