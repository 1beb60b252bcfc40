//! Filter parsing and matching: the typed filter set, each listing's keys and podman's
//! matching rules; the runtime's filtered listings over the fakes.

use std::collections::BTreeMap;

use chrono::{DateTime, TimeZone, Utc};

use super::Fx;
use crate::filter::{
    glob, parse_until, ContainerFacts, ImageFacts, Matcher, NetworkFacts, PodFacts, TimeFilter,
    VolumeFacts,
};
use crate::{
    parse_filters, ContainerCreateOptions, Error, FilterError, FilterTarget, Filters, ListOptions,
    PodCreateOptions, PruneFilters, VolumeCreateOptions,
};

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 6, 1, 12, 0, 0).unwrap()
}

fn parse(target: FilterTarget, values: &[&str]) -> Result<Filters, FilterError> {
    parse_filters(
        target,
        &values.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>(),
    )
}

#[test]
fn same_key_alternatives_and_labels() {
    let f = parse(
        FilterTarget::Containers,
        &[
            "status=running",
            "status=exited",
            "label=app=web",
            "label=tier",
            "label!=skip",
        ],
    )
    .unwrap();
    assert_eq!(f.status, ["running", "exited"]);
    let mut labels = BTreeMap::new();
    labels.insert("app".to_owned(), "web".to_owned());
    labels.insert("tier".to_owned(), "1".to_owned());
    assert!(f.labels_match(&labels));
    labels.insert("skip".to_owned(), String::new());
    assert!(!f.labels_match(&labels));
    labels.remove("skip");
    labels.insert("app".to_owned(), "db".to_owned());
    assert!(!f.labels_match(&labels));
    assert!(parse(FilterTarget::Containers, &[]).unwrap().is_empty());
}

#[test]
fn per_target_keys() {
    assert!(parse(FilterTarget::Images, &["dangling=true", "reference=bb*"]).is_ok());
    assert!(parse(FilterTarget::Volumes, &["driver=local", "name=v1"]).is_ok());
    assert!(parse(FilterTarget::Networks, &["driver=bridge"]).is_ok());
    assert!(parse(
        FilterTarget::Pods,
        &["ctr-status=running", "status=degraded"]
    )
    .is_ok());
    assert!(parse(FilterTarget::Prune, &["until=24h", "label=a"]).is_ok());
    assert!(parse(FilterTarget::Prune, &["name=x"]).is_err());
    assert!(parse(FilterTarget::Volumes, &["ancestor=x"]).is_err());
}

#[test]
fn bad_filters_name_the_word() {
    for (target, bad, word, what) in [
        (
            FilterTarget::Containers,
            "bogus=1",
            "bogus=1",
            "unknown filter",
        ),
        (FilterTarget::Containers, "name", "name", "KEY=VALUE"),
        (FilterTarget::Containers, "name=", "name=", "needs a value"),
        (
            FilterTarget::Containers,
            "status=bogus",
            "status=bogus",
            "unknown container state",
        ),
        (FilterTarget::Containers, "exited=x", "exited=x", "number"),
        (
            FilterTarget::Images,
            "dangling=maybe",
            "dangling=maybe",
            "true or false",
        ),
        (
            FilterTarget::Pods,
            "status=up",
            "status=up",
            "unknown state",
        ),
        (
            FilterTarget::Containers,
            "label==x",
            "label==x",
            "needs a key",
        ),
        (
            FilterTarget::Containers,
            "name=(",
            "name=(",
            "bad regular expression",
        ),
        (FilterTarget::Prune, "until=soon", "until=soon", "duration"),
    ] {
        let e = parse(target, &[bad]).unwrap_err();
        assert_eq!(e.value, word, "{bad}");
        assert!(e.reason.contains(what), "{bad}: {e}");
    }
}

#[test]
fn key_errors_come_before_regular_expression_and_time_errors() {
    let e = parse(FilterTarget::Containers, &["name=(", "until=x", "bogus=1"]).unwrap_err();
    assert_eq!(e.value, "bogus=1");
    let e = parse(FilterTarget::Containers, &["until=x", "name=("]).unwrap_err();
    assert_eq!(e.value, "name=(");
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
    for bad in ["", "h", "10x", "1h30", "-5m", "99999999999999999999h"] {
        assert!(parse_until(bad, now()).is_err(), "{bad}");
    }
    assert_eq!(
        TimeFilter::parse("90s").unwrap(),
        TimeFilter::Ago(chrono::Duration::seconds(90))
    );
}

#[test]
fn globs() {
    assert!(glob("busy*", "busybox:latest"));
    assert!(glob("*box:l?test", "busybox:latest"));
    assert!(glob("*", ""));
    assert!(!glob("alp*", "busybox"));
    assert!(!glob("b?", "bbb"));
}

struct Ctr {
    id: &'static str,
    name: &'static str,
    status: &'static str,
    exit_code: Option<i32>,
    age_s: i64,
    labels: BTreeMap<String, String>,
}

