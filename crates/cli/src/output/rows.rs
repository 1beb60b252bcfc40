//! The rows of podman's listings: plain summaries the runtime will fill,
//! turned into the field view templates see and the JSON `--format json`
//! prints, plus each listing's default table.

use super::format::Listing;
use super::human::{command_text, human_size, short_id, status_text, time_ago, StatusView};
use crate::opts::PortMapping;
use chrono::{DateTime, Utc};
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// `ps`: CONTAINER ID, IMAGE, COMMAND, CREATED, STATUS, PORTS, NAMES.
pub const PS: Listing = Listing {
    default_template:
        "{{.ID}}\t{{.Image}}\t{{.Command}}\t{{.CreatedHuman}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}",
    headers: &[
        ("ID", "CONTAINER ID"),
        ("CreatedHuman", "CREATED"),
        ("Pod", "POD ID"),
        ("PodName", "PODNAME"),
    ],
};

/// `ps --ns`: the container's namespaces instead of the usual columns.
pub const PS_NAMESPACES: Listing = Listing {
    default_template: "{{.ID}}\t{{.Names}}\t{{.Pid}}\t{{.Namespaces.Cgroup}}\t{{.Namespaces.IPC}}\t{{.Namespaces.MNT}}\t{{.Namespaces.NET}}\t{{.Namespaces.PIDNS}}\t{{.Namespaces.User}}\t{{.Namespaces.UTS}}",
    headers: &[
        ("ID", "CONTAINER ID"),
        ("Namespaces.Cgroup", "CGROUPNS"),
        ("Namespaces.User", "USERNS"),
    ],
};

/// `ps --size` adds SIZE; `ps --pod` adds POD ID and PODNAME.
pub fn ps_listing(size: bool, pod: bool) -> Listing {
    match (size, pod) {
        (false, false) => PS,
        (true, false) => Listing {
            default_template: "{{.ID}}\t{{.Image}}\t{{.Command}}\t{{.CreatedHuman}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}\t{{.Size}}",
            ..PS
        },
        (false, true) => Listing {
            default_template: "{{.ID}}\t{{.Image}}\t{{.Command}}\t{{.CreatedHuman}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}\t{{.Pod}}\t{{.PodName}}",
            ..PS
        },
        (true, true) => Listing {
            default_template: "{{.ID}}\t{{.Image}}\t{{.Command}}\t{{.CreatedHuman}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}\t{{.Size}}\t{{.Pod}}\t{{.PodName}}",
            ..PS
        },
    }
}

/// `images`: REPOSITORY, TAG, IMAGE ID, CREATED, SIZE.
pub const IMAGES: Listing = Listing {
    default_template: "{{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.Created}}\t{{.Size}}",
    headers: &[("ID", "IMAGE ID"), ("ReadOnly", "R/O")],
};

/// `images --digests`: REPOSITORY, TAG, DIGEST, IMAGE ID, CREATED, SIZE.
pub const IMAGES_DIGESTS: Listing = Listing {
    default_template: "{{.Repository}}\t{{.Tag}}\t{{.Digest}}\t{{.ID}}\t{{.Created}}\t{{.Size}}",
    ..IMAGES
};

/// `pod ps`: POD ID, NAME, STATUS, CREATED, INFRA ID, # OF CONTAINERS.
pub const PODS: Listing = Listing {
    default_template:
        "{{.ID}}\t{{.Name}}\t{{.Status}}\t{{.Created}}\t{{.InfraID}}\t{{.NumberOfContainers}}",
    headers: &[
        ("ID", "POD ID"),
        ("InfraID", "INFRA ID"),
        ("NumberOfContainers", "# OF CONTAINERS"),
    ],
};

/// The columns `pod ps` adds: `--ctr-ids`, `--ctr-names`, `--ctr-status`,
/// `--ns`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PodColumns {
    /// IDS.
    pub ids: bool,
    /// NAMES.
    pub names: bool,
    /// STATUS of each container.
    pub status: bool,
    /// CGROUP and NAMESPACES.
    pub ns: bool,
}

