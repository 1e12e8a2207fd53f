//! The frame every scenario verdict shares: errors before any verdict, the
//! result's frame, the fixes more than one verdict gives, and `judge`, which
//! hands each outcome set to its scenario's verdict (named in the registry).

use crate::agent::{AgentOutcome, AgentStatus, Report, Scenario};
use crate::error::{AgentFailure, JudgeError};
use crate::preset::Preset;
use o2check_reports::{CheckResult, Evidence, Layer, Status};

// Given by the flock-append and flock-exclusion verdicts.
pub(super) const FLOCK_FIX: &str = "check that the volume is not mounted with `localflocks` (flock is then node-local): `grep ocfs2 /proc/mounts`; take the flock around the whole read-modify-write and reopen the file under the lock (O_APPEND and a descriptor opened before locking use the node's cached size)";

// Given by the tail-follow and visibility verdicts.
pub(super) const COHERENCE_FIX: &str = "a change one node made that another does not see points at cluster cache coherence (o2dlm locks over the o2net interconnect): run `o2check run --cluster` and look at dlm-membership, o2net-stability and the kernel log; slow visibility alone: a loaded interconnect or storage, or a poll interval too long for the bound";

/// One node's outcome as the coordinator got it: the agent's result line, or why
/// there is none (unreachable, crashed, timed out).
#[derive(Debug, Clone)]
pub struct NodeOutcome {
    pub node: String,
    pub outcome: Result<AgentOutcome, AgentFailure>,
}

pub(crate) fn result(
    sc: Scenario,
    status: Status,
    summary: String,
    evidence: Vec<Evidence>,
) -> CheckResult {
    CheckResult {
        check: sc.id().into(),
        node: "cluster".into(),
        layer: Layer::Scenario,
        status,
        summary,
        finding: None,
        severity: None,
        evidence,
        fix: None,
        rationale: sc.def().rationale.into(),
        duration_ms: 0,
    }
}

/// A failed scenario, with the fix to give.
pub(super) fn failed(
    sc: Scenario,
    summary: String,
    evidence: Vec<Evidence>,
    fix: &str,
) -> CheckResult {
    CheckResult {
        fix: Some(fix.into()),
        ..result(sc, Status::Fail, summary, evidence)
    }
}

/// A pass when `ok`, else a failure with `fix`.
pub(super) fn pass_or_fail(
    sc: Scenario,
    ok: bool,
    summary: String,
    evidence: Vec<Evidence>,
    fix: &str,
) -> CheckResult {
    if ok {
        result(sc, Status::Pass, summary, evidence)
    } else {
        failed(sc, summary, evidence, fix)
    }
}

/// A skipped scenario (not selected by `all`, too few nodes).
pub fn skipped(sc: Scenario, why: &str) -> CheckResult {
    result(sc, Status::Skip, why.to_string(), Vec::new())
}

/// The scenario could not run at all (a node unreachable, interrupted before it).
pub fn not_run(sc: Scenario, why: &str) -> CheckResult {
    result(sc, Status::Error, format!("not run: {why}"), Vec::new())
}

/// Everything the nodes reported about one run of `sc`.
pub fn judge(sc: Scenario, preset: &Preset, outcomes: &[NodeOutcome]) -> CheckResult {
    let mut errors = Vec::new();
    let mut reports: Vec<(String, Report)> = Vec::new();
    let mut interrupted = false;
    for o in outcomes {
        match &o.outcome {
            Err(e) => errors.push(Evidence::note(o.node.clone(), e.to_string())),
            Ok(a) => match (a.status, &a.report) {
                (AgentStatus::Ok, Some(r)) => reports.push((o.node.clone(), r.clone())),
                (status, _) => {
                    interrupted |= status == AgentStatus::Interrupted;
                    let text = a.error.clone().unwrap_or_else(|| format!("{status:?}"));
                    errors.push(Evidence::note(o.node.clone(), text));
                }
            },
        }
    }
    if outcomes.is_empty() {
        return not_run(sc, "no nodes");
    }
    if !errors.is_empty() {
        let first = format!("{}: {}", errors[0].source, errors[0].text);
        let more = match errors.len() {
            1 => String::new(),
            n => format!(" (and {} more)", n - 1),
        };
        let other: Vec<&Evidence> = errors
            .iter()
            .filter(|e| !e.text.starts_with("interrupted"))
            .collect();
        let summary = match (interrupted, other.first()) {
            (true, None) => {
                "interrupted (Ctrl-C, or the coordinator went away): the agents stopped".to_string()
            }
            (true, Some(e)) => format!("interrupted; {}: {}", e.source, e.text),
            (false, _) => format!("{first}{more}"),
        };
        return result(sc, Status::Error, summary, errors);
    }
    let leader = outcomes[0].node.as_str();
    let verdict = (sc.def().verdict)(sc, preset, leader, &reports);
    verdict.unwrap_or_else(|e| result(sc, Status::Error, e.to_string(), Vec::new()))
}

pub(super) fn wrong(node: &str) -> JudgeError {
    JudgeError::WrongKind {
        node: node.to_string(),
    }
}

/// Every node's report of the kind `pick` accepts, or the error naming the node
/// that sent another kind.
pub(super) fn reports_of<'a, T>(
    reports: &'a [(String, Report)],
    pick: impl Fn(&'a Report) -> Option<&'a T>,
) -> Result<Vec<(&'a str, &'a T)>, JudgeError> {
    reports
        .iter()
        .map(|(n, r)| pick(r).map(|t| (n.as_str(), t)).ok_or_else(|| wrong(n)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::judge::fixtures::{append_outcomes, ok};
    use crate::tail::StreamVerdict;

    #[test]
    fn an_unreachable_node_makes_the_scenario_an_error() {
        let mut outcomes = append_outcomes(0);
        outcomes[1].outcome = Err(AgentFailure::Transport(
            o2check_cluster::TransportError::Unreachable {
                node: "n2".into(),
                detail: "Connection refused".into(),
            },
        ));
        let r = judge(
            Scenario::CONCURRENT_APPEND_FLOCK,
            &Preset::default(),
            &outcomes,
        );
        assert_eq!(r.status, Status::Error);
        assert!(r.summary.contains("n2: n2 is unreachable"), "{}", r.summary);
    }

    #[test]
    fn a_report_of_the_wrong_kind_is_an_error() {
        let r = judge(
            Scenario::WRITE_READ_CHECKSUM,
            &Preset::default(),
            &[ok("n1", Report::TailFollower(StreamVerdict::default()))],
        );
        assert_eq!(r.status, Status::Error);
        assert!(r.summary.contains("another scenario"));
    }
}
