//! System test: a published port reaches the container (CNI bridge + portmap).

mod common;

use std::io::{Read, Write};
use std::time::{Duration, Instant};

use common::{create_and_start, import_busybox, TestEnv};

fn fetch(addr: &str) -> std::io::Result<String> {
    let mut s =
        std::net::TcpStream::connect_timeout(&addr.parse().unwrap(), Duration::from_secs(2))?;
    s.set_read_timeout(Some(Duration::from_secs(2)))?;
    s.write_all(b"GET /index.html HTTP/1.0\r\n\r\n")?;
    let mut body = String::new();
    s.read_to_string(&mut body)?;
    Ok(body)
}

#[test]
fn published_port_serves_the_container() {
    let env = TestEnv::new(false);
    let rt = env.runtime();
    import_busybox(&rt);
    let port = 20000 + (std::process::id() % 20000) as u16;
    let mut o = berth_runtime::ContainerCreateOptions::new(
        "busybox",
        &["httpd", "-f", "-p", "80", "-h", "/var/www"],
    );
    o.name = Some("web".into());
    o.ports = berth_cni::PortMapping::parse(&format!("{port}:80")).unwrap();
    let id = create_and_start(&rt, &o);
    let inspect = rt.inspect_container(&id).unwrap();
    let ip = inspect.network_settings.ip_address.clone();
    let gw = inspect.network_settings.gateway.clone();
    assert!(
        !ip.is_empty() && !gw.is_empty(),
        "{:?}",
        inspect.network_settings
    );
    assert_eq!(rt.container_ports(&id).unwrap()[0].host_port, port);

    let deadline = Instant::now() + Duration::from_secs(10);
    let direct = loop {
        match fetch(&format!("{ip}:80")) {
            Ok(b) => break b,
            Err(e) => {
                assert!(
                    Instant::now() < deadline,
                    "httpd at {ip}:80 unreachable: {e}"
                );
                std::thread::sleep(Duration::from_millis(100));
            }
        }
    };
    assert!(direct.contains("hello from berth"), "{direct}");
    let published = fetch(&format!("{gw}:{port}")).expect("published port through the gateway");
    assert!(published.contains("hello from berth"), "{published}");

    rt.stop_container(&id, Some(Duration::from_secs(2)))
        .unwrap();
    assert!(
        fetch(&format!("{gw}:{port}")).is_err(),
        "port closed after stop"
    );
    rt.shutdown(false).unwrap();
}
