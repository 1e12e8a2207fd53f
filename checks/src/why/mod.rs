//! `o2check why`: from check results, kernel log lines and the error text the
//! user saw, the ranked causes of a failed OCFS2 mount. Pure functions over data:
//! the binary gathers the evidence, this module only reasons about it.

pub mod catalogue;
pub mod error_text;
pub mod fence;
pub mod gather;
pub mod rank;
pub mod signatures;

pub use gather::gather;
pub use rank::{diagnose, NodeEvidence};
