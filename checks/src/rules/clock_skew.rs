//! `clock-skew` (across nodes): the nodes' clocks agree within a bound. Measured
//! by the coordinator of a cluster run against its own clock (NTP-style, the
//! shortest of several round trips); bundles collected one by one carry no such
//! measurement and the check says so.

use crate::check::{CheckError, ClusterCheck, Verdict};
use crate::context::NodeCtx;
use crate::needs::Needs;
use o2check_reports::{Evidence, Layer, Severity};

pub const CHECK: ClusterCheck = ClusterCheck {
    id: "clock-skew",
    layer: Layer::Cluster,
    severity: Severity::Warning,
    title: "node clocks agree within the allowed skew",
    rationale: "OCFS2 stamps inode times with the clock of the node that writes, so skewed \
                nodes make files appear modified in the future or the past (make, rsync and \
                backup tools then misbehave), and kernel logs of different nodes can no longer \
                be lined up when a fencing or recovery has to be explained",
    needs: NEEDS,
    run,
};

/// The evidence it reads: `collect` gathers it (see [`crate::needs`]).
const NEEDS: Needs = &[];

fn run(nodes: &[NodeCtx]) -> Result<Verdict, CheckError> {
    let measured: Vec<(String, f64, f64)> = nodes
        .iter()
        .filter_map(|n| {
            n.source
                .clock()
                .map(|c| (n.node().to_string(), c.offset_ms, c.rtt_ms))
        })
        .collect();
    if measured.len() < 2 {
        return Ok(Verdict::skip(
            "fewer than two nodes have a clock measurement (measured by `o2check run --cluster`, not by bundles collected one by one)",
        ).code("no-clock-measurement"));
    }
    let (lo, hi) = measured.iter().fold((f64::MAX, f64::MIN), |(lo, hi), m| {
        (lo.min(m.1), hi.max(m.1))
    });
    let lo_node = &measured
        .iter()
        .find(|m| m.1 == lo)
        .map(|m| m.0.clone())
        .unwrap_or_default();
    let hi_node = &measured
        .iter()
        .find(|m| m.1 == hi)
        .map(|m| m.0.clone())
        .unwrap_or_default();
    // Each offset is known to within half its round trip.
    let uncertainty = measured.iter().map(|m| m.2 / 2.0).fold(0.0, f64::max) * 2.0;
    let skew = hi - lo;
    let bound = nodes
        .first()
        .map(|n| n.options.max_clock_skew.as_secs_f64() * 1000.0)
        .unwrap_or(1000.0);
    let evidence: Vec<Evidence> = measured
        .iter()
        .map(|(n, off, rtt)| {
            Evidence::note(
                format!("{n}: clock"),
                format!("{off:+.1} ms against the coordinator (round trip {rtt:.1} ms)"),
            )
        })
        .collect();
    let summary = format!(
        "largest difference {skew:.1} ms ({hi_node} ahead of {lo_node}), measured to within {uncertainty:.1} ms; allowed {bound:.0} ms"
    );
    if skew - uncertainty <= bound {
        return Ok(Verdict::pass(summary).with(evidence));
    }
    Ok(Verdict::fail(
        summary,
        "run a time service on every node against the same servers (chrony: `systemctl enable --now chronyd`, `chronyc sources`; or ntpd) and check with `chronyc tracking` that each is synchronised",
    ).code("clocks-differ")
    .with(evidence))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_bundle::{edit, fixture, fixture_copy, judge_cluster};
    use o2check_reports::Status;

    /// The real lab cluster run's two measurements (n150 -605.6 ms, rtt 354.3;
    /// n151 with its offset replaced by `n151_offset`).
    fn healthy_pair_with_n151_at(n151_offset: &str) -> Verdict {
        let n151 = fixture_copy("bundles/lab-cluster-healthy-n151");
        edit(n151.path(), "meta.json", "-181.656647", n151_offset);
        judge_cluster(
            run,
            &[&fixture("bundles/lab-cluster-healthy-n150"), n151.path()],
        )
    }

    #[test]
    fn the_lab_clusters_measured_clocks_pass() {
        let v = judge_cluster(
            run,
            &[
                &fixture("bundles/lab-cluster-healthy-n150"),
                &fixture("bundles/lab-cluster-healthy-n151"),
            ],
        );
        assert_eq!(v.status, Status::Pass, "{}", v.summary);
        assert!(
            v.summary.starts_with(
                "largest difference 423.9 ms (n151.ocfs2.test ahead of n150.ocfs2.test)"
            ),
            "{}",
            v.summary
        );
        assert_eq!(v.evidence.len(), 2);
    }

    #[test]
    fn a_node_seconds_ahead_fails() {
        let v = healthy_pair_with_n151_at("4000.0");
        assert_eq!(v.status, Status::Fail, "{}", v.summary);
        assert_eq!(v.code, Some("clocks-differ"));
        assert!(v.summary.contains("4605.6 ms"), "{}", v.summary);
    }

    /// 1205.6 ms apart but each offset only known to within half its 354 ms
    /// round trip: the skew may be under the 1000 ms bound, so no failure.
    #[test]
    fn a_skew_within_the_measurement_uncertainty_passes() {
        let v = healthy_pair_with_n151_at("600.0");
        assert_eq!(v.status, Status::Pass, "{}", v.summary);
        assert!(v.summary.contains("1205.6 ms"), "{}", v.summary);
    }

    /// Bundles collected one by one (the lab captures) carry no measurement.
    #[test]
    fn bundles_without_a_measurement_and_a_single_node_skip() {
        let v = judge_cluster(
            run,
            &[
                &fixture("bundles/lab-capture-healthy-node1"),
                &fixture("bundles/lab-capture-healthy-node2"),
            ],
        );
        assert_eq!(v.status, Status::Skip, "{}", v.summary);
        assert_eq!(v.code, Some("no-clock-measurement"));
        let v = judge_cluster(run, &[&fixture("bundles/lab-cluster-healthy-n150")]);
        assert_eq!(v.code, Some("no-clock-measurement"), "{}", v.summary);
    }
}
