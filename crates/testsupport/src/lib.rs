//! Test fixtures shared by berth's crates (never a runtime dependency):
//! a real docker-registry harness on 127.0.0.1.

pub mod registry;