fn set() -> Vec<Ctr> {
    let ctr = |id, name: &'static str, status, exit_code, age_s| Ctr {
        id,
        name,
        status,
        exit_code,
        age_s,
        labels: BTreeMap::from([("app".to_owned(), name.to_owned())]),
    };
    vec![
        ctr("aaa111", "web", "running", None, 300),
        ctr("bbb222", "webdb", "exited", Some(1), 200),
        ctr("ccc333", "member", "created", None, 100),
    ]
}

fn names(filters: &[&str]) -> Vec<&'static str> {
    let f = parse(FilterTarget::Containers, filters).unwrap();
    let cs = set();
    let created = |c: &Ctr| now() - chrono::Duration::seconds(c.age_s);
    let lookup = |r: &str| {
        cs.iter()
            .find(|c| c.name == r || c.id.starts_with(r))
            .map(created)
    };
    let m = Matcher::new(&f, now(), &lookup).unwrap();
    let networks = vec!["berth".to_owned()];
    cs.iter()
        .filter(|c| {
            let member = c.name == "member";
            m.container(&ContainerFacts {
                id: c.id,
                name: c.name,
                status: c.status,
                exit_code: c.exit_code,
                labels: &c.labels,
                image: "localhost/busybox:latest",
                image_id: "5a4a530fe686",
                pod_id: member.then_some("p0d1d"),
                pod_name: member.then_some("pod1"),
                networks: &networks,
                created: created(c),
                restart_policy: "no",
            })
        })
        .map(|c| c.name)
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
    assert!(names(&["exited=0"]).is_empty());
    assert_eq!(names(&["label=app=web"]), ["web"]);
    assert_eq!(names(&["label!=app=web"]), ["webdb", "member"]);
    assert_eq!(names(&["ancestor=busybox"]), ["web", "webdb", "member"]);
    assert_eq!(names(&["ancestor=localhost/busybox"]).len(), 3);
    assert_eq!(names(&["ancestor=5a4a"]).len(), 3);
    assert!(names(&["ancestor=alpine"]).is_empty());
    assert_eq!(names(&["pod=pod1"]), ["member"]);
    assert_eq!(names(&["pod=p0d"]), ["member"]);
    assert_eq!(names(&["network=berth", "name=db"]), ["webdb"]);
    assert!(names(&["network=other"]).is_empty());
    assert_eq!(names(&["before=member"]), ["web", "webdb"]);
    assert_eq!(names(&["since=web"]), ["webdb", "member"]);
    assert_eq!(names(&["until=150s"]), ["web", "webdb"]);
}

#[test]
fn unknown_references_are_errors_naming_them() {
    let f = parse(FilterTarget::Containers, &["before=ghost"]).unwrap();
    let e = Matcher::new(&f, now(), &|_| None).unwrap_err();
    assert_eq!(e.value, "before=ghost");
    assert!(e.reason.contains("no such object"), "{e}");
    let f = parse(FilterTarget::Images, &["after=ghost"]).unwrap();
    let e = Matcher::new(&f, now(), &|_| None).unwrap_err();
    assert_eq!(e.value, "after=ghost");
}

#[test]
fn image_volume_network_pod_filters() {
    let no_labels = BTreeMap::new();
    let names = vec!["localhost/busybox:latest".to_owned()];
    let img = ImageFacts {
        id: "5a4a530fe686",
        names: &names,
        labels: &no_labels,
        created: now(),
        containers: 2,
        read_only: false,
    };
    let dangling = ImageFacts {
        names: &[],
        containers: 0,
        ..img
    };
    let m = |fs: &[&str]| {
        let f = parse(FilterTarget::Images, fs).unwrap();
        let mm = Matcher::new(&f, now(), &|_| None).unwrap();
        (mm.image(&img), mm.image(&dangling))
    };
    assert_eq!(m(&["dangling=true"]), (false, true));
    assert_eq!(m(&["dangling=0"]), (true, false));
    assert_eq!(m(&["reference=busybox*"]), (true, false));
    assert_eq!(m(&["reference=localhost/busybox"]), (true, false));
    assert_eq!(m(&["containers=false"]), (false, true));
    assert_eq!(m(&["id=5a4a"]), (true, true));

    let labels = BTreeMap::from([("k".to_owned(), "v".to_owned())]);
    let vol = VolumeFacts {
        name: "data",
        driver: "local",
        labels: &labels,
        created: now(),
    };
    let f = parse(FilterTarget::Volumes, &["name=da", "label=k=v"]).unwrap();
    assert!(Matcher::new(&f, now(), &|_| None).unwrap().volume(&vol));
    let f = parse(FilterTarget::Volumes, &["driver=other"]).unwrap();
    assert!(!Matcher::new(&f, now(), &|_| None).unwrap().volume(&vol));

    let net = NetworkFacts {
        id: "2f25",
        name: "berth",
        driver: "bridge",
        labels: &no_labels,
    };
    let f = parse(FilterTarget::Networks, &["driver=macvlan"]).unwrap();
    assert!(!Matcher::new(&f, now(), &|_| None).unwrap().network(&net));
    let f = parse(FilterTarget::Networks, &["id=2f", "name=ber"]).unwrap();
    assert!(Matcher::new(&f, now(), &|_| None).unwrap().network(&net));

    let pod = PodFacts {
        id: "1c4b",
        name: "p1",
        status: "running",
        labels: &no_labels,
        created: now(),
    };
    let f = parse(FilterTarget::Pods, &["status=running"]).unwrap();
    assert!(Matcher::new(&f, now(), &|_| None).unwrap().pod(&pod));
    let f = parse(FilterTarget::Pods, &["status=degraded"]).unwrap();
    assert!(!Matcher::new(&f, now(), &|_| None).unwrap().pod(&pod));
}