/// `pod ps`'s default table for its column flags, in podman's order:
/// IDS, NAMES, STATUS, then CGROUP and NAMESPACES; # OF CONTAINERS only
/// without the `--ctr-*` flags.
pub fn pods_listing(c: PodColumns) -> Listing {
    if c == PodColumns::default() {
        return PODS;
    }
    let mut t = String::from("{{.ID}}\t{{.Name}}\t{{.Status}}\t{{.Created}}\t{{.InfraID}}");
    for (on, field) in [
        (c.ids, "\t{{.ContainerIds}}"),
        (c.names, "\t{{.ContainerNames}}"),
        (c.status, "\t{{.ContainerStatuses}}"),
        (c.ns, "\t{{.Cgroup}}\t{{.Namespace}}"),
        (!(c.ids || c.names || c.status), "\t{{.NumberOfContainers}}"),
    ] {
        if on {
            t.push_str(field);
        }
    }
    Listing {
        // Built once per `pod ps`; a listing's template is static.
        default_template: Box::leak(t.into_boxed_str()),
        headers: &[
            ("ID", "POD ID"),
            ("InfraID", "INFRA ID"),
            ("NumberOfContainers", "# OF CONTAINERS"),
            ("ContainerIds", "IDS"),
            ("ContainerNames", "NAMES"),
            ("ContainerStatuses", "STATUS"),
            ("Namespace", "NAMESPACES"),
        ],
    }
}

/// `volume ls`: DRIVER, VOLUME NAME.
pub const VOLUMES: Listing = Listing {
    default_template: "{{.Driver}}\t{{.Name}}",
    headers: &[("Name", "VOLUME NAME")],
};

/// `network ls`: NETWORK ID, NAME, DRIVER.
pub const NETWORKS: Listing = Listing {
    default_template: "{{.ID}}\t{{.Name}}\t{{.Driver}}",
    headers: &[("ID", "NETWORK ID")],
};

/// One container of `ps`.
#[derive(Debug, Clone, PartialEq)]
pub struct ContainerSummary {
    /// Full ID.
    pub id: String,
    /// Image name as given at create.
    pub image: String,
    /// Full image ID.
    pub image_id: String,
    /// Entrypoint and command.
    pub command: Vec<String>,
    /// Creation time.
    pub created: DateTime<Utc>,
    /// State for STATUS.
    pub status: StatusView,
    /// Published ports.
    pub ports: Vec<PortMapping>,
    /// Names (podman has one).
    pub names: Vec<String>,
    /// Labels.
    pub labels: BTreeMap<String, String>,
    /// Pod ID, if in a pod.
    pub pod_id: Option<String>,
    /// Pod name, if in a pod.
    pub pod_name: Option<String>,
    /// Networks joined.
    pub networks: Vec<String>,
    /// Mount destinations.
    pub mounts: Vec<String>,
    /// PID of the container's init while running, else 0.
    pub pid: i32,
    /// `--rm`.
    pub auto_remove: bool,
    /// Is a pod's infra container.
    pub is_infra: bool,
    /// Root filesystem size and virtual size, with `--size`.
    pub size: Option<(u64, u64)>,
    /// The healthcheck's status (`starting`, `healthy`, `unhealthy`), shown after the
    /// status as podman does.
    pub health: Option<String>,
}

