//! `fence-attribution` (across nodes): which node fenced, when, and why, from
//! every node's kernel logs. The fenced node's own log often just ends (or is
//! lost with the reboot), so the survivors' lines count as much as its own: the
//! eviction and recovery say who died, the peer's heartbeat negotiation says its
//! disk writes hung, a lost connection without it points at the interconnect.

use super::common::node_number;
use crate::check::{CheckError, ClusterCheck, Verdict};
use crate::context::NodeCtx;
use crate::kernlog::fence::{from_event, FenceEvent};
use crate::kernlog::lines::{read_node_log, LogLine};
use crate::kernlog::node_events::events_by_source;
use crate::needs::{self, Needs};
use o2check_reports::{Evidence, Layer, Severity};
use std::collections::BTreeSet;

pub const CHECK: ClusterCheck = ClusterCheck {
    id: "fence-attribution",
    layer: Layer::Cluster,
    severity: Severity::Critical,
    title: "no node of the cluster was fenced or evicted",
    rationale: "a fenced node rebooted every service on it; the cause (disk heartbeat writes \
                stalled past the dead threshold, or the interconnect and with it the quorum \
                lost) is in the fenced node's last lines and in what the survivors logged",
    needs: NEEDS,
    run,
};

/// The evidence it reads: `collect` gathers it (see [`crate::needs`]).
const NEEDS: Needs = &[
    needs::CONFIGFS,
    needs::CLUSTER_CONF,
    needs::O2CB_SETTINGS,
    needs::HOSTNAME,
    needs::KERNEL_LOG,
];

/// One node's fence-story lines, from every log source it has.
struct Story {
    node: String,
    number: Option<u32>,
    events: Vec<(FenceEvent, LogLine)>,
}

/// The node's events as the facts layer recognised them once for this run
/// (every source, every boot: the fenced boot's last words are in syslog).
fn story(ctx: &NodeCtx) -> Story {
    let mut events = Vec::new();
    let mut seen = BTreeSet::new();
    let sources = events_by_source(ctx).unwrap_or_default();
    for located in sources.iter().flat_map(|s| s.events.iter()) {
        let Some(event) = from_event(located.event.clone()) else {
            continue;
        };
        let line = &located.line;
        // The same message read from dmesg and from syslog is one event.
        if seen.insert((line.stamp.clone(), line.message.clone())) {
            events.push((event, line.clone()));
        }
    }
    Story {
        node: ctx.node().to_string(),
        number: node_number(ctx),
        events,
    }
}

fn line_evidence(node: &str, line: &LogLine) -> Evidence {
    Evidence::new(
        line.origin.clone(),
        Some(line.line),
        format!("{node}: {} {}", line.stamp, line.message.trim_end())
            .trim()
            .to_string(),
    )
}

/// What the logs say about one fenced or evicted node.
pub struct Finding {
    /// Its o2cb node number.
    pub number: u32,
    /// Its name when its own evidence is there.
    pub name: Option<String>,
    pub summary: String,
    /// `fenced-disk-heartbeat`, `fenced-network-quorum`,
    /// `evicted-interconnect-first` or `evicted-cause-unknown`.
    pub code: &'static str,
    /// Whether the fenced node's own log says why (else the survivors' lines).
    pub own_words: bool,
    pub evidence: Vec<Evidence>,
    /// The line that dates the fence and the node whose log holds it: the fenced
    /// node's own `fencing this system` line, else a survivor's eviction.
    pub anchor: Option<(String, LogLine)>,
}

