//! Events: what the engine did, recorded by whichever berth process did it (podman's
//! `libpod/events` with its `file` backend; no daemon). [`EventsOptions`] chooses the backend
//! (`file`, the default, or `none`; `journald` is refused where journald does not run and
//! not supported yet where it does), the log's path (`TMP/events/events.log`, podman's
//! `/run/libpod/events/events.log`) and its size limit (podman's `events_logfile_max_size`,
//! 1,000,000 bytes). Writing an event never fails the operation it records: a failure is
//! logged and the operation goes on. [`Runtime::read_events`] reads them back for `events`.

mod filter;
mod log;
mod types;

use std::path::{Path, PathBuf};
use std::str::FromStr;

use berth_state::{ContainerRecord, PodRecord};

pub use filter::{parse_event_filters, EventFilter, EventFilters};
pub use log::{EventLog, EventReadOptions};
pub use types::{go_time_string, Event, EventStatus, EventType};

use crate::error::{Error, Result};
use crate::runtime::Runtime;

/// podman's default `events_logfile_max_size` (1 MB).
pub const DEFAULT_EVENTS_LOG_MAX_SIZE: u64 = 1_000_000;

/// Where events go.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum EventsBackend {
    /// A JSON-lines file under the tmp dir.
    #[default]
    File,
    /// Nowhere; `events` cannot read them.
    None,
    /// The systemd journal (not supported yet).
    Journald,
}

impl EventsBackend {
    /// The backend's name (`--events-backend`, `info`'s `eventLogger`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::File => "file",
            Self::None => "none",
            Self::Journald => "journald",
        }
    }
}

impl FromStr for EventsBackend {
    type Err = Error;

    /// `file`, `none` or `journald`; anything else is refused naming the choices.
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "file" => Ok(Self::File),
            "none" => Ok(Self::None),
            "journald" => Ok(Self::Journald),
            _ => Err(Error::invalid(
                "events backend",
                s,
                "use file, journald or none",
            )),
        }
    }
}

/// How events are recorded (part of [`crate::EngineOptions`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventsOptions {
    /// The backend.
    pub backend: EventsBackend,
    /// The log file of the `file` backend; `None` = `TMP/events/events.log`.
    pub log_path: Option<PathBuf>,
    /// Rotate the log when it would reach this many bytes (0 = never).
    pub max_size: u64,
}

impl Default for EventsOptions {
    fn default() -> Self {
        Self {
            backend: EventsBackend::File,
            log_path: None,
            max_size: DEFAULT_EVENTS_LOG_MAX_SIZE,
        }
    }
}

/// The events writer and reader the runtime holds.
#[derive(Debug, Clone)]
pub(crate) enum Eventer {
    File(EventLog),
    Null,
}

impl Eventer {
    /// The eventer for `opts` in a runtime whose tmp dir is `tmp_dir`. `journald` fails:
    /// with a clear error where journald is absent, as not supported where it runs.
    pub(crate) fn new(opts: &EventsOptions, tmp_dir: &Path) -> Result<Self> {
        match opts.backend {
            EventsBackend::File => Ok(Self::File(EventLog::new(
                opts.log_path
                    .clone()
                    .unwrap_or_else(|| tmp_dir.join("events").join("events.log")),
                opts.max_size,
            ))),
            EventsBackend::None => Ok(Self::Null),
            EventsBackend::Journald => {
                let reason = if Path::new(crate::options::JOURNALD_SOCKET).exists() {
                    "the journald events backend is not supported by berth yet; use file or none"
                        .to_owned()
                } else {
                    format!(
                        "journald is not running on this machine ({} is absent); use file or none",
                        crate::options::JOURNALD_SOCKET
                    )
                };
                Err(Error::InvalidOption {
                    option: "events_backend",
                    reason,
                })
            }
        }
    }

