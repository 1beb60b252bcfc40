//! The network API on the fake network manager (no config dir, no bridge), and published
//! ports decided at create on the fake network plugin.

use super::Fx;
use crate::{
    ContainerCreateOptions, Error, NetworkCreateOptions, NetworkMode, NetworkOption,
    PodCreateOptions, PortMapping, BRIDGE_NAME_OPTION,
};

fn named(name: &str, subnet: Option<&str>) -> NetworkCreateOptions {
    NetworkCreateOptions {
        name: Some(name.into()),
        subnets: subnet.map(|s| vec![s.into()]).unwrap_or_default(),
        ..NetworkCreateOptions::default()
    }
}

#[test]
fn create_list_inspect_remove() {
    let fx = Fx::new();
    let rt = &fx.rt;
    let mut o = named("unet1", Some("10.252.7.0/24"));
    o.gateways = vec!["10.252.7.254".into()];
    o.options = vec![(BRIDGE_NAME_OPTION.into(), Some("brtu1".into()))];
    let net = rt.create_network(&o).unwrap();
    assert_eq!(net.name, "unet1");
    assert_eq!(net.id, crate::network_id("unet1"));
    assert_eq!(net.network_interface.as_deref(), Some("brtu1"));
    assert_eq!(net.subnets[0].subnet, "10.252.7.0/24");
    assert_eq!(
        net.subnets[0].gateway,
        Some("10.252.7.254".parse().unwrap())
    );
    let names: Vec<String> = rt
        .list_networks()
        .unwrap()
        .into_iter()
        .map(|n| n.name)
        .collect();
    assert_eq!(
        names,
        ["berth", "unet1"],
        "the default network is made on first use"
    );
    assert_eq!(rt.inspect_network("unet1").unwrap(), net);
    assert_eq!(rt.inspect_network("berth").unwrap().name, "berth");
    let err = rt
        .create_network(&named("unet1", Some("10.252.8.0/24")))
        .unwrap_err();
    assert!(err.to_string().contains("unet1"), "{err}");
    rt.remove_network("unet1", false).unwrap();
    let err = rt.inspect_network("unet1").unwrap_err();
    assert!(
        matches!(&err, Error::Network(e) if matches!(**e, berth_cni::Error::NetworkNotFound { .. })),
        "{err}"
    );
    assert!(rt.remove_network("unet1", false).is_err());
    let err = rt.remove_network("berth", true).unwrap_err();
    assert!(err.to_string().contains("default network"), "{err}");
}

#[test]
fn a_missing_name_is_the_default_name_with_the_first_free_number() {
    let fx = Fx::new();
    let first = fx
        .rt
        .create_network(&NetworkCreateOptions::default())
        .unwrap();
    assert_eq!(first.name, "berth1");
    fx.rt.create_network(&named("berth3", None)).unwrap();
    let second = fx
        .rt
        .create_network(&NetworkCreateOptions::default())
        .unwrap();
    assert_eq!(second.name, "berth2");
    let third = fx
        .rt
        .create_network(&NetworkCreateOptions::default())
        .unwrap();
    assert_eq!(third.name, "berth4");
}

#[test]
fn bad_options_are_refused_before_the_network_layer_is_asked() {
    let fx = Fx::new();
    let err = fx
        .rt
        .create_network(&named("unet2", Some("10.252.9.0/33")))
        .unwrap_err();
    assert!(
        matches!(
            &err,
            Error::InvalidNetworkOption { option: NetworkOption::Subnet, value: Some(v), .. }
                if v == "10.252.9.0/33"
        ),
        "{err:?}"
    );
    let mut o = named("unet2", None);
    o.ipv6 = true;
    assert!(matches!(
        fx.rt.create_network(&o).unwrap_err(),
        Error::InvalidNetworkOption {
            option: NetworkOption::Ipv6,
            ..
        }
    ));
    assert!(fx.nets.calls().is_empty(), "{:?}", fx.nets.calls());
    assert!(fx.rt.create_network(&named("bad/name", None)).is_err());
}

