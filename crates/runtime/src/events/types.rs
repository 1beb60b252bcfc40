//! The event record (podman's `events.Event`, field for field in its JSON), its type and
//! status words, and podman's one-line human form.

use std::collections::BTreeMap;
use std::fmt::{self, Write as _};
use std::str::FromStr;

use chrono::{DateTime, Local, SecondsFormat, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// What kind of object an event is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventType {
    /// A container.
    Container,
    /// An image.
    Image,
    /// A network.
    Network,
    /// A pod.
    Pod,
    /// The engine as a whole (refresh, log rotation).
    System,
    /// A volume.
    Volume,
    /// A podman machine (never written by berth; read for podman's logs).
    Machine,
}

/// What happened: podman's status words, each with its spelling in the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventStatus {
    /// `attach`
    Attach,
    /// `auto-update`
    AutoUpdate,
    /// `build`
    Build,
    /// `checkpoint`
    Checkpoint,
    /// `cleanup`
    Cleanup,
    /// `commit`
    Commit,
    /// `copy`
    Copy,
    /// `create`
    Create,
    /// `exec`
    Exec,
    /// `exec_died`
    ExecDied,
    /// `died`: a container's process ended (with its exit code).
    Died,
    /// `export`
    Export,
    /// `health_status`
    HealthStatus,
    /// `history`
    History,
    /// `import`
    Import,
    /// `init`
    Init,
    /// `kill`
    Kill,
    /// `loadfromarchive` (podman's word for an image `load`)
    LoadFromArchive,
    /// `mount`
    Mount,
    /// `connect`
    NetworkConnect,
    /// `disconnect`
    NetworkDisconnect,
    /// `pause`
    Pause,
    /// `prune`
    Prune,
    /// `pull`
    Pull,
    /// `push`
    Push,
    /// `refresh`
    Refresh,
    /// `remove`
    Remove,
    /// `rename`
    Rename,
    /// `renumber`
    Renumber,
    /// `restart`
    Restart,
    /// `restore`
    Restore,
    /// `log-rotation`: the events log was rotated.
    Rotate,
    /// `save`
    Save,
    /// `start`
    Start,
    /// `stop`
    Stop,
    /// `sync`
    Sync,
    /// `tag`
    Tag,
    /// `unmount`
    Unmount,
    /// `unpause`
    Unpause,
    /// `untag`
    Untag,
}

macro_rules! words {
    ($ty:ident { $($v:ident = $w:literal),+ $(,)? }) => {
        impl $ty {
            /// Every value, in podman's order.
            pub const ALL: &'static [$ty] = &[$($ty::$v),+];

            /// The word in the log and on the command line.
            pub fn as_str(self) -> &'static str {
                match self { $($ty::$v => $w),+ }
            }
        }

        impl FromStr for $ty {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                match s {
                    $($w => Ok($ty::$v),)+
                    _ => Err(s.to_owned()),
                }
            }
        }

        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl Serialize for $ty {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $ty {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                s.parse().map_err(|s| {
                    serde::de::Error::custom(format!("unknown event {} {s:?}", stringify!($ty)))
                })
            }
        }
    };
}

words!(EventType {
    Container = "container",
    Image = "image",
    Network = "network",
    Pod = "pod",
    System = "system",
    Volume = "volume",
    Machine = "machine",
});

words!(EventStatus {
    Attach = "attach",
    AutoUpdate = "auto-update",
    Build = "build",
    Checkpoint = "checkpoint",
    Cleanup = "cleanup",
    Commit = "commit",
    Copy = "copy",
    Create = "create",
    Exec = "exec",
    ExecDied = "exec_died",
    Died = "died",
    Export = "export",
    HealthStatus = "health_status",
    History = "history",
    Import = "import",
    Init = "init",
    Kill = "kill",
    LoadFromArchive = "loadfromarchive",
    Mount = "mount",
    NetworkConnect = "connect",
    NetworkDisconnect = "disconnect",
    Pause = "pause",
    Prune = "prune",
    Pull = "pull",
    Push = "push",
    Refresh = "refresh",
    Remove = "remove",
    Rename = "rename",
    Renumber = "renumber",
    Restart = "restart",
    Restore = "restore",
    Rotate = "log-rotation",
    Save = "save",
    Start = "start",
    Stop = "stop",
    Sync = "sync",
    Tag = "tag",
    Unmount = "unmount",
    Unpause = "unpause",
    Untag = "untag",
});

