//! From every node's agent outcome to one `CheckResult` per scenario (node
//! `cluster`, layer scenario), with the numbers in the summary and one evidence
//! line per node. Pure: the coordinator calls it, tests call it on crafted outcomes.

use crate::agent::{AgentOutcome, AgentStatus, Report, Scenario};
use crate::append::AppendReport;
use crate::checksum::{self, ChecksumReport};
use crate::counter::{self, CounterReport};
use crate::preset::Preset;
use crate::stats::{mib_s, summarize};
use crate::tail::{StreamVerdict, TailWriterReport};
use crate::visible::{self, FollowerReport, LeaderReport};
use o2check_reports::{CheckResult, Evidence, Layer, Status};
use std::collections::BTreeMap;

/// The fix the append verifier has always printed for plain-append loss.
pub const APPEND_FIX: &str = "concurrent appends from several nodes to one file are not atomic on OCFS2: serialise them with a cluster flock (flock(2) is cluster-wide with the o2cb stack) or give each node its own file";

const FLOCK_FIX: &str = "check that the volume is not mounted with `localflocks` (flock is then node-local): `grep ocfs2 /proc/mounts`; take the flock around the whole read-modify-write and reopen the file under the lock (O_APPEND and a descriptor opened before locking use the node's cached size)";

const COHERENCE_FIX: &str = "a change one node made that another does not see points at cluster cache coherence (o2dlm locks over the o2net interconnect): run `o2check run --cluster` and look at dlm-membership, o2net-stability and the kernel log; slow visibility alone: a loaded interconnect or storage, or a poll interval too long for the bound";

/// One node's outcome as the coordinator got it: the agent's result line, or why
/// there is none (unreachable, crashed, timed out).
#[derive(Debug, Clone)]
pub struct NodeOutcome {
    pub node: String,
    pub outcome: Result<AgentOutcome, String>,
}

fn result(sc: Scenario, status: Status, summary: String, evidence: Vec<Evidence>) -> CheckResult {
    CheckResult {
        check: sc.id().into(),
        node: "cluster".into(),
        layer: Layer::Scenario,
        status,
        summary,
        evidence,
        fix: None,
        rationale: rationale(sc).into(),
        duration_ms: 0,
    }
}

fn rationale(sc: Scenario) -> &'static str {
    match sc {
        Scenario::ConcurrentAppend => "applications that append to one file from several nodes (logs, journals) lose or tear lines on OCFS2 unless they serialise; this shows whether it happens here",
        Scenario::ConcurrentAppendFlock => "appends serialised by a cluster flock, the file reopened under the lock, must all arrive whole, once, in each writer's order",
        Scenario::TailFollow => "a reader on another node (tail -f, a log shipper) must see every appended line once and in order, within a bounded time",
        Scenario::FlockExclusion => "flock(2) on OCFS2 with o2cb is cluster-wide: a read-modify-write under it must never lose an update",
        Scenario::CreateUnlinkVisible => "files created or removed on one node must appear and disappear on the others (stat and readdir) within a bounded time",
        Scenario::RenameVisible => "a rename on one node (the atomic-replace idiom) must be seen by the others, with the file's contents, within a bounded time",
        Scenario::WriteReadChecksum => "data written and fsynced on one node must read back bit-identical on every other node",
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
            Err(e) => errors.push(Evidence::note(o.node.clone(), e.clone())),
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
    let verdict = match sc {
        Scenario::ConcurrentAppend | Scenario::ConcurrentAppendFlock => {
            append(sc, preset, leader, &reports)
        }
        Scenario::TailFollow => tail(sc, preset, leader, &reports),
        Scenario::FlockExclusion => flock(sc, preset, leader, &reports),
        Scenario::CreateUnlinkVisible | Scenario::RenameVisible => {
            visible(sc, preset, leader, &reports)
        }
        Scenario::WriteReadChecksum => checksum(sc, preset, leader, &reports),
    };
    verdict.unwrap_or_else(|e| result(sc, Status::Error, e, Vec::new()))
}

fn wrong(node: &str) -> String {
    format!("{node} sent a report of another scenario (a different o2check version?)")
}

