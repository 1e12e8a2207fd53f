//! `o2net-port`: the o2net TCP port of every node is reachable from here, the local
//! listener is up once the cluster is online, and no firewall rule drops the port.
//! With several nodes' evidence (cluster mode), a peer that cannot be reached is
//! blamed on the node whose own evidence explains it (see [`super::o2net_blame`]),
//! so one blocked port fails one node, not every node that talks to it.

use super::common::{boot_cluster, cluster_conf, configfs_cluster};
use super::o2net_blame::{firewall, inbound_failures, peer_explains, PeerIndex};
use super::o2net_targets::plan;
use crate::check::{Check, CheckError, Verdict};
use crate::context::NodeCtx;
use crate::needs::{self, Need, Needs};
use crate::parse::cluster_conf_rules::{Model, Node};
use crate::parse::net;
use o2check_reports::{Evidence, Layer, Severity};
use std::net::SocketAddrV4;

pub const CHECK: Check = Check {
    id: "o2net-port",
    layer: Layer::Network,
    severity: Severity::Critical,
    title: "o2net ports are reachable, listening and not firewalled",
    rationale: "nodes talk over TCP to each other's ip_address:ip_port (the higher-numbered node \
                connects to the lower); a blocked port makes mounts fail after about 70 s with \
                error 107 (`No connection established`)",
    needs: NEEDS,
    run,
};

/// The evidence it reads: `collect` gathers it (see [`crate::needs`]).
const NEEDS: Needs = &[
    needs::CONFIGFS,
    needs::CLUSTER_CONF,
    needs::O2CB_SETTINGS,
    needs::HOSTNAME,
    needs::ADDRESSES,
    &[
        Need::File("/proc/net/tcp"),
        Need::Command(&["iptables-save"]),
        Need::Command(&["nft", "list", "ruleset"]),
    ],
];

