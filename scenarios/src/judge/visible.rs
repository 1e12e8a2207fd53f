//! The verdict for create-unlink-visible and rename-visible: every change the
//! leader made, seen by every follower with the right contents, within the bound.

use super::{failed, result, wrong, COHERENCE_FIX};
use crate::agent::{Report, Scenario};
use crate::error::JudgeError;
use crate::preset::Preset;
use crate::stats::summarize;
use crate::visible::{self, FollowerReport, LeaderReport};
use o2check_reports::{CheckResult, Evidence, Status};
use std::collections::BTreeMap;

pub(crate) fn verdict(
    sc: Scenario,
    preset: &Preset,
    leader: &str,
    reports: &[(String, Report)],
) -> Result<CheckResult, JudgeError> {
    let (bound, kind) = if sc == Scenario::RENAME_VISIBLE {
        (preset.rename_visible.max_latency_ms, visible::Kind::Rename)
    } else {
        (
            preset.create_unlink_visible.max_latency_ms,
            visible::Kind::CreateUnlink,
        )
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
    let l = lead.ok_or_else(|| JudgeError::NoLeaderReport {
        leader: leader.to_string(),
        role: "leader",
        what: "report",
    })?;
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
        failed(
            sc,
            format!(
                "{} of {} changes not seen by every follower, {} round trip(s) over the bound, {} with wrong contents; {lat_text}",
                v.unseen.iter().map(|(i, _)| *i).collect::<std::collections::BTreeSet<_>>().len(),
                l.steps,
                v.over_bound,
                v.anomalies.len()
            ),
            evidence,
            COHERENCE_FIX,
        )
    };
    Ok(r)
}