fn attribute(number: u32, stories: &[Story]) -> Finding {
    let own = stories.iter().find(|s| s.number == Some(number));
    let name = own.map_or(format!("node {number}"), |s| {
        format!("node {number} ({})", s.node)
    });
    let mut evidence = Vec::new();
    let mut when = None;
    let mut anchor = None;
    let mut write_timeout = None;
    let mut quorum = None;
    if let Some(s) = own {
        for (e, line) in &s.events {
            match e {
                FenceEvent::SelfFence { .. } => {
                    when.get_or_insert_with(|| format!("{} on {}", line.stamp, s.node));
                    anchor.get_or_insert_with(|| (s.node.clone(), line.clone()));
                    evidence.push(line_evidence(&s.node, line));
                }
                FenceEvent::WriteTimeout { device, ms } => {
                    write_timeout = Some((device.clone(), *ms));
                    evidence.push(line_evidence(&s.node, line));
                }
                FenceEvent::QuorumLost { text } => {
                    quorum = Some(text.clone());
                    evidence.push(line_evidence(&s.node, line));
                }
                FenceEvent::WriteHung { .. } | FenceEvent::LastPing { .. } => {
                    evidence.push(line_evidence(&s.node, line))
                }
                _ => {}
            }
        }
    }
    let mut peer_hung = None;
    let mut disconnected_by = None;
    let mut evicted_by = Vec::new();
    for s in stories.iter().filter(|s| s.number != Some(number)) {
        for (e, line) in &s.events {
            match e {
                FenceEvent::PeerWriteHung { node, device } if *node == number => {
                    peer_hung = Some((device.clone(), s.node.clone()));
                    evidence.push(line_evidence(&s.node, line));
                }
                FenceEvent::Evicted { node, .. } if *node == number => {
                    if !evicted_by.contains(&s.node) {
                        evicted_by.push(s.node.clone());
                    }
                    when.get_or_insert_with(|| format!("evicted at {} on {}", line.stamp, s.node));
                    anchor.get_or_insert_with(|| (s.node.clone(), line.clone()));
                    evidence.push(line_evidence(&s.node, line));
                }
                FenceEvent::Disconnected { node, .. } if *node == number => {
                    disconnected_by.get_or_insert(s.node.clone());
                    evidence.push(line_evidence(&s.node, line));
                }
                FenceEvent::RecoveryBegin { node, .. } | FenceEvent::JournalReplay { node, .. }
                    if *node == number =>
                {
                    evidence.push(line_evidence(&s.node, line))
                }
                _ => {}
            }
        }
    }
    evidence.truncate(12);
    let when = when.map_or(String::new(), |w| format!(" ({w})"));
    let own_words = write_timeout.is_some() || quorum.is_some();
    let (code, why) = if let Some((device, ms)) = write_timeout {
        (
            "fenced-disk-heartbeat",
            format!("its disk heartbeat write to {device} timed out after {ms} ms (the dead threshold): the storage stalled, e.g. every path down while multipath queued"),
        )
    } else if let Some(text) = quorum {
        (
            "fenced-network-quorum",
            format!("it lost the network quorum ({text}): the interconnect to its peers failed"),
        )
    } else if let Some((device, survivor)) = peer_hung {
        (
            "fenced-disk-heartbeat",
            format!("its disk heartbeat writes to {device} hung (it asked {survivor} to negotiate a longer timeout, then was evicted); its own last lines are not in the evidence"),
        )
    } else if let Some(survivor) = disconnected_by {
        (
            "evicted-interconnect-first",
            format!("{survivor} lost its o2net connection to it before the eviction and no node logged a stalled heartbeat write: the interconnect failed or the node died; its own previous-boot log would say which"),
        )
    } else {
        (
            "evicted-cause-unknown",
            "no log in the evidence says why: collect the fenced node's previous-boot kernel log (`journalctl -k -b -1`, /var/log/messages)".to_string(),
        )
    };
    let by = if evicted_by.is_empty() {
        String::new()
    } else {
        format!(", evicted by {}", evicted_by.join(", "))
    };
    Finding {
        number,
        name: own.map(|s| s.node.clone()),
        summary: format!("{name} fenced{when}{by}: {why}"),
        code,
        own_words,
        evidence,
        anchor,
    }
}

/// Every fenced or evicted node the logs of these nodes show, lowest number first.
pub fn findings(nodes: &[NodeCtx]) -> Vec<Finding> {
    let stories: Vec<Story> = nodes.iter().map(story).collect();
    let mut fenced = BTreeSet::new();
    for s in &stories {
        for (e, _) in &s.events {
            match e {
                FenceEvent::SelfFence { .. } | FenceEvent::QuorumLost { .. } => {
                    fenced.extend(s.number)
                }
                FenceEvent::Evicted { node, .. } => {
                    fenced.insert(*node);
                }
                _ => {}
            }
        }
    }
    fenced.iter().map(|n| attribute(*n, &stories)).collect()
}

