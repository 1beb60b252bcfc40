//! berth's runtime: one [`Runtime`] that composes the configuration, state, storage, OCI and
//! network layers behind their traits, with the container and pod lifecycle on top.
//!
//! - [`RuntimeBuilder`] resolves the configuration (defaults, then berth.conf, then options)
//!   and opens the real layers in the seed's order; [`Runtime::from_layers`] takes layers
//!   you built yourself (fakes in tests, or your own implementations).
//! - Containers: [`Runtime::create_container`], `start`, `stop`, `kill`, `pause`, `wait`,
//!   `remove`, `exec`, `logs`, `inspect`, `stats`, `top`, ... Status comes from cheap signals
//!   (conmon's exit file, pid liveness); [`Runtime::cleanup_container`] is what conmon's
//!   exit command runs.
//! - Pods share an infra container's namespaces ([`Runtime::create_pod`], with `replace`;
//!   [`Runtime::list_pod_reports`] gives `pod ps`'s typed rows); volumes live under the
//!   graph root.
//! - Prune and system: [`Runtime::prune_containers`], `prune_pods`, `prune_images`,
//!   `prune_volumes`, `prune_system` (typed [`PruneFilters`], a [`PruneReport`] per kind),
//!   `system_reset`, `disk_usage`, `system_refresh`.
//! - Filters: [`parse_filters`] turns `KEY=VALUE` words into typed [`Filters`];
//!   `list_containers_filtered`, `list_pods_filtered`, `list_volumes_filtered` and
//!   [`filter::Matcher`] apply them.
//! - CNI networks: [`Runtime::create_network`] (typed [`NetworkCreateOptions`], generated
//!   names), `list_networks`, `inspect_network` (typed [`Network`] descriptions),
//!   `remove_network` (force removes the containers that use it first).
//! - Images: [`Runtime::list_images`], `inspect_image`, `image_history`, `tag_image`,
//!   `untag_image`, `remove_images`, `image_exists`, `import_image`, `load_images`,
//!   `save_images`, typed options and results.
//! - Published ports: one [`PortMapping`] type from `-p` to the record and the portmap
//!   plugin; `create_container` chooses free host ports (host port 0, and the image's
//!   exposed ports with `publish_all`), held by the network layer until the record names
//!   them, and refuses taken ones ([`Error::is_port_unavailable`]).
//! - Registries: [`Runtime::pull_image`], `ensure_image` (`run --pull`), `push_image`,
//!   `login`, `logout`, with registries.conf and the signature policy applied.
//! - After a reboot (the tmp dir's `alive` file is gone) the first runtime built refreshes
//!   every container and pod, exactly once across processes.
//!
//! # Embedding
//!
//! ```no_run
//! use berth_runtime::{ContainerCreateOptions, RuntimeBuilder, WaitCondition};
//!
//! # fn main() -> Result<(), berth_runtime::Error> {
//! // Needs root, runc, conmon and the CNI plugins.
//! let rt = RuntimeBuilder::new()
//!     .tmp_dir("/run/my-app/berth")
//!     .static_dir("/var/lib/my-app/berth/state")
//!     .namespace("my-app")
//!     .exit_command(vec![
//!         "/usr/bin/berth".into(),
//!         "container".into(),
//!         "cleanup".into(),
//!     ])
//!     .build()?;
//!
//! let mut opts = ContainerCreateOptions::new("busybox", &["echo", "hello"]);
//! opts.name = Some("hello".into());
//! let ctr = rt.create_container(&opts)?;
//! rt.start_container(&ctr.config.id)?;
//! let code = rt.wait_container(&ctr.config.id, WaitCondition::Exited, None)?;
//! assert_eq!(code, 0);
//! rt.container_logs(&ctr.config.id, &Default::default(), &mut std::io::stdout())?;
//! rt.remove_container(&ctr.config.id, true, false)?;
//! rt.shutdown(false)?;
//! # Ok(())
//! # }
//! ```

#![deny(unsafe_code)]

mod builder;
mod check;
mod config_info;
mod container;
mod dirs;
mod error;
pub mod events;
pub mod filter;
pub mod generate;
mod health;
mod images;
mod info;
mod lazy_state;
mod lock;
mod names;
mod network;
mod options;
mod pod;
mod process;
mod prune;
mod refresh;
mod runtime;
mod secret;
mod system;
mod undo;
mod volume;
mod volume_ops;

#[cfg(test)]
mod tests;

