//! Every listing's template row has the field names podman 4.3.1's
//! templates accept (a field podman has must not be an error here).

use super::format::{parse_format, render_listing, Listing, OutputFormat};
use super::human::StatusView;
use super::rows::*;
use chrono::{TimeZone, Utc};
use serde_json::{json, Value};
use std::collections::BTreeMap;

fn renders(listing: &Listing, row: &Value, fields: &[&str]) {
    for f in fields {
        let text = format!("{{{{.{f}}}}}");
        let format = parse_format("--format", Some(&text)).unwrap();
        assert!(matches!(format, OutputFormat::Template(_)));
        let r = render_listing(&format, listing, std::slice::from_ref(row), &[], false);
        assert!(r.is_ok(), "{f}: {r:?}");
    }
}

#[test]
fn images_rows_have_podmans_fields() {
    let now = Utc.with_ymd_and_hms(2026, 11, 28, 10, 47, 20).unwrap();
    let img = ImageSummary {
        id: "5a4a530fe686df2c75659c545aacc2b035cb6570f0b11ce7e6fbccef6f6ec373".into(),
        names: vec!["localhost/bb:latest".into()],
        digest: "sha256:5194".into(),
        created: now,
        size: 1_997_895,
        labels: BTreeMap::new(),
        containers: 0,
        read_only: false,
    };
    let row = &img.template_rows(now, false)[0];
    renders(
        &IMAGES,
        row,
        &[
            "ID",
            "Repository",
            "Tag",
            "Digest",
            "CreatedSince",
            "CreatedAt",
            "CreatedTime",
            "Created",
            "Size",
            "ReadOnly",
            "IsReadOnly",
            "History",
            "Containers",
            "Labels",
            "Names",
            "Dangling",
            "SharedSize",
            "VirtualSize",
            "ParentId",
            "RepoTags",
            "RepoDigests",
        ],
    );
    assert_eq!(row["RepoTags"], json!(["localhost/bb:latest"]));
    assert_eq!(row["CreatedTime"], "2026-11-28 10:47:20 +0000 UTC");
}

#[test]
fn ps_pod_volume_network_rows_have_podmans_fields() {
    let now = Utc.with_ymd_and_hms(2026, 11, 28, 10, 47, 20).unwrap();
    let c = ContainerSummary {
        id: "65c3dba0d2724aaec27bc2a1".into(),
        image: "localhost/bb:latest".into(),
        image_id: "5a4a".into(),
        command: vec!["true".into()],
        created: now,
        status: StatusView::Exited {
            code: 3,
            finished: now,
        },
        ports: vec![],
        names: vec!["c".into()],
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
    };
    let row = c.template_row(now, false);
    renders(
        &PS,
        &row,
        &[
            "AutoRemove",
            "Command",
            "Created",
            "CreatedAt",
            "CreatedHuman",
            "Exited",
            "ExitedAt",
            "ExitCode",
            "ID",
            "Image",
            "ImageID",
            "IsInfra",
            "Labels",
            "Mounts",
            "Names",
            "Namespaces",
            "Networks",
            "Pid",
            "Pod",
            "PodName",
            "Ports",
            "Size",
            "StartedAt",
            "State",
            "Status",
            "RunningFor",
        ],
    );
    assert_eq!(row["ExitedAt"], now.timestamp());
    assert_eq!(row["StartedAt"], -62_135_596_800_i64);

    let pod = PodSummary {
        id: "1c4b3aed6d13d24132bb42bc17dafcc8".into(),
        name: "p".into(),
        status: "Created".into(),
        created: now,
        infra_id: Some("661f22f617cd0000".into()),
        containers: vec![(
            "661f22f617cd0000".into(),
            "p-infra".into(),
            "created".into(),
        )],
        labels: BTreeMap::new(),
        networks: vec![],
        cgroup: String::new(),
        namespace: String::new(),
    };
    let row = pod.template_row(now, false);
    renders(
        &PODS,
        &row,
        &[
            "ID",
            "Id",
            "Name",
            "Status",
            "Created",
            "InfraID",
            "InfraId",
            "NumberOfContainers",
            "ContainerIds",
            "ContainerNames",
            "ContainerStatuses",
            "Labels",
            "Networks",
            "Cgroup",
            "Namespace",
            "Containers",
        ],
    );
    assert_eq!(row["Containers"][0]["Names"], "p-infra");

    let vol = VolumeSummary {
        name: "v".into(),
        driver: "local".into(),
        mountpoint: "/x".into(),
        created: now,
        labels: BTreeMap::new(),
        options: [("UID".to_owned(), "1000".to_owned())].into(),
        state: crate::output::rows::VolumeFlags {
            uid: 1000,
            ..Default::default()
        },
    };
    let row = vol.template_row();
    renders(
        &VOLUMES,
        &row,
        &[
            "Name",
            "Driver",
            "Mountpoint",
            "CreatedAt",
            "Labels",
            "Scope",
            "Options",
            "Status",
            "UID",
            "GID",
        ],
    );
    assert_eq!(row["UID"], 1000);
    assert_eq!(row["CreatedAt"], "2026-11-28 10:47:20.000000000 +0000 UTC");
    assert_eq!(vol.json()["CreatedAt"], "2026-11-28T10:47:20Z");

    let net = NetworkSummary {
        id: "2f259bab93aaaaa2542ba43ef33eb990d0999ee1b9924b557b7be53c0b7a1bb9".into(),
        name: "n".into(),
        driver: "bridge".into(),
        labels: BTreeMap::new(),
    };
    let inspect = json!({"network_interface": "berth0", "subnets": [{"subnet": "10.89.0.0/24"}], "internal": true});
    let row = net.template_row(false, &inspect);
    renders(
        &NETWORKS,
        &row,
        &[
            "ID",
            "Name",
            "Driver",
            "Labels",
            "NetworkInterface",
            "Created",
            "Subnets",
            "IPv6Enabled",
            "Internal",
            "DNSEnabled",
            "Options",
            "IPAMOptions",
        ],
    );
    assert_eq!(row["NetworkInterface"], "berth0");
    assert_eq!(row["Internal"], true);
    assert_eq!(row["ID"], "2f259bab93aa");
}
