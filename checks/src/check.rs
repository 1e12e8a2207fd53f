//! What a check is: a stable id, the layer it looks at, why it exists, and a
//! function from a node's evidence to a verdict. Checks are plain data in static
//! slices (see [`crate::rules::ALL`]), so listing, filtering and documenting them
//! needs no running.

use crate::context::NodeCtx;
use crate::error::{EvidenceError, ParseError};
use crate::needs::Needs;
use o2check_reports::{Evidence, Layer, Severity, Status};
use std::fmt;

/// A read-only check run once per node.
pub struct Check {
    /// Stable kebab-case id (`hostname-in-cluster-conf`): JUnit `type`, JSON `check`.
    pub id: &'static str,
    pub layer: Layer,
    /// How bad a failure is (monitoring maps it to CRITICAL or WARNING).
    pub severity: Severity,
    /// One line saying what is checked.
    pub title: &'static str,
    /// Why it matters, shown with failures.
    pub rationale: &'static str,
    /// The evidence it reads ([`crate::needs`]): `collect` gathers it, and a
    /// check reading anything else fails checks/tests/plan_covers_reads.rs.
    pub needs: Needs,
    pub run: fn(&NodeCtx) -> Result<Verdict, CheckError>,
}

/// A read-only check that compares several nodes (cluster mode, several bundles).
pub struct ClusterCheck {
    pub id: &'static str,
    pub layer: Layer,
    pub severity: Severity,
    pub title: &'static str,
    pub rationale: &'static str,
    /// The evidence it reads on each node (see [`Check::needs`]).
    pub needs: Needs,
    pub run: fn(&[NodeCtx]) -> Result<Verdict, CheckError>,
}

/// What a check concluded. Build with [`Verdict::pass`], [`Verdict::fail`],
/// [`Verdict::skip`] and add evidence with [`Verdict::with`].
#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    pub status: Status,
    pub summary: String,
    pub evidence: Vec<Evidence>,
    pub fix: Option<String>,
    /// Stable finding code, unique within the check (see [`Verdict::code`]).
    pub code: Option<&'static str>,
}

impl Verdict {
    pub fn pass(summary: impl Into<String>) -> Self {
        Verdict {
            status: Status::Pass,
            summary: summary.into(),
            evidence: Vec::new(),
            fix: None,
            code: None,
        }
    }

    pub fn fail(summary: impl Into<String>, fix: impl Into<String>) -> Self {
        Verdict {
            status: Status::Fail,
            summary: summary.into(),
            evidence: Vec::new(),
            fix: Some(fix.into()),
            code: None,
        }
    }

    /// The check does not apply here; `reason` says why (always given).
    pub fn skip(reason: impl Into<String>) -> Self {
        Verdict {
            status: Status::Skip,
            summary: reason.into(),
            evidence: Vec::new(),
            fix: None,
            code: None,
        }
    }

    /// The check could not decide; `why` says what was missing or broken.
    pub fn error(why: impl Into<String>) -> Self {
        Verdict {
            status: Status::Error,
            summary: why.into(),
            evidence: Vec::new(),
            fix: None,
            code: None,
        }
    }

    /// Name what was found with a stable kebab-case code (`no-local-node`),
    /// unique within the check: reports, `why` and monitoring key on it.
    pub fn code(mut self, code: &'static str) -> Self {
        self.code = Some(code);
        self
    }

    pub fn with(mut self, evidence: impl IntoIterator<Item = Evidence>) -> Self {
        self.evidence.extend(evidence);
        self
    }
}

/// Why a check could not produce a verdict. The runner turns missing evidence into
/// `skip` (the thing is not there to check) and everything else into `error`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CheckError {
    Evidence(EvidenceError),
    Parse(ParseError),
}

impl From<EvidenceError> for CheckError {
    fn from(e: EvidenceError) -> Self {
        CheckError::Evidence(e)
    }
}

impl From<ParseError> for CheckError {
    fn from(e: ParseError) -> Self {
        CheckError::Parse(e)
    }
}

impl fmt::Display for CheckError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CheckError::Evidence(e) => e.fmt(f),
            CheckError::Parse(e) => write!(f, "cannot parse {e}"),
        }
    }
}

impl std::error::Error for CheckError {}

impl CheckError {
    /// The verdict a runner records for this error.
    pub fn into_verdict(self) -> Verdict {
        let code = self.code();
        match &self {
            CheckError::Evidence(e) if e.is_missing() => {
                Verdict::skip(format!("evidence not available: {e}")).code(code)
            }
            _ => Verdict::error(self.to_string()).code(code),
        }
    }

    /// The generic finding code of a verdict the runner makes from this error
    /// (listed under `*/` in rules/FINDINGS): the same for every check.
    pub fn code(&self) -> &'static str {
        match self {
            CheckError::Evidence(EvidenceError::Absent { .. }) => "absent",
            CheckError::Evidence(
                EvidenceError::NotCollected { .. } | EvidenceError::Unsupported { .. },
            ) => "not-collected",
            CheckError::Evidence(EvidenceError::Io { .. }) => "unreadable",
            CheckError::Evidence(EvidenceError::Timeout { .. }) => "timed-out",
            CheckError::Parse(_) => "unparsable",
        }
    }
}
