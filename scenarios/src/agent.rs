//! One scenario on one node: the scenarios by name, what an agent reports, and
//! the agent's stdout protocol (one JSON object per line: progress, then the
//! result).

use crate::append::{self, AppendReport};
use crate::checksum::{self, ChecksumReport};
use crate::counter::{self, CounterReport};
use crate::ctx::Ctx;
use crate::sync;
use crate::tail::{self, StreamVerdict, TailWriterReport};
use crate::visible::{self, FollowerReport, Kind, LeaderReport};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Scenario {
    ConcurrentAppend,
    ConcurrentAppendFlock,
    TailFollow,
    FlockExclusion,
    CreateUnlinkVisible,
    RenameVisible,
    WriteReadChecksum,
}

impl Scenario {
    /// In the order `all` runs them.
    pub const ALL: [Scenario; 7] = [
        Scenario::ConcurrentAppend,
        Scenario::ConcurrentAppendFlock,
        Scenario::TailFollow,
        Scenario::FlockExclusion,
        Scenario::CreateUnlinkVisible,
        Scenario::RenameVisible,
        Scenario::WriteReadChecksum,
    ];

    /// The check id in reports and the name on the command line.
    pub fn id(self) -> &'static str {
        match self {
            Scenario::ConcurrentAppend => "concurrent-append",
            Scenario::ConcurrentAppendFlock => "concurrent-append-flock",
            Scenario::TailFollow => "tail-follow",
            Scenario::FlockExclusion => "flock-exclusion",
            Scenario::CreateUnlinkVisible => "create-unlink-visible",
            Scenario::RenameVisible => "rename-visible",
            Scenario::WriteReadChecksum => "write-read-checksum",
        }
    }

    pub fn parse(id: &str) -> Option<Scenario> {
        Scenario::ALL.into_iter().find(|s| s.id() == id)
    }

    /// One line for `scenario list`.
    pub fn about(self) -> &'static str {
        match self {
            Scenario::ConcurrentAppend => "every node appends records to one file with plain O_APPEND at once; counts lost, torn, duplicated, reordered (loses records on OCFS2: runs by name or with expect_loss)",
            Scenario::ConcurrentAppendFlock => "the same under a cluster flock, the file reopened under the lock: nothing may be lost",
            Scenario::TailFollow => "one node appends, the others follow like tail -f and ack; every record seen once, in order; write->ack round trip",
            Scenario::FlockExclusion => "every node increments a shared counter under a cluster flock; final value N*K, no lost update; lock wait",
            Scenario::CreateUnlinkVisible => "one node creates then unlinks files one at a time; the others must see each change; round trip",
            Scenario::RenameVisible => "one node renames a file step by step; the others must see each rename; round trip",
            Scenario::WriteReadChecksum => "one node writes a large pseudo-random file and fsyncs; the others read it back identical (SHA-256); MiB/s",
        }
    }

    /// Scenarios with a leader and followers need someone to follow.
    pub fn min_nodes(self) -> usize {
        match self {
            Scenario::ConcurrentAppend
            | Scenario::ConcurrentAppendFlock
            | Scenario::FlockExclusion => 1,
            _ => 2,
        }
    }
}

/// What one node's agent found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Report {
    Append(AppendReport),
    TailWriter(TailWriterReport),
    TailFollower(StreamVerdict),
    Counter(CounterReport),
    VisibleLeader(LeaderReport),
    VisibleFollower(FollowerReport),
    Checksum(ChecksumReport),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AgentStatus {
    /// Ran to the end; the report says what it found.
    Ok,
    /// Could not finish (I/O error, timeout, another node missing).
    Error,
    /// Stopped by Ctrl-C or its stdin closing.
    Interrupted,
    /// The mount is not OCFS2 and that was not allowed.
    Refused,
}

impl AgentStatus {
    /// The agent process's exit status for this outcome.
    pub fn exit_code(self) -> u8 {
        match self {
            AgentStatus::Ok => 0,
            AgentStatus::Error => 1,
            AgentStatus::Refused => 2,
            AgentStatus::Interrupted => 130,
        }
    }
}

/// The agent's last stdout line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AgentOutcome {
    pub node: String,
    pub scenario: String,
    pub status: AgentStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub report: Option<Report>,
    pub millis: u64,
}

/// One line of an agent's stdout.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AgentLine {
    Progress {
        phase: String,
        done: u64,
        total: u64,
    },
    Result(AgentOutcome),
}

/// Run scenario `sc` as this node. Followers leave a `done-<node>` marker (also
/// after an error, so the leader need not wait for them); the leader removes the
/// scenario's directory when it verified it, unless asked to keep it.
pub fn run(sc: Scenario, ctx: &Ctx) -> Result<Report, String> {
    std::fs::create_dir_all(&ctx.dir)
        .map_err(|e| format!("cannot create {}: {e}", ctx.dir.display()))?;
    let leader = ctx.is_leader();
    let r = match sc {
        Scenario::ConcurrentAppend => append::agent(ctx, false).map(Report::Append),
        Scenario::ConcurrentAppendFlock => append::agent(ctx, true).map(Report::Append),
        Scenario::FlockExclusion => counter::agent(ctx).map(Report::Counter),
        Scenario::TailFollow if leader => tail::leader(ctx).map(Report::TailWriter),
        Scenario::TailFollow => tail::follower(ctx).map(Report::TailFollower),
        Scenario::CreateUnlinkVisible | Scenario::RenameVisible => {
            let kind = if sc == Scenario::RenameVisible {
                Kind::Rename
            } else {
                Kind::CreateUnlink
            };
            if leader {
                visible::leader(ctx, kind).map(Report::VisibleLeader)
            } else {
                visible::follower(ctx, kind).map(Report::VisibleFollower)
            }
        }
        Scenario::WriteReadChecksum if leader => checksum::leader(ctx).map(Report::Checksum),
        Scenario::WriteReadChecksum => checksum::follower(ctx).map(Report::Checksum),
    };
    if !leader {
        let note = match &r {
            Ok(_) => "ok\n".to_string(),
            Err(e) => format!("error: {e}\n"),
        };
        let _ = sync::done(ctx, &note);
    } else if r.is_ok() && !ctx.keep {
        let _ = std::fs::remove_dir_all(&ctx.dir);
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_and_lines_parse() {
        for s in Scenario::ALL {
            assert_eq!(Scenario::parse(s.id()), Some(s));
        }
        assert_eq!(Scenario::parse("all"), None);
        let line = AgentLine::Result(AgentOutcome {
            node: "n1".into(),
            scenario: "tail-follow".into(),
            status: AgentStatus::Ok,
            error: None,
            report: Some(Report::TailFollower(StreamVerdict::default())),
            millis: 3,
        });
        let text = serde_json::to_string(&line).unwrap();
        assert!(text.starts_with("{\"result\":"), "{text}");
        assert!(text.contains("\"kind\":\"tail-follower\""), "{text}");
        assert_eq!(serde_json::from_str::<AgentLine>(&text).unwrap(), line);
        let p: AgentLine =
            serde_json::from_str(r#"{"progress":{"phase":"write","done":1,"total":2}}"#).unwrap();
        assert!(matches!(p, AgentLine::Progress { done: 1, .. }));
    }
}
