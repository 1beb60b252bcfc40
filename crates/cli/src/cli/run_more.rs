//! More of `run`/`create`'s flags: the healthcheck flags (accepted, checked
//! and stored with the container) and podman's flags berth defines but
//! does not support yet. Those are still parsed, so they are never taken as
//! the image, and are refused by name (`--FLAG is not supported yet`); the
//! CLI README's table "Flags accepted but not supported yet" lists them.

use clap::Args;

/// `--health-*` and `--no-healthcheck`, with podman's defaults.
#[derive(Debug, Clone, Default, Args)]
pub struct HealthFlags {
    /// set a healthcheck command for the container ('none' disables the existing healthcheck)
    #[arg(long, value_name = "COMMAND", allow_hyphen_values = true)]
    pub health_cmd: Option<String>,
    /// set an interval for the healthchecks (a value of disable results in no automatic timer setup)
    #[arg(long, default_value = "30s", value_name = "DURATION")]
    pub health_interval: String,
    /// action to take once the container turns unhealthy
    #[arg(long, default_value = "none", value_name = "none|kill|restart|stop")]
    pub health_on_failure: String,
    /// the number of retries allowed before a healthcheck is considered to be unhealthy
    #[arg(long, default_value_t = 3)]
    pub health_retries: u32,
    /// the initialization time needed for a container to bootstrap
    #[arg(long, default_value = "0s", value_name = "DURATION")]
    pub health_start_period: String,
    /// the maximum time allowed to complete the healthcheck before an interval is considered failed
    #[arg(long, default_value = "30s", value_name = "DURATION")]
    pub health_timeout: String,
    /// Disable healthchecks on container
    #[arg(long)]
    pub no_healthcheck: bool,
}

/// podman's `run`/`create` flags that berth does not support yet.
#[derive(Debug, Clone, Default, Args)]
pub struct UnsupportedCreateFlags {
    /// Block IO weight (relative weight); not supported yet
    #[arg(long, value_name = "WEIGHT")]
    pub blkio_weight: Option<String>,
    /// Block IO weight (relative device weight, format: DEVICE_NAME:WEIGHT); not supported yet
    #[arg(long, value_name = "DEVICE_NAME:WEIGHT")]
    pub blkio_weight_device: Vec<String>,
    /// Configure cgroup v2 (key=value); not supported yet
    #[arg(long, value_name = "KEY=VALUE")]
    pub cgroup_conf: Vec<String>,
    /// Chroot directories inside the container; not supported yet
    #[arg(long, value_name = "PATH")]
    pub chrootdirs: Vec<String>,
    /// Limit the CPU real-time period in microseconds; not supported yet
    #[arg(long, value_name = "MICROSECONDS")]
    pub cpu_rt_period: Option<u64>,
    /// Limit the CPU real-time runtime in microseconds; not supported yet
    #[arg(long, allow_negative_numbers = true, value_name = "MICROSECONDS")]
    pub cpu_rt_runtime: Option<i64>,
    /// Expose a port or a range of ports; not supported yet
    #[arg(long, value_name = "PORT")]
    pub expose: Vec<String>,
    /// GID map to use for the user namespace; not supported yet
    #[arg(long, value_name = "MAP")]
    pub gidmap: Vec<String>,
    /// Specify a static IPv4 address for the container
    #[arg(long, value_name = "IP")]
    pub ip: Option<String>,
    /// Specify a static IPv6 address for the container; not supported yet
    #[arg(long, value_name = "IP")]
    pub ip6: Option<String>,
    /// Container MAC address (e.g. 92:d0:c6:0a:29:33)
    #[arg(long, value_name = "MAC")]
    pub mac_address: Option<String>,
    /// Add network-scoped alias for the container
    #[arg(long, value_name = "ALIAS")]
    pub network_alias: Vec<String>,
    /// Entry to write to /etc/passwd; not supported yet
    #[arg(long, value_name = "ENTRY")]
    pub passwd_entry: Option<String>,
    /// Configure execution domain using personality (e.g., LINUX/LINUX32); not supported yet
    #[arg(long, value_name = "DOMAIN")]
    pub personality: Option<String>,
    /// Add one or more requirement containers that must be started before this container will start; not supported yet
    #[arg(long, value_name = "CONTAINER")]
    pub requires: Vec<String>,
    /// The first argument is not an image but the rootfs to the exploded container; not supported yet
    #[arg(long)]
    pub rootfs: bool,
    /// Add secret to container
    #[arg(long, value_name = "SECRET")]
    pub secret: Vec<String>,
    /// Name of range listed in /etc/subgid for use in user namespace; not supported yet
    #[arg(long, value_name = "NAME")]
    pub subgidname: Option<String>,
    /// Name of range listed in /etc/subuid for use in user namespace; not supported yet
    #[arg(long, value_name = "NAME")]
    pub subuidname: Option<String>,
    /// UID map to use for the user namespace; not supported yet
    #[arg(long, value_name = "MAP")]
    pub uidmap: Vec<String>,
}

impl UnsupportedCreateFlags {
    /// The first of these flags that was given, by its long name.
    pub fn first_given(&self) -> Option<&'static str> {
        let given = [
            ("blkio-weight", self.blkio_weight.is_some()),
            ("blkio-weight-device", !self.blkio_weight_device.is_empty()),
            ("cgroup-conf", !self.cgroup_conf.is_empty()),
            ("chrootdirs", !self.chrootdirs.is_empty()),
            ("cpu-rt-period", self.cpu_rt_period.is_some()),
            ("cpu-rt-runtime", self.cpu_rt_runtime.is_some()),
            ("expose", !self.expose.is_empty()),
            ("gidmap", !self.gidmap.is_empty()),
            ("ip6", self.ip6.is_some()),
            ("passwd-entry", self.passwd_entry.is_some()),
            ("personality", self.personality.is_some()),
            ("requires", !self.requires.is_empty()),
            ("rootfs", self.rootfs),
            ("subgidname", self.subgidname.is_some()),
            ("subuidname", self.subuidname.is_some()),
            ("uidmap", !self.uidmap.is_empty()),
        ];
        given.into_iter().find(|(_, g)| *g).map(|(f, _)| f)
    }
}
