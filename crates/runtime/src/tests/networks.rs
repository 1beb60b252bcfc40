//! Network management over a real `Networks` in a temp CNI config dir (no bridge is made:
//! conflists only) and the fake layers for the containers that use them.

use berth_cni::Networks;

use super::Fx;
use crate::{ContainerCreateOptions, CreateNetwork, Error, NetworkMode, Runtime};

fn with_networks(fx: &Fx) -> Runtime {
    let nets = Networks::new(fx.dir.path().join("cni"), "berth")
        .with_default_bridge("brtunit0", "10.252.0.0/24");
    fx.again().with_networks(nets)
}

fn req(name: &str, subnet: Option<&str>) -> CreateNetwork {
    CreateNetwork {
        name: name.into(),
        subnet: subnet.map(Into::into),
        gateway: None,
        bridge: Some(format!("brtu{}", &name[..name.len().min(8)])),
    }
}

#[test]
fn create_list_inspect_remove() {
    let fx = Fx::new();
    let rt = with_networks(&fx);
    let list = rt
        .create_network(&req("unet1", Some("10.252.7.0/24")))
        .unwrap();
    assert_eq!(list.name, "unet1");
    let names: Vec<String> = rt
        .list_networks()
        .unwrap()
        .into_iter()
        .map(|l| l.name)
        .collect();
    assert!(names.contains(&"berth".to_string()) && names.contains(&"unet1".to_string()));
    assert_eq!(rt.inspect_network("unet1").unwrap().name, "unet1");
    assert_eq!(rt.inspect_network("berth").unwrap().name, "berth");
    let err = rt
        .create_network(&req("unet1", Some("10.252.8.0/24")))
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
fn bad_subnet_and_name_are_refused() {
    let fx = Fx::new();
    let rt = with_networks(&fx);
    let err = rt
        .create_network(&req("unet2", Some("10.252.9.0/33")))
        .unwrap_err();
    assert!(err.to_string().contains("10.252.9.0/33"), "{err}");
    assert!(rt.create_network(&req("bad/name", None)).is_err());
}

#[test]
fn in_use_network_needs_force_which_removes_its_containers() {
    let fx = Fx::new();
    let rt = with_networks(&fx);
    rt.create_network(&req("unet3", Some("10.252.10.0/24")))
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
fn without_a_network_manager_the_error_says_what_to_do() {
    let fx = Fx::new();
    let err = fx.rt.list_networks().unwrap_err();
    assert!(err.to_string().contains("with_networks"), "{err}");
}
