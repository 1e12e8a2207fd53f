//! Read-only OCFS2 node checks.
//!
//! Evidence comes from a [`source::Source`]: the live host, or a bundle captured
//! earlier (`o2check collect`, or a sosreport). Parsers in [`parse`] are pure
//! functions from text to typed values; checks in [`rules`] combine them into a
//! [`check::Verdict`] with evidence lines and a fix. Nothing in this crate writes to
//! a cluster filesystem: scenarios, which do, live in another crate that depends
//! on this one, never the other way round.

pub mod check;
pub mod collect;
pub mod context;
pub mod error;
pub mod facts;
pub mod kernlog;
pub mod measure;
pub mod needs;
pub mod node_props;
pub mod parse;
pub mod rules;
pub mod runner;
pub mod source;
pub mod text;
pub mod why;

pub use check::{Check, CheckError, Verdict};
pub use context::{NodeCtx, Options};
pub use error::{EvidenceError, ParseError};
pub use text::Text;