impl ContainerSummary {
    fn ports_text(&self) -> String {
        self.ports
            .iter()
            .map(super::port::ps_form)
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The fields `--format` templates see, as podman's ps reporter.
    pub fn template_row(&self, now: DateTime<Utc>, no_trunc: bool) -> Value {
        let id = if no_trunc {
            &self.id
        } else {
            short_id(&self.id)
        };
        let mut status = status_text(self.status, now);
        if let Some(h) = &self.health {
            status = format!("{status} ({h})");
        }
        let ago = time_ago(self.created, now);
        let created = self
            .created
            .format("%Y-%m-%d %H:%M:%S%.9f %z %Z")
            .to_string();
        json!({
            "ID": id,
            "Image": self.image,
            "ImageID": if no_trunc { &self.image_id } else { short_id(&self.image_id) },
            "Command": command_text(&self.command, no_trunc),
            "CreatedHuman": ago,
            "RunningFor": ago,
            "Created": created,
            "CreatedAt": created,
            "Status": status,
            "State": status,
            "Ports": self.ports_text(),
            "Names": self.names.join(","),
            "Labels": self.labels,
            "Pod": self.pod_id.as_deref().map_or("", |p| if no_trunc { p } else { short_id(p) }),
            "PodName": self.pod_name.as_deref().unwrap_or(""),
            "Networks": self.networks.join(","),
            "Mounts": self.mounts,
            "Pid": self.pid,
            "ExitCode": match self.status { StatusView::Exited { code, .. } => code, _ => 0 },
            "Exited": matches!(self.status, StatusView::Exited { .. }),
            "AutoRemove": self.auto_remove,
            "IsInfra": self.is_infra,
            "Size": self.size.map(|(rw, root)| format!("{} (virtual {})", human_size(rw), human_size(root))).unwrap_or_default(),
            "StartedAt": self.started_exited().0,
            "ExitedAt": self.started_exited().1,
            // `--ns` fills these in.
            "Namespaces": {"Cgroup": "", "IPC": "", "MNT": "", "NET": "", "PIDNS": "", "User": "", "UTS": ""},
        })
    }

    /// Start and exit times in seconds since the epoch, Go's zero time
    /// (`-62135596800`) when there is none, as podman's templates print them.
    fn started_exited(&self) -> (i64, i64) {
        const GO_ZERO: i64 = -62_135_596_800;
        match self.status {
            StatusView::Running { started } => (started.timestamp(), GO_ZERO),
            StatusView::Exited { finished, .. } => (GO_ZERO, finished.timestamp()),
            _ => (GO_ZERO, GO_ZERO),
        }
    }

    /// The object `ps --format json` prints.
    pub fn json(&self, now: DateTime<Utc>) -> Value {
        let (exited, exit_code, exited_at) = match self.status {
            StatusView::Exited { code, finished } => (true, code, finished.timestamp()),
            _ => (false, 0, 0),
        };
        let started_at = match self.status {
            StatusView::Running { started } => started.timestamp(),
            _ => 0,
        };
        json!({
            "AutoRemove": self.auto_remove,
            "Command": self.command,
            "Created": self.created.timestamp(),
            "CreatedAt": time_ago(self.created, now),
            "Exited": exited,
            "ExitedAt": exited_at,
            "ExitCode": exit_code,
            "Id": self.id,
            "Image": self.image,
            "ImageID": self.image_id,
            "IsInfra": self.is_infra,
            "Labels": self.labels,
            "Mounts": self.mounts,
            "Names": self.names,
            "Networks": self.networks,
            "Pid": self.pid,
            "Pod": self.pod_id.as_deref().unwrap_or(""),
            "PodName": self.pod_name.as_deref().unwrap_or(""),
            "Ports": self.ports.iter().map(|p| json!({
                "host_ip": p.host_ip.map(|ip| ip.to_string()).unwrap_or_default(),
                "container_port": p.container_port,
                "host_port": p.host_port,
                "range": 1,
                "protocol": p.protocol.as_str(),
            })).collect::<Vec<_>>(),
            "Size": self.size.map(|(rw, root)| json!({"rwSize": rw, "rootFsSize": root})),
            "StartedAt": started_at,
            "State": self.status.word(),
            "Status": status_text(self.status, now),
        })
    }
}

/// One image of `images`.
#[derive(Debug, Clone, PartialEq)]
pub struct ImageSummary {
    /// Full ID (hex, without `sha256:`).
    pub id: String,
    /// Names, `registry/repo:tag`; empty for a dangling image.
    pub names: Vec<String>,
    /// Manifest digest (`sha256:...`).
    pub digest: String,
    /// Creation time.
    pub created: DateTime<Utc>,
    /// Size in bytes.
    pub size: u64,
    /// Labels.
    pub labels: BTreeMap<String, String>,
    /// Containers using it.
    pub containers: u64,
    /// Read-only store.
    pub read_only: bool,
}

/// Splits `repo:tag` (the colon after the last `/`); no tag is `<none>`.
pub fn split_reference(name: &str) -> (&str, &str) {
    let slash = name.rfind('/').map_or(0, |i| i + 1);
    match name[slash..].rfind(':') {
        Some(i) => (&name[..slash + i], &name[slash + i + 1..]),
        None => (name, "<none>"),
    }
}

impl ImageSummary {
    /// The template rows: one per name, as podman lists an image once per
    /// repository and tag (`<none>` for a dangling image).
    pub fn template_rows(&self, now: DateTime<Utc>, no_trunc: bool) -> Vec<Value> {
        // A name by digest (`repo@sha256:...`, from a pull by digest) is no row of its own
        // when the image has tags, as podman lists it; alone it shows `repo <none>`.
        let tagged: Vec<(&str, &str)> = self
            .names
            .iter()
            .filter(|n| !n.contains('@'))
            .map(|n| split_reference(n))
            .collect();
        let names: Vec<(&str, &str)> = if !tagged.is_empty() {
            tagged
        } else if self.names.is_empty() {
            vec![("<none>", "<none>")]
        } else {
            self.names
                .iter()
                .map(|n| (n.split('@').next().unwrap_or(n), "<none>"))
                .collect()
        };
        names
            .into_iter()
            .map(|(repo, tag)| {
                json!({
                    "Repository": repo,
                    "Tag": tag,
                    "ID": if no_trunc { format!("sha256:{}", self.id) } else { short_id(&self.id).to_owned() },
                    "Created": time_ago(self.created, now),
                    "CreatedSince": time_ago(self.created, now),
                    "CreatedAt": self.created.format("%Y-%m-%d %H:%M:%S %z %Z").to_string(),
                    "Size": human_size(self.size),
                    "Digest": self.digest,
                    "Labels": self.labels,
                    "Containers": self.containers,
                    "ReadOnly": self.read_only,
                    "Dangling": self.names.is_empty(),
                    "Names": self.names,
                    "History": self.names.join(", "),
                    "ParentId": "",
                    "RepoTags": self.names,
                    "RepoDigests": self.repo_digests(),
                    "SharedSize": 0,
                    "VirtualSize": self.size,
                    "CreatedTime": self.created.format("%Y-%m-%d %H:%M:%S %z %Z").to_string(),
                    "IsReadOnly": self.read_only,
                })
            })
            .collect()
    }

