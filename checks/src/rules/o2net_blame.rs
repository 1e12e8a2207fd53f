//! Where an o2net connection failure lies when several nodes' evidence is known.
//! A probe from A to C that fails says something is wrong between them; C's own
//! evidence (a firewall rule dropping the port, or nobody able to reach C while C
//! reaches out fine) says the fault is C's, and that is where the fix goes.

use super::common::local_node_names;
use super::o2net_targets::local_ips;
use crate::context::NodeCtx;
use crate::error::EvidenceError;
use crate::parse::cluster_conf_rules::{Model, Node};
use crate::parse::firewall;
use crate::source::Source;
use o2check_reports::Evidence;
use std::collections::HashMap;
use std::net::{Ipv4Addr, SocketAddrV4};
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

/// Which peer's evidence stands for a cluster.conf node: the first peer whose
/// hostname o2cb would match to the node's name, or whose interfaces carry its
/// address. Built once per check run from each peer's hostname and `ip -o addr`
/// (one pass over the peers), so that finding the peer of every failed node is
/// a lookup, not a scan of all peers each (quadratic when many nodes fail).
pub struct PeerIndex<'a> {
    peers: Vec<&'a dyn Source>,
    /// Every node name o2cb would call local on a peer (see [`local_node_names`]),
    /// with the first peer it names.
    by_name: HashMap<String, usize>,
    by_ip: HashMap<Ipv4Addr, usize>,
}

impl<'a> PeerIndex<'a> {
    pub fn new(ctx: &NodeCtx<'a>) -> PeerIndex<'a> {
        let mut by_name = HashMap::new();
        let mut by_ip = HashMap::new();
        for (i, &source) in ctx.peers.iter().enumerate() {
            let peer = ctx.peer(source);
            let host = peer.hostname().map(|h| h.content).unwrap_or_default();
            for name in local_node_names(&host) {
                by_name.entry(name).or_insert(i);
            }
            for ip in local_ips(&peer) {
                by_ip.entry(ip).or_insert(i);
            }
        }
        PeerIndex {
            peers: ctx.peers.clone(),
            by_name,
            by_ip,
        }
    }

    /// The first peer (in the context's order) that stands for `node`.
    fn peer_for(&self, node: &Node) -> Option<&'a dyn Source> {
        let by_name = self.by_name.get(&node.name.to_ascii_lowercase());
        let by_ip = self.by_ip.get(&node.ip);
        by_name
            .into_iter()
            .chain(by_ip)
            .min()
            .map(|&i| self.peers[i])
    }
}

/// Does `node`'s own evidence explain why this node cannot reach its port?
pub fn peer_explains(
    ctx: &NodeCtx,
    peers: &PeerIndex,
    model: &Model,
    node: &Node,
) -> Option<Blame> {
    explain(ctx, peers.peer_for(node)?, model, node)
}

