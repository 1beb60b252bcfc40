//! berth's configuration: schema, defaults, discovery, rootless directories and binary lookup.
//!
//! Filled by issue 2.
