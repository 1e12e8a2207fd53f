//! The verdict for tail-follow: the writer's round trips against the bound and
//! every follower's view of the stream (each record once, whole, in order).

use super::{failed, result, wrong, COHERENCE_FIX};
use crate::agent::{Report, Scenario};
use crate::error::JudgeError;
use crate::preset::Preset;
use crate::stats::summarize;
use crate::tail::{StreamVerdict, TailWriterReport};
use o2check_reports::{CheckResult, Evidence, Status};

pub(crate) fn verdict(
    sc: Scenario,
    preset: &Preset,
    leader: &str,
    reports: &[(String, Report)],
) -> Result<CheckResult, JudgeError> {
    let p = &preset.tail_follow;
    let mut writer: Option<&TailWriterReport> = None;
    let mut followers: Vec<(&str, &StreamVerdict)> = Vec::new();
    for (n, r) in reports {
        match r {
            Report::TailWriter(w) if n == leader => writer = Some(w),
            Report::TailFollower(v) if n != leader => followers.push((n, v)),
            _ => return Err(wrong(n)),
        }
    }
    let w = writer.ok_or_else(|| JudgeError::NoLeaderReport {
        leader: leader.to_string(),
        role: "writer",
        what: "report",
    })?;
    let lat = summarize(&w.rtt_ms);
    let bound = p.max_latency_ms as f64;
    let over = w.rtt_ms.iter().filter(|&&x| x > bound).count();
    let mut problems = Vec::new();
    let mut evidence = vec![Evidence::note(
        leader,
        format!(
            "writer: {} of {} records in {} ms; round trip {}",
            w.written,
            p.records,
            w.millis,
            lat.map(|s| s.text())
                .unwrap_or_else(|| "not measured".into())
        ),
    )];
    if w.written < p.records {
        problems.push(format!(
            "the writer stopped after {} of {} records",
            w.written, p.records
        ));
    }
    for (n, k) in &w.unacked {
        problems.push(format!(
            "{n} did not ack {k} record(s) within {} ms",
            p.give_up_ms
        ));
    }
    if over > 0 {
        problems.push(format!(
            "{over} round trip(s) over the {} ms bound",
            p.max_latency_ms
        ));
    }
    for (n, v) in &followers {
        evidence.push(Evidence::note(
            *n,
            format!(
                "follower: {} of {} seen whole; lost {}, torn {}, duplicated {}, out of order {}, file shrank {}; {} reads ended mid-line",
                v.intact, v.expected, v.lost, v.torn, v.duplicated, v.out_of_order, v.shrunk, v.partial_reads
            ),
        ));
        if !v.is_perfect() {
            problems.push(format!(
                "{n}: lost {}, torn {}, duplicated {}, out of order {}",
                v.lost, v.torn, v.duplicated, v.out_of_order
            ));
        }
    }
    let lat_text = lat
        .map(|s| {
            format!(
                "write -> all acks round trip p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms (bound {} ms); one-way visibility is at most that",
                s.p50_ms, s.p99_ms, s.max_ms, p.max_latency_ms
            )
        })
        .unwrap_or_else(|| "no round trip measured".into());
    let mut r = if problems.is_empty() {
        result(
            sc,
            Status::Pass,
            format!(
                "{} follower(s) saw all {} records once, whole, in order; {lat_text}",
                followers.len(),
                p.records
            ),
            evidence,
        )
    } else {
        failed(
            sc,
            format!("{}; {lat_text}", problems.join("; ")),
            evidence,
            COHERENCE_FIX,
        )
    };
    r.duration_ms = w.millis;
    Ok(r)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::judge::fixtures::ok;
    use crate::judge::judge;
    use std::collections::BTreeMap;

    #[test]
    fn tail_follow_fails_on_a_lost_record_or_a_slow_round_trip() {
        let preset = Preset::default();
        let writer = |rtt: Vec<f64>| {
            ok(
                "n1",
                Report::TailWriter(TailWriterReport {
                    written: 100,
                    rtt_ms: rtt,
                    unacked: BTreeMap::new(),
                    millis: 10,
                }),
            )
        };
        let good = StreamVerdict {
            expected: 100,
            intact: 100,
            ..StreamVerdict::default()
        };
        let r = judge(
            Scenario::TAIL_FOLLOW,
            &preset,
            &[
                writer(vec![1.0; 100]),
                ok("n2", Report::TailFollower(good.clone())),
            ],
        );
        assert_eq!(r.status, Status::Pass, "{}", r.summary);
        assert!(r.summary.contains("p99 1.0 ms"), "{}", r.summary);
        let lost = StreamVerdict {
            intact: 99,
            lost: 1,
            ..good.clone()
        };
        let r = judge(
            Scenario::TAIL_FOLLOW,
            &preset,
            &[writer(vec![1.0; 100]), ok("n2", Report::TailFollower(lost))],
        );
        assert_eq!(r.status, Status::Fail);
        assert!(r.summary.contains("n2: lost 1"), "{}", r.summary);
        let mut slow = vec![1.0; 99];
        slow.push(2500.0);
        let r = judge(
            Scenario::TAIL_FOLLOW,
            &preset,
            &[writer(slow), ok("n2", Report::TailFollower(good))],
        );
        assert_eq!(r.status, Status::Fail);
        assert!(
            r.summary.contains("over the 2000 ms bound"),
            "{}",
            r.summary
        );
    }
}