fn run(ctx: &NodeCtx) -> Result<Verdict, CheckError> {
    let (_, model) = cluster_conf(ctx)?;
    let Some(cluster) = boot_cluster(ctx, &model) else {
        return Ok(Verdict::skip("no boot cluster (see o2cb-config)").code("no-boot-cluster"));
    };
    let plan = plan(ctx, &model, &cluster.name);
    let mut problems = Vec::new();
    let mut evidence = Vec::new();
    let mut checked = 0;
    let mut blamed_elsewhere = Vec::new();
    // Built at the first failure: a run where every probe connects reads no peer.
    let peers = std::cell::OnceCell::new();
    for t in &plan.targets {
        let (node, addr) = (t.node, t.addr);
        if let Some(line) = &t.established {
            checked += 1;
            evidence.push(line.clone());
            continue;
        }
        let probe = match plan.mine {
            Some(m) => ctx
                .source
                .tcp_probe_from(m.ip, addr, ctx.options.tcp_timeout),
            None => ctx.source.tcp_probe(addr, ctx.options.tcp_timeout),
        };
        match probe {
            Ok(p) => {
                checked += 1;
                let what = if p.connected {
                    format!("connected in {} ms", p.millis)
                } else {
                    format!("failed: {}", p.error.clone().unwrap_or_default())
                };
                evidence.push(Evidence::note(
                    format!("tcp probe {addr} ({})", node.name),
                    what,
                ));
                if p.connected {
                    continue;
                }
                match peer_explains(ctx, peers.get_or_init(|| PeerIndex::new(ctx)), &model, node) {
                    Some(reason) => {
                        evidence.push(Evidence::note(
                            format!("{} is unreachable because of {}", node.name, reason.node),
                            format!("{} (see o2net-port@{})", reason.why, reason.node),
                        ));
                        blamed_elsewhere.push(reason.node);
                    }
                    None => problems.push((
                        "peer-unreachable",
                        format!(
                            "{}:{} ({}) is not reachable: {}",
                            node.ip,
                            node.port,
                            node.name,
                            p.error.unwrap_or_default()
                        ),
                    )),
                }
            }
            Err(e) if e.is_missing() => {}
            Err(e) => problems.push(("probe-failed", format!("probe of {addr} failed: {e}"))),
        }
    }
    let ports = ports(&model, &cluster.name);
    let wall = firewall(ctx, &ports);
    for b in wall.blocks {
        problems.push(("firewall-drops", b.problem));
        evidence.push(b.evidence);
    }
    if let Some(mine) = plan.mine {
        listener_problem(ctx, mine, &mut problems, &mut evidence);
        let addr = SocketAddrV4::new(mine.ip, mine.port);
        for (peer, error) in inbound_failures(ctx, addr) {
            problems.push((
                "unreachable-from-peers",
                format!("{peer} cannot reach this node's {addr}: {error}"),
            ));
        }
    }
    if problems.is_empty() {
        let firewall_seen = !wall.answered.is_empty();
        if checked == 0 && !firewall_seen {
            // Nothing tried and no ruleset read: a pass would rest on nothing.
            if let Some(e) = wall.gaps.iter().find(|e| e.is_unreadable()) {
                return Err(e.clone().into());
            }
            return Ok(Verdict::skip(format!(
                "no probe of a peer's o2net port and no firewall ruleset to judge by: collect `iptables-save` and `nft list ruleset` on the node, or run `o2check collect` there (it records the probes){}",
                if plan.targets.is_empty() { "" } else { "; the recorded probes hold none of this node's targets" }
            ))
            .code("no-evidence")
            .with(evidence));
        }
        let rules = if firewall_seen {
            format!(
                "no firewall rule blocks the o2net port ({})",
                wall.answered.join(", ")
            )
        } else {
            "no firewall ruleset was available to check".to_string()
        };
        let summary = if checked == 0 {
            format!("{rules}; no peer port to try from here (o2net connects from higher- to lower-numbered nodes, or no probe was recorded)")
        } else if blamed_elsewhere.is_empty() {
            format!("{checked} peer port(s) reachable; {rules}")
        } else {
            format!(
                "{checked} peer port(s) tried; unreachable because of their own side: {} (see their o2net-port); {rules}",
                blamed_elsewhere.join(", ")
            )
        };
        return Ok(Verdict::pass(summary).with(evidence));
    }
    let port = ports.first().copied().unwrap_or(7777);
    // A firewall rule explains the rest, so it names the finding when present.
    let code = problems
        .iter()
        .map(|(c, _)| *c)
        .find(|c| *c == "firewall-drops")
        .unwrap_or(problems[0].0);
    let problems: Vec<String> = problems.into_iter().map(|(_, p)| p).collect();
    Ok(Verdict::fail(
        problems.join("; "),
        format!("allow TCP {port} between the nodes' interconnect addresses on every node: `iptables -I INPUT -p tcp --dport {port} -j ACCEPT` (persist it), or `firewall-cmd --permanent --add-port={port}/tcp && firewall-cmd --reload`; check the link and routes between the cluster.conf addresses"),
    ).code(code)
    .with(evidence))
}

fn ports(model: &Model, cluster: &str) -> Vec<u16> {
    let mut p: Vec<u16> = model.nodes_of(cluster).map(|n| n.port).collect();
    p.sort_unstable();
    p.dedup();
    p
}