    /// `repo@digest` for each repository the image is named in.
    fn repo_digests(&self) -> Vec<String> {
        self.names
            .iter()
            .map(|n| format!("{}@{}", split_reference(n).0, self.digest))
            .collect()
    }

    /// The object `images --format json` prints.
    pub fn json(&self) -> Value {
        json!({
            "Id": self.id,
            "ParentId": "",
            "RepoTags": Value::Null,
            "RepoDigests": self.repo_digests(),
            "Size": self.size,
            "SharedSize": 0,
            "VirtualSize": self.size,
            "Labels": self.labels,
            "Containers": self.containers,
            "Names": self.names,
            "Digest": self.digest,
            "History": self.names,
            "Created": self.created.timestamp(),
            "CreatedAt": self.created.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        })
    }
}

/// One pod of `pod ps`.
#[derive(Debug, Clone, PartialEq)]
pub struct PodSummary {
    /// Full ID.
    pub id: String,
    /// Name.
    pub name: String,
    /// Status word: Created, Running, Stopped, Exited, Paused, Degraded, Dead.
    pub status: String,
    /// Creation time.
    pub created: DateTime<Utc>,
    /// Infra container ID, if any.
    pub infra_id: Option<String>,
    /// Containers, infra included: (id, name, status word).
    pub containers: Vec<(String, String, String)>,
    /// Labels.
    pub labels: BTreeMap<String, String>,
    /// Networks.
    pub networks: Vec<String>,
    /// The pod's cgroup parent (`pod ps --ns`).
    pub cgroup: String,
    /// Its libpod namespace (`pod ps --ns`).
    pub namespace: String,
}

impl PodSummary {
    /// The fields `--format` templates see.
    pub fn template_row(&self, now: DateTime<Utc>, no_trunc: bool) -> Value {
        let cut = |s: &str| {
            if no_trunc {
                s.to_owned()
            } else {
                short_id(s).to_owned()
            }
        };
        json!({
            "ID": cut(&self.id),
            "Name": self.name,
            "Status": self.status,
            "Created": time_ago(self.created, now),
            "InfraID": self.infra_id.as_deref().map(cut).unwrap_or_default(),
            "NumberOfContainers": self.containers.len(),
            "ContainerIds": self.containers.iter().map(|c| cut(&c.0)).collect::<Vec<_>>().join(","),
            "ContainerNames": self.containers.iter().map(|c| c.1.clone()).collect::<Vec<_>>().join(","),
            "ContainerStatuses": self.containers.iter().map(|c| c.2.clone()).collect::<Vec<_>>().join(","),
            "Labels": self.labels,
            "Networks": self.networks.join(","),
            "Cgroup": self.cgroup,
            "Namespace": self.namespace,
            "Id": cut(&self.id),
            "InfraId": self.infra_id.as_deref().map(cut).unwrap_or_default(),
            "Containers": self.containers.iter().map(|(id, name, status)| json!({"Id": id, "Names": name, "Status": status})).collect::<Vec<_>>(),
        })
    }

