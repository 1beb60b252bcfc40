//! Test fixtures shared by berth's crates (never a runtime dependency):
//! a real docker-registry harness on 127.0.0.1 ([`registry`]), the busybox
//! test image as a root filesystem directory or a tar ([`busybox`]) and an
//! in-memory writer to capture a container's output ([`SharedBuf`]) and
//! incompressible bytes ([`noise`]).

pub mod buf;
pub mod busybox;
mod noise;
pub mod registry;

pub use buf::SharedBuf;
pub use noise::noise;
