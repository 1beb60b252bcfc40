//! Named network namespaces, made the way `ip netns add` makes them: a new
//! namespace is unshared in a short-lived thread and its
//! `/proc/thread-self/ns/net` is bind-mounted onto an empty file in a
//! directory that is itself a shared mount (so the bind mount propagates and
//! a later unmount releases it everywhere).

// setns() in a forked child before exec (pre_exec) needs unsafe; the block
// only calls an async-signal-safe syscall on an fd opened before the fork.
#![allow(unsafe_code)]

use std::fs::{File, OpenOptions};
use std::io;
use std::os::fd::{AsFd, AsRawFd};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use nix::errno::Errno;
use nix::fcntl::{Flock, FlockArg};
use nix::mount::{mount, umount2, MntFlags, MsFlags};
use nix::sched::{setns, unshare, CloneFlags};
use nix::sys::statfs::{fstatfs, NSFS_MAGIC};

use crate::error::{Error, Result};

/// An open handle on a network namespace, named by the file it is mounted
/// on (or any nsfs path such as `/proc/PID/ns/net`).
#[derive(Debug)]
pub struct NetNs {
    path: PathBuf,
    file: File,
}

fn ns_err(path: &Path, reason: impl Into<String>) -> Error {
    Error::Netns {
        path: path.to_path_buf(),
        reason: reason.into(),
    }
}

/// Checks a namespace name: one path component of safe characters.
fn check_name(name: &str) -> Result<()> {
    let ok = !name.is_empty()
        && name.len() <= 200
        && name != "."
        && name != ".."
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
    if ok {
        Ok(())
    } else {
        Err(Error::InvalidArgument {
            what: "network namespace name",
            value: name.to_string(),
            reason: "use letters, digits, '_', '-' and '.' only".into(),
        })
    }
}

/// Makes `dir` a shared mount point (bind-mounting it onto itself first when
/// it is not a mount point yet), like `ip netns` does for /run/netns.
/// Idempotent; serialized between processes by a flock on the directory.
pub fn prepare_dir(dir: &Path) -> Result<()> {
    // 0700 like the engine's tmp dir it lives in: only root uses namespace files.
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(|e| Error::io("create directory", dir, e))?;
    let handle = File::open(dir).map_err(|e| Error::io("open directory", dir, e))?;
    let _lock = Flock::lock(handle, FlockArg::LockExclusive)
        .map_err(|(_, e)| Error::io("lock directory", dir, e.into()))?;
    let flags = MsFlags::MS_SHARED | MsFlags::MS_REC;
    match mount(None::<&str>, dir, None::<&str>, flags, None::<&str>) {
        Ok(()) if is_mount_point(dir)? => return Ok(()),
        Ok(()) | Err(Errno::EINVAL) => {}
        Err(e) => return Err(Error::io("make shared mount", dir, e.into())),
    }
    mount(
        Some(dir),
        dir,
        None::<&str>,
        MsFlags::MS_BIND | MsFlags::MS_REC,
        None::<&str>,
    )
    .map_err(|e| Error::io("bind-mount onto itself", dir, e.into()))?;
    mount(None::<&str>, dir, None::<&str>, flags, None::<&str>)
        .map_err(|e| Error::io("make shared mount", dir, e.into()))
}

/// Undoes [`prepare_dir`]'s self bind mount (for tests and uninstall);
/// fails with EBUSY while namespaces are still mounted inside.
pub fn release_dir(dir: &Path) -> Result<()> {
    match umount2(dir, MntFlags::empty()) {
        Ok(()) | Err(Errno::EINVAL | Errno::ENOENT) => Ok(()),
        Err(e) => Err(Error::io("unmount", dir, e.into())),
    }
}

/// True when `path` is a mount point (listed in /proc/self/mountinfo).
fn is_mount_point(path: &Path) -> Result<bool> {
    let canon = path
        .canonicalize()
        .map_err(|e| Error::io("resolve", path, e))?;
    let points =
        berth_config::mount_points().map_err(|e| Error::io("read", "/proc/self/mountinfo", e))?;
    Ok(points.contains(&canon))
}

