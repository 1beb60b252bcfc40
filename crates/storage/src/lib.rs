//! berth's storage: blobs, layers (overlay, vfs), images, container root filesystems, import/export and registry pull.
//!
//! Nothing here works yet: the storage layer arrives with issue 4.
