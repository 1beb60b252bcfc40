//! Pids are kept with their start times: a pid the kernel reused for another process
//! neither keeps a container "running" nor receives the container's signals.

use std::sync::Arc;

use berth_state::{ContainerStatus, State};

use super::{config_in, Fx};
use crate::{EngineOptions, HostProbe, Layers, ProcessHandle, ProcessProbe, Runtime};

/// A runtime over the fixture's fake layers that judges pids on the real host.
fn host_probe_runtime(fx: &Fx) -> Runtime {
    let layers = Layers {
        state: fx.state.clone(),
        storage: fx.storage.clone(),
        oci: fx.oci.clone(),
        network: fx.net.clone(),
        registry: fx.registry.clone(),
        networks: fx.nets.clone(),
    };
    let engine = EngineOptions {
        probe: Arc::new(HostProbe),
        ..EngineOptions::default()
    };
    Runtime::from_layers(config_in(fx.dir.path()), layers, engine).unwrap()
}

#[test]
fn a_reused_pid_shows_the_container_exited_and_gets_no_signal() {
    let fx = Fx::new();
    let id = fx.create("a");
    fx.rt.start_container(&id).unwrap();
    let rt = host_probe_runtime(&fx);

    // The container's and conmon's pids now belong to another process.
    let mut other = std::process::Command::new("sleep")
        .arg("30")
        .spawn()
        .expect("sleep(1) is needed");
    let pid = other.id();
    let start = HostProbe.start_time(pid).unwrap();
    let place = |start_time: u64| {
        let mut st = fx.state.container(&id).unwrap().state;
        st.status = ContainerStatus::Running;
        (st.pid, st.conmon_pid) = (pid, pid);
        (st.pid_start_time, st.conmon_start_time) = (start_time, start_time);
        fx.state.save_container_state(&id, &st).unwrap();
    };

    // Recorded with its own start time, that process is the container's: running.
    place(start);
    let rec = rt.container(&id).unwrap();
    assert_eq!(rec.state.status, ContainerStatus::Running);
    assert_eq!(
        ProcessHandle::of_container(&rec).map(|h| h.pid()),
        Some(pid)
    );

    // Recorded with another start time, it is a stranger: the container has exited...
    place(start + 1);
    let stale = fx.state.container(&id).unwrap();
    let rec = rt.container(&id).unwrap();
    assert!(!rec.state.status.is_active(), "{:?}", rec.state.status);
    assert_eq!(rec.state.pid, 0);
    // ... and nothing can be sent to the pid it had.
    assert!(ProcessHandle::of_container(&stale).is_none());
    let waited = std::time::Instant::now();
    rt.wait_container(
        &id,
        crate::WaitCondition::Exited,
        Some(std::time::Duration::from_secs(20)),
    )
    .unwrap();
    assert!(waited.elapsed() < std::time::Duration::from_secs(5));
    assert!(
        other.try_wait().unwrap().is_none(),
        "the stranger was signalled"
    );
    other.kill().unwrap();
    other.wait().unwrap();
}
