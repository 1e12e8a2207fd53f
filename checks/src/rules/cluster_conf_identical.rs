//! `cluster-conf-identical` (across nodes): every node has the same clusters and
//! nodes in cluster.conf. Compared as parsed content, because o2cb writes stanzas
//! and attributes in hash order: two equivalent files rarely match byte for byte.

use super::common::cluster_conf;
use crate::check::{CheckError, ClusterCheck, Verdict};
use crate::context::NodeCtx;
use crate::needs::{self, Needs};
use crate::parse::cluster_conf as conf_parser;
use o2check_reports::{Evidence, Layer, Severity};

pub const CHECK: ClusterCheck = ClusterCheck {
    id: "cluster-conf-identical",
    layer: Layer::Cluster,
    severity: Severity::Critical,
    title: "cluster.conf describes the same cluster on every node",
    rationale: "o2net identifies peers by address and node number from the local file; nodes \
                with different files refuse each other (`Attempt to connect from unknown node`) \
                or connect the wrong way, and the DLM join fails",
    needs: NEEDS,
    run,
};

/// The evidence it reads: `collect` gathers it (see [`crate::needs`]).
const NEEDS: Needs = &[needs::CLUSTER_CONF];

/// The content that matters, in a canonical order: clusters, nodes, and the
/// global heartbeat regions (`heartbeat:` stanzas; o2cb(8): every node must
/// heartbeat on the same regions, or a node that lacks one cannot start its
/// global heartbeat and its mount fails).
fn canonical(ctx: &NodeCtx) -> Result<Vec<String>, CheckError> {
    let (text, m) = cluster_conf(ctx)?;
    let mut v: Vec<String> = m
        .clusters
        .iter()
        .map(|c| {
            format!(
                "cluster {} mode={} node_count={:?}",
                c.name, c.heartbeat_mode, c.node_count
            )
        })
        .collect();
    v.extend(m.nodes.iter().map(|n| {
        format!(
            "node {} cluster={} number={} {}:{}",
            n.name, n.cluster, n.number, n.ip, n.port
        )
    }));
    if let Ok(conf) = conf_parser::parse(&text.origin, &text.content) {
        v.extend(conf.of_kind("heartbeat").map(|h| {
            let get = |k: &str| h.get(k).map_or("", |a| a.value.as_str()).to_string();
            format!(
                "heartbeat region={} cluster={}",
                get("region").to_uppercase(),
                get("cluster")
            )
        }));
    }
    v.sort();
    Ok(v)
}

