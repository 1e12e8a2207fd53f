//! Crafted node outcomes for the verdicts' unit tests.

use super::NodeOutcome;
use crate::agent::{AgentOutcome, AgentStatus, Report};
use crate::append::AppendReport;
use crate::records::AppendVerdict;

pub(super) fn ok(node: &str, report: Report) -> NodeOutcome {
    NodeOutcome {
        node: node.into(),
        outcome: Ok(AgentOutcome {
            node: node.into(),
            scenario: String::new(),
            status: AgentStatus::Ok,
            error: None,
            report: Some(report),
            millis: 1,
        }),
    }
}

pub(super) fn append_outcomes(lost: u64) -> Vec<NodeOutcome> {
    let verdict = AppendVerdict {
        expected: 400,
        intact: 400 - lost,
        lost,
        ..AppendVerdict::default()
    };
    vec![
        ok(
            "n1",
            Report::Append(AppendReport {
                written: 200,
                millis: 5,
                verdict: Some(verdict),
            }),
        ),
        ok(
            "n2",
            Report::Append(AppendReport {
                written: 200,
                millis: 5,
                verdict: None,
            }),
        ),
    ]
}