    /// The object `pod ps --format json` prints.
    pub fn json(&self) -> Value {
        json!({
            "Cgroup": self.cgroup,
            "Containers": self.containers.iter().map(|(id, name, status)| json!({"Id": id, "Names": name, "Status": status})).collect::<Vec<_>>(),
            "Created": self.created.to_rfc3339(),
            "Id": self.id,
            "InfraId": self.infra_id.as_deref().unwrap_or(""),
            "Name": self.name,
            "Namespace": self.namespace,
            "Networks": self.networks,
            "Status": self.status,
            "Labels": self.labels,
        })
    }
}

/// One volume of `volume ls`.
#[derive(Debug, Clone, PartialEq)]
pub struct VolumeSummary {
    /// Name.
    pub name: String,
    /// Driver (`local`).
    pub driver: String,
    /// Host path of its data.
    pub mountpoint: String,
    /// Creation time.
    pub created: DateTime<Utc>,
    /// Labels.
    pub labels: BTreeMap<String, String>,
    /// Driver options.
    pub options: BTreeMap<String, String>,
    /// Owner, mount count, copy-up and chown flags.
    pub state: VolumeFlags,
}

/// The volume fields podman prints after `Options`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct VolumeFlags {
    /// `o=uid=`.
    pub uid: u32,
    /// `o=gid=`.
    pub gid: u32,
    /// Mounts held.
    pub mount_count: u32,
    /// The image's files are still to be copied in on first use.
    pub needs_copy_up: bool,
    /// The directory still takes the image's owner on first use.
    pub needs_chown: bool,
}

impl VolumeFlags {
    /// Every field, as a Go template sees podman's struct (zero values included).
    pub fn insert_all(&self, obj: &mut serde_json::Map<String, Value>) {
        obj.insert("UID".into(), json!(self.uid));
        obj.insert("GID".into(), json!(self.gid));
        obj.insert("MountCount".into(), json!(self.mount_count));
        obj.insert("NeedsCopyUp".into(), json!(self.needs_copy_up));
        obj.insert("NeedsChown".into(), json!(self.needs_chown));
    }

    /// podman's JSON fields, omitted when zero or false as Go's `omitempty` does
    /// (`MountCount` always shown).
    pub fn insert_into(&self, obj: &mut serde_json::Map<String, Value>) {
        if self.uid != 0 {
            obj.insert("UID".into(), json!(self.uid));
        }
        if self.gid != 0 {
            obj.insert("GID".into(), json!(self.gid));
        }
        obj.insert("MountCount".into(), json!(self.mount_count));
        if self.needs_copy_up {
            obj.insert("NeedsCopyUp".into(), json!(true));
        }
        if self.needs_chown {
            obj.insert("NeedsChown".into(), json!(true));
        }
    }
}

