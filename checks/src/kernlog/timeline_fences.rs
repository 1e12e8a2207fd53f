//! The fences `fence-attribution` finds, placed on the merged timeline: which
//! node fenced, when (the line that dates it: the node's own `ocfs2 is very
//! sorry to be fencing this system`, else a survivor's `o2dlm has evicted node
//! N`), and why (disk heartbeat or network quorum), so `o2check timeline` tells
//! the fence itself and not only the lines around it.

use super::stamp;
use super::timeline::Lane;
use crate::context::NodeCtx;
use crate::rules::fence_attribution::findings;
use chrono::{DateTime, Utc};

/// One fence on the shared axis.
#[derive(Debug, Clone, PartialEq)]
pub struct FenceMark {
    /// The lane it is drawn on: the fenced node's own when it is one, else the
    /// node whose log dates it.
    pub lane: String,
    /// Seconds on the axis of [`super::timeline::merge`].
    pub at: f64,
    /// The stamp as printed, and the node whose log it is from.
    pub stamp: String,
    pub dated_by: String,
    /// The finding code (`fenced-disk-heartbeat`, ...) and its sentence.
    pub code: &'static str,
    pub summary: String,
}

/// The fences in these nodes' logs, each placed with its dating node's boot time
/// (`lanes` holds one lane per node, named as the contexts are). A fence whose
/// dating line has no usable stamp is left off the axis, not guessed.
pub fn fence_marks(nodes: &[NodeCtx], lanes: &[Lane], reference: DateTime<Utc>) -> Vec<FenceMark> {
    findings(nodes)
        .into_iter()
        .filter_map(|f| {
            let (dated_by, line) = f.anchor?;
            let boot = lanes.iter().find(|l| l.node == dated_by)?.boot;
            let at = stamp::seconds(stamp::parse(&line.stamp, reference)?, boot);
            let lane = f
                .name
                .filter(|n| lanes.iter().any(|l| &l.node == n))
                .unwrap_or_else(|| dated_by.clone());
            Some(FenceMark {
                lane,
                at,
                stamp: line.stamp,
                dated_by,
                code: f.code,
                summary: f.summary,
            })
        })
        .collect()
}

/// The fences as a text section, offsets from `start` as the event list has them.
pub fn fences_text(marks: &[FenceMark], start: f64) -> String {
    if marks.is_empty() {
        return String::new();
    }
    let mut out = String::from("\nfences (fence-attribution):\n");
    for m in marks {
        out.push_str(&format!(
            "  +{:.3}  {}  [{}] {} (dated by {}'s log at {})\n",
            m.at - start,
            m.lane,
            m.code,
            m.summary,
            m.dated_by,
            m.stamp.trim()
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::context::Options;
    use crate::kernlog::history::boot_time;
    use crate::kernlog::node_events::node_events_now;
    use crate::kernlog::timeline::{merge, svg};
    use crate::rules::test_bundle::fixture;
    use crate::source::{Bundle, Source};

    /// The lab's real fence (node 2 lost both iSCSI portals while multipath
    /// queued): on the timeline of the survivor's and the rebooted node's
    /// bundles, node 2's lane carries the fence, dated by node 1's eviction.
    #[test]
    fn the_lab_fence_is_on_node2s_lane_at_the_eviction() {
        let opened: Vec<Bundle> = [
            "bundles/lab-iscsi-fence-survivor-node1",
            "bundles/lab-iscsi-fence-rebooted-node2",
        ]
        .iter()
        .map(|b| Bundle::open(&fixture(b)).unwrap())
        .collect();
        let options = Options::default();
        let ctxs: Vec<NodeCtx> = opened
            .iter()
            .map(|b| NodeCtx::new(b as &dyn Source, &options))
            .collect();
        let lanes: Vec<Lane> = ctxs
            .iter()
            .map(|c| Lane {
                node: c.node().to_string(),
                events: node_events_now(c)
                    .map(|l| l.events.clone())
                    .unwrap_or_default(),
                boot: boot_time(c.source),
            })
            .collect();
        let now = Utc::now();
        let marks = fence_marks(&ctxs, &lanes, now);
        assert_eq!(marks.len(), 1, "{marks:?}");
        let m = &marks[0];
        assert_eq!(
            (m.lane.as_str(), m.dated_by.as_str(), m.code),
            (
                "n151.ocfs2.test",
                "n150.ocfs2.test",
                "fenced-disk-heartbeat"
            )
        );
        // Dated by the eviction line itself: the same point node 1's lane has.
        let points = merge(&lanes, now);
        let eviction = points
            .iter()
            .find(|p| p.event.line.message.contains("o2dlm has evicted node 2"))
            .expect("node 1's eviction on the timeline");
        assert!(
            (eviction.at - m.at).abs() < 1e-6,
            "{} vs {}",
            eviction.at,
            m.at
        );
        let start = points[0].at;
        let text = fences_text(&marks, start);
        assert!(
            text.contains(
                "n151.ocfs2.test  [fenced-disk-heartbeat] node 2 (n151.ocfs2.test) fenced"
            ),
            "{text}"
        );
        assert!(text.contains("dm-1"), "{text}");
        let picture = svg(&lanes, &points, &marks);
        assert!(picture.contains("FENCE n151.ocfs2.test [fenced-disk-heartbeat]"));
    }

    #[test]
    fn no_fence_no_section() {
        let b = Bundle::open(&fixture("bundles/lab-iscsi-fence-before-node2")).unwrap();
        let options = Options::default();
        let ctx = NodeCtx::new(&b as &dyn Source, &options);
        let lanes = [Lane {
            node: ctx.node().to_string(),
            events: Vec::new(),
            boot: boot_time(ctx.source),
        }];
        let marks = fence_marks(std::slice::from_ref(&ctx), &lanes, Utc::now());
        assert!(marks.is_empty());
        assert_eq!(fences_text(&marks, 0.0), "");
    }
}
