//! `manifest.json`: what `o2check collect` tried on the node and how each try
//! ended. It is what lets an offline run tell "the node has no cluster.conf"
//! (observed absent: a check may fail on it) from "this bundle does not hold
//! cluster.conf" (not collected: a check must skip and say what to collect).
//! A bundle without a manifest (older o2check, hand-made, a sosreport) proves no
//! absence at all.

use crate::error::EvidenceError;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Version of the manifest layout; readers accept this one and older.
pub const MANIFEST_VERSION: u32 = 1;

/// The file name inside a bundle.
pub const MANIFEST_FILE: &str = "manifest.json";

/// How one try ended.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum State {
    /// Read and copied into the bundle.
    Found,
    /// The node does not have it (ENOENT, command not installed).
    Absent,
    /// Reading failed: permission, I/O error, a command that could not start.
    Failed,
    /// It did not answer within the deadline.
    TimedOut,
}

/// One try: its state and, when it did not simply work, how.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    pub state: State,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

impl Outcome {
    pub fn found() -> Outcome {
        Outcome {
            state: State::Found,
            detail: None,
        }
    }

    /// The outcome a failed read or run stands for.
    pub fn from_error(e: &EvidenceError) -> Outcome {
        let state = match e {
            EvidenceError::Absent { .. } => State::Absent,
            EvidenceError::Timeout { .. } => State::TimedOut,
            _ => State::Failed,
        };
        Outcome {
            state,
            detail: Some(e.to_string()),
        }
    }
}

/// Everything `collect` tried, keyed by host path (files, directory trees) or
/// by the command's file name under `commands/`.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq)]
pub struct Manifest {
    pub version: u32,
    #[serde(default)]
    pub files: BTreeMap<String, Outcome>,
    /// Directory trees walked whole: what is under a found tree and not in the
    /// bundle was not on the node either.
    #[serde(default)]
    pub trees: BTreeMap<String, Outcome>,
    #[serde(default)]
    pub commands: BTreeMap<String, Outcome>,
}

impl Manifest {
    pub fn new() -> Manifest {
        Manifest {
            version: MANIFEST_VERSION,
            ..Manifest::default()
        }
    }

    /// Why the bundle has no copy of host path `path` (`what` names it in
    /// messages), when the manifest knows; `None` when collect never tried it.
    pub fn file_gap(&self, path: &str, what: &str) -> Option<EvidenceError> {
        if let Some(o) = self.files.get(path) {
            return Some(gap(o, what));
        }
        // The deepest walked tree holding `path` (a configfs attribute, a log file).
        let tree = self
            .trees
            .iter()
            .filter(|(root, _)| under(path, root))
            .max_by_key(|(root, _)| root.len())?;
        Some(match tree.1.state {
            // Walked and this entry was not there.
            State::Found => EvidenceError::Absent {
                what: what.to_string(),
            },
            _ => gap(tree.1, what),
        })
    }

    /// Why the bundle has no output of the command stored as `name`.
    pub fn command_gap(&self, name: &str, what: &str) -> Option<EvidenceError> {
        self.commands.get(name).map(|o| gap(o, what))
    }
}

/// `path` is `root` or inside it.
fn under(path: &str, root: &str) -> bool {
    let root = root.trim_end_matches('/');
    path == root
        || path
            .strip_prefix(root)
            .is_some_and(|rest| rest.starts_with('/'))
}

fn gap(o: &Outcome, what: &str) -> EvidenceError {
    let detail = o.detail.clone().unwrap_or_default();
    match o.state {
        State::Absent => EvidenceError::Absent {
            what: what.to_string(),
        },
        State::TimedOut => EvidenceError::Timeout {
            what: format!("{what} (at collect time: {detail})"),
            seconds: 0,
        },
        State::Failed => EvidenceError::Io {
            what: what.to_string(),
            error: format!("at collect time: {detail}"),
        },
        // Collected, yet not in the bundle now: the bundle was damaged or trimmed.
        State::Found => EvidenceError::Io {
            what: what.to_string(),
            error: "the manifest says it was collected, but the bundle no longer holds it".into(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest() -> Manifest {
        let mut m = Manifest::new();
        m.files.insert(
            "/etc/sysconfig/o2cb".into(),
            Outcome {
                state: State::Absent,
                detail: None,
            },
        );
        m.files.insert(
            "/etc/fstab".into(),
            Outcome {
                state: State::Failed,
                detail: Some("Permission denied".into()),
            },
        );
        m.trees
            .insert("/sys/kernel/config/cluster".into(), Outcome::found());
        m.trees.insert(
            "/config/cluster".into(),
            Outcome {
                state: State::Absent,
                detail: None,
            },
        );
        m
    }

    #[test]
    fn only_what_collect_saw_missing_is_absent() {
        let m = manifest();
        let gap = |p: &str| m.file_gap(p, p);
        assert!(gap("/etc/sysconfig/o2cb").unwrap().is_absent());
        assert!(gap("/etc/fstab").unwrap().is_unreadable());
        assert!(gap("/sys/kernel/config/cluster/o2lab/node/n1/local")
            .unwrap()
            .is_absent());
        assert!(gap("/config/cluster").unwrap().is_absent());
        // Never tried (a newer check's file): the manifest cannot say.
        assert!(gap("/proc/filesystems").is_none());
        assert!(gap("/sys/kernel/configX").is_none());
    }

    #[test]
    fn round_trips_as_kebab_case_json() {
        let json = serde_json::to_string(&manifest()).unwrap();
        assert!(json.contains(r#""state":"absent""#), "{json}");
        let back: Manifest = serde_json::from_str(&json).unwrap();
        assert_eq!(back, manifest());
    }
}