impl VolumeSummary {
    /// The fields `--format` templates see, with podman's names; times as
    /// Go prints a `time.Time`.
    pub fn template_row(&self) -> Value {
        json!({
            "Name": self.name,
            "Driver": self.driver,
            "Mountpoint": self.mountpoint,
            "CreatedAt": self.created.format("%Y-%m-%d %H:%M:%S%.9f %z %Z").to_string(),
            "Labels": self.labels,
            "Scope": "local",
            "Options": self.options,
            "Status": {},
            "UID": self.state.uid,
            "GID": self.state.gid,
            "MountCount": self.state.mount_count,
            "NeedsCopyUp": self.state.needs_copy_up,
            "NeedsChown": self.state.needs_chown,
        })
    }

    /// The object `volume ls --format json` prints.
    pub fn json(&self) -> Value {
        let mut v = json!({
            "Name": self.name,
            "Driver": self.driver,
            "Mountpoint": self.mountpoint,
            "CreatedAt": self.created.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
            "Labels": self.labels,
            "Scope": "local",
            "Options": self.options,
        });
        if let Some(obj) = v.as_object_mut() {
            self.state.insert_into(obj);
        }
        v
    }
}

/// One network of `network ls`.
#[derive(Debug, Clone, PartialEq)]
pub struct NetworkSummary {
    /// Full ID.
    pub id: String,
    /// Name.
    pub name: String,
    /// Driver (`bridge`).
    pub driver: String,
    /// Labels.
    pub labels: BTreeMap<String, String>,
}

impl NetworkSummary {
    /// The fields `--format` templates see: podman's Go names over the
    /// network's JSON form `inspect` (its snake_case keys), ID cut unless
    /// `no_trunc`.
    pub fn template_row(&self, no_trunc: bool, inspect: &Value) -> Value {
        const GO_NAMES: &[(&str, &str)] = &[
            ("network_interface", "NetworkInterface"),
            ("created", "Created"),
            ("subnets", "Subnets"),
            ("ipv6_enabled", "IPv6Enabled"),
            ("internal", "Internal"),
            ("dns_enabled", "DNSEnabled"),
            ("options", "Options"),
            ("ipam_options", "IPAMOptions"),
        ];
        let mut row = json!({
            "ID": if no_trunc { &self.id } else { short_id(&self.id) },
            "Name": self.name,
            "Driver": self.driver,
            "Labels": self.labels,
        });
        if let Some(obj) = row.as_object_mut() {
            for (key, go) in GO_NAMES {
                let v = inspect.get(*key).cloned().unwrap_or_else(|| match *key {
                    "subnets" => json!([]),
                    "options" | "ipam_options" => json!({}),
                    "ipv6_enabled" | "internal" | "dns_enabled" => json!(false),
                    _ => json!(""),
                });
                obj.insert((*go).to_owned(), v);
            }
        }
        row
    }

