//! Spec generation: [`crate::ContainerSpec`] → OCI runtime `config.json`.
