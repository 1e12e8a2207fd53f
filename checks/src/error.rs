//! The two ways evidence can let a check down: it could not be had, or it could not
//! be understood. Both carry enough context for a person to act on.

use std::fmt;

/// Why a piece of evidence (a file, a command's output, a probe) is not available.
/// Only [`EvidenceError::Absent`] says anything about the host; the others say
/// what the source could not tell, and a check must not fail on them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EvidenceError {
    /// Looked for and not there: a live read returned ENOENT, the command is not
    /// installed, or the bundle's manifest says `collect` looked and found nothing.
    Absent { what: String },
    /// The bundle (or sosreport) does not hold it and nothing says it was looked
    /// for; `collect` says exactly what would settle it (a file, a command).
    NotCollected { what: String, collect: String },
    /// This source cannot provide it (e.g. a TCP probe from an offline bundle).
    Unsupported { what: String, why: String },
    /// Reading it failed for another reason (permission, I/O).
    Io { what: String, error: String },
    /// It did not answer in time: a hung command or a file on a hung mount.
    Timeout { what: String, seconds: u64 },
}

impl EvidenceError {
    /// True when the evidence simply is not there to read (absent, not collected,
    /// unsupported): a check does not apply (skip) rather than broke (error).
    pub fn is_missing(&self) -> bool {
        matches!(
            self,
            EvidenceError::Absent { .. }
                | EvidenceError::NotCollected { .. }
                | EvidenceError::Unsupported { .. }
        )
    }

    /// True only when absence was observed on the host: the one kind of missing
    /// evidence a check may fail on ("cluster.conf does not exist").
    pub fn is_absent(&self) -> bool {
        matches!(self, EvidenceError::Absent { .. })
    }

    /// True when reading was tried and failed (timeout, permission, I/O): the
    /// check could not decide and says so (`error`).
    pub fn is_unreadable(&self) -> bool {
        matches!(
            self,
            EvidenceError::Io { .. } | EvidenceError::Timeout { .. }
        )
    }

    /// Of two alternatives for the same evidence (`/etc/sysconfig/o2cb` or
    /// `/etc/default/o2cb`), the one that says least about the host: the thing is
    /// observed absent only when every alternative is, and a failed read of one
    /// alternative is not an absence.
    pub fn weaker(self, other: EvidenceError) -> EvidenceError {
        fn rank(e: &EvidenceError) -> u8 {
            match e {
                EvidenceError::Absent { .. } => 0,
                EvidenceError::NotCollected { .. } | EvidenceError::Unsupported { .. } => 1,
                EvidenceError::Io { .. } | EvidenceError::Timeout { .. } => 2,
            }
        }
        if rank(&other) > rank(&self) {
            other
        } else {
            self
        }
    }

    /// The same error about `what` (the alternatives' joint name).
    pub fn about(self, what: impl Into<String>) -> EvidenceError {
        let what = what.into();
        match self {
            EvidenceError::Absent { .. } => EvidenceError::Absent { what },
            EvidenceError::NotCollected { collect, .. } => {
                EvidenceError::NotCollected { what, collect }
            }
            EvidenceError::Unsupported { why, .. } => EvidenceError::Unsupported { what, why },
            EvidenceError::Io { error, .. } => EvidenceError::Io { what, error },
            EvidenceError::Timeout { seconds, .. } => EvidenceError::Timeout { what, seconds },
        }
    }
}

impl fmt::Display for EvidenceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EvidenceError::Absent { what } => write!(f, "no {what} on the node"),
            EvidenceError::NotCollected { what, collect } => {
                write!(f, "{what} was not collected; to decide, collect {collect}")
            }
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
