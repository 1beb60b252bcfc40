//! berth's runtime: composes config, state, storage, oci and cni into containers and pods.
//!
//! Nothing here works yet: the runtime arrives with issue 7.
