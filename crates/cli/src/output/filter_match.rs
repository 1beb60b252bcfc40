//! Applying parsed `--filter`s to listing rows, podman's way: values of
//! one key are alternatives, different keys must all match.
//!
//! - containers: `id` (prefix), `name` (regular expression), `status`,
//!   `label`/`label!`, `ancestor` (image name, name without tag, or ID
//!   prefix), `pod` (ID prefix or name), `exited` (code), `network`,
//!   `before`/`since` (another container, resolved by the caller),
//!   `until` (created before a time or duration ago).
//! - images: `id`, `reference` (glob over `repo:tag`), `dangling`, `label`,
//!   `before`/`since`/`after` (another image), `until`, `readonly`,
//!   `containers`.
//! - volumes, networks, pods: `name`/`id`/`driver`/`label`/`until`/`status`.
//!
//! Keys the listing cannot decide from its rows (volume `opt`, pod
//! `ctr-*`, ...) are left to the caller and pass here.

use super::human::StatusView;
use super::rows::{ContainerSummary, ImageSummary, NetworkSummary, PodSummary, VolumeSummary};
use crate::error::{CliError, Result};
use crate::opts::Filters;
use chrono::{DateTime, TimeZone, Utc};

/// Looks up the creation time of another object named in `before=` or
/// `since=` (a container or image name or ID).
pub type CreatedLookup<'a> = &'a dyn Fn(&str) -> Option<DateTime<Utc>>;

/// Filters checked once: regular expressions compiled, times resolved.
#[derive(Debug)]
pub struct Matcher<'a> {
    filters: &'a Filters,
    names: Vec<regex::Regex>,
    before: Vec<DateTime<Utc>>,
    since: Vec<DateTime<Utc>>,
    until: Vec<DateTime<Utc>>,
}

impl<'a> Matcher<'a> {
    /// Prepares `filters`; `lookup` resolves `before=`/`since=`/`after=`
    /// references (an unknown one is an error naming it).
    pub fn new(
        filters: &'a Filters,
        now: DateTime<Utc>,
        lookup: CreatedLookup<'_>,
    ) -> Result<Self> {
        let names = filters
            .get("name")
            .iter()
            .map(|n| {
                regex::Regex::new(n).map_err(|e| {
                    CliError::invalid(
                        "--filter",
                        &format!("name={n}"),
                        format!("bad regular expression: {e}"),
                    )
                })
            })
            .collect::<Result<_>>()?;
        let resolve = |key: &str| -> Result<Vec<DateTime<Utc>>> {
            filters
                .get(key)
                .iter()
                .map(|r| {
                    lookup(r).ok_or_else(|| {
                        CliError::invalid(
                            "--filter",
                            &format!("{key}={r}"),
                            format!("no such object {r:?}"),
                        )
                    })
                })
                .collect()
        };
        let mut since = resolve("since")?;
        since.extend(resolve("after")?);
        let until = filters
            .get("until")
            .iter()
            .map(|u| parse_until(u, now))
            .collect::<Result<_>>()?;
        Ok(Self {
            filters,
            names,
            before: resolve("before")?,
            since,
            until,
        })
    }

    fn created_ok(&self, created: DateTime<Utc>) -> bool {
        self.before.iter().all(|b| created < *b)
            && self.since.iter().all(|s| created > *s)
            && self.until.iter().all(|u| created < *u)
    }

    fn name_ok(&self, name: &str) -> bool {
        self.names.is_empty() || self.names.iter().any(|r| r.is_match(name))
    }

    fn prefix_ok(&self, key: &str, id: &str) -> bool {
        let wanted = self.filters.get(key);
        wanted.is_empty() || wanted.iter().any(|w| id.starts_with(w.as_str()))
    }

    fn bool_ok(&self, key: &str, value: bool) -> bool {
        let wanted = self.filters.get(key);
        wanted.is_empty()
            || wanted
                .iter()
                .any(|w| matches!(w.as_str(), "true" | "1") == value)
    }

