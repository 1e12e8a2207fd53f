//! The check catalogue: one file per check, each exporting a `CHECK` constant.
//! [`ALL`] is the registry; the order here is the order checks are listed and run.

use crate::check::{Check, ClusterCheck};

pub(crate) mod common;
/// o2cb's "this node is me" rule, for tools that place nodes in clusters (fleet runs).
pub use common::{local_node_names, o2cb_node_is_local};
/// Where `collect` probes o2net ports (it records them for offline `o2net-port`).
pub use o2net_targets::collect_probes;
pub mod findings;

pub(crate) mod volumes;

mod clock_skew;
mod cluster_conf_identical;
mod cluster_conf_syntax;
mod cluster_online;
mod cluster_stack;
mod cluster_timeouts_identical;
mod disk_cluster_stack;
mod disk_slots;
mod dlm_domains_agree;
mod dlm_membership;
pub(crate) mod fence_attribution;
mod fencing_events;
mod fstab;
mod heartbeat_active_after_mount;
mod heartbeat_age;
pub(crate) mod heartbeat_mode;
mod hostname_in_cluster_conf;
mod iscsi_sessions;
mod kernel_panic_settings;
mod mismatch_history;
mod multipath_failover_time;
mod multipath_paths;
mod multipath_raw_paths;
mod name_resolution;
mod o2cb_config;
mod o2cb_filesystems;
mod o2cb_modules;
mod o2cb_timeouts_consistent;
mod o2hbmonitor_running;
mod o2net_blame;
mod o2net_port;
mod o2net_stability;
pub(crate) mod o2net_targets;
mod ocfs2_errors;
mod same_volume_uuid;
mod stale_heartbeat_region;
mod versions_consistent;

/// Every per-node check, lowest layer first.
pub static ALL: &[&Check] = &[
    &multipath_paths::CHECK,
    &multipath_raw_paths::CHECK,
    &multipath_failover_time::CHECK,
    &iscsi_sessions::CHECK,
    &disk_slots::CHECK,
    &disk_cluster_stack::CHECK,
    &name_resolution::CHECK,
    &o2net_port::CHECK,
    &o2net_stability::CHECK,
    &cluster_conf_syntax::CHECK,
    &o2cb_config::CHECK,
    &fstab::CHECK,
    &cluster_stack::CHECK,
    &o2cb_modules::CHECK,
    &o2cb_filesystems::CHECK,
    &hostname_in_cluster_conf::CHECK,
    &cluster_online::CHECK,
    &o2cb_timeouts_consistent::CHECK,
    &heartbeat_mode::CHECK,
    &heartbeat_active_after_mount::CHECK,
    &heartbeat_age::CHECK,
    &o2hbmonitor_running::CHECK,
    &stale_heartbeat_region::CHECK,
    &fencing_events::CHECK,
    &kernel_panic_settings::CHECK,
    &dlm_membership::CHECK,
    &ocfs2_errors::CHECK,
];

/// Every cross-node check.
pub static CLUSTER: &[&ClusterCheck] = &[
    &cluster_conf_identical::CHECK,
    &cluster_timeouts_identical::CHECK,
    &versions_consistent::CHECK,
    &clock_skew::CHECK,
    &same_volume_uuid::CHECK,
    &dlm_domains_agree::CHECK,
    &fence_attribution::CHECK,
];

#[cfg(test)]
pub(crate) mod test_bundle;

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn ids_are_unique_and_kebab_case() {
        let mut seen = HashSet::new();
        let ids = ALL.iter().map(|c| c.id).chain(CLUSTER.iter().map(|c| c.id));
        for id in ids {
            assert!(seen.insert(id), "duplicate check id {id}");
            assert!(
                id.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
                "check id {id} is not kebab-case"
            );
        }
    }
}
