//! One scenario on one node: running it (its definition is in the registry), and
//! the agent's stdout protocol (one JSON object per line: progress, then the
//! result).

use crate::ctx::Ctx;
use crate::error::{io_error, ScenarioError};
use crate::sync;
use serde::{Deserialize, Serialize};

pub use crate::registry::{Report, Scenario};

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
pub fn run(sc: Scenario, ctx: &Ctx) -> Result<Report, ScenarioError> {
    std::fs::create_dir_all(&ctx.dir)
        .map_err(io_error(format!("cannot create {}", ctx.dir.display())))?;
    let leader = ctx.is_leader();
    let r = (sc.def().run)(ctx);
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
    use crate::tail::StreamVerdict;

    #[test]
    fn ids_round_trip_and_lines_parse() {
        for s in Scenario::ALL {
            assert_eq!(Scenario::parse(s.id()), Some(*s));
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
