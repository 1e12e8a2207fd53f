//! `o2check why --reboot NODE`: why did this node reboot? The fence causes and
//! their evidence, from every node's kernel log (rules::fence_attribution reads
//! them: the node's own last lines, else what the survivors logged).

use crate::context::NodeCtx;
use crate::rules::common::cluster_conf;
use crate::rules::fence_attribution::{findings, Finding};
use o2check_reports::diagnosis::{Cause, Confidence, Diagnosis, Fix};
use o2check_reports::Layer;

/// The cause ids a fence can have, with their layer, title and explanation.
fn cause_of(code: &str) -> Option<(&'static str, Layer, &'static str, &'static str)> {
    Some(match code {
        "fenced-disk-heartbeat" => (
            "fence-disk-heartbeat",
            Layer::Storage,
            "the node fenced itself: its disk heartbeat writes did not complete within the dead time",
            "o2hb writes the node's heartbeat block every 2 s; when a write has not completed after (O2CB_HEARTBEAT_THRESHOLD - 1) × 2 s the node can no longer prove it is alive, o2quo fences it (`Heartbeat write timeout to device ...`, `ocfs2 is very sorry to be fencing this system`), and the survivors evict it and replay its journal. With multipath, every path down while the map queues (queue_if_no_path, no_path_retry queue or longer than the dead time) is the classic way there",
        ),
        "fenced-network-quorum" => (
            "fence-network-quorum",
            Layer::Network,
            "the node fenced itself: it lost the network quorum",
            "o2quo fences a node that is connected to too few of the heartbeating nodes (`fencing this node because it is only connected to ...`); in a two-node cluster the higher-numbered node fences when the interconnect fails",
        ),
        "evicted-interconnect-first" => (
            "fence-interconnect",
            Layer::Network,
            "the node left the cluster after its interconnect connection was lost",
            "a survivor lost its o2net connection to the node before evicting it and no node logged a stalled heartbeat write: the interconnect failed (and the node fenced on quorum) or the node died; its own previous-boot log says which",
        ),
        _ => return None,
    })
}

/// Does NODE (as asked) name this finding's node: its name, or its number via
/// any node's cluster.conf?
fn is_asked(f: &Finding, asked: &str, nodes: &[NodeCtx]) -> bool {
    if f.name.as_deref() == Some(asked) || asked == f.number.to_string() {
        return true;
    }
    nodes.iter().any(|n| {
        cluster_conf(n).is_ok_and(|(_, model)| {
            model.nodes.iter().any(|m| {
                m.number == f.number && (m.name == asked || m.name.split('.').next() == Some(asked))
            })
        })
    })
}

/// The diagnosis of NODE's reboot.
pub fn reboot(nodes: &[NodeCtx], asked: &str) -> Diagnosis {
    let mut d = Diagnosis {
        error_text: Some(format!("why did {asked} reboot?")),
        ..Diagnosis::default()
    };
    let found = findings(nodes)
        .into_iter()
        .find(|f| is_asked(f, asked, nodes));
    match found
        .as_ref()
        .and_then(|f| cause_of(f.code).map(|c| (f, c)))
    {
        Some((f, (id, layer, title, explanation))) => {
            let fix: Vec<String> = match id {
                "fence-disk-heartbeat" => vec![
                    "find why every path to the heartbeat device went down (`multipath -ll`, `iscsiadm -m session -P 3`, the array)".into(),
                    "make multipath fail I/O before the dead time (`no_path_retry` × `polling_interval` below it) or raise O2CB_HEARTBEAT_THRESHOLD on every node (61 = 120 s) with the cluster offline".into(),
                ],
                _ => vec![
                    "find why the interconnect failed (link, switch, firewall on the o2net port, `o2check run --cluster`)".into(),
                ],
            };
            d.causes.push(Cause {
                cause: id.into(),
                layer,
                confidence: if f.own_words { Confidence::Strong } else { Confidence::Supporting },
                nodes: nodes.iter().map(|n| n.node().to_string()).collect(),
                title: title.into(),
                explanation: format!("{explanation}. Here: {}", f.summary),
                evidence: f.evidence.clone(),
                findings: vec![format!("fence-attribution/{}@cluster", f.code)],
                confirm: vec!["the fenced node's previous-boot kernel log (`journalctl -k -b -1`, /var/log/messages) ends with the fence message".into()],
                rule_out: Vec::new(),
                // Advice, not commands: nothing here is safe to run unattended.
                fix: Fix {
                    rhel: fix.clone(),
                    debian: fix,
                    commands: Vec::new(),
                },
            });
        }
        None => {
            d.undetermined = true;
            d.collect = vec![
                format!("{asked}'s kernel log of the boot that ended (`journalctl -k -b -1`, /var/log/messages, a serial or netconsole capture)"),
                "every other node's kernel log covering that time (o2check collect on each, or `o2check why --reboot NODE --cluster`)".into(),
            ];
            if let Some(f) = found {
                d.collect.insert(0, f.summary);
            }
        }
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::context::Options;
    use crate::source::{Bundle, Source};
    use std::path::Path;

    fn diagnosis(asked: &str) -> Diagnosis {
        let base = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/bundles");
        let bundles: Vec<Bundle> = [
            "lab-iscsi-fence-survivor-node1",
            "lab-iscsi-fence-rebooted-node2",
        ]
        .iter()
        .map(|b| Bundle::open(&base.join(b)).unwrap())
        .collect();
        let options = Options::default();
        let ctxs: Vec<NodeCtx> = bundles
            .iter()
            .map(|b| NodeCtx::new(b as &dyn Source, &options))
            .collect();
        reboot(&ctxs, asked)
    }

    /// The lab's real fence, asked by name, short name and number.
    #[test]
    fn the_fenced_node_by_any_name() {
        for asked in ["n151.ocfs2.test", "n151", "2"] {
            let d = diagnosis(asked);
            assert!(!d.undetermined, "{asked}: {d:?}");
            assert_eq!(d.causes[0].cause, "fence-disk-heartbeat", "{asked}");
            // The rebooted node's own log of the fenced boot is gone: the
            // survivor's lines support it, they do not prove it.
            assert_eq!(d.causes[0].confidence, Confidence::Supporting);
            assert!(d.causes[0].explanation.contains("dm-1"));
        }
    }

    /// The survivor did not reboot: nothing to attribute, and what to collect.
    #[test]
    fn a_node_that_did_not_fence_is_undetermined() {
        let d = diagnosis("n150.ocfs2.test");
        assert!(d.undetermined && d.causes.is_empty());
        assert!(d.collect[0].contains("journalctl -k -b -1"));
    }
}
