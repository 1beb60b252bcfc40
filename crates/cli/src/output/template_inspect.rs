//! `--format` templates over the shape of `inspect`'s objects.

use super::Template;
use serde_json::json;

#[test]
fn range_over_the_networks_of_inspect() {
    let settings = berth_runtime::InspectNetworkSettings {
        sandbox_key: "/run/netns/x".into(),
        ip_address: "10.88.0.2".into(),
        gateway: "10.88.0.1".into(),
        mac_address: "aa:bb:cc:dd:ee:ff".into(),
        ports: std::collections::BTreeMap::default(),
        networks: [
            ("podman".to_owned(), json!({"IPAddress": "10.88.0.2"})),
            ("alpha".to_owned(), json!({"IPAddress": "10.89.0.5"})),
        ]
        .into_iter()
        .collect(),
    };
    let row = json!({"NetworkSettings": serde_json::to_value(settings).unwrap()});
    let render = |t: &str| Template::parse(t).unwrap().render(&row).unwrap();
    assert_eq!(
        render("{{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}"),
        "10.89.0.5 10.88.0.2 "
    );
    assert_eq!(
        render(
            "{{range $name, $n := .NetworkSettings.Networks}}{{$name}}={{$n.IPAddress}};{{end}}"
        ),
        "alpha=10.89.0.5;podman=10.88.0.2;"
    );
    assert_eq!(
        render("{{(index .NetworkSettings.Networks \"podman\").IPAddress}}"),
        "10.88.0.2"
    );
}