/// The one name rule of containers, pods, volumes and networks (berth-config's).
pub use berth_config::{is_valid_name, NameError, NameKind, NAME_PATTERN};
pub use berth_config::{CgroupManager, StorageConfig, StorageDriver, ULIMIT_NAMES};
pub use builder::RuntimeBuilder;
pub use check::{CheckOptions, ExternalContainer, Orphan, OrphanKind, SystemCheckReport};
pub use config_info::{ConfigInfo, ConfigSetting};
pub use container::{
    parse_record, ContainerCommitOptions, ContainerCreateOptions, ContainerNamespaces,
    ContainerStats, ContainerUpdateOptions, CopyError, CopyOptions, DiffTarget, ExecOptions,
    ExecOutput, InspectConfig, InspectContainer, InspectHostConfig, InspectMount,
    InspectNetworkSettings, InspectState, ListOptions, LogOptions, LogRecord, LogStream,
    NetworkMode, PortBinding, PortMapping, Protocol, TopRow, WaitCondition,
};
pub use error::{Error, ErrorKind, OciFailure, Result};
pub use events::{
    parse_event_filters, Event, EventFilter, EventFilters, EventReadOptions, EventStatus,
    EventType, EventsBackend, EventsOptions,
};
pub use filter::{
    container_image_name, is_infra_container, parse_filters, FilterError, FilterTarget, Filters,
    PruneFilters,
};
pub use generate::systemd::{
    write_units, BadRestartPolicy, SystemdOptions, SystemdUnit, UnitRestartPolicy,
};
pub use health::{
    configured_healthcheck, HealthCheckLogEntry, HealthCheckOutcome, HealthCheckResults,
    HEALTH_HEALTHY, HEALTH_STARTING, HEALTH_UNHEALTHY, SCHEDULER_PID_FILE,
};
pub use images::{
    apply_import_change, registry_key, registry_reference, registry_rules, short_name_rules,
    ImageHistoryEntry, ImageListOptions, ImageRemoveOptions, ImageRemoveReport, ImageSaveOptions,
    ImageSummary, InspectImage, InspectImageConfig, InspectRootFs, RunlabelOptions,
};
pub use images::{ImageMountReport, ImageMountTarget, ImageTree, ImageUnmountReport, TreeLayer};
pub use info::{
    go_arch, version_info, BinaryInfo, ContainerCounts, DistributionInfo, HostInfo, IdMappings,
    ImageCount, Info, PluginsInfo, RegistriesInfo, SecurityInfo, SlirpInfo, StoreInfo, VersionInfo,
};
pub use lock::LockGuard;
pub use names::{check_name, generate_name, new_id, validate_name};
pub use options::{
    apply_log_opts, check_volume_name, parse_add_hosts, parse_cpus, parse_device,
    parse_device_cgroup_rule, parse_health_cmd, parse_health_on_failure, parse_log_driver,
    parse_mount, parse_namespace, parse_restart, parse_security_opts, parse_tmpfs, parse_volume,
    ContainerMount, CpuLimit, DeviceRule, DeviceSpec, Healthcheck, HostEntry, InvalidValue,
    LogConfig, LogDriver, NamespaceChoice, NamespaceOptions, RestartPolicy, RunSettings, Seccomp,
    SecurityOptions, Throttle, Tuning, JOURNALD_SOCKET,
};
pub use pod::{
    InspectInfraConfig, InspectPod, PodContainerReport, PodCreateOptions, PodExitPolicy,
    PodInfraOptions, PodMember, PodReport, INFRA_IMAGE,
};
pub use process::ProcessHandle;
pub use prune::{
    ContainerPruneOptions, ImagePruneOptions, PruneFailure, PruneReport, Pruned, VolumePruneOptions,
};
pub use runtime::{EngineOptions, HostProbe, Layers, ProcessProbe, Runtime, CTR_REMOVE_TIMEOUT};
pub use secret::{
    check_secret_name, ContainerSecret, Secret, SecretCreateOptions, SecretUse, MAX_SECRET_SIZE,
};
pub use system::{DiskUsage, ResetReport, SystemPruneOptions, SystemPruneReport, UsageSummary};
pub use volume::{Volume, VolumeCreateOptions};
pub use volume_ops::VolumeReloadReport;

/// The layers' record and option types the API uses, re-exported for callers.
pub use berth_oci::{AttachHandle, AttachIo, WinSize};
/// The one signal parser (names, `RTMIN+n`, numbers), for front ends' `--signal` flags.
pub use berth_oci::{InvalidSignal, Signal};
pub use berth_state::{
    ContainerRecord, ContainerStatus, Mount, NamedVolume, PodRecord, PodSharedNamespaces,
    PodStatus, ResourceLimits,
};
pub use berth_storage::registry::{
    Credentials, Event as PullEvent, LoginOptions, Platform, PolicySource, ProgressFn, PullOptions,
    PullPolicy, PullReport, PushOptions, PushReport, RegistryRules, Resolution,
};
pub use berth_storage::registry::{SearchFilter, SearchOptions, SearchResult};
pub use berth_storage::CheckReport as StorageCheckReport;
pub use berth_storage::{
    ArchiveFormat, Change, ChangeKind, HistoryEntry, ImageRecord, ImportOptions,
};
pub use berth_storage::{InstanceEdit, ListDocument, ListInstance, ListPlatform, ManifestList};
pub use network::{
    check_mac, network_id, JoinedNetwork, LeaseRange, Network, NetworkConnectOptions,
    NetworkCreateOptions, NetworkOption, NetworkSubnet, BRIDGE_NAME_OPTION,
};
