//! The two ways evidence can let a check down: it could not be had, or it could not
//! be understood. Both carry enough context for a person to act on.

use std::fmt;

/// Why a piece of evidence (a file, a command's output, a probe) is not available.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EvidenceError {
    /// The file or command output does not exist (not installed, not in the bundle).
    Missing { what: String },
    /// This source cannot provide it (e.g. a TCP probe from an offline bundle).
    Unsupported { what: String, why: String },
    /// Reading it failed for another reason (permission, I/O).
    Io { what: String, error: String },
    /// It did not answer in time: a hung command or a file on a hung mount.
    Timeout { what: String, seconds: u64 },
}

impl EvidenceError {
    /// True when the evidence simply is not there, which usually means a check does
    /// not apply (skip) rather than that it broke (error).
    pub fn is_missing(&self) -> bool {
        matches!(
            self,
            EvidenceError::Missing { .. } | EvidenceError::Unsupported { .. }
        )
    }
}

impl fmt::Display for EvidenceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EvidenceError::Missing { what } => write!(f, "no {what}"),
            EvidenceError::Unsupported { what, why } => write!(f, "{what}: {why}"),
            EvidenceError::Io { what, error } => write!(f, "cannot read {what}: {error}"),
            EvidenceError::Timeout { what, seconds } => {
                write!(f, "{what} did not answer within {seconds} s")
            }
        }
    }
}

impl std::error::Error for EvidenceError {}

/// Text that does not follow the format it should, with the 1-based line number
/// where the parser gave up (when there is one) and the origin of the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub origin: String,
    pub line: Option<u32>,
    pub message: String,
}

impl ParseError {
    pub fn new(origin: impl Into<String>, line: Option<u32>, message: impl Into<String>) -> Self {
        ParseError {
            origin: origin.into(),
            line,
            message: message.into(),
        }
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{} line {}: {}", self.origin, line, self.message),
            None => write!(f, "{}: {}", self.origin, self.message),
        }
    }
}

impl std::error::Error for ParseError {}