/// Once the cluster is online, o2net listens on the node's address and port.
fn listener_problem(
    ctx: &NodeCtx,
    mine: &Node,
    problems: &mut Vec<(&'static str, String)>,
    evidence: &mut Vec<Evidence>,
) {
    let online = configfs_cluster(ctx)
        .ok()
        .flatten()
        .is_some_and(|c| c.local_node().is_some());
    let Ok(tcp) = ctx.file("/proc/net/tcp") else {
        return;
    };
    if !online {
        return;
    }
    match net::tcp_listeners(&tcp)
        .into_iter()
        .find(|l| l.1 == mine.port && (l.0 == mine.ip || l.0.is_unspecified()))
    {
        Some(l) => evidence.push(tcp.evidence_at(l.2)),
        None => problems.push((
            "no-listener",
            format!(
                "the cluster is online but nothing listens on {}:{} (o2net listener)",
                mine.ip, mine.port
            ),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_bundle::{edit, fixture, fixture_copy, judge_node};
    use o2check_reports::Status;

    const BLOCKED_N150: &str = "bundles/lab-cluster-port-blocked-n150";
    const BLOCKED_N151: &str = "bundles/lab-cluster-port-blocked-n151";

    /// n151 (node 2) connects to n150: its established connection proves it.
    #[test]
    fn the_healthy_lab_node_passes() {
        let v = judge_node(
            run,
            &[
                &fixture("bundles/lab-cluster-healthy-n151"),
                &fixture("bundles/lab-cluster-healthy-n150"),
            ],
        );
        assert_eq!(v.status, Status::Pass, "{}", v.summary);
        assert_eq!(
            v.summary,
            "1 peer port(s) reachable; no firewall rule blocks the o2net port (iptables-save)"
        );
    }

    /// The lab's blocked port, on the node that blocks it: its own rule, and
    /// (in a cluster run) n151's failed probe of it.
    #[test]
    fn the_blocking_node_fails_with_its_rule() {
        let v = judge_node(run, &[&fixture(BLOCKED_N150)]);
        assert_eq!(v.status, Status::Fail, "{}", v.summary);
        assert_eq!(v.code, Some("firewall-drops"));
        let v = judge_node(run, &[&fixture(BLOCKED_N150), &fixture(BLOCKED_N151)]);
        assert_eq!(v.code, Some("firewall-drops"), "{}", v.summary);
        assert!(
            v.summary
                .contains("n151.ocfs2.test cannot reach this node's 10.77.0.150:7777: timed out"),
            "{}",
            v.summary
        );
    }

    /// n151's probe of n150 timed out. Alone that is n151's failure; with
    /// n150's evidence the blame goes to n150's firewall, so n151 passes.
    #[test]
    fn the_node_that_cannot_reach_is_not_blamed_when_the_peer_explains() {
        let v = judge_node(run, &[&fixture(BLOCKED_N151)]);
        assert_eq!(v.status, Status::Fail, "{}", v.summary);
        assert_eq!(v.code, Some("peer-unreachable"));
        let v = judge_node(run, &[&fixture(BLOCKED_N151), &fixture(BLOCKED_N150)]);
        assert_eq!(v.status, Status::Pass, "{}", v.summary);
        assert!(
            v.summary
                .contains("unreachable because of their own side: n150.ocfs2.test"),
            "{}",
            v.summary
        );
    }

    /// Online (configfs has a local node) but the listener moved off 7777.
    #[test]
    fn an_online_node_without_its_listener_fails() {
        let b = fixture_copy("bundles/lab-cluster-healthy-n151");
        edit(
            b.path(),
            "proc/net/tcp",
            "97004D0A:1E61 00000000:0000 0A",
            "97004D0A:1E62 00000000:0000 0A",
        );
        let v = judge_node(run, &[b.path()]);
        assert_eq!(v.code, Some("no-listener"), "{}", v.summary);
        assert_eq!(
            v.summary,
            "the cluster is online but nothing listens on 10.77.0.151:7777 (o2net listener)"
        );
    }

    /// The lab captures have neither probes nor a ruleset: no pass on nothing.
    #[test]
    fn no_probe_and_no_ruleset_skips() {
        let v = judge_node(run, &[&fixture("bundles/lab-capture-healthy-node1")]);
        assert_eq!(v.status, Status::Skip, "{}", v.summary);
        assert_eq!(v.code, Some("no-evidence"));
    }
}