    /// The object `network ls --format json` prints.
    pub fn json(&self) -> Value {
        json!({"id": self.id, "name": self.name, "driver": self.driver, "labels": self.labels})
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_by_digest_is_no_row_of_its_own() {
        let mut i = ImageSummary {
            id: "c37b11a4e54271f4e7fe6965a198a1f4e23808d7d0f6cbf015c1fe9a0a5aeae2".into(),
            names: vec![
                "quay.io/libpod/testimage:20220615".into(),
                "quay.io/libpod/testimage@sha256:33f9".into(),
            ],
            digest: String::new(),
            created: Utc::now(),
            size: 0,
            labels: BTreeMap::new(),
            containers: 0,
            read_only: false,
        };
        let rows = i.template_rows(Utc::now(), false);
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0]["Tag"], "20220615");
        i.names.remove(0);
        let rows = i.template_rows(Utc::now(), false);
        assert_eq!(
            (&rows[0]["Repository"], &rows[0]["Tag"]),
            (&json!("quay.io/libpod/testimage"), &json!("<none>"))
        );
    }
    use crate::opts::ports::parse_publish;
    use crate::output::format::{parse_format, render_listing};
    use chrono::TimeZone;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 28, 10, 47, 20).unwrap()
    }

    fn ctr(
        id: &str,
        name: &str,
        cmd: &[&str],
        status: StatusView,
        ports: &[&str],
    ) -> ContainerSummary {
        ContainerSummary {
            id: id.into(),
            image: "localhost/bb:latest".into(),
            image_id: "5a4a530fe686df2c75659c545aacc2b035cb6570f0b11ce7e6fbccef6f6ec373".into(),
            command: cmd.iter().map(|s| (*s).to_owned()).collect(),
            created: now() - chrono::Duration::seconds(16),
            status,
            ports: parse_publish(&ports.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>())
                .unwrap(),
            names: vec![name.into()],
            labels: BTreeMap::new(),
            pod_id: None,
            pod_name: None,
            networks: vec![],
            mounts: vec![],
            pid: 0,
            auto_remove: false,
            is_infra: false,
            size: None,
            health: None,
        }
    }

    #[test]
    fn ps_table_matches_podman_4_3_1_layout() {
        let n = now();
        let cs = [
            ctr(
                "65c3dba0d2724aaec27bc2a1cb52c523512a8874ee1f3f09b8b774eec59fc1d1",
                "web",
                &["sleep", "1000"],
                StatusView::Running {
                    started: n - chrono::Duration::seconds(17),
                },
                &["8081:80"],
            ),
            ctr(
                "d57dc504a68fc9c35bd2f750e07e9b4a7c351c7c0912a0dd0902b9db047820fc",
                "done",
                &["true"],
                StatusView::Exited {
                    code: 0,
                    finished: n - chrono::Duration::seconds(17),
                },
                &[],
            ),
            ctr(
                "0f6add0e560c373069c05f65cc189c2e8ba70923932091cbeb780edafcafbe1c",
                "cr",
                &["sh", "-c", "echo hi"],
                StatusView::Created,
                &[],
            ),
        ];
        let rows: Vec<Value> = cs.iter().map(|c| c.template_row(n, false)).collect();
        let out = render_listing(
            &parse_format("--format", None).unwrap(),
            &PS,
            &rows,
            &[],
            false,
        )
        .unwrap();
        let expected = "\
CONTAINER ID  IMAGE                COMMAND        CREATED         STATUS                     PORTS                 NAMES
65c3dba0d272  localhost/bb:latest  sleep 1000     16 seconds ago  Up 17 seconds ago          0.0.0.0:8081->80/tcp  web
d57dc504a68f  localhost/bb:latest  true           16 seconds ago  Exited (0) 17 seconds ago                        done
0f6add0e560c  localhost/bb:latest  sh -c echo hi  16 seconds ago  Created                                          cr
";
        assert_eq!(out, expected);
    }

    #[test]
    fn ps_json_shape() {
        let c = ctr(
            "abc",
            "web",
            &["sleep", "1"],
            StatusView::Created,
            &["127.0.0.1:8080:80/udp"],
        );
        let j = c.json(now());
        assert_eq!(j["Names"], json!(["web"]));
        assert_eq!(j["State"], "created");
        assert_eq!(j["Ports"][0]["host_ip"], "127.0.0.1");
        assert_eq!(j["Ports"][0]["protocol"], "udp");
        assert_eq!(j["Command"], json!(["sleep", "1"]));
    }

    #[test]
    fn images_table_matches_podman() {
        let img = ImageSummary {
            id: "5a4a530fe686df2c75659c545aacc2b035cb6570f0b11ce7e6fbccef6f6ec373".into(),
            names: vec!["localhost/bb:latest".into()],
            digest: "sha256:5194".into(),
            created: now() - chrono::Duration::seconds(1),
            size: 1_997_895,
            labels: BTreeMap::new(),
            containers: 0,
            read_only: false,
        };
        let dangling = ImageSummary {
            names: vec![],
            ..img.clone()
        };
        let mut rows = img.template_rows(now(), false);
        rows.extend(dangling.template_rows(now(), false));
        let out = render_listing(
            &parse_format("--format", None).unwrap(),
            &IMAGES,
            &rows,
            &[],
            false,
        )
        .unwrap();
        assert_eq!(
            out,
            "REPOSITORY    TAG         IMAGE ID      CREATED       SIZE\n\
             localhost/bb  latest      5a4a530fe686  1 second ago  2 MB\n\
             <none>        <none>      5a4a530fe686  1 second ago  2 MB\n"
        );
        assert_eq!(
            img.json()["RepoDigests"],
            json!(["localhost/bb@sha256:5194"])
        );
    }

    #[test]
    fn images_digest_column() {
        assert_eq!(IMAGES_DIGESTS.header(&["Digest".to_owned()]), "DIGEST");
        assert!(IMAGES_DIGESTS
            .default_template
            .contains("{{.Tag}}\t{{.Digest}}\t{{.ID}}"));
    }

    #[test]
    fn references_split_at_the_tag_colon() {
        assert_eq!(
            split_reference("localhost:5000/bb:1.0"),
            ("localhost:5000/bb", "1.0")
        );
        assert_eq!(
            split_reference("localhost:5000/bb"),
            ("localhost:5000/bb", "<none>")
        );
        assert_eq!(split_reference("bb"), ("bb", "<none>"));
    }

    #[test]
    fn pods_volumes_networks_tables() {
        let pod = PodSummary {
            id: "1c4b3aed6d13d24132bb42bc17dafcc8f591df29a9a6b4708cfd15e4f119ca65".into(),
            name: "p1".into(),
            status: "Created".into(),
            created: now(),
            infra_id: Some(
                "661f22f617cd0b6c83b82ff34c16b3eeee2504daa0911d4b4eaf57aa422ff91a".into(),
            ),
            containers: vec![(
                "661f22f617cd0b6c".into(),
                "p1-infra".into(),
                "created".into(),
            )],
            labels: BTreeMap::new(),
            networks: vec![],
            cgroup: String::new(),
            namespace: String::new(),
        };
        let out = render_listing(
            &parse_format("--format", None).unwrap(),
            &pods_listing(PodColumns {
                ids: true,
                names: true,
                status: true,
                ns: false,
            }),
            &[pod.template_row(now(), false)],
            &[],
            false,
        )
        .unwrap();
        assert_eq!(
            out.lines().next().unwrap(),
            "POD ID        NAME        STATUS      CREATED                 INFRA ID      IDS           NAMES       STATUS"
        );
        assert!(pods_listing(PodColumns {
            ns: true,
            ..PodColumns::default()
        })
        .default_template
        .ends_with("{{.Cgroup}}\t{{.Namespace}}\t{{.NumberOfContainers}}"));
        let out = render_listing(
            &parse_format("--format", None).unwrap(),
            &PODS,
            &[pod.template_row(now(), false)],
            &[],
            false,
        )
        .unwrap();
        assert_eq!(
            out,
            "POD ID        NAME        STATUS      CREATED                 INFRA ID      # OF CONTAINERS\n\
             1c4b3aed6d13  p1          Created     Less than a second ago  661f22f617cd  1\n"
        );
        let vol = VolumeSummary {
            name: "v1".into(),
            driver: "local".into(),
            mountpoint: "/x".into(),
            created: now(),
            labels: BTreeMap::new(),
            options: BTreeMap::new(),
            state: VolumeFlags::default(),
        };
        let out = render_listing(
            &parse_format("--format", None).unwrap(),
            &VOLUMES,
            &[vol.template_row()],
            &[],
            false,
        )
        .unwrap();
        assert_eq!(out, "DRIVER      VOLUME NAME\nlocal       v1\n");
        let net = NetworkSummary {
            id: "2f259bab93aaaaa2542ba43ef33eb990d0999ee1b9924b557b7be53c0b7a1bb9".into(),
            name: "berth".into(),
            driver: "bridge".into(),
            labels: BTreeMap::new(),
        };
        let out = render_listing(
            &parse_format("--format", None).unwrap(),
            &NETWORKS,
            &[net.template_row(false, &json!({}))],
            &[],
            false,
        )
        .unwrap();
        assert_eq!(
            out,
            "NETWORK ID    NAME        DRIVER\n2f259bab93aa  berth       bridge\n"
        );
    }

    #[test]
    fn ps_size_and_pod_columns() {
        let l = ps_listing(true, true);
        assert!(
            l.default_template.contains("{{.Size}}") && l.default_template.contains("{{.PodName}}")
        );
        assert_eq!(l.header(&["Pod".to_owned()]), "POD ID");
    }
}
