//! `dlm-domains-agree` (across nodes): for every volume mounted on several nodes,
//! each of them has every other one in its latest o2dlm membership of the
//! volume's domain. One node's view cannot show a split: two nodes that each see
//! only themselves are two clusters writing one disk.

use super::common::node_number;
use super::volumes::volumes;
use crate::check::{CheckError, ClusterCheck, Verdict};
use crate::context::NodeCtx;
use crate::kernlog::dlm;
use crate::kernlog::history::Window;
use crate::kernlog::node_events::events_by_source;
use crate::needs::{self, Needs};
use o2check_reports::{Evidence, Layer, Severity};
use std::collections::{BTreeMap, BTreeSet};

pub const CHECK: ClusterCheck = ClusterCheck {
    id: "dlm-domains-agree",
    layer: Layer::Cluster,
    severity: Severity::Critical,
    title: "every node mounting a volume sees every other one in its DLM domain",
    rationale: "a node that mounts the volume but is missing from another node's o2dlm domain \
                takes locks the other does not honour: the two caches diverge and the \
                filesystem is corrupted unless one of them is fenced",
    needs: NEEDS,
    run,
};

/// The evidence it reads: `collect` gathers it (see [`crate::needs`]).
const NEEDS: Needs = &[
    super::volumes::NEEDS,
    needs::CONFIGFS,
    needs::CLUSTER_CONF,
    needs::O2CB_SETTINGS,
    needs::HOSTNAME,
    needs::KERNEL_LOG,
];

/// One node's view: its number and, per mounted volume UUID, the latest members.
struct View {
    node: String,
    number: Option<u32>,
    domains: BTreeMap<String, Option<Vec<u32>>>,
    evidence: Vec<Evidence>,
}

fn view(ctx: &NodeCtx) -> View {
    let logs = events_by_source(ctx).unwrap_or_default();
    let mut v = View {
        node: ctx.node().to_string(),
        number: node_number(ctx),
        domains: BTreeMap::new(),
        evidence: Vec::new(),
    };
    for vol in volumes(ctx).into_iter().filter(|v| v.mount_point.is_some()) {
        let Some(uuid) = vol.uuid.map(|u| u.to_uppercase()) else {
            continue;
        };
        // Only a membership that stands now: one from before the last boot
        // says nothing about the domain today.
        let window = Window::of(ctx.source, ctx.options.since.clone());
        let latest = dlm::current(&logs, &uuid, &window).0;
        if let Some(m) = &latest {
            v.evidence.push(m.evidence.clone());
        }
        v.domains.insert(uuid, latest.and_then(|m| m.nodes));
    }
    v
}

fn run(nodes: &[NodeCtx]) -> Result<Verdict, CheckError> {
    let views: Vec<View> = nodes.iter().map(view).collect();
    let mut mounters: BTreeMap<&str, Vec<(&str, u32)>> = BTreeMap::new();
    for v in &views {
        if let Some(num) = v.number {
            for uuid in v.domains.keys() {
                mounters.entry(uuid).or_default().push((&v.node, num));
            }
        }
    }
    let mut problems = Vec::new();
    let mut judged = 0;
    for (uuid, who) in mounters.iter().filter(|(_, w)| w.len() > 1) {
        // Sets, not scans of lists: with every node mounting, the scans made
        // this cubic in nodes (255 nodes: 16 million comparisons).
        let mounting: BTreeSet<&str> = who.iter().map(|w| w.0).collect();
        for v in views.iter().filter(|v| mounting.contains(v.node.as_str())) {
            let Some(Some(members)) = v.domains.get(*uuid) else {
                problems.push(format!(
                    "{} mounts {uuid} but its kernel log shows no current membership of that domain",
                    v.node
                ));
                continue;
            };
            judged += 1;
            let members_set: BTreeSet<u32> = members.iter().copied().collect();
            let missing: Vec<String> = who
                .iter()
                .filter(|(_, num)| !members_set.contains(num))
                .map(|(n, num)| format!("{n} (node {num})"))
                .collect();
            if !missing.is_empty() {
                problems.push(format!(
                    "{} sees domain {uuid} as nodes {members:?}, without {}",
                    v.node,
                    missing.join(", ")
                ));
            }
        }
    }
    let shared = mounters.values().filter(|w| w.len() > 1).count();
    let evidence: Vec<Evidence> = views.iter().flat_map(|v| v.evidence.clone()).collect();
    if problems.is_empty() && judged == 0 {
        return Ok(Verdict::skip(
            "no volume is mounted on two or more nodes with known node numbers",
        )
        .code("no-shared-volume"));
    }
    if problems.is_empty() {
        return Ok(Verdict::pass(format!(
            "{judged} node view(s) of {shared} shared domain(s) agree"
        ))
        .with(evidence));
    }
    Ok(Verdict::fail(
        problems.join("; "),
        "the nodes do not form one cluster for this volume: check o2net between them (o2net-port, o2net-stability) and the heartbeat region; unmount the volume on the node that is missing from the others' domain before it does damage, then fix the interconnect and mount again",
    ).code("domains-disagree")
    .with(evidence))
}
