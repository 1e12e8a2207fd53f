//! `o2net-port`: the o2net TCP port of every node is reachable from here, the local
//! listener is up once the cluster is online, and no firewall rule drops the port.
//! With several nodes' evidence (cluster mode), a peer that cannot be reached is
//! blamed on the node whose own evidence explains it (see [`super::o2net_blame`]),
//! so one blocked port fails one node, not every node that talks to it.

use super::common::{boot_cluster, cluster_conf, configfs_cluster, local_nodes};
use super::o2net_blame::{firewall_blocks, inbound_failures, peer_explains};
use crate::check::{Check, CheckError, Verdict};
use crate::context::NodeCtx;
use crate::parse::cluster_conf_rules::{Model, Node};
use crate::parse::net;
use o2check_reports::{Evidence, Layer};
use std::net::{Ipv4Addr, SocketAddrV4};

pub const CHECK: Check = Check {
    id: "o2net-port",
    layer: Layer::Network,
    title: "o2net ports are reachable, listening and not firewalled",
    rationale: "nodes talk over TCP to each other's ip_address:ip_port (the higher-numbered node \
                connects to the lower); a blocked port makes mounts fail after about 70 s with \
                error 107 (`No connection established`)",
    run,
};

fn run(ctx: &NodeCtx) -> Result<Verdict, CheckError> {
    let (_, model) = cluster_conf(ctx)?;
    let Some(cluster) = boot_cluster(ctx, &model) else {
        return Ok(Verdict::skip("no boot cluster (see o2cb-config)"));
    };
    let me = my_node_names(ctx, &model, &cluster.name);
    let mut problems = Vec::new();
    let mut evidence = Vec::new();
    let mut probed = 0;
    let mut blamed_elsewhere = Vec::new();
    for node in model
        .nodes_of(&cluster.name)
        .filter(|n| !me.contains(&n.name))
    {
        let addr = SocketAddrV4::new(node.ip, node.port);
        match ctx.source.tcp_probe(addr, ctx.options.tcp_timeout) {
            Ok(p) => {
                probed += 1;
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
                match peer_explains(ctx, &model, node) {
                    Some(reason) => {
                        evidence.push(Evidence::note(
                            format!("{} is unreachable because of {}", node.name, reason.node),
                            format!("{} (see o2net-port@{})", reason.why, reason.node),
                        ));
                        blamed_elsewhere.push(reason.node);
                    }
                    None => problems.push(format!(
                        "{}:{} ({}) is not reachable: {}",
                        node.ip,
                        node.port,
                        node.name,
                        p.error.unwrap_or_default()
                    )),
                }
            }
            Err(e) if e.is_missing() => {}
            Err(e) => problems.push(format!("probe of {addr} failed: {e}")),
        }
    }
    let ports = ports(&model, &cluster.name);
    for b in firewall_blocks(ctx, &ports) {
        problems.push(b.problem);
        evidence.push(b.evidence);
    }
    let mine = model.nodes_of(&cluster.name).find(|n| me.contains(&n.name));
    if let Some(mine) = mine {
        listener_problem(ctx, mine, &mut problems, &mut evidence);
        let addr = SocketAddrV4::new(mine.ip, mine.port);
        for (peer, error) in inbound_failures(ctx, addr) {
            problems.push(format!("{peer} cannot reach this node's {addr}: {error}"));
        }
    }
    if problems.is_empty() {
        let summary = if probed == 0 {
            "no firewall rule blocks the o2net port (reachability not probed: offline evidence)"
                .to_string()
        } else if blamed_elsewhere.is_empty() {
            format!("{probed} peer port(s) reachable; no firewall rule blocks the o2net port")
        } else {
            format!(
                "{probed} peer port(s) probed; unreachable because of their own side: {} (see their o2net-port); nothing blocks the port here",
                blamed_elsewhere.join(", ")
            )
        };
        return Ok(Verdict::pass(summary).with(evidence));
    }
    let port = ports.first().copied().unwrap_or(7777);
    Ok(Verdict::fail(
        problems.join("; "),
        format!("allow TCP {port} between the nodes' interconnect addresses on every node: `iptables -I INPUT -p tcp --dport {port} -j ACCEPT` (persist it), or `firewall-cmd --permanent --add-port={port}/tcp && firewall-cmd --reload`; check the link and routes between the cluster.conf addresses"),
    )
    .with(evidence))
}

/// This node's stanza names: the one o2cb would mark local, and, when the
/// hostname matches none, the one whose address is on a local interface.
/// Never probe ourselves.
pub fn my_node_names(ctx: &NodeCtx, model: &Model, cluster: &str) -> Vec<String> {
    let host = ctx.hostname().map(|h| h.content).unwrap_or_default();
    let local_ips = local_ips(ctx);
    let mut me: Vec<String> = local_nodes(model, cluster, &host)
        .iter()
        .map(|n| n.name.clone())
        .collect();
    me.extend(
        model
            .nodes_of(cluster)
            .filter(|n| local_ips.contains(&n.ip))
            .map(|n| n.name.clone()),
    );
    me
}

pub fn local_ips(ctx: &NodeCtx) -> Vec<Ipv4Addr> {
    ctx.command(&["ip", "-o", "addr"])
        .map(|o| {
            net::local_addresses(&o.stdout)
                .into_iter()
                .map(|a| a.0)
                .collect()
        })
        .unwrap_or_default()
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
    problems: &mut Vec<String>,
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
        None => problems.push(format!(
            "the cluster is online but nothing listens on {}:{} (o2net listener)",
            mine.ip, mine.port
        )),
    }
}
