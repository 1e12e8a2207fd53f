//! Where an o2net connection failure lies when several nodes' evidence is known.
//! A probe from A to C that fails says something is wrong between them; C's own
//! evidence (a firewall rule dropping the port, or nobody able to reach C while C
//! reaches out fine) says the fault is C's, and that is where the fix goes.

use super::common::o2cb_node_is_local;
use super::o2net_targets::local_ips;
use crate::context::NodeCtx;
use crate::error::EvidenceError;
use crate::parse::cluster_conf_rules::{Model, Node};
use crate::parse::firewall;
use crate::source::Source;
use o2check_reports::Evidence;
use std::net::SocketAddrV4;
use std::time::Duration;

/// A firewall rule on a node that drops an o2net port.
pub struct Block {
    pub problem: String,
    pub evidence: Evidence,
}

/// The node whose evidence explains an unreachable port, and how.
pub struct Blame {
    pub node: String,
    pub why: String,
}

/// What this node's firewall rulesets say about the o2net ports.
pub struct Firewall {
    pub blocks: Vec<Block>,
    /// Rulesets that were read (`iptables-save`, `nft list ruleset`): only these
    /// can support "no rule blocks the port".
    pub answered: Vec<&'static str>,
    /// Why the others could not be read.
    pub gaps: Vec<EvidenceError>,
}

/// Rules in this node's iptables or nftables ruleset that drop one of `ports`.
pub fn firewall_blocks(ctx: &NodeCtx, ports: &[u16]) -> Vec<Block> {
    firewall(ctx, ports).blocks
}

/// [`firewall_blocks`], with which rulesets answered.
pub fn firewall(ctx: &NodeCtx, ports: &[u16]) -> Firewall {
    let mut out = Vec::new();
    let mut answered = Vec::new();
    let mut gaps = Vec::new();
    let save = ctx.command(&["iptables-save"]);
    if let Err(e) = &save {
        gaps.push(e.clone());
    }
    if let Ok(save) = save {
        answered.push("iptables-save");
        for &port in ports {
            for b in firewall::iptables_blocking(&save.stdout, port) {
                out.push(Block {
                    problem: format!("iptables rule drops TCP {port}: {}", b.text),
                    evidence: save.stdout.evidence_at(b.line),
                });
            }
            if let Some(p) = firewall::iptables_input_policy_drop(&save.stdout)
                .filter(|_| !firewall::iptables_accepts(&save.stdout, port))
            {
                out.push(Block {
                    problem: format!("INPUT policy is DROP and no rule accepts TCP {port}"),
                    evidence: save.stdout.evidence_at(p.line),
                });
            }
        }
    }
    let nft = ctx.command(&["nft", "list", "ruleset"]);
    if let Err(e) = &nft {
        gaps.push(e.clone());
    }
    if let Ok(nft) = nft {
        answered.push("nft list ruleset");
        for &port in ports {
            for b in firewall::nft_blocking(&nft.stdout, port) {
                out.push(Block {
                    problem: format!("nftables rule drops TCP {port}: {}", b.text),
                    evidence: nft.stdout.evidence_at(b.line),
                });
            }
        }
    }
    Firewall {
        blocks: out,
        answered,
        gaps,
    }
}

/// The peer evidence that stands for cluster.conf `node`: the peer whose hostname
/// o2cb would match to it, or whose interfaces carry its address.
fn peer_for<'a>(ctx: &NodeCtx<'a>, node: &Node) -> Option<&'a dyn Source> {
    ctx.peers.iter().copied().find(|p| {
        let peer = ctx.peer(*p);
        let host = peer.hostname().map(|h| h.content).unwrap_or_default();
        o2cb_node_is_local(&node.name, &host) || local_ips(&peer).contains(&node.ip)
    })
}

/// Does `node`'s own evidence explain why this node cannot reach its port?
pub fn peer_explains(ctx: &NodeCtx, model: &Model, node: &Node) -> Option<Blame> {
    let source = peer_for(ctx, node)?;
    let peer = ctx.peer(source);
    let name = source.node().to_string();
    if let Some(block) = firewall_blocks(&peer, &[node.port]).into_iter().next() {
        return Some(Blame {
            node: name,
            why: block.problem,
        });
    }
    // Nobody reaches it, while it reaches others: its inbound side is at fault
    // (a firewall o2check cannot read, a listener bound elsewhere).
    let addr = SocketAddrV4::new(node.ip, node.port);
    let probers: Vec<bool> = ctx
        .peers
        .iter()
        .filter(|p| p.node() != source.node())
        .filter_map(|p| p.tcp_probe(addr, Duration::from_secs(0)).ok())
        .map(|p| p.connected)
        .collect();
    let outbound_ok = model
        .nodes
        .iter()
        .filter(|n| n.cluster == node.cluster && n.name != node.name)
        .filter_map(|n| {
            source
                .tcp_probe(SocketAddrV4::new(n.ip, n.port), Duration::from_secs(0))
                .ok()
        })
        .any(|p| p.connected);
    // This node failed too, so one more failed prober is enough.
    (!probers.is_empty() && probers.iter().all(|c| !c) && outbound_ok).then(|| Blame {
        node: name,
        why: format!(
            "no node can connect to {addr} while it connects out fine: its inbound side drops the port"
        ),
    })
}