fn append(
    sc: Scenario,
    preset: &Preset,
    leader: &str,
    reports: &[(String, Report)],
) -> Result<CheckResult, String> {
    let p = &preset.concurrent_append;
    let mut mine: Vec<(&str, &AppendReport)> = Vec::new();
    for (n, r) in reports {
        match r {
            Report::Append(a) => mine.push((n, a)),
            _ => return Err(wrong(n)),
        }
    }
    let verdict = mine
        .iter()
        .find(|(n, _)| *n == leader)
        .and_then(|(_, a)| a.verdict.clone())
        .ok_or_else(|| format!("{leader} (the verifier) sent no verdict"))?;
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
    let mut r = if sc == Scenario::ConcurrentAppendFlock {
        let mut r = result(
            sc,
            if perfect { Status::Pass } else { Status::Fail },
            format!("flock, reopened under the lock: {counts}"),
            evidence,
        );
        if !perfect {
            r.fix = Some(FLOCK_FIX.into());
        }
        r
    } else if p.expect_loss {
        if perfect {
            let mut r = result(
                sc,
                Status::Fail,
                format!("plain appends did not lose anything: the scenario did not exercise the race ({counts})"),
                evidence,
            );
            r.fix = Some("expect_loss is set but plain O_APPEND lost nothing: raise records, set pause_ms = 0, use more nodes; on a local (non-cluster) filesystem O_APPEND is atomic and no loss is expected".into());
            r
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
        let mut r = result(
            sc,
            if perfect { Status::Pass } else { Status::Fail },
            format!("plain O_APPEND: {counts}"),
            evidence,
        );
        if !perfect {
            r.fix = Some(APPEND_FIX.into());
        }
        r
    };
    r.duration_ms = mine.iter().map(|(_, a)| a.millis).max().unwrap_or(0);
    Ok(r)
}

fn tail(
    sc: Scenario,
    preset: &Preset,
    leader: &str,
    reports: &[(String, Report)],
) -> Result<CheckResult, String> {
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
    let w = writer.ok_or_else(|| format!("{leader} (the writer) sent no report"))?;
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
        let mut r = result(
            sc,
            Status::Fail,
            format!("{}; {lat_text}", problems.join("; ")),
            evidence,
        );
        r.fix = Some(COHERENCE_FIX.into());
        r
    };
    r.duration_ms = w.millis;
    Ok(r)
}

fn flock(
    sc: Scenario,
    preset: &Preset,
    leader: &str,
    reports: &[(String, Report)],
) -> Result<CheckResult, String> {
    let k = preset.flock_exclusion.increments;
    let mut mine: Vec<(&str, &CounterReport)> = Vec::new();
    for (n, r) in reports {
        match r {
            Report::Counter(c) => mine.push((n, c)),
            _ => return Err(wrong(n)),
        }
    }
    let final_value = mine
        .iter()
        .find(|(n, _)| *n == leader)
        .and_then(|(_, c)| c.final_value)
        .ok_or_else(|| format!("{leader} (the verifier) sent no final value"))?;
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
        let mut r = result(
            sc,
            Status::Fail,
            format!(
                "{head}: counter = {final_value}, expected {expected}: {} update(s) lost, {} value(s) written twice; {wait}",
                v.lost_updates,
                v.duplicates.len()
            ),
            evidence,
        );
        r.fix = Some(FLOCK_FIX.into());
        r
    };
    Ok(r)
}

fn visible(
    sc: Scenario,
    preset: &Preset,
    leader: &str,
    reports: &[(String, Report)],
) -> Result<CheckResult, String> {
    let bound = match sc {
        Scenario::RenameVisible => preset.rename_visible.max_latency_ms,
        _ => preset.create_unlink_visible.max_latency_ms,
    };
    let kind = match sc {
        Scenario::RenameVisible => visible::Kind::Rename,
        _ => visible::Kind::CreateUnlink,
    };
    let mut lead: Option<&LeaderReport> = None;
    let mut followers: BTreeMap<String, FollowerReport> = BTreeMap::new();
    for (n, r) in reports {
        match r {
            Report::VisibleLeader(l) if n == leader => lead = Some(l),
            Report::VisibleFollower(f) if n != leader => {
                followers.insert(n.clone(), f.clone());
            }
            _ => return Err(wrong(n)),
        }
    }
    let l = lead.ok_or_else(|| format!("{leader} (the leader) sent no report"))?;
    let v = visible::verify(l, &followers, bound as f64);
    let lat = summarize(&l.rtt_ms);
    let lat_text = lat
        .map(|s| {
            format!(
                "change -> all acks round trip p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms (bound {bound} ms)",
                s.p50_ms, s.p99_ms, s.max_ms
            )
        })
        .unwrap_or_else(|| "no round trip measured".into());
    let mut evidence = vec![Evidence::note(
        leader,
        format!(
            "leader: {} changes; round trip {}",
            l.steps,
            lat.map(|s| s.text())
                .unwrap_or_else(|| "not measured".into())
        ),
    )];
    for (n, f) in &followers {
        evidence.push(Evidence::note(
            n.clone(),
            format!(
                "saw {} of {} changes; missed {}",
                f.seen,
                l.steps,
                f.missed.len()
            ),
        ));
    }
    for (i, n) in v.unseen.iter().take(20) {
        evidence.push(Evidence::note(
            n.clone(),
            format!("never saw change {i}: {}", kind.describe(*i)),
        ));
    }
    for a in v.anomalies.iter().take(20) {
        evidence.push(Evidence::note("contents", a.clone()));
    }
    let r = if v.is_perfect() {
        result(
            sc,
            Status::Pass,
            format!(
                "{} changes, each seen by all {} follower(s); {lat_text}",
                l.steps,
                followers.len()
            ),
            evidence,
        )
    } else {
        let mut r = result(
            sc,
            Status::Fail,
            format!(
                "{} of {} changes not seen by every follower, {} round trip(s) over the bound, {} with wrong contents; {lat_text}",
                v.unseen.iter().map(|(i, _)| *i).collect::<std::collections::BTreeSet<_>>().len(),
                l.steps,
                v.over_bound,
                v.anomalies.len()
            ),
            evidence,
        );
        r.fix = Some(COHERENCE_FIX.into());
        r
    };
    Ok(r)
}