/// [`peer_explains`] once the peer standing for `node` is known.
fn explain(ctx: &NodeCtx, source: &dyn Source, model: &Model, node: &Node) -> Option<Blame> {
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
            let blame = peer_explains(ctx, &PeerIndex::new(ctx), model, n150)
                .expect("n150's firewall explains it");
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
            assert!(peer_explains(ctx, &PeerIndex::new(ctx), model, n150).is_none());
        });
        with_ctx(N151, &["bundles/lab-cluster-healthy-n150"], |ctx, model| {
            let n150 = model.nodes.iter().find(|n| n.number == 1).unwrap();
            assert!(peer_explains(ctx, &PeerIndex::new(ctx), model, n150).is_none());
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

    /// The peer lookup before [`PeerIndex`]: every peer tried in turn, for each node.
    fn peer_by_scan<'a>(ctx: &NodeCtx<'a>, node: &Node) -> Option<&'a dyn Source> {
        ctx.peers.iter().copied().find(|p| {
            let peer = ctx.peer(*p);
            let host = peer.hostname().map(|h| h.content).unwrap_or_default();
            crate::rules::common::o2cb_node_is_local(&node.name, &host)
                || local_ips(&peer).contains(&node.ip)
        })
    }

    /// A peer's bundle: its hostname (`uname -n`), `ip -o addr` with `ips`, and
    /// when `drops` an iptables rule dropping TCP 7777 (formats of the lab's
    /// port-blocked bundles, fixtures/bundles/lab-cluster-port-blocked-n150).
    fn peer_bundle(root: &std::path::Path, host: &str, ips: &[Ipv4Addr], drops: bool) -> Bundle {
        let dir = root.join(host);
        std::fs::create_dir_all(dir.join("commands")).unwrap();
        std::fs::write(dir.join("meta.json"), format!("{{\"host\":\"{host}\"}}")).unwrap();
        std::fs::write(dir.join("commands/uname_-n"), format!("{host}\n")).unwrap();
        let mut addr = String::from("1: lo    inet 127.0.0.1/8 scope host lo\\       valid_lft forever preferred_lft forever\n");
        for (i, ip) in ips.iter().enumerate() {
            addr.push_str(&format!(
                "{n}: eth{i}    inet {ip}/16 scope global eth{i}\\       valid_lft forever preferred_lft forever\n",
                n = i + 2
            ));
        }
        std::fs::write(dir.join("commands/ip_-o_addr"), addr).unwrap();
        let rules = match drops {
            true => "*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -p tcp -m tcp --dport 7777 -j DROP\nCOMMIT\n",
            false => "*filter\n:INPUT ACCEPT [0:0]\nCOMMIT\n",
        };
        std::fs::write(dir.join("commands/iptables-save"), rules).unwrap();
        Bundle::open(&dir).unwrap()
    }

    /// 255 nodes (o2cb's maximum), every one failing: peers found by hostname
    /// (with and without a domain, in upper case), by address only, two peers
    /// claiming one node (the first wins), nodes nobody stands for. The index
    /// finds the same peer, and so the same blame, as the scan did.
    #[test]
    fn the_index_blames_as_the_scan_did_on_255_failed_nodes() {
        let tmp = tempfile::tempdir().unwrap();
        let ip = |i: usize| Ipv4Addr::new(10, 1, (i / 200) as u8, (i % 200 + 1) as u8);
        let nodes: Vec<Node> = (0..255)
            .map(|i| Node {
                name: format!("node{i}"),
                cluster: "big".into(),
                number: i as u32,
                ip: ip(i),
                port: 7777,
                line: 0,
            })
            .collect();
        let peers: Vec<Bundle> = (1..255)
            .filter(|i| i % 17 != 0) // nobody's evidence for these
            .map(|i| {
                let (host, ips) = match i % 5 {
                    0 => (format!("node{i}.cluster.example"), vec![ip(i)]),
                    1 => (format!("NODE{i}"), vec![]),
                    // Named otherwise: only its address says which node it is.
                    2 => (format!("storage-{i}"), vec![ip(i)]),
                    // Also carries the address of node i+2, whose own peer
                    // comes later and matches by name: the first peer wins.
                    3 => (format!("node{i}"), vec![ip(i), ip(i + 2)]),
                    _ => (format!("other-{i}.example"), vec![]),
                };
                peer_bundle(tmp.path(), &host, &ips, i % 3 == 0)
            })
            .collect();
        let me = peer_bundle(tmp.path(), "node0", &[ip(0)], false);
        let options = Options::default();
        let ctx = NodeCtx::new(&me as &dyn Source, &options)
            .with_peers(peers.iter().map(|p| p as &dyn Source).collect());
        let model = Model {
            clusters: Vec::new(),
            nodes: nodes.clone(),
            problems: Vec::new(),
        };
        let index = PeerIndex::new(&ctx);
        let (mut found, mut blamed) = (0, 0);
        for node in &nodes {
            let scanned = peer_by_scan(&ctx, node);
            let indexed = index.peer_for(node);
            assert_eq!(
                indexed.map(|s| s.node().to_string()),
                scanned.map(|s| s.node().to_string()),
                "{}",
                node.name
            );
            let old = scanned.and_then(|s| explain(&ctx, s, &model, node));
            let new = peer_explains(&ctx, &index, &model, node);
            assert_eq!(
                new.as_ref().map(|b| (&b.node, &b.why)),
                old.as_ref().map(|b| (&b.node, &b.why)),
                "{}",
                node.name
            );
            found += usize::from(indexed.is_some());
            blamed += usize::from(new.is_some());
        }
        // The case covers both outcomes, not only "nobody found".
        assert!(found > 150 && found < 255, "{found}");
        assert!(blamed > 30 && blamed < found, "{blamed}");
    }
}
