//! `events --filter KEY=VALUE`: podman's keys, checked once; the alternatives given for one
//! key are OR-ed, the keys AND-ed (podman's rule).

use super::types::{Event, EventStatus, EventType};
use crate::filter::FilterError;

/// One `KEY=VALUE` condition on an event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventFilter {
    /// `container=`: a container event whose name is the value or whose id starts with it.
    Container(String),
    /// `event=` (or `status=`): the status word.
    Status(EventStatus),
    /// `image=`: an image event whose name is the value or whose id starts with it.
    Image(String),
    /// `pod=`: a pod event whose name is the value or whose id starts with it.
    Pod(String),
    /// `volume=`: a volume event of that name (or name prefix, as podman matches).
    Volume(String),
    /// `network=`: a network event whose network or name is the value, or whose id starts
    /// with it.
    Network(String),
    /// `type=`: the object kind.
    Type(EventType),
    /// `label=KEY=VALUE` (or `label=KEY`: the key is set): an attribute of the event.
    Label(String, Option<String>),
}

impl EventFilter {
    /// The key the condition belongs to; conditions of one key are alternatives.
    fn key(&self) -> &'static str {
        match self {
            Self::Container(_) => "container",
            Self::Status(_) => "event",
            Self::Image(_) => "image",
            Self::Pod(_) => "pod",
            Self::Volume(_) => "volume",
            Self::Network(_) => "network",
            Self::Type(_) => "type",
            Self::Label(..) => "label",
        }
    }

    /// Whether `e` meets the condition.
    pub fn matches(&self, e: &Event) -> bool {
        let named =
            |kind: EventType, v: &str| e.kind == kind && (e.name == v || e.id.starts_with(v));
        match self {
            Self::Container(v) => named(EventType::Container, v),
            Self::Status(s) => e.status == *s,
            Self::Image(v) => named(EventType::Image, v),
            Self::Pod(v) => named(EventType::Pod, v),
            Self::Volume(v) => e.kind == EventType::Volume && e.name.starts_with(v.as_str()),
            Self::Network(v) => {
                named(EventType::Network, v) || (e.kind == EventType::Network && e.network == *v)
            }
            Self::Type(t) => e.kind == *t,
            Self::Label(k, v) => e
                .attributes
                .as_ref()
                .and_then(|a| a.get(k))
                .is_some_and(|have| v.as_ref().is_none_or(|want| want == have)),
        }
    }
}

/// Parsed `--filter` words: every key must match, any of one key's values may.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventFilters {
    groups: Vec<(&'static str, Vec<EventFilter>)>,
}

impl EventFilters {
    /// Adds a condition (an alternative to the others of its key).
    pub fn push(&mut self, f: EventFilter) {
        let key = f.key();
        match self.groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, fs)) => fs.push(f),
            None => self.groups.push((key, vec![f])),
        }
    }

    /// Whether `e` passes every key.
    pub fn matches(&self, e: &Event) -> bool {
        self.groups
            .iter()
            .all(|(_, fs)| fs.iter().any(|f| f.matches(e)))
    }

    /// Whether no condition was given.
    pub fn is_empty(&self) -> bool {
        self.groups.is_empty()
    }
}