#[test]
fn in_use_network_needs_force_which_removes_its_containers() {
    let fx = Fx::new();
    let rt = &fx.rt;
    rt.create_network(&named("unet3", Some("10.252.10.0/24")))
        .unwrap();
    let mut o = ContainerCreateOptions::new("busybox", &["true"]);
    o.name = Some("user".into());
    o.network = Some(NetworkMode::Networks(vec!["unet3".into()]));
    let id = rt.create_container(&o).unwrap().config.id;
    assert_eq!(rt.network_users("unet3").unwrap(), vec![id.clone()]);
    let err = rt.remove_network("unet3", false).unwrap_err();
    assert!(err.to_string().contains(&id), "{err}");
    assert!(rt.inspect_network("unet3").is_ok());
    rt.remove_network("unet3", true).unwrap();
    assert!(rt.inspect_network("unet3").is_err());
    assert!(rt.inspect_container(&id).unwrap_err().is_not_found());
}

#[test]
fn exists_and_prune_keep_the_default_and_used_networks() {
    let fx = Fx::new();
    let rt = &fx.rt;
    assert!(rt.network_exists("berth").unwrap());
    assert!(!rt.network_exists("nope").unwrap());
    rt.create_network(&named("used", None)).unwrap();
    rt.create_network(&named("idle", None)).unwrap();
    let mut labelled = named("labelled", None);
    labelled.labels = [("k".to_string(), "v".to_string())].into();
    assert_eq!(
        rt.create_network(&labelled).unwrap().labels,
        labelled.labels
    );
    let mut o = ContainerCreateOptions::new("busybox", &["true"]);
    o.network = Some(NetworkMode::Networks(vec!["used".into()]));
    rt.create_container(&o).unwrap();

    let only_labelled = crate::PruneFilters::parse(&["label=k=v".into()]).unwrap();
    let r = rt.prune_networks(&only_labelled).unwrap();
    assert_eq!(r.ids().collect::<Vec<_>>(), ["labelled"]);
    let r = rt.prune_networks(&crate::PruneFilters::default()).unwrap();
    assert_eq!(r.ids().collect::<Vec<_>>(), ["idle"]);
    assert!(r.errors.is_empty());
    let left: Vec<String> = rt
        .list_networks()
        .unwrap()
        .into_iter()
        .map(|n| n.name)
        .collect();
    assert_eq!(left, ["berth", "used"]);
}

fn publishing(name: &str, spec: &str) -> ContainerCreateOptions {
    let mut o = ContainerCreateOptions::new("busybox", &["sleep", "100"]);
    o.name = Some(name.into());
    o.ports = PortMapping::parse(spec).unwrap();
    o
}

#[test]
fn host_port_zero_is_chosen_at_create_and_recorded() {
    let fx = Fx::new();
    fx.net.hold_port(berth_cni::testing::FIRST_CHOSEN_PORT);
    let rec = fx
        .rt
        .create_container(&publishing("web", "127.0.0.1::80-81/udp"))
        .unwrap();
    let ports = &rec.config.port_mappings;
    assert_eq!(ports.len(), 2);
    let first = berth_cni::testing::FIRST_CHOSEN_PORT + 1;
    assert_eq!((ports[0].host_port, ports[1].host_port), (first, first + 1));
    assert_eq!((ports[0].container_port, ports[1].container_port), (80, 81));
    assert_eq!(ports[0].host_ip, Some("127.0.0.1".parse().unwrap()));
    assert_eq!(fx.rt.container_ports("web").unwrap(), *ports);
}

