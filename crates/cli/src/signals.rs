//! Signal forwarding for a foreground `run`/`start -a`: SIGINT and SIGTERM
//! (and the others podman proxies) received by berth are handed to a
//! callback, which sends them on to the container.

/// Placeholder replaced below.
pub fn _placeholder() {}
