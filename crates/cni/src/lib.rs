//! berth's network layer: network namespaces, CNI conflists, plugin execution, the default bridge and port mappings.
//!
//! Nothing here works yet: the network layer arrives with issue 6.
