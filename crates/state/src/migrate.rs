//! Records migrated on read: fields that older records kept in their `extra` map move into
//! the typed fields that replaced them. A value there that does not decode fails the read
//! (serde's error, which the database reports as [`crate::StateError::Record`]); nothing is
//! silently dropped.
//!
//! [`ContainerConfig`] and [`ContainerState`] derive their serde code under
//! `#[serde(remote = "Self")]`, so the impls here wrap the derived ones.

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::types::{ContainerConfig, ContainerState, NetworkMode};

/// `extra` key of the network mode in older records.
const NETWORK_MODE: &str = "berth.network_mode";
/// `extra` key of the sysctls in older records.
const SYSCTLS: &str = "berth.sysctls";
/// `extra` key of the cgroup parent in older records.
const CGROUP_PARENT: &str = "berth.cgroup_parent";
/// `extra` key of the infra marker (the pod's id) in older records.
const INFRA: &str = "berth.infra";
/// `extra` key of the restart count in older states.
const RESTART_COUNT: &str = "berth.restart_count";

impl Serialize for ContainerConfig {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        ContainerConfig::serialize(self, s)
    }
}

impl<'de> Deserialize<'de> for ContainerConfig {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let mut c = ContainerConfig::deserialize(d)?;
        c.migrate_extra().map_err(D::Error::custom)?;
        Ok(c)
    }
}

impl Serialize for ContainerState {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        ContainerState::serialize(self, s)
    }
}

impl<'de> Deserialize<'de> for ContainerState {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let mut st = ContainerState::deserialize(d)?;
        if let Some(v) = st.extra.remove(RESTART_COUNT) {
            st.restart_count = v
                .as_u64()
                .ok_or_else(|| bad(RESTART_COUNT, "not a count", &v))
                .map_err(D::Error::custom)?;
        }
        Ok(st)
    }
}

impl ContainerConfig {
    /// Moves the values older records kept in `extra` into their fields (a field already set
    /// wins over a leftover key).
    fn migrate_extra(&mut self) -> Result<(), String> {
        if let Some(v) = self.extra.remove(NETWORK_MODE) {
            let mode: NetworkMode = decode(NETWORK_MODE, v)?;
            self.network_mode.get_or_insert(mode);
        }
        if let Some(v) = self.extra.remove(SYSCTLS) {
            let sysctls = decode(SYSCTLS, v)?;
            if self.sysctls.is_empty() {
                self.sysctls = sysctls;
            }
        }
        if let Some(v) = self.extra.remove(CGROUP_PARENT) {
            let parent: String = decode(CGROUP_PARENT, v)?;
            self.cgroup_parent.get_or_insert(parent);
        }
        if let Some(v) = self.extra.remove(INFRA) {
            let pod: String = decode(INFRA, v)?;
            self.infra_pod.get_or_insert(pod);
        }
        Ok(())
    }
}

fn decode<T: serde::de::DeserializeOwned>(key: &str, v: serde_json::Value) -> Result<T, String> {
    serde_json::from_value(v.clone()).map_err(|e| bad(key, &e.to_string(), &v))
}

fn bad(key: &str, reason: &str, v: &serde_json::Value) -> String {
    format!("extra field {key:?} holds {v}, which cannot be read: {reason}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn old_records_move_their_extra_keys_into_fields() {
        let cfg: ContainerConfig = serde_json::from_str(
            r#"{"id":"ab","name":"x","extra":{
                "berth.network_mode":{"mode":"host"},
                "berth.sysctls":{"net.ipv4.ip_forward":"1"},
                "berth.cgroup_parent":"/berth-test",
                "berth.infra":"pod1",
                "other":7}}"#,
        )
        .unwrap();
        assert_eq!(cfg.network_mode, Some(NetworkMode::Host));
        assert_eq!(cfg.sysctls["net.ipv4.ip_forward"], "1");
        assert_eq!(cfg.cgroup_parent.as_deref(), Some("/berth-test"));
        assert_eq!(cfg.infra_pod.as_deref(), Some("pod1"));
        assert!(cfg.is_infra());
        assert_eq!(cfg.extra.len(), 1, "unknown keys stay: {:?}", cfg.extra);

        let st: ContainerState =
            serde_json::from_str(r#"{"status":"running","extra":{"berth.restart_count":3}}"#)
                .unwrap();
        assert_eq!(st.restart_count, 3);
        assert!(st.extra.is_empty());
    }

    #[test]
    fn new_records_round_trip_with_their_fields() {
        let cfg = ContainerConfig {
            id: "ab".into(),
            network_mode: Some(NetworkMode::Networks(vec!["n1".into()])),
            cgroup_parent: Some("/p".into()),
            ..ContainerConfig::default()
        };
        let json = serde_json::to_string(&cfg).unwrap();
        assert!(
            json.contains(r#""network_mode":{"mode":"networks","value":["n1"]}"#),
            "{json}"
        );
        assert_eq!(serde_json::from_str::<ContainerConfig>(&json).unwrap(), cfg);
        let st = ContainerState {
            restart_count: 2,
            ..ContainerState::default()
        };
        let json = serde_json::to_string(&st).unwrap();
        assert_eq!(serde_json::from_str::<ContainerState>(&json).unwrap(), st);
    }

    #[test]
    fn a_stored_value_that_does_not_decode_fails_the_read() {
        for extra in [
            r#"{"berth.network_mode":{"mode":"carrier-pigeon"}}"#,
            r#"{"berth.sysctls":["not","a","map"]}"#,
            r#"{"berth.cgroup_parent":5}"#,
            r#"{"berth.infra":false}"#,
        ] {
            let err = serde_json::from_str::<ContainerConfig>(&format!(r#"{{"extra":{extra}}}"#))
                .unwrap_err()
                .to_string();
            assert!(err.contains("cannot be read"), "{extra}: {err}");
        }
        let err =
            serde_json::from_str::<ContainerState>(r#"{"extra":{"berth.restart_count":"many"}}"#)
                .unwrap_err()
                .to_string();
        assert!(err.contains("berth.restart_count"), "{err}");
    }
}
