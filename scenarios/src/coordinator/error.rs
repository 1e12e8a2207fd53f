//! What can keep a coordinated run from starting, and what can go wrong in its
//! cleanup (reported, but the run's results stand).

use o2check_cluster::TransportError;

/// A run that cannot go ahead: a usage error or this host's own failure (exit 2).
#[derive(Debug, thiserror::Error)]
pub enum CoordinatorError {
    #[error("`all` cannot be combined with scenario names")]
    AllWithNames,
    #[error("unknown scenario `{name}`; known: {known}, all")]
    UnknownScenario { name: String, known: String },
    #[error("no nodes")]
    NoNodes,
    /// Node names become file names in the shared directory.
    #[error("node name `{0}` is not a plain host name")]
    NodeName(String),
    #[error("node {0} is named twice")]
    NodeTwice(String),
    /// A node refused the run: the path is not OCFS2, the run id is in use.
    #[error("{node}: {reason}")]
    Refused { node: String, reason: String },
    #[error("{node}: cannot create the run directory: {reason}")]
    RunDirectory { node: String, reason: String },
}

/// Why `scenario cleanup` did not remove the run's directory.
#[derive(Debug, thiserror::Error)]
pub enum CleanupError {
    #[error(transparent)]
    Transport(#[from] TransportError),
    #[error("on {node}: {detail}")]
    Failed { node: String, detail: String },
}
