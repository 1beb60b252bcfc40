//! Every key of podman 4.3.1's containers.conf (containers/common v0.50), its
//! type, and what berth does with it.

/// The type a key's value must have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Type {
    Str,
    Bool,
    Int,
    Strs,
    /// A table of strings (`[secrets.opts]`, `[engine.volume_plugins]`).
    StrMap,
    /// A table of string arrays (`[engine.runtimes]`).
    StrsMap,
    /// An integer or a size string (`events_logfile_max_size`).
    IntOrStr,
    /// Structured values berth does not apply; any TOML value is accepted.
    Any,
}

/// What berth does with a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Support {
    /// The value takes effect.
    Applied,
    /// Accepted; the feature is not in berth yet, so one warning names the key.
    Pending,
    /// Accepted; berth has no such feature, so one warning names the key.
    Unsupported,
}

use Support::{Applied as A, Pending as P, Unsupported as U};
use Type::{Any, Bool, Int, IntOrStr, Str, StrMap, Strs, StrsMap};

/// `(table.key, type, support)` for every key of podman 4.3.1's containers.conf.
pub(crate) const KEYS: &[(&str, Type, Support)] = &[
    ("containers.annotations", Strs, A),
    ("containers.apparmor_profile", Str, U),
    ("containers.base_hosts_file", Str, U),
    ("containers.cgroupns", Str, A),
    ("containers.cgroups", Str, P),
    ("containers.default_capabilities", Strs, A),
    ("containers.default_sysctls", Strs, A),
    ("containers.default_ulimits", Strs, A),
    ("containers.devices", Strs, A),
    ("containers.dns_servers", Strs, A),
    ("containers.dns_options", Strs, A),
    ("containers.dns_searches", Strs, A),
    ("containers.keyring", Bool, U),
    ("containers.label", Bool, P),
    ("containers.env", Strs, A),
    ("containers.env_host", Bool, A),
    ("containers.host_containers_internal_ip", Str, U),
    ("containers.http_proxy", Bool, A),
    ("containers.init", Bool, P),
    ("containers.init_path", Str, P),
    ("containers.ipcns", Str, A),
    ("containers.log_driver", Str, A),
    ("containers.log_size_max", Int, A),
    ("containers.log_tag", Str, A),
    ("containers.netns", Str, A),
    ("containers.no_hosts", Bool, A),
    ("containers.pids_limit", Int, A),
    ("containers.pidns", Str, A),
    ("containers.prepare_volume_on_create", Bool, U),
    ("containers.read_only", Bool, A),
    ("containers.seccomp_profile", Str, A),
    ("containers.shm_size", Str, A),
    ("containers.tz", Str, A),
    ("containers.umask", Str, A),
    ("containers.utsns", Str, A),
    ("containers.userns", Str, P),
    ("containers.userns_size", Int, U),
    ("containers.volumes", Strs, A),
    ("engine.active_service", Str, U),
    ("engine.cgroup_check", Bool, U),
    ("engine.cgroup_manager", Str, A),
    ("engine.chown_copied_files", Bool, U),
    ("engine.compat_api_enforce_docker_hub", Bool, U),
    ("engine.compression_format", Str, U),
    ("engine.conmon_env_vars", Strs, A),
    ("engine.conmon_path", Strs, A),
    ("engine.conmonrs_path", Strs, U),
    ("engine.detach_keys", Str, A),
    ("engine.enable_port_reservation", Bool, U),
    ("engine.env", Strs, A),
    ("engine.events_logfile_max_size", IntOrStr, U),
    ("engine.events_logfile_path", Str, U),
    ("engine.events_logger", Str, A),
    ("engine.exit_command_delay", Int, U),
    ("engine.helper_binaries_dir", Strs, U),
    ("engine.hooks_dir", Strs, A),
    ("engine.image_build_format", Str, U),
    ("engine.image_copy_tmp_dir", Str, U),
    ("engine.image_default_format", Str, U),
    ("engine.image_default_transport", Str, A),
    ("engine.image_parallel_copies", Int, P),
    ("engine.image_volume_mode", Str, U),
    ("engine.infra_command", Str, A),
    ("engine.infra_image", Str, A),
    ("engine.init_path", Str, P),
    ("engine.lock_type", Str, U),
    ("engine.machine_enabled", Bool, U),
    ("engine.multi_image_archive", Bool, U),
    ("engine.namespace", Str, A),
    ("engine.network_cmd_path", Str, U),
    ("engine.network_cmd_options", Strs, U),
    ("engine.no_pivot_root", Bool, A),
    ("engine.num_locks", Int, A),
    ("engine.pod_exit_policy", Str, U),
    ("engine.pull_policy", Str, A),
    ("engine.remote", Bool, U),
    ("engine.remote_uri", Str, U),
    ("engine.remote_identity", Str, U),
    ("engine.runtime", Str, A),
    ("engine.runtime_path", Strs, A),
    ("engine.runtime_supports_json", Strs, U),
    ("engine.runtime_supports_nocgroup", Strs, U),
    ("engine.runtime_supports_kvm", Strs, U),
    ("engine.runtimes", StrsMap, A),
    ("engine.service_destinations", Any, U),
    ("engine.service_timeout", Int, P),
    ("engine.ssh_config", Str, U),
    ("engine.static_dir", Str, A),
    ("engine.stop_timeout", Int, A),
    ("engine.tmp_dir", Str, A),
    ("engine.volume_path", Str, A),
    ("engine.volume_plugin_timeout", Int, U),
    ("engine.volume_plugins", StrMap, U),
    ("machine.cpus", Int, U),
    ("machine.disk_size", Int, U),
    ("machine.image", Str, U),
    ("machine.memory", Int, U),
    ("machine.user", Str, U),
    ("machine.volumes", Strs, U),
    ("network.network_backend", Str, A),
    ("network.cni_plugin_dirs", Strs, A),
    ("network.default_network", Str, A),
    ("network.default_subnet", Str, A),
    ("network.default_subnet_pools", Any, P),
    ("network.network_config_dir", Str, A),
    ("network.dns_bind_port", Int, U),
    ("secrets.driver", Str, A),
    ("secrets.opts", StrMap, P),
    ("configmaps.driver", Str, U),
    ("configmaps.opts", StrMap, U),
];

/// The tables of containers.conf.
pub(crate) const TABLES: &[&str] = &[
    "containers",
    "engine",
    "machine",
    "network",
    "secrets",
    "configmaps",
];

/// A key's type and support, by its dotted name.
pub(crate) fn lookup(name: &str) -> Option<(&'static str, Type, Support)> {
    KEYS.iter().find(|(k, _, _)| *k == name).copied()
}

/// What berth does with the containers.conf key `name` (`containers.env`), or
/// `None` when podman 4.3.1 has no such key.
pub fn containers_conf_support(name: &str) -> Option<Support> {
    lookup(name).map(|(_, _, s)| s)
}
