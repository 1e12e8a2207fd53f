//! The verdict for concurrent-append and concurrent-append-flock: the leader's
//! verification of the shared file against every writer's count, judged against
//! the preset (plain appends may be expected to lose records; flock ones never).

use super::{failed, pass_or_fail, reports_of, result, FLOCK_FIX};
use crate::agent::{Report, Scenario};
use crate::error::JudgeError;
use crate::preset::Preset;
use o2check_reports::{CheckResult, Evidence, Status};

/// The fix the append verifier has always printed for plain-append loss.
pub const APPEND_FIX: &str = "concurrent appends from several nodes to one file are not atomic on OCFS2: serialise them with a cluster flock (flock(2) is cluster-wide with the o2cb stack) or give each node its own file";

pub(crate) fn verdict(
    sc: Scenario,
    preset: &Preset,
    leader: &str,
    reports: &[(String, Report)],
) -> Result<CheckResult, JudgeError> {
    let p = &preset.concurrent_append;
    let mine = reports_of(reports, |r| match r {
        Report::Append(a) => Some(a),
        _ => None,
    })?;
    let verdict = mine
        .iter()
        .find(|(n, _)| *n == leader)
        .and_then(|(_, a)| a.verdict.clone())
        .ok_or_else(|| JudgeError::NoLeaderReport {
            leader: leader.to_string(),
            role: "verifier",
            what: "verdict",
        })?;
    let mut evidence: Vec<Evidence> = mine
        .iter()
        .map(|(n, a)| {
            let intact = verdict.per_writer.get(*n).copied().unwrap_or(0);
            Evidence::note(
                n.to_string(),
                format!(
                    "wrote {} records in {} ms; {intact} intact in the file",
                    a.written, a.millis
                ),
            )
        })
        .collect();
    let counts = format!(
        "{} of {} records intact ({} nodes x {}); lost {}, torn {}, duplicated {}, out of order {}",
        verdict.intact,
        verdict.expected,
        mine.len(),
        p.records,
        verdict.lost,
        verdict.torn,
        verdict.duplicated,
        verdict.out_of_order
    );
    let perfect = verdict.is_perfect();
    let mut r = if sc == Scenario::CONCURRENT_APPEND_FLOCK {
        pass_or_fail(
            sc,
            perfect,
            format!("flock, reopened under the lock: {counts}"),
            evidence,
            FLOCK_FIX,
        )
    } else if p.expect_loss {
        if perfect {
            failed(
                sc,
                format!("plain appends did not lose anything: the scenario did not exercise the race ({counts})"),
                evidence,
                "expect_loss is set but plain O_APPEND lost nothing: raise records, set pause_ms = 0, use more nodes; on a local (non-cluster) filesystem O_APPEND is atomic and no loss is expected",
            )
        } else {
            evidence.push(Evidence::note("what applications must do", APPEND_FIX));
            result(
                sc,
                Status::Pass,
                format!("loss shown as expected: plain O_APPEND: {counts}"),
                evidence,
            )
        }
    } else {
        pass_or_fail(
            sc,
            perfect,
            format!("plain O_APPEND: {counts}"),
            evidence,
            APPEND_FIX,
        )
    };
    r.duration_ms = mine.iter().map(|(_, a)| a.millis).max().unwrap_or(0);
    Ok(r)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::judge::fixtures::append_outcomes;
    use crate::judge::judge;

    #[test]
    fn plain_append_loss_fails_unless_expected_and_no_loss_then_fails() {
        let mut preset = Preset::default();
        let sc = Scenario::CONCURRENT_APPEND;
        let lossy = judge(sc, &preset, &append_outcomes(194));
        assert_eq!(lossy.status, Status::Fail);
        assert!(lossy.summary.contains("lost 194"), "{}", lossy.summary);
        assert_eq!(lossy.fix.as_deref(), Some(APPEND_FIX));
        assert_eq!(judge(sc, &preset, &append_outcomes(0)).status, Status::Pass);
        preset.concurrent_append.expect_loss = true;
        let shown = judge(sc, &preset, &append_outcomes(194));
        assert_eq!(shown.status, Status::Pass);
        assert!(
            shown.summary.starts_with("loss shown as expected"),
            "{}",
            shown.summary
        );
        let none = judge(sc, &preset, &append_outcomes(0));
        assert_eq!(none.status, Status::Fail);
        assert!(
            none.summary.contains("did not exercise the race"),
            "{}",
            none.summary
        );
        // expect_loss does not excuse the flock variant.
        assert_eq!(
            judge(
                Scenario::CONCURRENT_APPEND_FLOCK,
                &preset,
                &append_outcomes(3)
            )
            .status,
            Status::Fail
        );
    }
}
