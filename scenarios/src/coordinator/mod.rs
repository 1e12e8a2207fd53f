//! `o2check scenario run`'s coordinator, independent of the command line and of
//! how nodes are reached (any [`o2check_cluster::Transport`]). It gets o2check
//! onto every node, checks the mount there (`scenario prepare`: OCFS2, run
//! directory not in use), then for each scenario starts one agent per node at
//! once and collects each agent's JSON result line. The agents meet through
//! files in the shared directory; the coordinator never touches the mount itself
//! (it may not have it), and every wait has a deadline.
//!
//! Ctrl-C: the coordinator closes the agents' stdin (over ssh that reaches the
//! remote agent as EOF), waits briefly, kills what is left and runs `scenario
//! cleanup` on one node with a timeout; the caller writes the reports.
//!
//! The phases, each in its own file: [`plan`] (what to run), `prepare.rs`,
//! per scenario `scenario.rs` (agents started in `agent.rs`, waited for in
//! `wait.rs`, stopped in `stop.rs`, what each came to in `outcome.rs`),
//! `cleanup.rs`; `run.rs` runs them in order and [`progress`] says what is
//! happening meanwhile.

mod agent;
mod cleanup;
mod error;
mod outcome;
pub mod plan;
mod prepare;
pub mod progress;
mod run;
mod scenario;
mod stop;
mod wait;

pub use error::{CleanupError, CoordinatorError};
pub use progress::{Event, NodeState};
pub use run::{run, Finished, Options, Programs};
