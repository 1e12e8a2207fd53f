//! Scenario tests: nodes write to the shared OCFS2 mount and the results are
//! verified. Everything a scenario writes lives in `<mount>/.o2check-<run id>/`,
//! removed when the scenario ends, also on Ctrl-C. A path that is not OCFS2 is
//! refused unless the caller explicitly allows it.
//!
//! Every scenario is one definition in the [`registry`]. It runs as one agent
//! per node ([`agent::run`], started by [`on_node`]); the agents meet through
//! files in their shared directory ([`sync`]), the first node leads (writes,
//! changes, verifies) and the others follow. [`judge`] turns every node's report
//! into one result. The [`coordinator`] starts the agents on every node over a
//! transport and collects their results. Every loop checks
//! [`ctx::Ctx::check`], so an agent stops on Ctrl-C, when its stdin closes, and
//! at its deadline. What can go wrong is in [`error`].

pub mod agent;
pub mod append;
pub mod append_halves;
pub mod checksum;
pub mod coordinator;
pub mod counter;
pub mod ctx;
pub mod error;
pub mod judge;
pub mod on_node;
pub mod preset;
pub mod records;
pub mod registry;
pub mod stats;
pub mod sync;
pub mod tail;
pub mod visible;
pub mod workspace;
