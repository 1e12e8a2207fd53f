//! Measurements a run takes besides verdicts, for monitoring: multipath path
//! counts, disk-heartbeat age against the dead time, fences in the 24 h before
//! the evidence was taken. Each is
//! present only where the evidence gave it ("where known"): a missing number is
//! left out of perfdata and metrics, never reported as zero.

use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct Facts {
    pub multipath: Vec<MultipathPaths>,
    pub heartbeat: Vec<HeartbeatAge>,
    pub fences: Vec<FenceMessages>,
}

/// Paths of one multipath map in one state, from `multipath -ll`.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct MultipathPaths {
    pub node: String,
    pub map: String,
    /// `active` (`active ready running`), `failed`, or `other`.
    pub state: String,
    pub count: u32,
}

/// How long ago a node last wrote its heartbeat slot on a device (the slot's
/// sequence number is the writer's wall-clock seconds), against the dead time.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct HeartbeatAge {
    /// The node whose evidence this is (the reader).
    pub node: String,
    pub device: String,
    /// The node number of the slot.
    pub slot_node: u32,
    pub age_ms: u64,
    pub dead_ms: u64,
}

/// Fencing messages (o2quo "fencing this node", "ocfs2 is very sorry to be
/// fencing") in a node's kernel logs in the 24 h before its evidence was taken
/// (now on a live node, the collection time of a bundle).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct FenceMessages {
    pub node: String,
    pub count: u32,
}

impl Facts {
    /// Failed paths over every map of every node.
    pub fn paths_failed(&self) -> Option<u32> {
        (!self.multipath.is_empty()).then(|| {
            self.multipath
                .iter()
                .filter(|m| m.state == "failed")
                .map(|m| m.count)
                .sum()
        })
    }

    /// The oldest heartbeat seen, and its dead time.
    pub fn oldest_heartbeat(&self) -> Option<&HeartbeatAge> {
        self.heartbeat.iter().max_by_key(|h| h.age_ms)
    }

    /// Fences in the last 24 h over every node.
    pub fn fences_24h(&self) -> Option<u32> {
        (!self.fences.is_empty()).then(|| self.fences.iter().map(|f| f.count).sum())
    }
}