fn run(nodes: &[NodeCtx]) -> Result<Verdict, CheckError> {
    let mut seen: Vec<(String, Vec<String>)> = Vec::new();
    for ctx in nodes {
        match canonical(ctx) {
            Ok(c) => seen.push((ctx.node().to_string(), c)),
            // A node whose cluster.conf is not there to compare: nothing to judge.
            Err(CheckError::Evidence(e)) if e.is_missing() => {
                return Err(e.about(format!("{}'s cluster.conf", ctx.node())).into())
            }
            Err(e) => {
                return Ok(Verdict::error(format!("{}: {e}", ctx.node())).code("node-conf-unusable"))
            }
        }
    }
    let Some((first_node, first)) = seen.first() else {
        return Ok(Verdict::skip("no nodes").code("no-nodes"));
    };
    let mut evidence = Vec::new();
    let mut differ = Vec::new();
    for (node, content) in &seen[1..] {
        if content != first {
            differ.push(node.clone());
            for line in content.iter().filter(|l| !first.contains(l)) {
                evidence.push(Evidence::note(
                    format!("{node}:/etc/ocfs2/cluster.conf"),
                    format!("only here: {line}"),
                ));
            }
            for line in first.iter().filter(|l| !content.contains(l)) {
                evidence.push(Evidence::note(
                    format!("{first_node}:/etc/ocfs2/cluster.conf"),
                    format!("only here: {line}"),
                ));
            }
        }
    }
    if differ.is_empty() {
        return Ok(Verdict::pass(format!("identical on {} nodes", seen.len())));
    }
    Ok(Verdict::fail(
        format!("cluster.conf of {} differs from {first_node}'s", differ.join(", ")),
        "copy one cluster.conf to every node (`scp /etc/ocfs2/cluster.conf node:/etc/ocfs2/`), then re-register with the volumes unmounted: RHEL/OL `service o2cb offline; service o2cb online`, Debian/Ubuntu `/etc/init.d/o2cb offline <name>; /etc/init.d/o2cb online <name>` (the init script also sets the configured timeouts; `o2cb register-cluster` does not)",
    ).code("differs")
    .with(evidence))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_bundle::{edit, fixture, fixture_copy, judge_cluster};
    use o2check_reports::Status;

    const CONF: &str = "etc/ocfs2/cluster.conf";

    #[test]
    fn the_lab_nodes_files_are_identical() {
        let v = judge_cluster(
            run,
            &[
                &fixture("bundles/lab-cluster-healthy-n150"),
                &fixture("bundles/lab-cluster-healthy-n151"),
            ],
        );
        assert_eq!(v.status, Status::Pass, "{}", v.summary);
        assert_eq!(v.summary, "identical on 2 nodes");
    }

    /// o2cb writes attributes in hash order: the same content in another order
    /// is the same cluster.
    #[test]
    fn attributes_in_another_order_are_still_identical() {
        let n151 = fixture_copy("bundles/lab-cluster-healthy-n151");
        edit(
            n151.path(),
            CONF,
            "\tip_port = 7777\n\tip_address = 10.77.0.151\n",
            "\tip_address = 10.77.0.151\n\tip_port = 7777\n",
        );
        let v = judge_cluster(
            run,
            &[&fixture("bundles/lab-cluster-healthy-n150"), n151.path()],
        );
        assert_eq!(v.status, Status::Pass, "{}", v.summary);
    }

    #[test]
    fn a_node_with_another_address_differs() {
        let n151 = fixture_copy("bundles/lab-cluster-healthy-n151");
        edit(
            n151.path(),
            CONF,
            "ip_address = 10.77.0.151",
            "ip_address = 10.77.0.152",
        );
        let v = judge_cluster(
            run,
            &[&fixture("bundles/lab-cluster-healthy-n150"), n151.path()],
        );
        assert_eq!(v.status, Status::Fail, "{}", v.summary);
        assert_eq!(v.code, Some("differs"));
        assert_eq!(
            v.summary,
            "cluster.conf of n151.ocfs2.test differs from n150.ocfs2.test's"
        );
        assert!(
            v.evidence
                .iter()
                .any(|e| e.text.contains("10.77.0.152:7777")),
            "{:?}",
            v.evidence
        );
    }

    /// A node whose cluster.conf was not collected: nothing to compare, not a
    /// difference.
    #[test]
    fn an_uncollected_file_on_one_node_skips() {
        let n151 = fixture_copy("bundles/lab-cluster-healthy-n151");
        std::fs::remove_file(n151.path().join(CONF)).unwrap();
        let v = judge_cluster(
            run,
            &[&fixture("bundles/lab-cluster-healthy-n150"), n151.path()],
        );
        assert_eq!(v.status, Status::Skip, "{}", v.summary);
        assert!(
            v.summary.contains("n151.ocfs2.test's cluster.conf"),
            "{}",
            v.summary
        );
    }

    /// The global lab: node 2's cluster.conf lost its heartbeat stanza (`o2cb
    /// remove-heartbeat`), same clusters and nodes otherwise.
    #[test]
    fn a_region_missing_on_one_node_differs_and_names_it() {
        let healthy = judge_cluster(
            run,
            &[
                &fixture("bundles/lab-global-healthy-node1"),
                &fixture("bundles/lab-global-healthy-node2"),
            ],
        );
        assert_eq!(healthy.status, Status::Pass, "{}", healthy.summary);
        let v = judge_cluster(
            run,
            &[
                &fixture("bundles/lab-global-healthy-node1"),
                &fixture("bundles/lab-global-region-missing-node2"),
            ],
        );
        assert_eq!((v.status, v.code), (Status::Fail, Some("differs")), "{v:?}");
        assert!(
            v.evidence.iter().any(|e| {
                e.source.starts_with("n150.ocfs2.test:")
                && e.text
                    == "only here: heartbeat region=662449C17A2844639F315538D7E07940 cluster=o2lab"
            }),
            "{:?}",
            v.evidence
        );
    }
}