fn checksum(
    sc: Scenario,
    preset: &Preset,
    leader: &str,
    reports: &[(String, Report)],
) -> Result<CheckResult, String> {
    let expected = preset.write_read_checksum.size_mib * 1024 * 1024;
    let mut writer: Option<&ChecksumReport> = None;
    let mut readers: Vec<(String, ChecksumReport)> = Vec::new();
    for (n, r) in reports {
        match r {
            Report::Checksum(c) if n == leader => writer = Some(c),
            Report::Checksum(c) => readers.push((n.clone(), c.clone())),
            _ => return Err(wrong(n)),
        }
    }
    let w = writer.ok_or_else(|| format!("{leader} (the writer) sent no report"))?;
    let v = checksum::verify(expected, w, &readers);
    let rate = |c: &ChecksumReport| {
        mib_s(
            c.bytes,
            std::time::Duration::from_secs_f64(c.millis / 1000.0),
        )
    };
    let mut evidence = vec![Evidence::note(
        leader,
        format!(
            "wrote {} MiB in {:.0} ms with fsync: {:.1} MiB/s; SHA-256 {}",
            w.bytes >> 20,
            w.millis,
            rate(w),
            w.sha256
        ),
    )];
    for (n, c) in &readers {
        evidence.push(Evidence::note(
            n.clone(),
            format!(
                "read {} MiB in {:.0} ms: {:.1} MiB/s; SHA-256 {}",
                c.bytes >> 20,
                c.millis,
                rate(c),
                c.sha256
            ),
        ));
    }
    let slowest = readers
        .iter()
        .map(|(_, c)| rate(c))
        .reduce(f64::min)
        .unwrap_or(0.0);
    let r = if v.bad.is_empty() {
        result(
            sc,
            Status::Pass,
            format!(
                "{} MiB written at {:.1} MiB/s (with fsync), read back identical by {} node(s), slowest read {:.1} MiB/s",
                expected >> 20,
                rate(w),
                readers.len(),
                slowest
            ),
            evidence,
        )
    } else {
        for (n, why) in &v.bad {
            evidence.push(Evidence::note(n.clone(), why.clone()));
        }
        let mut r = result(
            sc,
            Status::Fail,
            format!(
                "{} of {} node(s) read back different data: {}",
                v.bad.len(),
                readers.len(),
                v.bad
                    .iter()
                    .map(|(n, why)| format!("{n}: {why}"))
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
            evidence,
        );
        r.fix = Some("data written and fsynced on one node reads back different on another: check the shared device (multipath paths, a write cache that lies, `o2check run` storage checks) and the kernel log for I/O errors".into());
        r
    };
    Ok(r)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::records::AppendVerdict;

    fn ok(node: &str, report: Report) -> NodeOutcome {
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

    fn append_outcomes(lost: u64) -> Vec<NodeOutcome> {
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

    #[test]
    fn plain_append_loss_fails_unless_expected_and_no_loss_then_fails() {
        let mut preset = Preset::default();
        let sc = Scenario::ConcurrentAppend;
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
                Scenario::ConcurrentAppendFlock,
                &preset,
                &append_outcomes(3)
            )
            .status,
            Status::Fail
        );
    }

    #[test]
    fn an_unreachable_node_makes_the_scenario_an_error() {
        let mut outcomes = append_outcomes(0);
        outcomes[1].outcome = Err("n2 is unreachable: Connection refused".into());
        let r = judge(
            Scenario::ConcurrentAppendFlock,
            &Preset::default(),
            &outcomes,
        );
        assert_eq!(r.status, Status::Error);
        assert!(r.summary.contains("n2: n2 is unreachable"), "{}", r.summary);
    }

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
            Scenario::TailFollow,
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
            Scenario::TailFollow,
            &preset,
            &[writer(vec![1.0; 100]), ok("n2", Report::TailFollower(lost))],
        );
        assert_eq!(r.status, Status::Fail);
        assert!(r.summary.contains("n2: lost 1"), "{}", r.summary);
        let mut slow = vec![1.0; 99];
        slow.push(2500.0);
        let r = judge(
            Scenario::TailFollow,
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
            Scenario::FlockExclusion,
            &preset,
            &[
                ok("n1", c(vec![1, 3], Some(4))),
                ok("n2", c(vec![2, 4], None)),
            ],
        );
        assert_eq!(good.status, Status::Pass, "{}", good.summary);
        let bad = judge(
            Scenario::FlockExclusion,
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

    #[test]
    fn a_report_of_the_wrong_kind_is_an_error() {
        let r = judge(
            Scenario::WriteReadChecksum,
            &Preset::default(),
            &[ok("n1", Report::TailFollower(StreamVerdict::default()))],
        );
        assert_eq!(r.status, Status::Error);
        assert!(r.summary.contains("another scenario"));
    }
}
