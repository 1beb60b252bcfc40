//! The process environment as an input value.
//!
//! Discovery, defaults and the rootless runtime directory depend on
//! environment variables, the user id and the files on disk. They all read
//! them from an [`Environment`] passed in, never from global state, so tests
//! build one by hand (any uid, any variables, a temporary directory as the
//! filesystem root) and need neither root nor `std::env::set_var`.

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

/// Environment variables, user id and filesystem root used for discovery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Environment {
    vars: BTreeMap<String, String>,
    uid: u32,
    root: PathBuf,
}

impl Environment {
    /// An environment with no variables, the given uid and `/` as filesystem root.
    pub fn new(uid: u32) -> Self {
        Self {
            vars: BTreeMap::new(),
            uid,
            root: PathBuf::from("/"),
        }
    }

    /// The current process: its variables (those that are valid UTF-8), its
    /// effective uid and `/` as filesystem root.
    pub fn from_process() -> Self {
        let vars = std::env::vars_os()
            .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
            .collect();
        Self {
            vars,
            uid: effective_uid(),
            root: PathBuf::from("/"),
        }
    }

    /// Sets a variable (builder style).
    pub fn with_var(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.vars.insert(key.into(), value.into());
        self
    }

    /// Removes a variable (builder style).
    pub fn without_var(mut self, key: &str) -> Self {
        self.vars.remove(key);
        self
    }

    /// Sets the uid (builder style).
    pub fn with_uid(mut self, uid: u32) -> Self {
        self.uid = uid;
        self
    }

    /// Sets the directory that stands for `/` when files are looked up
    /// (builder style). Paths in the configuration stay as the process sees
    /// them with the real root; only lookups go through this prefix.
    pub fn with_root(mut self, root: impl Into<PathBuf>) -> Self {
        self.root = root.into();
        self
    }

    /// A variable's value; an empty value counts as unset.
    pub fn var(&self, key: &str) -> Option<&str> {
        self.vars
            .get(key)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    /// All variables.
    pub fn vars(&self) -> &BTreeMap<String, String> {
        &self.vars
    }

    /// The user id.
    pub fn uid(&self) -> u32 {
        self.uid
    }

    /// True when the user is not root (uid other than 0).
    pub fn is_rootless(&self) -> bool {
        self.uid != 0
    }

    /// The filesystem root prefix.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// `HOME`, if set to an absolute path.
    pub fn home(&self) -> Option<PathBuf> {
        self.absolute_var("HOME")
    }

    /// A variable holding a path, if set to an absolute path (XDG rule: relative values are ignored).
    pub fn absolute_var(&self, key: &str) -> Option<PathBuf> {
        self.var(key).map(PathBuf::from).filter(|p| p.is_absolute())
    }

    /// Where an absolute path of the configuration really is on disk: the
    /// path below the filesystem root prefix. Relative paths are returned
    /// unchanged.
    pub fn host_path(&self, path: &Path) -> PathBuf {
        if !path.is_absolute() {
            return path.to_path_buf();
        }
        let mut out = self.root.clone();
        for c in path.components() {
            match c {
                Component::RootDir | Component::Prefix(_) => {}
                other => out.push(other),
            }
        }
        out
    }

    /// The reverse of [`host_path`](Self::host_path): a path on disk as the
    /// configuration names it. Paths outside the prefix are returned unchanged.
    pub fn config_path(&self, host: &Path) -> PathBuf {
        match host.strip_prefix(&self.root) {
            Ok(rel) => Path::new("/").join(rel),
            Err(_) => host.to_path_buf(),
        }
    }
}

fn effective_uid() -> u32 {
    nix::unistd::geteuid().as_raw()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_variables_count_as_unset() {
        let env = Environment::new(1000).with_var("HOME", "");
        assert_eq!(env.var("HOME"), None);
        assert_eq!(env.home(), None);
    }

    #[test]
    fn relative_home_is_ignored() {
        let env = Environment::new(1000).with_var("HOME", "home/alice");
        assert_eq!(env.home(), None);
    }

    #[test]
    fn host_path_goes_below_the_root_and_back() {
        let env = Environment::new(0).with_root("/tmp/fake");
        let host = env.host_path(Path::new("/etc/berth/berth.conf"));
        assert_eq!(host, PathBuf::from("/tmp/fake/etc/berth/berth.conf"));
        assert_eq!(
            env.config_path(&host),
            PathBuf::from("/etc/berth/berth.conf")
        );
        assert_eq!(env.host_path(Path::new("rel")), PathBuf::from("rel"));
    }

    #[test]
    fn rootless_is_any_uid_but_zero() {
        assert!(!Environment::new(0).is_rootless());
        assert!(Environment::new(1).is_rootless());
    }

    #[test]
    fn from_process_sees_the_real_uid() {
        let env = Environment::from_process();
        assert_eq!(env.root(), Path::new("/"));
        // /proc/self's owner is our euid; compare with the owner of a file we create.
        let dir = tempfile::tempdir().unwrap();
        use std::os::unix::fs::MetadataExt;
        let mine = std::fs::metadata(dir.path()).unwrap().uid();
        assert_eq!(env.uid(), mine);
    }
}
