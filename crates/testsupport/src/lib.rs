//! Test fixtures shared by berth's crates (never a runtime dependency):
//! a real docker-registry harness on 127.0.0.1 ([`registry`]) and the
//! busybox test image as a root filesystem directory or a tar ([`busybox`]).

pub mod busybox;
pub mod registry;