#[test]
fn a_taken_host_port_is_refused_before_anything_is_written() {
    let fx = Fx::new();
    fx.net.hold_port(8080);
    let err = fx
        .rt
        .create_container(&publishing("a", "8080:80"))
        .unwrap_err();
    assert!(err.is_port_unavailable(), "{err:?}");
    assert_eq!(
        err.to_string(),
        "cannot listen on the TCP port: listen tcp4 0.0.0.0:8080: bind: address already in use"
    );
    assert!(berth_state::State::all_containers(&*fx.state)
        .unwrap()
        .is_empty());
    assert!(fx
        .storage_methods()
        .iter()
        .all(|m| *m != "create_container"));

    // A port a running container publishes is taken too; a created one's is not.
    let id = fx
        .rt
        .create_container(&publishing("b", "9090:90"))
        .unwrap()
        .config
        .id;
    fx.rt.create_container(&publishing("c", "9090:90")).unwrap();
    fx.rt.start_container(&id).unwrap();
    let err = fx
        .rt
        .create_container(&publishing("d", "9090:91"))
        .unwrap_err();
    assert!(err.is_port_unavailable(), "{err:?}");
    fx.rt
        .create_container(&publishing("e", "9090:90/udp"))
        .unwrap();
}

#[test]
fn publish_all_maps_each_exposed_port_to_a_chosen_host_port() {
    let fx = Fx::new();
    fx.storage.add_image(
        &["exposing"],
        berth_storage::ImageConfig {
            cmd: Some(vec!["sh".into()]),
            exposed_ports: vec!["80/tcp".into(), "53/udp".into(), "8080".into()],
            ..Default::default()
        },
    );
    let first = berth_cni::testing::FIRST_CHOSEN_PORT;
    let mut o = ContainerCreateOptions::new("exposing", &[]);
    o.publish_all = true;
    o.ports = PortMapping::parse("9000:8080").unwrap();
    let rec = fx.rt.create_container(&o).unwrap();
    let got: Vec<(u16, u16, &str)> = rec
        .config
        .port_mappings
        .iter()
        .map(|p| (p.host_port, p.container_port, p.protocol.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            (9000, 8080, "tcp"),
            (first, 53, "udp"),
            (first + 1, 80, "tcp")
        ],
        "8080 is published by -p already"
    );

    // Without a bridge network there is nothing to publish; in a pod the ports are the
    // pod's (refused, as podman does).
    o.ports.clear();
    o.network = Some(crate::NetworkMode::None);
    let rec = fx.rt.create_container(&o).unwrap();
    assert!(rec.config.port_mappings.is_empty());
    fx.rt
        .create_pod(&PodCreateOptions {
            name: Some("p".into()),
            ..PodCreateOptions::default()
        })
        .unwrap();
    o.network = None;
    o.pod = Some("p".into());
    let err = fx.rt.create_container(&o).unwrap_err();
    assert!(err.to_string().contains("publish them on the pod"), "{err}");
    // An image that exposes nothing joins a pod with -P.
    let mut plain = ContainerCreateOptions::new("busybox", &["true"]);
    plain.publish_all = true;
    plain.pod = Some("p".into());
    fx.rt.create_container(&plain).unwrap();

    // An image whose exposed port does not parse names it.
    fx.storage.add_image(
        &["broken"],
        berth_storage::ImageConfig {
            exposed_ports: vec!["http".into()],
            ..Default::default()
        },
    );
    let mut o = ContainerCreateOptions::new("broken", &["true"]);
    o.publish_all = true;
    let err = fx.rt.create_container(&o).unwrap_err();
    assert_eq!(err.kind(), crate::ErrorKind::InvalidInput);
    assert!(err.to_string().contains("\"http\""), "{err}");
}

#[test]
fn a_pod_chooses_its_free_ports_and_binds_the_given_ones_when_it_starts() {
    let fx = Fx::new();
    fx.net.hold_port(8080);
    let pod = fx
        .rt
        .create_pod(&PodCreateOptions {
            name: Some("p".into()),
            ports: PortMapping::parse_all(&["8080:80", "90"]).unwrap(),
            ..PodCreateOptions::default()
        })
        .unwrap();
    let infra = pod.config.infra_container_id.unwrap();
    let ports = fx.rt.container_ports(&infra).unwrap();
    assert_eq!(ports[0].host_port, 8080);
    assert_eq!(ports[1].host_port, berth_cni::testing::FIRST_CHOSEN_PORT);
}

