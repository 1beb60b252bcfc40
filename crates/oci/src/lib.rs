//! berth's OCI layer: turns plain container data into a running, monitored process.
//!
//! - [`ContainerSpec`] is the plain input (no dependency on other berth crates);
//!   [`generate::generate_spec`] turns it into an OCI runtime `config.json` with podman's security
//!   defaults, and [`generate::write_bundle`] writes it (plus `/etc/hosts`, `/etc/resolv.conf`,
//!   `/etc/hostname`) into the bundle directory.
//! - [`Signal`] is the one signal parser (names, `RTMIN+n`, numbers) for stop signals and kills.
//! - [`hooks`] reads OCI hook files (1.0.0 and 0.1.0) and injects the matching hooks.
//! - [`OciRuntime`] is the driver trait the runtime crate uses; [`RuncConmon`] is the real
//!   implementation (conmon monitors every container, runc does the work), and
//!   `testing::FakeOciRuntime` (feature `testing`) is the in-memory fake.

pub mod container_spec;
pub mod driver;
pub mod error;
pub mod generate;
pub mod hooks;
pub mod runtime;
pub mod signal;

#[cfg(any(test, feature = "testing"))]
pub mod testing;

pub use container_spec::{
    BindMount, BlkioThrottle, CgroupManager, ContainerSpec, DeviceCgroupRule, DeviceMapping,
    DnsConfig, HostEntry, ImageConfig, NamespaceMode, Namespaces, Resources, SeccompChoice,
    ThrottleKind, TmpfsMount, Ulimit,
};
pub use driver::{RuncConmon, RuncConmonConfig};
pub use error::{Error, ExitCodeClass, Result};
pub use runtime::{
    AttachHandle, AttachIo, ContainerState, ContainerStatus, CreateRequest, Created, ExecRequest,
    ExecResult, ExitCommand, HeldFds, LogDriver, OciRuntime, WinSize,
};
pub use signal::{InvalidSignal, Signal};
