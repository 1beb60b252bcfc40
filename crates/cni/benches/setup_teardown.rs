//! Setup + teardown of one container on the default bridge network (netns,
//! loopback, bridge + host-local, portmap with one mapping, firewall,
//! tuning; then DEL in reverse and netns removal), through berth versus the
//! same plugins driven by hand from a shell script (`cnitool`-style).
//!
//! Needs root and /usr/lib/cni. Everything runs inside a private "host"
//! namespace so the machine's own network is untouched.

use std::path::PathBuf;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;

use berth_cni::netns::{prepare_dir, release_dir};
use berth_cni::{CniNetworkPlugin, CniOptions, NetNs, NetworkPlugin, PortMapping};

const SUBNET: &str = "10.210.0.0/24";
const SHELL_SUBNET: &str = "10.211.0.0/24";

struct Bench {
    tmp: PathBuf,
    host: NetNs,
    plugin: CniNetworkPlugin,
}

static BENCH: OnceLock<Bench> = OnceLock::new();
static COUNTER: AtomicUsize = AtomicUsize::new(0);

fn bench_env() -> &'static Bench {
    BENCH.get_or_init(|| {
        assert!(
            nix::unistd::geteuid().is_root(),
            "the CNI benchmark needs root"
        );
        let tmp = tempfile::tempdir().unwrap().keep();
        let host = NetNs::create(&tmp.join("hostns"), "host").unwrap();
        let mut opts = CniOptions::new(
            tmp.join("net.d"),
            vec![PathBuf::from("/usr/lib/cni")],
            tmp.join("netns"),
        );
        opts.default_bridge = "bench0".into();
        opts.default_subnet = SUBNET.into();
        opts.ipam_data_dir = Some(tmp.join("ipam"));
        opts.host_netns = Some(host.path().to_path_buf());
        let plugin = CniNetworkPlugin::new(opts).unwrap();
        prepare_dir(&tmp.join("netns")).unwrap();
        Bench { tmp, host, plugin }
    })
}

/// The reference: the same plugin calls written out by hand.
const SCRIPT: &str = r#"set -e
P=/usr/lib/cni
export CNI_PATH=$P CNI_CONTAINERID=$CID CNI_IFNAME=eth0 CNI_ARGS=IgnoreUnknown=1
NS=$NSDIR/$CID
touch $NS
unshare --net=$NS true
export CNI_NETNS=$NS
printf '{"cniVersion":"1.0.0","name":"lo","type":"loopback"}' | CNI_COMMAND=ADD CNI_IFNAME=lo $P/loopback >/dev/null
H='"cniVersion":"1.0.0","name":"shellnet"'
BR='"type":"bridge","bridge":"shell0","isGateway":true,"ipMasq":true,"hairpinMode":true,"ipam":{"type":"host-local","dataDir":"'$DATA'","routes":[{"dst":"0.0.0.0/0"}],"ranges":[[{"subnet":"'$SUBNET'"}]]}'
PM='"type":"portmap","runtimeConfig":{"portMappings":[{"hostPort":8080,"containerPort":80,"protocol":"tcp","hostIP":""}]}'
FW='"type":"firewall","backend":"iptables"'
TU='"type":"tuning"'
r1=$(printf '{%s,%s}' "$H" "$BR" | CNI_COMMAND=ADD $P/bridge)
r2=$(printf '{%s,%s,"prevResult":%s}' "$H" "$PM" "$r1" | CNI_COMMAND=ADD $P/portmap)
r3=$(printf '{%s,%s,"prevResult":%s}' "$H" "$FW" "$r2" | CNI_COMMAND=ADD $P/firewall)
r4=$(printf '{%s,%s,"prevResult":%s}' "$H" "$TU" "$r3" | CNI_COMMAND=ADD $P/tuning)
printf '{%s,%s,"prevResult":%s}' "$H" "$TU" "$r4" | CNI_COMMAND=DEL $P/tuning
printf '{%s,%s,"prevResult":%s}' "$H" "$FW" "$r4" | CNI_COMMAND=DEL $P/firewall
printf '{%s,%s,"prevResult":%s}' "$H" "$PM" "$r4" | CNI_COMMAND=DEL $P/portmap
printf '{%s,%s,"prevResult":%s}' "$H" "$BR" "$r4" | CNI_COMMAND=DEL $P/bridge
umount $NS
rm $NS
"#;

#[divan::bench(sample_count = 20, sample_size = 1)]
fn berth_setup_teardown() {
    let b = bench_env();
    let id = format!("b{}", COUNTER.fetch_add(1, Ordering::Relaxed));
    let pm = [PortMapping::tcp(8080, 80)];
    let ns = b.plugin.create_netns(&id).unwrap();
    let att = b
        .plugin
        .setup(&id, &ns, &[b.plugin.default_network().to_string()], &pm)
        .unwrap();
    b.plugin.teardown(&id, &ns, &att).unwrap();
    b.plugin.remove_netns(&ns).unwrap();
}

#[divan::bench(sample_count = 20, sample_size = 1)]
fn shell_by_hand() {
    let b = bench_env();
    let id = format!("s{}", COUNTER.fetch_add(1, Ordering::Relaxed));
    let mut cmd = Command::new("sh");
    cmd.arg("-c")
        .arg(SCRIPT)
        .env("CID", &id)
        .env("NSDIR", b.tmp.join("netns"))
        .env("DATA", b.tmp.join("ipam"))
        .env("SUBNET", SHELL_SUBNET);
    b.host.enter_command(&mut cmd).unwrap();
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "reference script failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn main() {
    divan::main();
    if let Some(b) = BENCH.get() {
        let _ = release_dir(&b.tmp.join("netns"));
        let _ = NetNs::remove(b.host.path());
        let _ = release_dir(&b.tmp.join("hostns"));
        let _ = std::fs::remove_dir_all(&b.tmp);
    }
}
