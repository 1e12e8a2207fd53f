//! From every node's agent outcome to one `CheckResult` per scenario (node
//! `cluster`, layer scenario), with the numbers in the summary and one evidence
//! line per node. Pure: the coordinator calls it, tests call it on crafted outcomes.
//!
//! The frame every verdict shares (errors before any verdict, the result's
//! frame, the fixes more than one verdict gives) is in `frame.rs`; each
//! scenario's verdict is in its own file, with its tests, named by its
//! definition in the registry.

pub(crate) mod append;
pub(crate) mod checksum;
#[cfg(test)]
mod fixtures;
pub(crate) mod flock;
mod frame;
pub(crate) mod tail;
pub(crate) mod visible;

pub use append::APPEND_FIX;
pub(crate) use frame::result;
use frame::{failed, pass_or_fail, reports_of, wrong, COHERENCE_FIX, FLOCK_FIX};
pub use frame::{judge, not_run, skipped, NodeOutcome};