    fn write(&self, e: &Event) {
        if let Self::File(log) = self {
            if let Err(err) = log.write(e) {
                tracing::error!(error = %err, status = %e.status, "unable to write event");
            }
        }
    }
}

impl Runtime {
    /// The events backend this runtime records to.
    pub fn events_backend(&self) -> EventsBackend {
        match &self.events {
            Eventer::File(_) => EventsBackend::File,
            Eventer::Null => EventsBackend::None,
        }
    }

    /// The events log file (`None` with the `none` backend).
    pub fn events_log_path(&self) -> Option<&Path> {
        match &self.events {
            Eventer::File(log) => Some(log.path()),
            Eventer::Null => None,
        }
    }

    /// Reads the recorded events `opts` selects, oldest first, handing each to `sink`
    /// (`false` stops). Streaming, it follows the log until `keep_going` says no or
    /// `until` passes. The `none` backend has nothing to read: an error.
    pub fn read_events(
        &self,
        opts: &EventReadOptions,
        keep_going: &dyn Fn() -> bool,
        sink: &mut dyn FnMut(&Event) -> bool,
    ) -> Result<()> {
        self.check()?;
        match &self.events {
            Eventer::File(log) => log.read(opts, keep_going, sink),
            Eventer::Null => Err(Error::InvalidOption {
                option: "events_backend",
                reason: "cannot read events with the \"none\" backend".into(),
            }),
        }
    }

    /// Records an event as given (embedders, and the few events not about one object).
    pub fn write_event(&self, e: &Event) {
        self.events.write(e);
    }

    /// A container event: its id, name, image, pod and labels.
    pub(crate) fn container_event(&self, rec: &ContainerRecord, status: EventStatus) {
        self.events.write(&container_record_event(rec, status));
    }

    /// A container's process ended with `code`.
    pub(crate) fn died_event(&self, rec: &ContainerRecord, code: i32) {
        let mut e = container_record_event(rec, EventStatus::Died);
        e.exit_code = code;
        self.events.write(&e);
    }

    /// An exec session in the container ended with `code`.
    pub(crate) fn exec_died_event(&self, rec: &ContainerRecord, code: i32) {
        let mut e = container_record_event(rec, EventStatus::ExecDied);
        e.exit_code = code;
        self.events.write(&e);
    }

    /// A pod event: its id and name.
    pub(crate) fn pod_event(&self, pod: &PodRecord, status: EventStatus) {
        self.events.write(&Event {
            id: pod.config.id.clone(),
            name: pod.config.name.clone(),
            ..Event::new(EventType::Pod, status)
        });
    }

    /// A volume event: its name.
    pub(crate) fn volume_event(&self, name: &str, status: EventStatus) {
        self.events.write(&Event {
            name: name.to_owned(),
            ..Event::new(EventType::Volume, status)
        });
    }

    /// An image event: the image id (may be empty, as for podman's `pull`) and the name
    /// concerned.
    pub(crate) fn image_event(&self, id: &str, name: &str, status: EventStatus) {
        self.events.write(&Event {
            id: id.to_owned(),
            name: name.to_owned(),
            ..Event::new(EventType::Image, status)
        });
    }

    /// A network event: its id and name.
    pub(crate) fn network_event(&self, id: &str, name: &str, status: EventStatus) {
        self.events.write(&Event {
            id: id.to_owned(),
            name: name.to_owned(),
            network: name.to_owned(),
            ..Event::new(EventType::Network, status)
        });
    }
}

/// The event of a container's record (its id, name, image, pod and labels).
pub(crate) fn container_record_event(rec: &ContainerRecord, status: EventStatus) -> Event {
    Event {
        id: rec.config.id.clone(),
        name: rec.config.name.clone(),
        image: crate::filter::container_image_name(rec).to_owned(),
        pod_id: rec.config.pod_id.clone().unwrap_or_default(),
        attributes: Some(rec.config.labels.clone()),
        ..Event::new(EventType::Container, status)
    }
}
