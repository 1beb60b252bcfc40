//! OCI hooks: reading hook files (1.0.0 and 0.1.0) and choosing the ones that apply.