#[allow(clippy::trivially_copy_pass_by_ref)] // serde's skip_serializing_if passes a reference
fn is_zero(n: &i32) -> bool {
    *n == 0
}

/// One event, as podman writes it: one JSON object per line of the events log, with
/// podman's keys (`ContainerExitCode` only when not 0, empty strings left out, `Attributes`
/// `null` for events without labels).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    /// The exit code of a `died` or `exec_died` event.
    #[serde(rename = "ContainerExitCode", default, skip_serializing_if = "is_zero")]
    pub exit_code: i32,
    /// The object's id (container, pod, image, network).
    #[serde(rename = "ID", default, skip_serializing_if = "String::is_empty")]
    pub id: String,
    /// The container's image, or the image reference of an image event.
    #[serde(rename = "Image", default, skip_serializing_if = "String::is_empty")]
    pub image: String,
    /// The object's name.
    #[serde(rename = "Name", default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// The network of a network event.
    #[serde(rename = "network", default, skip_serializing_if = "String::is_empty")]
    pub network: String,
    /// What happened.
    #[serde(rename = "Status")]
    pub status: EventStatus,
    /// When.
    #[serde(rename = "Time", with = "go_time")]
    pub time: DateTime<Utc>,
    /// What kind of object.
    #[serde(rename = "Type")]
    pub kind: EventType,
    /// A `health_status` event's status.
    #[serde(
        rename = "health_status",
        default,
        skip_serializing_if = "String::is_empty"
    )]
    pub health_status: String,
    /// The pod of a container event.
    #[serde(rename = "PodID", default, skip_serializing_if = "String::is_empty")]
    pub pod_id: String,
    /// A container's labels (`None`: written as `null`).
    #[serde(rename = "Attributes", default)]
    pub attributes: Option<BTreeMap<String, String>>,
}

impl Event {
    /// An event of `kind` and `status` at the current time, about nothing yet.
    pub fn new(kind: EventType, status: EventStatus) -> Self {
        Self {
            exit_code: 0,
            id: String::new(),
            image: String::new(),
            name: String::new(),
            network: String::new(),
            status,
            time: Utc::now(),
            kind,
            health_status: String::new(),
            pod_id: String::new(),
            attributes: None,
        }
    }

    /// The event's JSON line (without the newline).
    pub fn to_json(&self) -> String {
        // Plain strings, numbers and a string map: serialization cannot fail.
        serde_json::to_string(self).unwrap_or_default()
    }

    /// podman's default line (`podman events` without `--format`); `truncate` shortens ids
    /// to 12 characters.
    pub fn to_human(&self, truncate: bool) -> String {
        let id = if truncate {
            self.id.get(..12).unwrap_or(&self.id)
        } else {
            &self.id
        };
        let (time, kind, status) = (go_time_string(&self.time), self.kind, self.status);
        match self.kind {
            EventType::Container | EventType::Pod => {
                let mut s = format!(
                    "{time} {kind} {status} {id} (image={}, name={}",
                    self.image, self.name
                );
                if !self.pod_id.is_empty() {
                    let _ = write!(s, ", pod_id={}", self.pod_id);
                }
                if !self.health_status.is_empty() {
                    let _ = write!(s, ", health_status={}", self.health_status);
                }
                for (k, v) in self.attributes.iter().flatten() {
                    let _ = write!(s, ", {k}={v}");
                }
                s.push(')');
                s
            }
            EventType::Network => format!(
                "{time} {kind} {status} {id} (container={id}, name={})",
                self.network
            ),
            EventType::Image => format!("{time} {kind} {status} {id} {}", self.name),
            EventType::System if self.name.is_empty() => format!("{time} {kind} {status}"),
            EventType::System | EventType::Volume | EventType::Machine => {
                format!("{time} {kind} {status} {}", self.name)
            }
        }
    }

    /// The event as a template row: podman's field names, `Time` in Go's `time.Time`
    /// form, `Attributes` a map.
    pub fn to_row(&self) -> serde_json::Value {
        serde_json::json!({
            "ContainerExitCode": self.exit_code,
            "ID": self.id,
            "Image": self.image,
            "Name": self.name,
            "Network": self.network,
            "Status": self.status.as_str(),
            "Time": go_time_string(&self.time),
            "TimeNano": self.time.timestamp_nanos_opt().unwrap_or_default(),
            "Type": self.kind.as_str(),
            "HealthStatus": self.health_status,
            "PodID": self.pod_id,
            "Attributes": self.attributes.clone().unwrap_or_default(),
            "Details": {
                "ID": self.id,
                "PodID": self.pod_id,
                "Attributes": self.attributes.clone().unwrap_or_default(),
            },
        })
    }
}

