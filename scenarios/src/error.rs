//! What can stop a scenario's agent on a node ([`ScenarioError`]), what the
//! judge cannot make sense of in the nodes' reports ([`JudgeError`]), why the
//! run directory cannot be used ([`WorkspaceError`]) and why a preset is not
//! accepted ([`PresetError`]). The texts are what the user is shown.

use o2check_checks::EvidenceError;
use o2check_cluster::TransportError;
use std::io;
use std::path::PathBuf;

/// Why one node's part of a scenario did not run to its end.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    /// Ctrl-C, or the agent's stdin closed (the coordinator went away).
    #[error("interrupted")]
    Interrupted,
    /// The preset's per-scenario time limit passed.
    #[error("did not finish within {timeout_s} s (timeout_s; is the mount hung or slow?)")]
    Deadline { timeout_s: u64 },
    #[error(transparent)]
    Io(#[from] FileError),
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
    /// The worker thread that runs the scenario ended without a word (a panic).
    #[error("the scenario thread died")]
    ThreadDied,
    /// Asked to stop, the worker did not return from a file operation in time.
    #[error("interrupted (stuck in a file operation)")]
    StuckInterrupted,
    /// Past its deadline, the worker is still inside a file operation.
    #[error(
        "did not finish within {timeout_s} s and is stuck in a file operation: is the mount hung?"
    )]
    StuckPastDeadline { timeout_s: u64 },
    /// A shared file holds what no node of this scenario writes.
    #[error("{what} holds `{text}`, not a number")]
    NotANumber { what: String, text: String },
}

/// A file operation on the mount that failed; `what` says which, on what.
#[derive(Debug, thiserror::Error)]
#[error("{what}: {source}")]
pub struct FileError {
    pub what: String,
    #[source]
    pub source: io::Error,
}

/// For `map_err`: an I/O error on the mount, saying what was done (`?` makes
/// it the caller's error).
pub(crate) fn io_error(what: impl Into<String>) -> impl FnOnce(io::Error) -> FileError {
    let what = what.into();
    move |source| FileError { what, source }
}

/// Why the coordinator has no result line from a node's agent.
#[derive(Debug, Clone, thiserror::Error)]
pub enum AgentFailure {
    /// It could not be started, or the transport lost the node.
    #[error(transparent)]
    Transport(#[from] TransportError),
    #[error("did not finish within {seconds} s; stopped")]
    TimedOut { seconds: u64 },
    #[error("interrupted")]
    Interrupted,
    /// The others had ended; this one was still running and gave nothing.
    #[error("gave no result and was stopped after the others had ended (hung, or not started?)")]
    Orphaned,
    /// It ended by itself without a result line: its exit and last stderr lines.
    #[error("the agent ended without a result (exit {}): {stderr}", exit.map_or("by a signal".into(), |c| c.to_string()))]
    NoResult { exit: Option<i32>, stderr: String },
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

/// Why `<mount>/.o2check-<run id>/` cannot be made, used or removed.
#[derive(Debug, thiserror::Error)]
pub enum WorkspaceError {
    /// It becomes part of a path on the cluster mount.
    #[error("run id `{run_id}` must be letters, digits, - or _")]
    BadRunId { run_id: String },
    #[error("cannot read /dev/urandom for a run id: {0}")]
    NoRandom(#[source] io::Error),
    #[error("{} is not an OCFS2 filesystem; refusing to write there (use --allow-non-ocfs2 to test another filesystem)", mount.display())]
    NotOcfs2 { mount: PathBuf },
    /// mkdir found something there: not made by this run.
    #[error("{} exists already (not made by this run); refusing to use it", dir.display())]
    Exists { dir: PathBuf },
    #[error("{} is not a plain directory (a symlink?): not created by this run; refusing to use it", dir.display())]
    NotPlainDirectory { dir: PathBuf },
    #[error("{} is owned by uid {uid} with mode {mode:o}, not by uid {me} with 0700: not created by this run; refusing to use it", dir.display())]
    NotOurs {
        dir: PathBuf,
        uid: u32,
        mode: u32,
        me: u32,
    },
    /// Another user could rename ours away and put theirs in its place.
    #[error("{} is writable by others and not sticky (mode {mode:o}): another user could swap the run directory; refusing", parent.display())]
    Swappable { parent: PathBuf, mode: u32 },
    #[error(transparent)]
    Io(#[from] FileError),
    /// A file operation on the mount did not return in time (a hung mount).
    #[error(transparent)]
    Stuck(#[from] EvidenceError),
}

/// Why a preset is not accepted; `origin` names the file.
#[derive(Debug, thiserror::Error)]
pub enum PresetError {
    #[error("cannot read {}: {source}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("{origin}: {source}")]
    Syntax {
        origin: String,
        #[source]
        source: toml::de::Error,
    },
    /// A value that would make a scenario meaningless or divide by zero.
    #[error("{origin}: {field} must be greater than 0")]
    Zero { origin: String, field: &'static str },
}
