//! The vocabulary every producer (checks, scenarios, root-cause analysis) writes and
//! every renderer reads. It is serialized as the `--json` report, so field names are
//! a public contract: add fields, do not rename them.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Where in the stack a check looks. Ordered from the most fundamental layer up:
/// a failure low in the stack usually explains failures above it, which is how
/// the console groups results and how root-cause analysis ranks causes.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[serde(rename_all = "kebab-case")]
pub enum Layer {
    /// Block devices, multipath, iSCSI, on-disk metadata.
    Storage,
    /// Name resolution, the o2net TCP port, firewalls.
    Network,
    /// cluster.conf, /etc/default/o2cb, fstab.
    Config,
    /// Modules, configfs, cluster registration (the o2cb stack itself).
    O2cb,
    /// Disk heartbeat.
    Heartbeat,
    /// o2dlm domains and membership.
    Dlm,
    /// Mounted OCFS2 volumes and the filesystem's own errors.
    Mount,
    /// Comparisons across nodes.
    Cluster,
    /// Multi-node scenario tests that exercise the filesystem.
    Scenario,
}

impl Layer {
    /// Every layer, lowest first.
    pub const ALL: [Layer; 9] = [
        Layer::Storage,
        Layer::Network,
        Layer::Config,
        Layer::O2cb,
        Layer::Heartbeat,
        Layer::Dlm,
        Layer::Mount,
        Layer::Cluster,
        Layer::Scenario,
    ];

    /// The lowercase name used in JUnit `classname` (`ocfs2.<name>`) and on the console.
    pub fn name(self) -> &'static str {
        match self {
            Layer::Storage => "storage",
            Layer::Network => "network",
            Layer::Config => "config",
            Layer::O2cb => "o2cb",
            Layer::Heartbeat => "heartbeat",
            Layer::Dlm => "dlm",
            Layer::Mount => "mount",
            Layer::Cluster => "cluster",
            Layer::Scenario => "scenario",
        }
    }
}

/// How bad a failing check is, for monitoring (Nagios CRITICAL or WARNING): critical
/// when the cluster cannot work or will fence, warning for a latent hazard (one
/// multipath path left, a firewall rule nobody hits yet).
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Warning,
    Critical,
}

impl Severity {
    pub fn name(self) -> &'static str {
        match self {
            Severity::Warning => "warning",
            Severity::Critical => "critical",
        }
    }
}

/// A check's outcome. `Fail` means the check ran and found a problem; `Error` means
/// it could not decide (unreadable or unparsable evidence); `Skip` means it does not
/// apply here (for example no OCFS2 volume is mounted), always with a reason.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Pass,
    Fail,
    Skip,
    Error,
}

impl Status {
    pub fn name(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Fail => "fail",
            Status::Skip => "skip",
            Status::Error => "error",
        }
    }
}

/// One line (or a short excerpt) that a verdict rests on, with where it came from
/// so a person can go and look: `etc/ocfs2/cluster.conf` line 7, or
/// `command: o2cb cluster-status`.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Evidence {
    pub source: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    pub text: String,
}

impl Evidence {
    pub fn new(source: impl Into<String>, line: Option<u32>, text: impl Into<String>) -> Self {
        Evidence {
            source: source.into(),
            line,
            text: text.into(),
        }
    }

    /// Evidence that is not a quoted line but an observation (a TCP probe, a count).
    pub fn note(source: impl Into<String>, text: impl Into<String>) -> Self {
        Self::new(source, None, text)
    }
}

/// The outcome of one check (or scenario) on one node (or `cluster` for cluster-wide ones).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct CheckResult {
    /// Stable kebab-case id, e.g. `hostname-in-cluster-conf`.
    pub check: String,
    pub node: String,
    pub layer: Layer,
    pub status: Status,
    /// One line a person reads first.
    pub summary: String,
    /// Stable kebab-case code of what was found, unique within the check
    /// (`no-local-node`): what `why`, JUnit `type` and monitoring key on, so a
    /// reworded summary cannot change a conclusion.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finding: Option<String>,
    /// How bad a failure of this check is (None for scenarios and diagnoses).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<Severity>,
    #[serde(default)]
    pub evidence: Vec<Evidence>,
    /// What to do about a failure, as commands or an imperative sentence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
    /// Why the check exists; shown with failures so the fix makes sense.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub rationale: String,
    #[serde(default)]
    pub duration_ms: u64,
}

/// Facts about one node that reports show next to its results (JUnit properties).
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq)]
pub struct NodeInfo {
    pub name: String,
    /// `live`, `bundle:<dir>` or `ssh:<host>`.
    pub source: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kernel: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tools_version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stack: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub heartbeat_mode: Option<String>,
}

/// When and how the run happened.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct RunMeta {
    pub tool: String,
    pub version: String,
    pub run_id: String,
    pub started: DateTime<Utc>,
    pub finished: DateTime<Utc>,
    /// The machine o2check ran on (not necessarily a cluster node in bundle mode).
    pub host: String,
    /// `live`, `bundle` or `cluster`.
    pub mode: String,
}

/// A finished run: what every report is rendered from.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct RunReport {
    pub meta: RunMeta,
    pub nodes: Vec<NodeInfo>,
    pub results: Vec<CheckResult>,
    /// The root-cause analysis, when the run was `o2check why`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub diagnosis: Option<crate::diagnosis::Diagnosis>,
}

impl RunReport {
    /// Number of results with the given status.
    pub fn count(&self, status: Status) -> usize {
        self.results.iter().filter(|r| r.status == status).count()
    }

    /// The exit code promised in the README: 0 when nothing failed or errored, else 1.
    pub fn exit_code(&self) -> i32 {
        if self.count(Status::Fail) + self.count(Status::Error) > 0 {
            1
        } else {
            0
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layers_are_ordered_lowest_first() {
        let mut sorted = Layer::ALL;
        sorted.sort();
        assert_eq!(sorted, Layer::ALL);
        assert!(Layer::Storage < Layer::Mount);
    }

    #[test]
    fn status_serializes_lowercase() {
        assert_eq!(serde_json::to_string(&Status::Error).unwrap(), "\"error\"");
        assert_eq!(serde_json::to_string(&Layer::O2cb).unwrap(), "\"o2cb\"");
    }
}
