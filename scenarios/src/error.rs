//! What can stop a scenario's agent on a node ([`ScenarioError`]), and what the
//! judge cannot make sense of in the nodes' reports ([`JudgeError`]). The texts
//! are what the coordinator shows for the node.

use o2check_checks::EvidenceError;
use std::io;

/// Why one node's part of a scenario did not run to its end.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    /// Ctrl-C, or the agent's stdin closed (the coordinator went away).
    #[error("interrupted")]
    Interrupted,
    /// The preset's per-scenario time limit passed.
    #[error("did not finish within {timeout_s} s (timeout_s; is the mount hung or slow?)")]
    Deadline { timeout_s: u64 },
    /// A file operation on the shared directory failed; `what` says which, on what.
    #[error("{what}: {source}")]
    Io {
        what: String,
        #[source]
        source: io::Error,
    },
    /// A file operation on the shared directory did not return in time (a hung mount).
    #[error(transparent)]
    Stuck(#[from] EvidenceError),
    /// Another node's marker never appeared (a barrier, a node's end).
    #[error("{what}: no {missing} after {seconds} s (is the mount the same shared filesystem on every node?)")]
    NotThere {
        what: &'static str,
        missing: String,
        seconds: u64,
    },
    /// A shared file holds what no node of this scenario writes.
    #[error("{what} holds `{text}`, not a number")]
    NotANumber { what: String, text: String },
}

/// For `map_err`: an I/O error on the shared directory, saying what was done.
pub(crate) fn io_error(what: impl Into<String>) -> impl FnOnce(io::Error) -> ScenarioError {
    let what = what.into();
    move |source| ScenarioError::Io { what, source }
}

/// Why the nodes' reports do not make a verdict.
#[derive(Debug, thiserror::Error)]
pub enum JudgeError {
    #[error("{node} sent a report of another scenario (a different o2check version?)")]
    WrongKind { node: String },
    /// The leader's report, which the verdict rests on, is not there.
    #[error("{leader} (the {role}) sent no {what}")]
    NoLeaderReport {
        leader: String,
        role: &'static str,
        what: &'static str,
    },
}