#[test]
fn list_filters_by_name_id_and_driver() {
    let fx = Fx::new();
    fx.rt.create_network(&named("front", None)).unwrap();
    fx.rt.create_network(&named("back", None)).unwrap();
    let names = |words: &[&str]| -> Vec<String> {
        let words: Vec<String> = words.iter().map(|w| (*w).to_string()).collect();
        let f = crate::parse_filters(crate::filter::FilterTarget::Networks, &words).unwrap();
        fx.rt
            .list_networks_filtered(&f)
            .unwrap()
            .into_iter()
            .map(|n| n.name)
            .collect()
    };
    assert_eq!(names(&[]), ["back", "berth", "front"]);
    assert_eq!(names(&["name=^b"]), ["back", "berth"]);
    let id = crate::network_id("front");
    assert_eq!(names(&[&format!("id={}", &id[..10])]), ["front"]);
    assert_eq!(names(&["driver=bridge", "name=ont"]), ["front"]);
    assert!(names(&["driver=macvlan"]).is_empty());
}

#[test]
fn connect_and_disconnect_record_and_attach() {
    use berth_cni::testing::FakeCall;
    let fx = Fx::new();
    let rt = &fx.rt;
    rt.create_network(&named("second", None)).unwrap();
    let id = rt
        .create_container(&ContainerCreateOptions::new("busybox", &["sleep", "100"]))
        .unwrap()
        .config
        .id;
    // Not started: only recorded, and the network is in use.
    let opts = crate::NetworkConnectOptions {
        ip: Some("10.89.1.7".parse().unwrap()),
        ..Default::default()
    };
    rt.connect_network("second", &id, &opts).unwrap();
    assert_eq!(
        rt.network_users("second").unwrap(),
        std::slice::from_ref(&id)
    );
    let err = rt.connect_network("second", &id, &opts).unwrap_err();
    assert!(matches!(err, Error::NetworkConnected { .. }), "{err}");
    assert!(!fx
        .net
        .calls()
        .iter()
        .any(|c| matches!(c, FakeCall::Setup { .. })));

    // Started: both networks attached, the static address with the second.
    rt.start_container(&id).unwrap();
    let setup: Vec<Vec<String>> = fx
        .net
        .calls()
        .into_iter()
        .filter_map(|c| match c {
            FakeCall::Setup { networks, .. } => Some(networks),
            _ => None,
        })
        .collect();
    assert_eq!(setup, [vec!["berth".to_string(), "second".into()]]);
    let rec = rt.container(&id).unwrap();
    let atts = crate::container::network_attachments(&rec).unwrap();
    assert_eq!(atts[1].static_ip, Some("10.89.1.7".parse().unwrap()));
    assert_eq!(atts[1].interface, "eth1");

    // Live disconnect: a DEL of that network only, the other attachment kept.
    rt.disconnect_network("second", &id, false).unwrap();
    let torn: Vec<Vec<String>> = fx
        .net
        .calls()
        .into_iter()
        .filter_map(|c| match c {
            FakeCall::Teardown { networks, .. } => Some(networks),
            _ => None,
        })
        .collect();
    assert_eq!(torn, [vec!["second".to_string()]]);
    let rec = rt.container(&id).unwrap();
    let atts = crate::container::network_attachments(&rec).unwrap();
    assert_eq!(atts.len(), 1);
    assert!(rt.network_users("second").unwrap().is_empty());
    let err = rt.disconnect_network("second", &id, false).unwrap_err();
    assert!(matches!(err, Error::NetworkNotConnected { .. }), "{err}");

    // Live connect: the next free interface.
    rt.connect_network("second", &id, &crate::NetworkConnectOptions::default())
        .unwrap();
    let rec = rt.container(&id).unwrap();
    let atts = crate::container::network_attachments(&rec).unwrap();
    assert_eq!(atts[1].interface, "eth1");
    assert_eq!(atts[1].network, "second");

    let mut none = ContainerCreateOptions::new("busybox", &["true"]);
    none.network = Some(NetworkMode::None);
    let nid = rt.create_container(&none).unwrap().config.id;
    let err = rt
        .connect_network("second", &nid, &crate::NetworkConnectOptions::default())
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "\"none\" is not supported: invalid network mode"
    );
}