/// Peers that recorded a failed connection to this node's o2net address.
pub fn inbound_failures(ctx: &NodeCtx, addr: SocketAddrV4) -> Vec<(String, String)> {
    ctx.peers
        .iter()
        .filter_map(|p| {
            let probe = p.tcp_probe(addr, Duration::from_secs(0)).ok()?;
            (!probe.connected).then(|| (p.node().to_string(), probe.error.unwrap_or_default()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::context::Options;
    use crate::rules::common::cluster_conf;
    use crate::rules::test_bundle::fixture;
    use crate::source::Bundle;

    /// The port-blocked lab run: n150 drops TCP 7777 (iptables), n151's probe
    /// of 10.77.0.150:7777 timed out. `f` gets `me`'s context with `peers`.
    fn with_ctx<T>(me: &str, peers: &[&str], f: impl FnOnce(&NodeCtx, &Model) -> T) -> T {
        let me = Bundle::open(&fixture(me)).unwrap();
        let peers: Vec<Bundle> = peers
            .iter()
            .map(|p| Bundle::open(&fixture(p)).unwrap())
            .collect();
        let options = Options::default();
        let ctx = NodeCtx::new(&me as &dyn Source, &options)
            .with_peers(peers.iter().map(|p| p as &dyn Source).collect());
        let (_, model) = cluster_conf(&ctx).unwrap();
        f(&ctx, &model)
    }

    const N150: &str = "bundles/lab-cluster-port-blocked-n150";
    const N151: &str = "bundles/lab-cluster-port-blocked-n151";

    #[test]
    fn the_node_whose_firewall_drops_the_port_is_blamed() {
        with_ctx(N151, &[N150], |ctx, model| {
            let n150 = model.nodes.iter().find(|n| n.number == 1).unwrap();
            let blame = peer_explains(ctx, model, n150).expect("n150's firewall explains it");
            assert_eq!(blame.node, "n150.ocfs2.test");
            assert_eq!(
                blame.why,
                "iptables rule drops TCP 7777: -A INPUT -p tcp -m tcp --dport 7777 -j DROP"
            );
        });
    }

    /// Without the peer's evidence nothing explains it; a peer whose firewall
    /// lets the port through (healthy n150) explains nothing either.
    #[test]
    fn no_blame_without_evidence_that_explains() {
        with_ctx(N151, &[], |ctx, model| {
            let n150 = model.nodes.iter().find(|n| n.number == 1).unwrap();
            assert!(peer_explains(ctx, model, n150).is_none());
        });
        with_ctx(N151, &["bundles/lab-cluster-healthy-n150"], |ctx, model| {
            let n150 = model.nodes.iter().find(|n| n.number == 1).unwrap();
            assert!(peer_explains(ctx, model, n150).is_none());
        });
    }

    #[test]
    fn the_firewall_reports_what_it_read() {
        with_ctx(N150, &[], |ctx, _| {
            let wall = firewall(ctx, &[7777]);
            assert_eq!(wall.answered, ["iptables-save"]);
            assert_eq!(wall.blocks.len(), 1);
            assert_eq!(wall.gaps.len(), 1, "nft was not collected");
            assert!(firewall(ctx, &[7778]).blocks.is_empty());
        });
    }

    #[test]
    fn a_peers_failed_probe_is_an_inbound_failure() {
        with_ctx(N150, &[N151], |ctx, _| {
            let addr: SocketAddrV4 = "10.77.0.150:7777".parse().unwrap();
            assert_eq!(
                inbound_failures(ctx, addr),
                [("n151.ocfs2.test".to_string(), "timed out".to_string())]
            );
            let other: SocketAddrV4 = "10.77.0.151:7777".parse().unwrap();
            assert!(inbound_failures(ctx, other).is_empty());
        });
    }
}