impl NetNs {
    /// Creates a new network namespace mounted at `dir/name`. `dir` is made
    /// a shared mount first. Fails when `dir/name` exists.
    pub fn create(dir: &Path, name: &str) -> Result<NetNs> {
        check_name(name)?;
        prepare_dir(dir)?;
        let path = dir.join(name);
        let create = || {
            OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o000)
                .open(&path)
        };
        match create() {
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                // A live namespace stays; a leftover plain file (a crash
                // between create and mount) is replaced.
                if Self::open(&path).is_ok() {
                    return Err(ns_err(&path, "already exists"));
                }
                Self::remove(&path)?;
                create().map_err(|e| Error::io("create netns file", &path, e))?;
            }
            Err(e) => return Err(Error::io("create netns file", &path, e)),
        }
        let target = path.clone();
        let made = std::thread::spawn(move || -> Result<()> {
            unshare(CloneFlags::CLONE_NEWNET)
                .map_err(|e| ns_err(&target, format!("unshare(CLONE_NEWNET): {e}")))?;
            mount(
                Some("/proc/thread-self/ns/net"),
                &target,
                None::<&str>,
                MsFlags::MS_BIND,
                None::<&str>,
            )
            .map_err(|e| ns_err(&target, format!("bind-mount the new namespace: {e}")))
        })
        .join()
        .unwrap_or_else(|_| Err(ns_err(&path, "namespace thread panicked")));
        if let Err(e) = made {
            let _ = std::fs::remove_file(&path);
            return Err(e);
        }
        match Self::open(&path) {
            Ok(ns) => Ok(ns),
            Err(e) => {
                let _ = Self::remove(&path);
                Err(e)
            }
        }
    }

    /// Opens an existing namespace by path and checks that it is one.
    pub fn open(path: &Path) -> Result<NetNs> {
        let file = File::open(path).map_err(|e| Error::io("open netns", path, e))?;
        let st = fstatfs(file.as_fd()).map_err(|e| Error::io("statfs", path, e.into()))?;
        if st.filesystem_type() != NSFS_MAGIC {
            return Err(ns_err(path, "not a namespace file (is it mounted?)"));
        }
        Ok(NetNs {
            path: path.to_path_buf(),
            file,
        })
    }

    /// The namespace's path (what `CNI_NETNS` receives).
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The open namespace file.
    pub fn file(&self) -> &File {
        &self.file
    }

    /// Unmounts and removes this namespace's file (see [`NetNs::remove`]).
    pub fn delete(self) -> Result<()> {
        let NetNs { path, file } = self;
        drop(file);
        Self::remove(&path)
    }

    /// Unmounts (lazily) and removes a namespace file. Tolerates a file that
    /// is already unmounted or gone, so a repeated teardown succeeds.
    pub fn remove(path: &Path) -> Result<()> {
        match umount2(path, MntFlags::MNT_DETACH) {
            Ok(()) | Err(Errno::EINVAL | Errno::ENOENT) => {}
            Err(e) => return Err(Error::io("unmount netns", path, e.into())),
        }
        match std::fs::remove_file(path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(Error::io("remove netns file", path, e)),
        }
    }

    /// Makes `cmd` join this namespace in the child, before exec.
    pub fn enter_command(&self, cmd: &mut Command) -> Result<()> {
        let fd = self
            .file
            .try_clone()
            .map_err(|e| Error::io("dup", &self.path, e))?;
        // SAFETY: the closure runs in the forked child before exec; it only
        // calls setns(2), which is async-signal-safe, on an fd that was
        // opened before the fork and is moved into the closure.
        unsafe {
            cmd.pre_exec(move || {
                if libc::setns(fd.as_raw_fd(), libc::CLONE_NEWNET) == 0 {
                    Ok(())
                } else {
                    Err(io::Error::last_os_error())
                }
            });
        }
        Ok(())
    }

    /// Runs `f` on a new thread that has joined this namespace (sockets
    /// opened there stay in it). Returns the thread's handle.
    pub fn spawn<F, T>(&self, f: F) -> Result<std::thread::JoinHandle<T>>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        let file = self
            .file
            .try_clone()
            .map_err(|e| Error::io("dup", &self.path, e))?;
        let path = self.path.clone();
        let (tx, rx) = std::sync::mpsc::channel();
        let handle = std::thread::spawn(move || {
            let joined = setns(file.as_fd(), CloneFlags::CLONE_NEWNET);
            let ok = joined.is_ok();
            let _ = tx.send(joined);
            // Never run the closure in the wrong namespace; the caller has
            // already been told through the channel.
            assert!(ok, "setns failed");
            f()
        });
        match rx.recv() {
            Ok(Ok(())) => Ok(handle),
            Ok(Err(e)) => Err(ns_err(&path, format!("setns: {e}"))),
            Err(_) => Err(ns_err(&path, "thread died before setns")),
        }
    }

    /// Runs `f` inside this namespace on a helper thread and waits for it.
    pub fn run<F, T>(&self, f: F) -> Result<T>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        self.spawn(f)?
            .join()
            .map_err(|_| ns_err(&self.path, "function run in the namespace panicked"))
    }
}