    /// Whether a container passes.
    pub fn container(&self, c: &ContainerSummary) -> bool {
        let f = self.filters;
        let state = c.status.word();
        let exited_ok = f.get("exited").is_empty()
            || matches!(c.status, StatusView::Exited { code, .. }
                if f.get("exited").iter().any(|e| e.parse::<i32>() == Ok(code)));
        let ancestor_ok = f.get("ancestor").is_empty()
            || f.get("ancestor").iter().any(|a| {
                let (repo, _) = super::rows::split_reference(&c.image);
                let short_repo = repo.rsplit('/').next().unwrap_or(repo);
                c.image == *a
                    || repo == a
                    || short_repo == a
                    || c.image.rsplit('/').next() == Some(a.as_str())
                    || c.image_id.starts_with(a.as_str())
            });
        let pod_ok = f.get("pod").is_empty()
            || f.get("pod").iter().any(|p| {
                c.pod_id
                    .as_deref()
                    .is_some_and(|id| id.starts_with(p.as_str()))
                    || c.pod_name.as_deref() == Some(p.as_str())
            });
        let network_ok =
            f.get("network").is_empty() || f.get("network").iter().any(|n| c.networks.contains(n));
        self.prefix_ok("id", &c.id)
            && c.names.iter().any(|n| self.name_ok(n))
            && f.any_equals("status", state)
            && f.labels_match(&c.labels)
            && exited_ok
            && ancestor_ok
            && pod_ok
            && network_ok
            && self.created_ok(c.created)
    }

    /// Whether an image passes.
    pub fn image(&self, i: &ImageSummary) -> bool {
        let f = self.filters;
        let reference_ok = f.get("reference").is_empty()
            || f.get("reference").iter().any(|pattern| {
                i.names.iter().any(|n| {
                    glob(pattern, n)
                        || glob(pattern, n.rsplit('/').next().unwrap_or(n))
                        || super::rows::split_reference(n).0 == pattern
                })
            });
        let containers_ok = self.bool_ok("containers", i.containers > 0);
        self.prefix_ok("id", &i.id)
            && reference_ok
            && self.bool_ok("dangling", i.names.is_empty())
            && self.bool_ok("readonly", i.read_only)
            && containers_ok
            && f.labels_match(&i.labels)
            && self.created_ok(i.created)
    }

    /// Whether a volume passes.
    pub fn volume(&self, v: &VolumeSummary) -> bool {
        self.name_ok(&v.name)
            && self.filters.any_equals("driver", &v.driver)
            && self.filters.labels_match(&v.labels)
            && self.created_ok(v.created)
    }

    /// Whether a network passes.
    pub fn network(&self, n: &NetworkSummary) -> bool {
        self.name_ok(&n.name)
            && self.prefix_ok("id", &n.id)
            && self.filters.any_equals("driver", &n.driver)
            && self.filters.labels_match(&n.labels)
    }

    /// Whether a pod passes.
    pub fn pod(&self, p: &PodSummary) -> bool {
        self.name_ok(&p.name)
            && self.prefix_ok("id", &p.id)
            && self
                .filters
                .any_equals("status", &p.status.to_ascii_lowercase())
            && self.filters.labels_match(&p.labels)
            && self.created_ok(p.created)
    }
}

