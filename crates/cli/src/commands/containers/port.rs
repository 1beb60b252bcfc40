//! `port`: a container's published ports.

use super::select::names;
use super::{all_containers, out, Parsed};
use crate::cli::PortArgs;
use crate::opts::targets::Selection;
use berth_runtime::{ContainerRecord, Runtime};

/// Parses `port`'s arguments; bad input is refused before the runtime opens.
pub(super) fn parse(a: PortArgs) -> anyhow::Result<Parsed> {
    let sel = if a.all {
        Selection::of(crate::opts::Targets::All)
    } else {
        Selection::latest_or_named(a.latest, a.container.as_slice())?
    };
    Ok(Parsed::Port { sel, port: a.port })
}

/// Runs `port`.
pub(super) fn run(rt: &Runtime, sel: Selection, port: Option<String>) -> anyhow::Result<u8> {
    let mut pairs = Vec::new();
    let recs: Vec<ContainerRecord> = if sel.is_all() {
        all_containers(rt)?
    } else {
        let names = names(rt, &sel)?;
        vec![rt.container(&names[0])?]
    };
    for r in &recs {
        let ports = rt.container_ports(&r.config.id)?;
        pairs.push((r.config.id.clone(), ports));
    }
    if sel.is_all() {
        out(&crate::output::port::port_all(
            pairs.iter().map(|(i, p)| (i.as_str(), p.as_slice())),
        ))?;
    } else {
        out(&crate::output::port::port_lines(
            &pairs[0].1,
            port.as_deref(),
        )?)?;
    }
    Ok(0)
}
