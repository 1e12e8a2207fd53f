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
    /// Why there is no kernel log to read memberships from (not collected,
    /// unreadable): then "no membership" says nothing about the node.
    log_gap: Option<crate::EvidenceError>,
}

fn view(ctx: &NodeCtx) -> View {
    let (logs, log_gap) = match events_by_source(ctx) {
        Ok(logs) => (logs, None),
        Err(e) => (Default::default(), Some(e)),
    };
    let mut v = View {
        node: ctx.node().to_string(),
        number: node_number(ctx),
        domains: BTreeMap::new(),
        evidence: Vec::new(),
        log_gap,
    };
    for vol in volumes(ctx).into_iter().filter(|v| v.mount_point.is_some()) {
        let Some(uuid) = vol.uuid.map(|u| u.to_uppercase()) else {
            continue;
        };
        // Only a membership that stands now: one from before the last boot
        // says nothing about the domain today, so such a node is not judged
        // (its earlier lines are shown) rather than taken as outside the domain.
        let window = Window::of(ctx.source, ctx.options.since.clone());
        let (latest, earlier) = dlm::current(&logs, &uuid, &window);
        if latest.is_none() && !earlier.is_empty() {
            v.evidence.extend(earlier);
            continue;
        }
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
    let mut gaps = Vec::new();
    for (uuid, who) in mounters.iter().filter(|(_, w)| w.len() > 1) {
        // Sets, not scans of lists: with every node mounting, the scans made
        // this cubic in nodes (255 nodes: 16 million comparisons).
        let mounting: BTreeSet<&str> = who.iter().map(|w| w.0).collect();
        for v in views.iter().filter(|v| mounting.contains(v.node.as_str())) {
            let Some(Some(members)) = v.domains.get(*uuid) else {
                if let Some(gap) = &v.log_gap {
                    gaps.push(gap.clone().about(format!("{}'s kernel log", v.node)));
                    continue;
                }
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
        if let Some(gap) = gaps.into_iter().reduce(crate::EvidenceError::weaker) {
            return Err(gap.into());
        }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_bundle::{edit, fixture, fixture_copy, judge_cluster};
    use o2check_reports::Status;

    /// n150's real o2dlm lines after node 2 joined its domain (a 6.1 kernel
    /// prints the member list as continuation lines).
    const NODE2_JOINS: &str = "[   24.850495] o2dlm: Node 2 joins domain AE29B6C7C65E423CA9FFA8C83388BB2F \n[   24.850649] ( \n[   24.850679] 1 \n[   24.850695] 2 \n[   24.850707] ) 2 nodes\n";

    fn with_n150_edited(edit_it: impl FnOnce(&std::path::Path)) -> Verdict {
        let n150 = fixture_copy("bundles/lab-cluster-healthy-n150");
        edit_it(n150.path());
        judge_cluster(
            run,
            &[n150.path(), &fixture("bundles/lab-cluster-healthy-n151")],
        )
    }

    #[test]
    fn both_lab_nodes_see_each_other() {
        let v = with_n150_edited(|_| {});
        assert_eq!(v.status, Status::Pass, "{}", v.summary);
        assert_eq!(v.summary, "2 node view(s) of 1 shared domain(s) agree");
        assert_eq!(v.evidence.len(), 2, "{:?}", v.evidence);
    }

    /// n150's log ends with its own join (`( 1 ) 1 nodes`): it mounts the
    /// volume without node 2 in its domain while node 2 mounts it too.
    #[test]
    fn a_node_that_sees_only_itself_disagrees() {
        let v = with_n150_edited(|b| edit(b, "commands/dmesg", NODE2_JOINS, ""));
        assert_eq!(v.status, Status::Fail, "{}", v.summary);
        assert_eq!(v.code, Some("domains-disagree"));
        assert_eq!(
            v.summary,
            "n150.ocfs2.test sees domain AE29B6C7C65E423CA9FFA8C83388BB2F as nodes [1], without n151.ocfs2.test (node 2)"
        );
    }

    /// A node that mounts the volume but has no o2dlm lines for it (its join
    /// rotated out of dmesg) cannot be shown to agree.
    #[test]
    fn a_mounting_node_without_membership_lines_fails() {
        let v = with_n150_edited(|b| {
            edit(
                b,
                "commands/dmesg",
                "o2dlm: Joining domain",
                "o2dlm: (elided)",
            );
            edit(b, "commands/dmesg", NODE2_JOINS, "");
        });
        assert_eq!(v.code, Some("domains-disagree"), "{}", v.summary);
        assert!(
            v.summary.starts_with("n150.ocfs2.test mounts AE29B6C7C65E423CA9FFA8C83388BB2F but its kernel log shows no current membership"),
            "{}",
            v.summary
        );
    }

    /// One node, or a pair where only one node mounts (the port-blocked lab
    /// run: n151 could not mount), has no shared domain to compare.
    #[test]
    fn no_volume_mounted_on_two_nodes_skips() {
        let v = judge_cluster(run, &[&fixture("bundles/lab-cluster-healthy-n150")]);
        assert_eq!(v.status, Status::Skip, "{}", v.summary);
        assert_eq!(v.code, Some("no-shared-volume"));
        let v = judge_cluster(
            run,
            &[
                &fixture("bundles/lab-cluster-port-blocked-n150"),
                &fixture("bundles/lab-cluster-port-blocked-n151"),
            ],
        );
        assert_eq!(v.code, Some("no-shared-volume"), "{}", v.summary);
    }

    /// Not collected is not absent: without n150's dmesg only n151's view is
    /// judged, and without either there is nothing to judge (was a failure).
    #[test]
    fn an_uncollected_kernel_log_is_not_a_split() {
        let v = with_n150_edited(|b| std::fs::remove_file(b.join("commands/dmesg")).unwrap());
        assert_eq!(v.status, Status::Pass, "{}", v.summary);
        assert_eq!(v.summary, "1 node view(s) of 1 shared domain(s) agree");
        let n151 = fixture_copy("bundles/lab-cluster-healthy-n151");
        std::fs::remove_file(n151.path().join("commands/dmesg")).unwrap();
        let n150 = fixture_copy("bundles/lab-cluster-healthy-n150");
        std::fs::remove_file(n150.path().join("commands/dmesg")).unwrap();
        let v = judge_cluster(run, &[n150.path(), n151.path()]);
        assert_eq!(v.status, Status::Skip, "{}", v.summary);
        assert_eq!(v.code, Some("not-collected"), "{}", v.summary);
    }
}