#[test]
fn prune_filters_take_labels_and_until() {
    let f =
        PruneFilters::parse(&["label=a=1".into(), "label!=b".into(), "until=1h".into()]).unwrap();
    let labels = |pairs: &[(&str, &str)]| -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    };
    let old = now() - chrono::Duration::hours(2);
    assert!(f.matches(&labels(&[("a", "1")]), old, now()));
    assert!(!f.matches(&labels(&[("a", "1")]), now(), now()), "too new");
    assert!(!f.matches(&labels(&[("a", "1"), ("b", "")]), old, now()));
    assert!(!f.matches(&labels(&[("a", "2")]), old, now()));
    assert!(PruneFilters::parse(&["name=x".into()]).is_err());
}

fn create(fx: &Fx, name: &str, labels: &[(&str, &str)]) -> String {
    let mut o = ContainerCreateOptions::new("busybox", &["sleep", "100"]);
    o.name = Some(name.into());
    o.labels = labels
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    fx.rt.create_container(&o).unwrap().config.id
}

#[test]
fn the_runtime_lists_containers_pods_and_volumes_through_filters() {
    let fx = Fx::new();
    let web = create(&fx, "web", &[("app", "web")]);
    let db = create(&fx, "db", &[("app", "db")]);
    fx.rt.start_container(&web).unwrap();
    let all = ListOptions {
        all: true,
        pod: None,
    };
    let ids = |f: &[&str]| -> Vec<String> {
        fx.rt
            .list_containers_filtered(&all, &parse(FilterTarget::Containers, f).unwrap())
            .unwrap()
            .into_iter()
            .map(|r| r.config.id)
            .collect()
    };
    assert_eq!(ids(&["status=running"]), vec![web.clone()]);
    assert_eq!(ids(&["label=app=db"]), vec![db.clone()]);
    assert_eq!(ids(&["since=web"]), vec![db.clone()]);
    let e = fx
        .rt
        .list_containers_filtered(
            &all,
            &parse(FilterTarget::Containers, &["since=ghost"]).unwrap(),
        )
        .unwrap_err();
    assert!(
        matches!(e, Error::Filter(ref f) if f.value == "since=ghost"),
        "{e}"
    );

    // Pods: `pod=` matches a member's pod by name; infra containers are recognised.
    let pod = fx
        .rt
        .create_pod(&PodCreateOptions {
            name: Some("team".into()),
            labels: BTreeMap::from([("tier".to_owned(), "a".to_owned())]),
            ..PodCreateOptions::default()
        })
        .unwrap();
    let infra = pod.config.infra_container_id.clone().unwrap();
    let infra_rec = fx.rt.container(&infra).unwrap();
    assert!(crate::is_infra_container(&infra_rec));
    assert_eq!(crate::container_image_name(&infra_rec), crate::INFRA_IMAGE);
    assert!(!crate::is_infra_container(&fx.rt.container(&web).unwrap()));
    assert_eq!(ids(&["pod=team"]), [infra]);
    let pods = |f: &[&str]| {
        fx.rt
            .list_pods_filtered(&parse(FilterTarget::Pods, f).unwrap())
            .unwrap()
            .len()
    };
    assert_eq!(pods(&["label=tier=a"]), 1);
    assert_eq!(pods(&["status=running"]), 0);
    assert_eq!(pods(&["name=^team$", "status=created"]), 1);

    for n in ["v1", "v2"] {
        fx.rt
            .create_volume(&VolumeCreateOptions {
                name: Some(n.into()),
                labels: BTreeMap::from([("n".to_owned(), n.to_owned())]),
                ..VolumeCreateOptions::default()
            })
            .unwrap();
    }
    let vols: Vec<String> = fx
        .rt
        .list_volumes_filtered(&parse(FilterTarget::Volumes, &["label=n=v2"]).unwrap())
        .unwrap()
        .into_iter()
        .map(|v| v.name)
        .collect();
    assert_eq!(vols, ["v2"]);
}
