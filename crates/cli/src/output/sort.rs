//! `--sort` of `ps`, `pod ps` and `images`, with podman 4.3.1's keys and directions:
//! `ps` sorts every key ascending (so by default oldest first), `images`
//! shows the newest first and sorts its other keys ascending.

use super::{rows::split_reference, ContainerSummary, ImageSummary, PodSummary};
use chrono::{DateTime, Utc};
use std::cmp::Ordering;

/// Sorts `ps` rows, each with its container's start time, by `key`
/// (`command`, `created`, `id`, `image`, `names`, `runningfor`, `size`,
/// `status`). `size` without sizes keeps the order.
pub fn sort_containers(rows: &mut [(ContainerSummary, Option<DateTime<Utc>>)], key: &str) {
    let name = |s: &ContainerSummary| s.names.first().cloned().unwrap_or_default();
    rows.sort_by(|(a, a_started), (b, b_started)| match key {
        "command" => a.command.join(" ").cmp(&b.command.join(" ")),
        "id" => a.id.cmp(&b.id),
        "image" => a.image.cmp(&b.image),
        "names" => name(a).cmp(&name(b)),
        "runningfor" => a_started.cmp(b_started),
        "status" => a.status.word().cmp(b.status.word()),
        "size" => match (a.size, b.size) {
            (Some((_, a_root)), Some((_, b_root))) => a_root.cmp(&b_root),
            _ => Ordering::Equal,
        },
        _ => a.created.cmp(&b.created),
    });
}

/// Sorts `images` rows by `key` (`created`: newest first, equal times by
/// ID descending; `id`, `repository`, `size`, `tag`: ascending, names by
/// the first one).
pub fn sort_images(rows: &mut [ImageSummary], key: &str) {
    let first = |s: &ImageSummary| {
        s.names.first().map_or_else(
            || ("<none>".into(), "<none>".into()),
            |n| {
                let (repo, tag) = split_reference(n);
                (repo.to_owned(), tag.to_owned())
            },
        )
    };
    rows.sort_by(|a, b| match key {
        "id" => a.id.cmp(&b.id),
        "repository" => first(a).0.cmp(&first(b).0),
        "tag" => first(a).1.cmp(&first(b).1),
        "size" => a.size.cmp(&b.size),
        _ => b.created.cmp(&a.created).then_with(|| b.id.cmp(&a.id)),
    });
}

/// Sorts `pod ps` rows by `key` (`created`: newest first; `id`, `name`:
/// ascending; `number`: fewest containers first). The sort is stable.
pub fn sort_pods(rows: &mut [PodSummary], key: &str) {
    rows.sort_by(|a, b| match key {
        "id" => a.id.cmp(&b.id),
        "name" => a.name.cmp(&b.name),
        "number" => a.containers.len().cmp(&b.containers.len()),
        _ => b.created.cmp(&a.created),
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::StatusView;

    fn ctr(id: &str, name: &str, age_s: i64, status: StatusView) -> ContainerSummary {
        ContainerSummary {
            id: id.into(),
            image: format!("localhost/{name}"),
            image_id: String::new(),
            command: vec![format!("cmd-{name}")],
            created: DateTime::from_timestamp(1_000_000 - age_s, 0).unwrap(),
            status,
            ports: Vec::new(),
            names: vec![name.into()],
            labels: std::collections::BTreeMap::default(),
            pod_id: None,
            pod_name: None,
            networks: Vec::new(),
            mounts: Vec::new(),
            pid: 0,
            auto_remove: false,
            is_infra: false,
            size: None,
            health: None,
        }
    }

    fn order(rows: &[(ContainerSummary, Option<DateTime<Utc>>)]) -> Vec<&str> {
        rows.iter().map(|(s, _)| s.names[0].as_str()).collect()
    }

    #[test]
    fn ps_sorts_ascending_by_every_key() {
        let t = |s| DateTime::from_timestamp(s, 0);
        let mut rows = vec![
            (ctr("bb", "zeta", 10, StatusView::Created), t(5)),
            (ctr("aa", "alpha", 30, StatusView::Created), t(9)),
            (ctr("cc", "mid", 20, StatusView::Created), None),
        ];
        sort_containers(&mut rows, "created");
        assert_eq!(order(&rows), ["alpha", "mid", "zeta"]);
        sort_containers(&mut rows, "names");
        assert_eq!(order(&rows), ["alpha", "mid", "zeta"]);
        sort_containers(&mut rows, "id");
        assert_eq!(order(&rows), ["alpha", "zeta", "mid"]);
        sort_containers(&mut rows, "runningfor");
        assert_eq!(order(&rows), ["mid", "zeta", "alpha"]);
        sort_containers(&mut rows, "size");
        assert_eq!(
            order(&rows),
            ["mid", "zeta", "alpha"],
            "no sizes: unchanged"
        );
    }

    #[test]
    fn images_show_the_newest_first_and_sort_names_ascending() {
        let img = |id: &str, name: &str, age_s: i64, size: u64| ImageSummary {
            id: id.into(),
            names: vec![name.into()],
            digest: String::new(),
            created: DateTime::from_timestamp(1_000_000 - age_s, 0).unwrap(),
            size,
            labels: std::collections::BTreeMap::default(),
            containers: 0,
            read_only: false,
        };
        let mut rows = vec![
            img("11", "localhost/zz:b", 50, 3),
            img("22", "localhost/aa:latest", 10, 1),
            img("33", "localhost/mm:a", 10, 2),
        ];
        let names = |r: &[ImageSummary]| r.iter().map(|i| i.id.clone()).collect::<Vec<_>>();
        sort_images(&mut rows, "created");
        assert_eq!(names(&rows), ["33", "22", "11"]);
        sort_images(&mut rows, "repository");
        assert_eq!(names(&rows), ["22", "33", "11"]);
        sort_images(&mut rows, "tag");
        assert_eq!(names(&rows), ["33", "11", "22"]);
        sort_images(&mut rows, "size");
        assert_eq!(names(&rows), ["22", "33", "11"]);
    }

    #[test]
    fn pods_sort_newest_first_or_by_key() {
        let pod = |id: &str, name: &str, age_s: i64, n: usize| PodSummary {
            id: id.into(),
            name: name.into(),
            status: "Created".into(),
            created: DateTime::<Utc>::from_timestamp(1_700_000_000 - age_s, 0).unwrap(),
            infra_id: None,
            containers: vec![(String::new(), String::new(), String::new()); n],
            labels: std::collections::BTreeMap::new(),
            networks: Vec::new(),
            cgroup: String::new(),
            namespace: String::new(),
        };
        let mut rows = vec![
            pod("b", "zed", 30, 1),
            pod("a", "amy", 10, 3),
            pod("c", "max", 20, 2),
        ];
        let names = |rows: &[PodSummary]| rows.iter().map(|p| p.name.clone()).collect::<Vec<_>>();
        sort_pods(&mut rows, "created");
        assert_eq!(names(&rows), ["amy", "max", "zed"]);
        sort_pods(&mut rows, "id");
        assert_eq!(names(&rows), ["amy", "zed", "max"]);
        sort_pods(&mut rows, "name");
        assert_eq!(names(&rows), ["amy", "max", "zed"]);
        sort_pods(&mut rows, "number");
        assert_eq!(names(&rows), ["zed", "max", "amy"]);
    }
}
