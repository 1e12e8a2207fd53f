//! Which o2net ports this node should try, and which connections already prove
//! reachability. o2net has the higher-numbered node connect to the lower-numbered
//! node's port, bound to its own interconnect address, and the accepting kernel
//! logs every connection that is not such a handshake (`Unexpected connect
//! attempt`, `Attempt to connect from unknown node`, `... already has an open
//! connection`). So a read-only probe goes only where o2net itself goes, from the
//! address o2net uses, and not at all when /proc/net/tcp already shows the
//! established o2net connection (linux fs/ocfs2/cluster/tcp.c, o2net_start_connect()
//! and o2net_accept_one()).

use super::common::local_nodes;
use crate::context::NodeCtx;
use crate::parse::cluster_conf_rules::{Model, Node};
use crate::parse::net;
use o2check_reports::Evidence;
use std::net::{Ipv4Addr, SocketAddrV4};

/// A peer port to check from this node.
pub struct Target<'m> {
    pub node: &'m Node,
    pub addr: SocketAddrV4,
    /// The /proc/net/tcp line of an established o2net connection with this peer.
    pub established: Option<Evidence>,
}

/// This node as cluster.conf knows it, and the ports it should check.
/// `mine` is `None` when no stanza, or several, match this node.
pub struct Plan<'m> {
    /// This node's own stanza, when exactly one is known.
    pub mine: Option<&'m Node>,
    pub targets: Vec<Target<'m>>,
}

pub fn plan<'m>(ctx: &NodeCtx, model: &'m Model, cluster: &'m str) -> Plan<'m> {
    let me = my_node_names(ctx, model, cluster);
    let mine_all: Vec<&Node> = model
        .nodes_of(cluster)
        .filter(|n| me.contains(&n.name))
        .collect();
    let mine = match mine_all.as_slice() {
        [only] => Some(*only),
        _ => None,
    };
    let established = ctx
        .file("/proc/net/tcp")
        .map(|t| {
            net::tcp_established(&t)
                .into_iter()
                .map(|(local, remote, line)| (local, remote, t.evidence_at(line)))
                .collect::<Vec<_>>()
        })
        .unwrap_or_default();
    let targets = model
        .nodes_of(cluster)
        .filter(|n| !me.contains(&n.name))
        // Knowing our number, only the ports o2net itself connects to; not knowing
        // it (a hostname cluster.conf does not match), every peer.
        .filter(|n| mine.is_none_or(|m| n.number < m.number))
        .map(|node| {
            let addr = SocketAddrV4::new(node.ip, node.port);
            let established = established
                .iter()
                .find(|(local, remote, _)| {
                    *remote == addr && mine.is_none_or(|m| *local.ip() == m.ip)
                })
                .map(|(_, _, ev)| ev.clone());
            Target {
                node,
                addr,
                established,
            }
        })
        .collect();
    Plan { mine, targets }
}

/// This node's stanza names: the one o2cb would mark local, and, when the
/// hostname matches none, the one whose address is on a local interface.
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
            .filter(|n| local_ips.contains(&n.ip) && !me.contains(&n.name))
            .map(|n| n.name.clone())
            .collect::<Vec<_>>(),
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

/// The ports `o2check collect` probes (recorded in meta.json for offline runs):
/// the plan's targets without an established connection, with the address to
/// probe from. Nothing when cluster.conf does not load: no check could use them.
pub fn collect_probes(ctx: &NodeCtx) -> Vec<(Option<Ipv4Addr>, SocketAddrV4)> {
    let Ok((_, model)) = super::common::cluster_conf(ctx) else {
        return Vec::new();
    };
    let Some(cluster) = super::common::boot_cluster(ctx, &model) else {
        return Vec::new();
    };
    let p = plan(ctx, &model, &cluster.name);
    p.targets
        .iter()
        .filter(|t| t.established.is_none())
        .map(|t| (p.mine.map(|m| m.ip), t.addr))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::context::Options;
    use crate::rules::common::cluster_conf;
    use crate::rules::test_bundle::{edit, fixture, fixture_copy};
    use crate::source::{Bundle, Source};

    /// n151's established o2net connection to n150 in the lab's /proc/net/tcp
    /// (10.77.0.151:33763 -> 10.77.0.150:7777).
    const ESTABLISHED: &str = "97004D0A:83E3 96004D0A:1E61 01";

    /// Runs `f` on the context of bundle `dir` and its cluster.conf model.
    fn with_plan<T>(dir: &std::path::Path, f: impl FnOnce(&NodeCtx, &Model) -> T) -> T {
        let b = Bundle::open(dir).unwrap();
        let options = Options::default();
        let ctx = NodeCtx::new(&b as &dyn Source, &options);
        let (_, model) = cluster_conf(&ctx).unwrap();
        f(&ctx, &model)
    }

    #[test]
    fn the_higher_numbered_node_targets_the_lower_and_sees_its_connection() {
        with_plan(
            &fixture("bundles/lab-cluster-healthy-n151"),
            |ctx, model| {
                let p = plan(ctx, model, "o2lab");
                assert_eq!(p.mine.map(|m| m.name.as_str()), Some("n151.ocfs2.test"));
                assert_eq!(p.targets.len(), 1);
                assert_eq!(p.targets[0].addr.to_string(), "10.77.0.150:7777");
                let line = p.targets[0].established.as_ref().expect("established");
                assert!(line.text.contains(ESTABLISHED), "{}", line.text);
                assert!(
                    collect_probes(ctx).is_empty(),
                    "a connection needs no probe"
                );
            },
        );
    }

    #[test]
    fn the_lowest_numbered_node_targets_nobody() {
        with_plan(
            &fixture("bundles/lab-cluster-healthy-n150"),
            |ctx, model| {
                let p = plan(ctx, model, "o2lab");
                assert_eq!(p.mine.map(|m| m.number), Some(1));
                assert!(p.targets.is_empty());
            },
        );
    }

    /// Without the established line, collect has to probe n150 from n151's
    /// interconnect address.
    #[test]
    fn a_target_without_a_connection_is_probed_from_the_own_address() {
        let b = fixture_copy("bundles/lab-cluster-healthy-n151");
        edit(
            b.path(),
            "proc/net/tcp",
            ESTABLISHED,
            "97004D0A:83E3 96004D0A:1E61 06",
        );
        with_plan(b.path(), |ctx, _| {
            let probes: Vec<String> = collect_probes(ctx)
                .iter()
                .map(|(from, to)| format!("{from:?} -> {to}"))
                .collect();
            assert_eq!(probes, ["Some(10.77.0.151) -> 10.77.0.150:7777"]);
        });
    }

    /// The lab's hostname fault (n151.test.com, not in cluster.conf): the node
    /// is still found by the address on its interface.
    #[test]
    fn a_hostname_cluster_conf_lacks_is_matched_by_address() {
        with_plan(
            &fixture("bundles/lab-collect-hostname-mismatch-node2"),
            |ctx, model| {
                assert_eq!(my_node_names(ctx, model, "o2lab"), ["n151.ocfs2.test"]);
                assert!(local_ips(ctx).contains(&"10.77.0.151".parse().unwrap()));
            },
        );
    }

    #[test]
    fn no_cluster_conf_means_no_probes() {
        let b = Bundle::open(&fixture("bundles/sos-hostname-mismatch-node2")).unwrap();
        let options = Options::default();
        assert!(collect_probes(&NodeCtx::new(&b as &dyn Source, &options)).is_empty());
    }
}
