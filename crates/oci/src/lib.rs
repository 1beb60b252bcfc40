//! berth's OCI layer: runtime spec generation, security defaults, OCI hooks and the runc/conmon driver.
//!
//! Nothing here works yet: the OCI layer arrives with issue 5.