/// Go's `time.Time.String()` in the local zone: `2026-12-06 04:47:55.541437457 +0000 UTC`
/// (trailing zeros of the fraction dropped, as Go drops them).
pub fn go_time_string(t: &DateTime<Utc>) -> String {
    let local = t.with_timezone(&Local);
    let frac = trimmed_nanos(local.timestamp_subsec_nanos());
    let offset = local.format("%z").to_string();
    let zone = if offset == "+0000" {
        "UTC".to_owned()
    } else {
        offset.clone()
    };
    format!(
        "{}{frac} {offset} {zone}",
        local.format("%Y-%m-%d %H:%M:%S")
    )
}

/// `.123` for 123000000 ns, `` for 0: Go's `.999999999` layout.
fn trimmed_nanos(nanos: u32) -> String {
    if nanos == 0 {
        return String::new();
    }
    let digits = format!("{nanos:09}");
    format!(".{}", digits.trim_end_matches('0'))
}

/// `Time` as Go's JSON writes a `time.Time`: RFC 3339 with the fraction's trailing zeros
/// dropped.
mod go_time {
    use super::{
        trimmed_nanos, DateTime, Deserialize, Deserializer, SecondsFormat, Serializer, Utc,
    };

    pub fn serialize<S: Serializer>(t: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
        let base = t.to_rfc3339_opts(SecondsFormat::Secs, true);
        let base = base.trim_end_matches('Z');
        s.serialize_str(&format!(
            "{base}{}Z",
            trimmed_nanos(t.timestamp_subsec_nanos())
        ))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
        let s = String::deserialize(d)?;
        DateTime::parse_from_rfc3339(&s)
            .map(|t| t.with_timezone(&Utc))
            .map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_has_podmans_keys() {
        let line = r#"{"ID":"a12ce870644ee00c248a1a47488bb7c80028a71f90e8c94328bab52568503313","Image":"localhost/bb:latest","Name":"evt1","Status":"create","Time":"2026-12-06T04:47:55.541437457Z","Type":"container","Attributes":{"a":"b"}}"#;
        let e: Event = serde_json::from_str(line).unwrap();
        assert_eq!(e.status, EventStatus::Create);
        assert_eq!(e.to_json(), line);
        let vol = r#"{"Name":"tv1","Status":"remove","Time":"2026-12-06T04:48:01.3Z","Type":"volume","Attributes":null}"#;
        let e: Event = serde_json::from_str(vol).unwrap();
        assert_eq!(e.to_json(), vol);
        let died = r#"{"ContainerExitCode":137,"ID":"x","Status":"died","Time":"2026-12-06T04:48:01Z","Type":"container","Attributes":{}}"#;
        let e: Event = serde_json::from_str(died).unwrap();
        assert_eq!(e.exit_code, 137);
        assert_eq!(e.to_json(), died);
    }

    #[test]
    fn every_word_round_trips() {
        for s in EventStatus::ALL {
            assert_eq!(s.as_str().parse::<EventStatus>(), Ok(*s));
        }
        for t in EventType::ALL {
            assert_eq!(t.as_str().parse::<EventType>(), Ok(*t));
        }
        assert!("bogus".parse::<EventStatus>().is_err());
    }

    #[test]
    fn human_lines_follow_podman() {
        let mut e = Event::new(EventType::Container, EventStatus::Died);
        e.id = "a12ce870644ee00c248a1a47488bb7c8".into();
        e.image = "localhost/bb:latest".into();
        e.name = "evt1".into();
        e.attributes = Some([("a".to_string(), "b".to_string())].into());
        let h = e.to_human(true);
        assert!(
            h.ends_with(" container died a12ce870644e (image=localhost/bb:latest, name=evt1, a=b)"),
            "{h}"
        );
        let mut v = Event::new(EventType::Volume, EventStatus::Create);
        v.name = "tv1".into();
        assert!(v.to_human(true).ends_with(" volume create tv1"));
        assert_eq!(trimmed_nanos(541_437_457), ".541437457");
        assert_eq!(trimmed_nanos(300_000_000), ".3");
        assert_eq!(trimmed_nanos(0), "");
    }
}