fn run(nodes: &[NodeCtx]) -> Result<Verdict, CheckError> {
    if nodes.iter().all(|n| read_node_log(n).sources.is_empty()) {
        return Ok(Verdict::skip("no node's kernel log is in the evidence").code("no-kernel-logs"));
    }
    let findings = findings(nodes);
    if findings.is_empty() {
        return Ok(Verdict::pass(format!(
            "no fence and no eviction in the kernel logs of {} node(s)",
            nodes.len()
        )));
    }
    let code = findings[0].code;
    let summary = findings
        .iter()
        .map(|f| f.summary.as_str())
        .collect::<Vec<_>>()
        .join("; ");
    let fix = match code {
        "fenced-disk-heartbeat" => "make the storage fail over (or fail I/O) within the heartbeat dead time: multipath `no_path_retry` × `polling_interval` and the iSCSI replacement_timeout below it, or raise O2CB_HEARTBEAT_THRESHOLD on every node (61 = 120 s) with the cluster offline; then find why every path went down",
        "fenced-network-quorum" | "evicted-interconnect-first" => "find why the interconnect failed (link, switch, firewall on the o2net port) and check O2CB_IDLE_TIMEOUT_MS is equal on every node",
        _ => "collect the evicted node's previous-boot kernel log and run `o2check why --reboot NODE` with it",
    };
    Ok(Verdict::fail(summary, fix)
        .code(code)
        .with(findings.into_iter().flat_map(|f| f.evidence)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::context::Options;
    use crate::rules::test_bundle::fixture;
    use crate::source::{Bundle, Source};
    use o2check_reports::Status;
    use std::path::Path;

    fn verdict(bundles: &[&Path]) -> Verdict {
        let opened: Vec<Bundle> = bundles.iter().map(|b| Bundle::open(b).unwrap()).collect();
        let options = Options::default();
        let ctxs: Vec<NodeCtx> = opened
            .iter()
            .map(|b| NodeCtx::new(b as &dyn Source, &options))
            .collect();
        run(&ctxs).unwrap_or_else(CheckError::into_verdict)
    }

    /// The lab's real fence: node 2 lost both portals with `no_path_retry
    /// queue`. The survivor's log and the rebooted node's (its log of the boot
    /// that fenced is gone) are enough to name node 2 and its disk heartbeat.
    #[test]
    fn survivor_names_the_fenced_node_and_its_device() {
        let v = verdict(&[
            &fixture("bundles/lab-iscsi-fence-survivor-node1"),
            &fixture("bundles/lab-iscsi-fence-rebooted-node2"),
        ]);
        assert_eq!(v.status, Status::Fail, "{v:?}");
        assert_eq!(v.code, Some("fenced-disk-heartbeat"));
        assert!(
            v.summary.starts_with("node 2 (n151.ocfs2.test) fenced"),
            "{}",
            v.summary
        );
        assert!(
            v.summary.contains("dm-1") && v.summary.contains("evicted by n150.ocfs2.test"),
            "{}",
            v.summary
        );
        assert!(v
            .evidence
            .iter()
            .any(|e| e.text.contains("o2dlm has evicted node 2")));
    }

    /// With the fenced boot's own log (the node's real serial console up to the
    /// fence, in place of the bundle's dmesg), its own words decide: the write
    /// timeout on dm-1 after 12136 ms.
    #[test]
    fn the_fenced_nodes_own_last_lines_decide() {
        let dir = tempfile::tempdir().unwrap();
        crate::rules::test_bundle::copy_tree(
            &fixture("bundles/lab-iscsi-fence-before-node2"),
            dir.path(),
        );
        std::fs::copy(
            fixture("captures/lab-iscsi/fence-fenced/node2/console.log"),
            dir.path().join("commands/dmesg"),
        )
        .unwrap();
        let v = verdict(&[
            &fixture("bundles/lab-iscsi-fence-survivor-node1"),
            dir.path(),
        ]);
        assert_eq!(v.code, Some("fenced-disk-heartbeat"), "{v:?}");
        assert!(
            v.summary.contains("write to dm-1 timed out after 12136 ms"),
            "{}",
            v.summary
        );
        assert!(v
            .evidence
            .iter()
            .any(|e| e.text.contains("very sorry to be fencing")));
    }

    /// Before the fence (queueing set, paths still up): nothing fenced.
    #[test]
    fn no_eviction_passes() {
        let v = verdict(&[&fixture("bundles/lab-iscsi-fence-before-node2")]);
        assert_eq!(v.status, Status::Pass, "{v:?}");
    }
}