/// `until=`: a Unix time, an RFC 3339 time, or a duration ago (`24h`,
/// `1h30m`, `90s`).
pub fn parse_until(value: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>> {
    let bad = || {
        CliError::invalid(
            "--filter",
            &format!("until={value}"),
            "expected a duration (24h, 1h30m), an RFC 3339 time or a Unix time",
        )
    };
    if let Ok(secs) = value.parse::<i64>() {
        return Utc.timestamp_opt(secs, 0).single().ok_or_else(bad);
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(value) {
        return Ok(t.with_timezone(&Utc));
    }
    let mut total = 0f64;
    let mut number = String::new();
    let mut chars = value.chars().peekable();
    let mut any = false;
    while let Some(c) = chars.next() {
        if c.is_ascii_digit() || c == '.' {
            number.push(c);
            continue;
        }
        let unit = if c == 'm' && chars.peek() == Some(&'s') {
            chars.next();
            0.001
        } else {
            match c {
                'h' => 3600.0,
                'm' => 60.0,
                's' => 1.0,
                _ => return Err(bad()),
            }
        };
        let n: f64 = number.parse().map_err(|_| bad())?;
        total += n * unit;
        number.clear();
        any = true;
    }
    if !any || !number.is_empty() {
        return Err(bad());
    }
    Ok(now - chrono::Duration::milliseconds((total * 1000.0) as i64))
}

/// Shell-style glob with `*` and `?` (what podman's `reference=` uses).
pub fn glob(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let (mut pi, mut ti) = (0, 0);
    let (mut star, mut mark) = (None, 0);
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    while pi < p.len() && p[pi] == '*' {
        pi += 1;
    }
    pi == p.len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::opts::filter::{parse_filters, FilterTarget};
    use std::collections::BTreeMap;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 6, 1, 12, 0, 0).unwrap()
    }

    fn ctr(id: &str, name: &str, status: StatusView, age_s: i64) -> ContainerSummary {
        ContainerSummary {
            id: id.into(),
            image: "localhost/busybox:latest".into(),
            image_id: "5a4a530fe686".into(),
            command: vec!["true".into()],
            created: now() - chrono::Duration::seconds(age_s),
            status,
            ports: vec![],
            names: vec![name.into()],
            labels: BTreeMap::from([("app".to_owned(), name.to_owned())]),
            pod_id: (name == "member").then(|| "p0d1d".to_owned()),
            pod_name: (name == "member").then(|| "pod1".to_owned()),
            networks: vec!["berth".into()],
            mounts: vec![],
            pid: 0,
            auto_remove: false,
            is_infra: false,
            size: None,
        }
    }

    fn set() -> Vec<ContainerSummary> {
        vec![
            ctr("aaa111", "web", StatusView::Running { started: now() }, 300),
            ctr(
                "bbb222",
                "webdb",
                StatusView::Exited {
                    code: 1,
                    finished: now(),
                },
                200,
            ),
            ctr("ccc333", "member", StatusView::Created, 100),
        ]
    }

    fn names(filters: &[&str]) -> Vec<String> {
        let f = parse_filters(
            FilterTarget::Containers,
            &filters.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>(),
        )
        .unwrap();
        let cs = set();
        let lookup = |r: &str| {
            cs.iter()
                .find(|c| c.names[0] == r || c.id.starts_with(r))
                .map(|c| c.created)
        };
        let m = Matcher::new(&f, now(), &lookup).unwrap();
        cs.iter()
            .filter(|c| m.container(c))
            .map(|c| c.names[0].clone())
            .collect()
    }

    #[test]
    fn container_filters() {
        assert_eq!(names(&[]), ["web", "webdb", "member"]);
        assert_eq!(names(&["name=web"]), ["web", "webdb"]);
        assert_eq!(names(&["name=^web$"]), ["web"]);
        assert_eq!(names(&["id=bbb"]), ["webdb"]);
        assert_eq!(
            names(&["status=running", "status=created"]),
            ["web", "member"]
        );
        assert_eq!(names(&["status=exited", "exited=1"]), ["webdb"]);
        assert_eq!(names(&["exited=0"]), Vec::<String>::new());
        assert_eq!(names(&["label=app=web"]), ["web"]);
        assert_eq!(names(&["label!=app=web"]), ["webdb", "member"]);
        assert_eq!(names(&["ancestor=busybox"]), ["web", "webdb", "member"]);
        assert_eq!(names(&["ancestor=localhost/busybox"]).len(), 3);
        assert_eq!(names(&["ancestor=alpine"]), Vec::<String>::new());
        assert_eq!(names(&["pod=pod1"]), ["member"]);
        assert_eq!(names(&["pod=p0d"]), ["member"]);
        assert_eq!(names(&["network=berth", "name=db"]), ["webdb"]);
        assert_eq!(names(&["before=member"]), ["web", "webdb"]);
        assert_eq!(names(&["since=web"]), ["webdb", "member"]);
        assert_eq!(names(&["until=150s"]), ["web", "webdb"]);
    }

    #[test]
    fn bad_filter_values() {
        let f = parse_filters(FilterTarget::Containers, &["name=(".to_owned()]).unwrap();
        let e = Matcher::new(&f, now(), &|_| None).unwrap_err().to_string();
        assert!(
            e.contains("name=(") && e.contains("regular expression"),
            "{e}"
        );
        let f = parse_filters(FilterTarget::Containers, &["before=ghost".to_owned()]).unwrap();
        let e = Matcher::new(&f, now(), &|_| None).unwrap_err().to_string();
        assert!(
            e.contains("before=ghost") && e.contains("no such object"),
            "{e}"
        );
        let f = parse_filters(FilterTarget::Containers, &["until=soon".to_owned()]).unwrap();
        let e = Matcher::new(&f, now(), &|_| None).unwrap_err().to_string();
        assert!(e.contains("until=soon"), "{e}");
    }

    #[test]
    fn until_forms() {
        assert_eq!(
            parse_until("24h", now()).unwrap(),
            now() - chrono::Duration::hours(24)
        );
        assert_eq!(
            parse_until("1h30m", now()).unwrap(),
            now() - chrono::Duration::minutes(90)
        );
        assert_eq!(
            parse_until("500ms", now()).unwrap(),
            now() - chrono::Duration::milliseconds(500)
        );
        assert_eq!(parse_until("0", now()).unwrap().timestamp(), 0);
        assert_eq!(
            parse_until("2026-01-01T00:00:00Z", now()).unwrap(),
            Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap()
        );
        for bad in ["", "h", "10x", "1h30", "-5m"] {
            assert!(parse_until(bad, now()).is_err(), "{bad}");
        }
    }

    #[test]
    fn globs() {
        assert!(glob("busy*", "busybox:latest"));
        assert!(glob("*box:l?test", "busybox:latest"));
        assert!(glob("*", ""));
        assert!(!glob("alp*", "busybox"));
        assert!(!glob("b?", "bbb"));
    }

    #[test]
    fn image_volume_network_pod_filters() {
        let img = ImageSummary {
            id: "5a4a530fe686".into(),
            names: vec!["localhost/busybox:latest".into()],
            digest: "sha256:1".into(),
            created: now(),
            size: 1,
            labels: BTreeMap::new(),
            containers: 2,
            read_only: false,
        };
        let dangling = ImageSummary {
            names: vec![],
            containers: 0,
            ..img.clone()
        };
        let m = |fs: &[&str]| {
            let f = parse_filters(
                FilterTarget::Images,
                &fs.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>(),
            )
            .unwrap();
            let mm = Matcher::new(&f, now(), &|_| None).unwrap();
            (mm.image(&img), mm.image(&dangling))
        };
        assert_eq!(m(&["dangling=true"]), (false, true));
        assert_eq!(m(&["reference=busybox*"]), (true, false));
        assert_eq!(m(&["reference=localhost/busybox"]), (true, false));
        assert_eq!(m(&["containers=false"]), (false, true));
        assert_eq!(m(&["id=5a4a"]), (true, true));

        let vol = VolumeSummary {
            name: "data".into(),
            driver: "local".into(),
            mountpoint: "/x".into(),
            created: now(),
            labels: BTreeMap::from([("k".to_owned(), "v".to_owned())]),
            options: BTreeMap::new(),
        };
        let f = parse_filters(
            FilterTarget::Volumes,
            &["name=da".to_owned(), "label=k=v".to_owned()],
        )
        .unwrap();
        assert!(Matcher::new(&f, now(), &|_| None).unwrap().volume(&vol));
        let net = NetworkSummary {
            id: "2f25".into(),
            name: "berth".into(),
            driver: "bridge".into(),
            labels: BTreeMap::new(),
        };
        let f = parse_filters(FilterTarget::Networks, &["driver=macvlan".to_owned()]).unwrap();
        assert!(!Matcher::new(&f, now(), &|_| None).unwrap().network(&net));
        let pod = PodSummary {
            id: "1c4b".into(),
            name: "p1".into(),
            status: "Running".into(),
            created: now(),
            infra_id: None,
            containers: vec![],
            labels: BTreeMap::new(),
            networks: vec![],
        };
        let f = parse_filters(FilterTarget::Pods, &["status=running".to_owned()]).unwrap();
        assert!(Matcher::new(&f, now(), &|_| None).unwrap().pod(&pod));
    }
}
