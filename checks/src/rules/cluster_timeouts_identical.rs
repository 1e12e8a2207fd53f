//! `o2cb-timeouts-identical` (across nodes): the timeouts each node runs with
//! (configfs, else its o2cb configuration file) are the same everywhere.

use super::common::{configfs_cluster, o2cb_config};
use crate::check::{CheckError, ClusterCheck, Verdict};
use crate::context::NodeCtx;
use crate::needs::{self, Needs};
use o2check_reports::{Evidence, Layer, Severity};

pub const CHECK: ClusterCheck = ClusterCheck {
    id: "o2cb-timeouts-identical",
    layer: Layer::Cluster,
    severity: Severity::Critical,
    title: "heartbeat threshold, idle timeout and keepalive are identical on all nodes",
    rationale: "the o2net handshake refuses a peer whose idle timeout, keepalive delay or \
                heartbeat timeout differs; the mount then fails after ~70 s with error 107",
    needs: NEEDS,
    run,
};

/// The evidence it reads: `collect` gathers it (see [`crate::needs`]).
const NEEDS: Needs = &[needs::CONFIGFS, needs::O2CB_SETTINGS];

/// (heartbeat threshold, idle ms, keepalive ms).
type Timeouts = (Option<u32>, Option<u32>, Option<u32>);

/// The node's timeouts and where they were read.
fn timeouts(ctx: &NodeCtx) -> Option<(Timeouts, String)> {
    if let Some(c) = configfs_cluster(ctx).ok().flatten() {
        return Some((
            (c.dead_threshold, c.idle_timeout_ms, c.keepalive_delay_ms),
            c.path,
        ));
    }
    let (text, c) = o2cb_config(ctx).ok()?;
    Some(((c.threshold(), c.idle_ms(), c.keepalive_ms()), text.origin))
}

fn run(nodes: &[NodeCtx]) -> Result<Verdict, CheckError> {
    let found: Vec<(String, Timeouts, String)> = nodes
        .iter()
        .filter_map(|n| timeouts(n).map(|(t, o)| (n.node().to_string(), t, o)))
        .collect();
    if found.len() < 2 {
        return Ok(
            Verdict::skip("fewer than two nodes have timeout evidence").code("too-few-nodes")
        );
    }
    let evidence: Vec<Evidence> = found
        .iter()
        .map(|(node, (t, i, k), origin)| {
            Evidence::note(
                format!("{node}:{origin}"),
                format!("threshold {t:?}, idle {i:?} ms, keepalive {k:?} ms"),
            )
        })
        .collect();
    if found.iter().all(|f| f.1 == found[0].1) {
        return Ok(Verdict::pass(format!("identical on {} nodes", found.len())).with(evidence));
    }
    Ok(Verdict::fail(
        "o2cb timeouts differ between nodes",
        "set the same O2CB_HEARTBEAT_THRESHOLD, O2CB_IDLE_TIMEOUT_MS, O2CB_KEEPALIVE_DELAY_MS on every node (/etc/sysconfig/o2cb or /etc/default/o2cb) and restart o2cb on the nodes that differ, volumes unmounted",
    ).code("timeouts-differ")
    .with(evidence))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_bundle::{fixture, judge_cluster};
    use o2check_reports::Status;

    #[test]
    fn the_healthy_lab_nodes_agree() {
        let v = judge_cluster(
            run,
            &[
                &fixture("bundles/lab-capture-healthy-node1"),
                &fixture("bundles/lab-capture-healthy-node2"),
            ],
        );
        assert_eq!(v.status, Status::Pass, "{}", v.summary);
        assert_eq!(v.summary, "identical on 2 nodes");
    }

    /// Lab scenario 5b: node2 booted with O2CB_IDLE_TIMEOUT_MS=10000 (its
    /// configfs is gone, so its file speaks), node1 runs 30000 (configfs).
    #[test]
    fn the_labs_idle_timeout_mismatch_differs() {
        let v = judge_cluster(
            run,
            &[
                &fixture("bundles/lab-capture-healthy-node1"),
                &fixture("bundles/lab-capture-idle-timeout-node2"),
            ],
        );
        assert_eq!(v.status, Status::Fail, "{}", v.summary);
        assert_eq!(v.code, Some("timeouts-differ"));
        let texts: Vec<&str> = v.evidence.iter().map(|e| e.text.as_str()).collect();
        assert!(
            texts.contains(&"threshold Some(31), idle Some(30000) ms, keepalive Some(2000) ms"),
            "{texts:?}"
        );
        assert!(
            texts.contains(&"threshold Some(31), idle Some(10000) ms, keepalive Some(2000) ms"),
            "{texts:?}"
        );
    }

    /// The lab's sosreport has neither configfs nor an o2cb file for the check
    /// to read: with one node left there is nothing to compare.
    #[test]
    fn fewer_than_two_nodes_with_evidence_skip() {
        let v = judge_cluster(
            run,
            &[
                &fixture("bundles/lab-capture-healthy-node1"),
                &fixture("bundles/sos-hostname-mismatch-node2"),
            ],
        );
        assert_eq!(v.status, Status::Skip, "{}", v.summary);
        assert_eq!(v.code, Some("too-few-nodes"));
    }
}
