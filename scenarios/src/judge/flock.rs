//! The verdict for flock-exclusion: the shared counter's final value against
//! N*K, and every value written twice (two nodes read the same count).

use super::{failed, reports_of, result, FLOCK_FIX};
use crate::agent::{Report, Scenario};
use crate::counter;
use crate::error::JudgeError;
use crate::preset::Preset;
use crate::stats::summarize;
use o2check_reports::{CheckResult, Evidence, Status};
use std::collections::BTreeMap;

pub(crate) fn verdict(
    sc: Scenario,
    preset: &Preset,
    leader: &str,
    reports: &[(String, Report)],
) -> Result<CheckResult, JudgeError> {
    let k = preset.flock_exclusion.increments;
    let mine = reports_of(reports, |r| match r {
        Report::Counter(c) => Some(c),
        _ => None,
    })?;
    let final_value = mine
        .iter()
        .find(|(n, _)| *n == leader)
        .and_then(|(_, c)| c.final_value)
        .ok_or_else(|| JudgeError::NoLeaderReport {
            leader: leader.to_string(),
            role: "verifier",
            what: "final value",
        })?;
    let values: BTreeMap<String, Vec<u64>> = mine
        .iter()
        .map(|(n, c)| (n.to_string(), c.values.clone()))
        .collect();
    let expected = k * mine.len() as u64;
    let v = counter::verify(final_value, &values, expected);
    let waits: Vec<f64> = mine
        .iter()
        .flat_map(|(_, c)| c.wait_ms.iter().copied())
        .collect();
    let wait = summarize(&waits)
        .map(|s| {
            format!(
                "lock wait p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
                s.p50_ms, s.p99_ms, s.max_ms
            )
        })
        .unwrap_or_else(|| "no lock taken".into());
    let mut evidence: Vec<Evidence> = mine
        .iter()
        .map(|(n, c)| {
            Evidence::note(
                *n,
                format!(
                    "{} increments; lock wait {}",
                    c.values.len(),
                    summarize(&c.wait_ms).map(|s| s.text()).unwrap_or_default()
                ),
            )
        })
        .collect();
    for (value, who) in v.duplicates.iter().take(20) {
        evidence.push(Evidence::note(
            "counter",
            format!(
                "value {value} written by {} (they read the same count)",
                who.join(" and ")
            ),
        ));
    }
    let head = format!(
        "{} nodes x {k} increments under a cluster flock",
        mine.len()
    );
    let r = if v.is_perfect() {
        result(
            sc,
            Status::Pass,
            format!("{head}: counter = {final_value} = N*K, no lost update; {wait}"),
            evidence,
        )
    } else {
        failed(
            sc,
            format!(
                "{head}: counter = {final_value}, expected {expected}: {} update(s) lost, {} value(s) written twice; {wait}",
                v.lost_updates,
                v.duplicates.len()
            ),
            evidence,
            FLOCK_FIX,
        )
    };
    Ok(r)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::counter::CounterReport;
    use crate::judge::fixtures::ok;
    use crate::judge::judge;

    #[test]
    fn flock_exclusion_names_the_lost_update() {
        let preset = Preset {
            flock_exclusion: crate::preset::FlockParams {
                increments: 2,
                hold_ms: 0,
            },
            ..Preset::default()
        };
        let c = |values: Vec<u64>, final_value: Option<u64>| {
            Report::Counter(CounterReport {
                values,
                wait_ms: vec![0.5, 1.5],
                final_value,
            })
        };
        let good = judge(
            Scenario::FLOCK_EXCLUSION,
            &preset,
            &[
                ok("n1", c(vec![1, 3], Some(4))),
                ok("n2", c(vec![2, 4], None)),
            ],
        );
        assert_eq!(good.status, Status::Pass, "{}", good.summary);
        let bad = judge(
            Scenario::FLOCK_EXCLUSION,
            &preset,
            &[
                ok("n1", c(vec![1, 2], Some(3))),
                ok("n2", c(vec![2, 3], None)),
            ],
        );
        assert_eq!(bad.status, Status::Fail);
        assert!(
            bad.summary.contains("expected 4: 1 update(s) lost"),
            "{}",
            bad.summary
        );
        assert!(bad
            .evidence
            .iter()
            .any(|e| e.text.contains("value 2 written by n1 and n2")));
    }
}