/// Parses `events --filter` words (`type=container`, `event=died`, `label=a=b`, ...). Keys
/// are podman's, case-insensitive; `type=` and `event=` take podman's words only.
pub fn parse_event_filters(words: &[String]) -> Result<EventFilters, FilterError> {
    let mut out = EventFilters::default();
    for w in words {
        let bad = |reason: String| FilterError {
            value: w.clone(),
            reason,
        };
        let (key, value) = w
            .split_once('=')
            .ok_or_else(|| bad("expected KEY=VALUE".into()))?;
        let f = match key.to_ascii_lowercase().as_str() {
            "container" => EventFilter::Container(value.into()),
            "event" | "status" => EventFilter::Status(value.parse().map_err(|_| {
                bad(format!(
                    "unknown event {value:?}; one of: {}",
                    words_of(EventStatus::ALL.iter().map(|s| s.as_str()))
                ))
            })?),
            "image" => EventFilter::Image(value.into()),
            "pod" => EventFilter::Pod(value.into()),
            "volume" => EventFilter::Volume(value.into()),
            "network" => EventFilter::Network(value.into()),
            "type" => EventFilter::Type(value.parse().map_err(|_| {
                bad(format!(
                    "unknown event type {value:?}; one of: {}",
                    words_of(EventType::ALL.iter().map(|t| t.as_str()))
                ))
            })?),
            "label" => match value.split_once('=') {
                Some((k, v)) => EventFilter::Label(k.into(), Some(v.into())),
                None => EventFilter::Label(value.into(), None),
            },
            _ => {
                return Err(bad(format!(
                    "{key} is an invalid filter; use container, event, image, pod, volume, \
                     network, type or label"
                )))
            }
        };
        if value.is_empty() {
            return Err(bad(format!("{key}= needs a value")));
        }
        out.push(f);
    }
    Ok(out)
}

fn words_of<'a>(it: impl Iterator<Item = &'a str>) -> String {
    it.collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(kind: EventType, status: EventStatus, name: &str) -> Event {
        let mut e = Event::new(kind, status);
        e.name = name.into();
        e.id = format!("{name}0123456789");
        e
    }

    fn parse(words: &[&str]) -> Result<EventFilters, FilterError> {
        parse_event_filters(&words.iter().map(ToString::to_string).collect::<Vec<_>>())
    }

    #[test]
    fn one_key_ors_many_keys_and() {
        let f = parse(&["event=start", "event=died", "type=container"]).unwrap();
        assert!(f.matches(&ev(EventType::Container, EventStatus::Start, "a")));
        assert!(f.matches(&ev(EventType::Container, EventStatus::Died, "a")));
        assert!(!f.matches(&ev(EventType::Container, EventStatus::Create, "a")));
        assert!(!f.matches(&ev(EventType::Pod, EventStatus::Start, "a")));
        let f = parse(&["container=a", "container=b", "event=create"]).unwrap();
        assert!(f.matches(&ev(EventType::Container, EventStatus::Create, "b")));
        assert!(!f.matches(&ev(EventType::Container, EventStatus::Create, "c")));
        // An id prefix names the container too; an image event is never a container's.
        assert!(f.matches(&ev(EventType::Container, EventStatus::Create, "c").tap_id("a1")));
        assert!(!f.matches(&ev(EventType::Image, EventStatus::Create, "a")));
    }

    trait TapId {
        fn tap_id(self, id: &str) -> Self;
    }
    impl TapId for Event {
        fn tap_id(mut self, id: &str) -> Self {
            self.id = id.into();
            self
        }
    }

    #[test]
    fn labels_volumes_networks() {
        let mut e = ev(EventType::Container, EventStatus::Create, "a");
        e.attributes = Some([("k".to_string(), "v".to_string())].into());
        assert!(parse(&["label=k=v"]).unwrap().matches(&e));
        assert!(parse(&["label=k"]).unwrap().matches(&e));
        assert!(!parse(&["label=k=w"]).unwrap().matches(&e));
        let v = ev(EventType::Volume, EventStatus::Create, "data");
        assert!(parse(&["volume=data"]).unwrap().matches(&v));
        let mut n = ev(EventType::Network, EventStatus::Create, "net1");
        n.network = "net1".into();
        assert!(parse(&["network=net1"]).unwrap().matches(&n));
        assert!(!parse(&["network=net2"]).unwrap().matches(&n));
    }

    #[test]
    fn bad_words_are_named() {
        for (w, want) in [
            ("bogus=1", "bogus is an invalid filter"),
            ("container", "expected KEY=VALUE"),
            ("type=ship", "unknown event type \"ship\""),
            ("event=explode", "unknown event \"explode\""),
            ("image=", "image= needs a value"),
        ] {
            let e = parse(&[w]).unwrap_err();
            assert_eq!(e.value, w);
            assert!(e.reason.contains(want), "{w}: {}", e.reason);
        }
        assert!(parse(&["TYPE=container"]).is_ok());
    }
}
