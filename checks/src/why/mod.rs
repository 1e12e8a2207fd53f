//! `o2check why`: from check results, kernel log lines and the error text the
//! user saw, the ranked causes of a failed OCFS2 mount. Pure functions over data:
//! the binary gathers the evidence, this module only reasons about it.

pub mod catalogue;
pub mod facts;
pub mod fence;
pub mod fixes;
pub mod gather;
pub mod messages;
pub mod names;
pub mod rank;
pub mod readme;
pub mod signatures;

pub use gather::{gather, NEEDS};
pub use rank::{diagnose, NodeEvidence};
