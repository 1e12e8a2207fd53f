//! `o2net-port`: the o2net TCP port of every node is reachable from here, the local
//! listener is up once the cluster is online, and no firewall rule drops the port.

use super::common::{boot_cluster, cluster_conf, configfs_cluster, local_nodes};
use crate::check::{Check, CheckError, Verdict};
use crate::context::NodeCtx;
use crate::parse::{firewall, net};
use o2check_reports::{Evidence, Layer};
use std::net::SocketAddrV4;

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
    let host = ctx.hostname().map(|h| h.content).unwrap_or_default();
    // This node is the one o2cb would mark local, or, when the hostname matches no
    // stanza, the one whose address is on a local interface: never probe ourselves.
    let local_ips: Vec<std::net::Ipv4Addr> = ctx
        .command(&["ip", "-o", "addr"])
        .map(|o| {
            net::local_addresses(&o.stdout)
                .into_iter()
                .map(|a| a.0)
                .collect()
        })
        .unwrap_or_default();
    let mut me: Vec<String> = local_nodes(&model, &cluster.name, &host)
        .iter()
        .map(|n| n.name.clone())
        .collect();
    me.extend(
        model
            .nodes_of(&cluster.name)
            .filter(|n| local_ips.contains(&n.ip))
            .map(|n| n.name.clone()),
    );
    let mut problems = Vec::new();
    let mut evidence = Vec::new();
    let mut probed = 0;
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
                if !p.connected {
                    problems.push(format!(
                        "{}:{} ({}) is not reachable: {}",
                        node.ip,
                        node.port,
                        node.name,
                        p.error.unwrap_or_default()
                    ));
                }
            }
            Err(e) if e.is_missing() => {}
            Err(e) => problems.push(format!("probe of {addr} failed: {e}")),
        }
    }
    let ports: Vec<u16> = {
        let mut p: Vec<u16> = model.nodes_of(&cluster.name).map(|n| n.port).collect();
        p.dedup();
        p
    };
    firewall_problems(ctx, &ports, &mut problems, &mut evidence);
    let online = configfs_cluster(ctx)
        .ok()
        .flatten()
        .is_some_and(|c| c.local_node().is_some());
    let mine = model.nodes_of(&cluster.name).find(|n| me.contains(&n.name));
    if let (true, Some(me), Ok(tcp)) = (online, mine, ctx.file("/proc/net/tcp")) {
        match net::tcp_listeners(&tcp)
            .into_iter()
            .find(|l| l.1 == me.port && (l.0 == me.ip || l.0.is_unspecified()))
        {
            Some(l) => evidence.push(tcp.evidence_at(l.2)),
            None => problems.push(format!(
                "the cluster is online but nothing listens on {}:{} (o2net listener)",
                me.ip, me.port
            )),
        }
    }
    if problems.is_empty() {
        let summary = if probed == 0 {
            "no firewall rule blocks the o2net port (reachability not probed: offline evidence)"
                .to_string()
        } else {
            format!("{probed} peer port(s) reachable; no firewall rule blocks the o2net port")
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

fn firewall_problems(
    ctx: &NodeCtx,
    ports: &[u16],
    problems: &mut Vec<String>,
    evidence: &mut Vec<Evidence>,
) {
    if let Ok(save) = ctx.command(&["iptables-save"]) {
        for &port in ports {
            for b in firewall::iptables_blocking(&save.stdout, port) {
                problems.push(format!("iptables rule drops TCP {port}: {}", b.text));
                evidence.push(save.stdout.evidence_at(b.line));
            }
            if let Some(p) = firewall::iptables_input_policy_drop(&save.stdout)
                .filter(|_| !firewall::iptables_accepts(&save.stdout, port))
            {
                problems.push(format!(
                    "INPUT policy is DROP and no rule accepts TCP {port}"
                ));
                evidence.push(save.stdout.evidence_at(p.line));
            }
        }
    }
    if let Ok(nft) = ctx.command(&["nft", "list", "ruleset"]) {
        for &port in ports {
            for b in firewall::nft_blocking(&nft.stdout, port) {
                problems.push(format!("nftables rule drops TCP {port}: {}", b.text));
                evidence.push(nft.stdout.evidence_at(b.line));
            }
        }
    }
}
