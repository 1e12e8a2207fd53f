//! The names a fix needs, read from one node's evidence: distribution family,
//! ocfs2-tools version, cluster, the node stanza this host should be, device and
//! mount point, the peers' timeouts and the peers it cannot reach. Best effort:
//! what the evidence does not give stays `None` and the fix shows a placeholder.

use crate::context::NodeCtx;
use crate::kernlog::event::{O2Event, Setting};
use crate::kernlog::node_events::Located;
use crate::parse::{configfs, mount_table, net};
use crate::rules::common::{boot_cluster, cluster_conf, local_nodes, O2CB_SYSCONFIG};
use regex::Regex;
use std::sync::OnceLock;

/// Which init-script and sysconfig conventions the node follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// Debian, Ubuntu: /etc/default/o2cb, /etc/init.d/o2cb.
    Debian,
    /// RHEL, Oracle Linux, CentOS, SUSE: /etc/sysconfig/o2cb.
    Rhel,
}

/// The other side's timeouts, from this node's `uses a ... of A ms, but we use
/// B ms locally` lines (kernel cluster/tcp.c o2net_check_handshake()).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PeerTimeouts {
    pub idle_ms: Option<u32>,
    pub keepalive_ms: Option<u32>,
    pub heartbeat_ms: Option<u32>,
}

/// A peer this node could not connect to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Peer {
    pub name: String,
    pub port: u16,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Names {
    pub family: Option<Family>,
    pub tools: Option<(u32, u32, u32)>,
    pub cluster: Option<String>,
    /// The node stanza this host should be (its hostname matched none).
    pub intended_node: Option<String>,
    /// Every node name of the cluster in cluster.conf.
    pub node_names: Vec<String>,
    pub local_ip: Option<String>,
    pub port: Option<u16>,
    /// (device, mount point) of the failed mount.
    pub mount: Option<(String, String)>,
    /// A cluster directory exists in configfs.
    pub registered: bool,
    /// The evidence shows ocfs2_nodemanager loaded.
    pub modules_loaded: bool,
    /// cluster.conf defines the cluster (true when it cannot be told).
    pub cluster_in_conf: bool,
    pub peer_timeouts: PeerTimeouts,
    pub unreachable_peers: Vec<Peer>,
    /// The other nodes of the last DLM domain this node joined (cluster.conf
    /// names), or every other node when the log does not list the members.
    pub domain_peers: Vec<String>,
    /// Heartbeat regions the stale-heartbeat-region check found.
    pub stale_regions: Vec<String>,
}

fn family(ctx: &NodeCtx) -> Option<Family> {
    if let Ok(t) = ctx.file("/etc/os-release") {
        let ids: String = t
            .content
            .lines()
            .filter(|l| l.starts_with("ID=") || l.starts_with("ID_LIKE="))
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase();
        if ids.contains("debian") || ids.contains("ubuntu") {
            return Some(Family::Debian);
        }
        if ["rhel", "centos", "fedora", "ol", "suse", "sles"]
            .iter()
            .any(|d| ids.split(['=', '"', ' ']).any(|w| w == *d))
        {
            return Some(Family::Rhel);
        }
    }
    // The init script itself picks its file by distribution (o2cb.init.sh).
    match (
        ctx.file(O2CB_SYSCONFIG[1]).is_ok(),
        ctx.file(O2CB_SYSCONFIG[0]).is_ok(),
    ) {
        (true, false) => Some(Family::Debian),
        (false, true) => Some(Family::Rhel),
        _ => None,
    }
}

fn tools(ctx: &NodeCtx) -> Option<(u32, u32, u32)> {
    let out = ctx.command(&["o2cb_ctl", "-V"]).ok()?;
    let v = out.stdout.content.split_whitespace().last()?.to_string();
    let mut parts = v.split('.').map(|p| p.parse::<u32>().ok());
    Some((
        parts.next()??,
        parts.next()??,
        parts.next().flatten().unwrap_or(0),
    ))
}

/// The peer's timeouts from o2net_check_handshake()'s mismatch lines (the
/// latest line of each setting wins).
fn peer_timeouts(events: &[Located]) -> PeerTimeouts {
    let mut t = PeerTimeouts::default();
    for e in events {
        if let O2Event::NetMismatch {
            peer: Some(_),
            setting,
            theirs,
            ..
        } = &e.event
        {
            let slot = match setting {
                Setting::IdleTimeout => &mut t.idle_ms,
                Setting::Keepalive => &mut t.keepalive_ms,
                Setting::HeartbeatTimeout => &mut t.heartbeat_ms,
                Setting::DeadCount => continue,
            };
            *slot = u32::try_from(*theirs).ok();
        }
    }
    t
}

/// Peers named in connect failures and not connected since (kernel cluster/tcp.c:
/// `Connection to node %s (num %u) at %pI4:%d shutdown, state 7` (o2net_set_nn_state(),
/// 7 = O2NET_CONN_... a connect that never completed),
/// `No connection established with node %u after ...` (o2net_connect_expired()),
/// cleared by `Connected to node` / `Accepted connection from node`; a disconnect
/// (`No longer connected to node`) is not a connection).
fn unreachable(events: &[Located], nodes: &[(String, u32, u16)]) -> Vec<Peer> {
    let mut peers: Vec<Peer> = Vec::new();
    for e in events {
        match &e.event {
            O2Event::NetShutdown { peer, state: 7 } => {
                let port = peer
                    .addr
                    .rsplit(':')
                    .next()
                    .and_then(|p| p.parse().ok())
                    .unwrap_or(7777);
                if !peers.iter().any(|p| p.name == peer.name) {
                    peers.push(Peer {
                        name: peer.name.clone(),
                        port,
                    });
                }
            }
            O2Event::NetNoConnection { node, .. } => {
                if let Some((name, _, port)) = nodes.iter().find(|(_, n, _)| n == node) {
                    if !peers.iter().any(|p| &p.name == name) {
                        peers.push(Peer {
                            name: name.clone(),
                            port: *port,
                        });
                    }
                }
            }
            O2Event::NetConnected { peer, .. } => peers.retain(|p| p.name != peer.name),
            _ => {}
        }
    }
    peers
}

/// Node numbers of the last member list this node printed for its own join
/// (kernel dlm/dlmdomain.c `__dlm_print_nodes()`: `o2dlm: Joining domain %s ( 1 2 )
/// 2 nodes`; 2.6.39 `o2dlm: Nodes in domain %s: 1 2`; OCFS2 1.2 `ocfs2_dlm: Nodes
/// in domain ("%s"): 1 2`).
fn domain_members(events: &[Located]) -> Vec<u32> {
    events
        .iter()
        .rev()
        .find_map(|e| match &e.event {
            O2Event::DlmJoin {
                node: None, nodes, ..
            }
            | O2Event::DlmNodes { nodes, .. }
                if !nodes.is_empty() =>
            {
                Some(nodes.clone())
            }
            _ => None,
        })
        .unwrap_or_default()
}

/// Names from one node's evidence and kernel log.
pub fn read(ctx: &NodeCtx, log: &[Located]) -> Names {
    let mut n = Names {
        family: family(ctx),
        tools: tools(ctx),
        cluster_in_conf: true,
        ..Names::default()
    };
    let configfs = configfs::read(ctx.source)
        .ok()
        .and_then(|c| c.into_iter().next());
    n.registered = configfs.is_some();
    n.modules_loaded = n.registered
        || ctx
            .file("/proc/modules")
            .or_else(|_| ctx.command(&["lsmod"]).map(|o| o.stdout))
            .is_ok_and(|t| t.content.contains("ocfs2_nodemanager"));
    let hostname = ctx.hostname().ok().map(|t| t.content);
    let mut nodes: Vec<(String, u32, u16)> = Vec::new();
    if let Ok((_, model)) = cluster_conf(ctx) {
        let cluster = boot_cluster(ctx, &model)
            .map(|c| c.name.clone())
            .or_else(|| configfs.as_ref().map(|c| c.name.clone()));
        if let Some(name) = &cluster {
            n.cluster_in_conf = model.clusters.iter().any(|c| &c.name == name);
            let stanzas: Vec<_> = model.nodes_of(name).collect();
            nodes = stanzas
                .iter()
                .map(|s| (s.name.clone(), s.number, s.port))
                .collect();
            n.node_names = stanzas.iter().map(|s| s.name.clone()).collect();
            let local = hostname
                .as_deref()
                .map(|h| local_nodes(&model, name, h))
                .unwrap_or_default();
            let addresses: Vec<String> = ctx
                .command(&["ip", "-o", "addr"])
                .map(|o| {
                    net::local_addresses(&o.stdout)
                        .into_iter()
                        .map(|(a, _)| a.to_string())
                        .collect()
                })
                .unwrap_or_default();
            // The stanza this host is: o2cb's own match; else the one whose
            // address is up here; else the one with the same short name.
            let short = hostname
                .as_deref()
                .map(|h| h.split('.').next().unwrap_or(h).to_lowercase());
            let me = match local.as_slice() {
                [one] => Some(*one),
                _ => stanzas
                    .iter()
                    .copied()
                    .find(|s| addresses.contains(&s.ip.to_string()))
                    .or_else(|| {
                        let mut same = stanzas.iter().copied().filter(|s| {
                            short.as_deref()
                                == Some(
                                    s.name
                                        .split('.')
                                        .next()
                                        .unwrap_or("")
                                        .to_lowercase()
                                        .as_str(),
                                )
                        });
                        match (same.next(), same.next()) {
                            (Some(one), None) => Some(one),
                            _ => None,
                        }
                    }),
            };
            if let Some(me) = me {
                // 6.x prints the member list with pr_cont, which logs often
                // lose (the lab's 6.1 shows `Joining domain X ` alone): then
                // every other node of the cluster may hold the volume.
                let members = domain_members(log);
                n.domain_peers = stanzas
                    .iter()
                    .filter(|s| s.number != me.number)
                    .filter(|s| members.is_empty() || members.contains(&s.number))
                    .map(|s| s.name.clone())
                    .collect();
                n.local_ip = Some(me.ip.to_string());
                n.port = Some(me.port);
                if local.is_empty() {
                    n.intended_node = Some(me.name.clone());
                }
            }
        } else {
            n.cluster_in_conf = false;
        }
        n.cluster = cluster;
    } else {
        n.cluster = configfs.as_ref().map(|c| c.name.clone());
    }
    if n.cluster.is_none() {
        n.cluster = crate::rules::common::o2cb_config(ctx)
            .ok()
            .and_then(|(_, c)| c.boot_cluster.map(|s| s.value))
            .filter(|s| !s.is_empty());
    }
    n.mount = ctx.file("/etc/fstab").ok().and_then(|t| {
        mount_table::ocfs2(&mount_table::parse(&t))
            .next()
            .map(|e| (e.device.clone(), e.mount_point.clone()))
    });
    n.peer_timeouts = peer_timeouts(log);
    n.unreachable_peers = unreachable(log, &nodes);
    n
}

/// `(device, mount point)` from `... while mounting DEV on DIR. ...` (mount.ocfs2.c main()).
pub fn mount_from_error(text: &str) -> Option<(String, String)> {
    static RE: OnceLock<Regex> = OnceLock::new();
    let re = RE.get_or_init(|| {
        Regex::new(r"while mounting (/\S+) on (/\S+?)\.?(?:\s|$)").expect("valid regex")
    });
    let c = re.captures(text)?;
    Some((c[1].to_string(), c[2].to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::kernlog::lines::LogLine;

    fn line(m: &str) -> Located {
        let l = LogLine {
            origin: "commands/dmesg".into(),
            line: 1,
            stamp: String::new(),
            message: m.into(),
        };
        let mut e = crate::kernlog::node_events::events(&[l]);
        assert_eq!(e.len(), 1, "not an o2 event: {m}");
        e.remove(0)
    }

    #[test]
    fn peers_and_timeouts_from_kernel_lines() {
        let log = [
            line("o2net: node n150.ocfs2.test (num 1) at 10.77.0.150:7777 uses a network idle timeout of 30000 ms, but we use 10000 ms locally. Disconnecting."),
            line("o2net: node n150.ocfs2.test (num 1) at 10.77.0.150:7777 uses a network idle timeout of 5000 ms, but we use 6000 ms locally. Disconnecting."),
            line("o2net: Connection to node n150.ocfs2.test (num 1) at 10.77.0.150:7777 shutdown, state 7"),
            line("o2net: No connection established with node 3 after 10.0 seconds, check network and cluster configuration."),
        ];
        assert_eq!(peer_timeouts(&log).idle_ms, Some(5000));
        let nodes = vec![
            ("n150.ocfs2.test".to_string(), 1, 7777),
            ("n153".to_string(), 3, 7000),
        ];
        let p = unreachable(&log, &nodes);
        assert_eq!(
            p,
            [
                Peer {
                    name: "n150.ocfs2.test".into(),
                    port: 7777
                },
                Peer {
                    name: "n153".into(),
                    port: 7000
                }
            ]
        );
        let later = [
            log[2].clone(),
            line("o2net: Connected to node n150.ocfs2.test (num 1) at 10.77.0.150:7777"),
        ];
        assert!(unreachable(&later, &nodes).is_empty());
        // A disconnect after the failure is not a connection: still unreachable.
        let gone = [
            log[2].clone(),
            line("o2net: No longer connected to node n150.ocfs2.test (num 1) at 10.77.0.150:7777"),
        ];
        assert_eq!(unreachable(&gone, &nodes).len(), 1);
    }

    #[test]
    fn domain_members_both_wordings() {
        assert_eq!(
            domain_members(&[line(
                "o2dlm: Joining domain F47217E35EA246069E452DD9DC166B05 ( 1 2 ) 2 nodes"
            )]),
            [1, 2]
        );
        assert_eq!(
            domain_members(&[line(
                "o2dlm: Nodes in domain 77D95EF51C0149D2823674FCC162CF8B: 0 1 "
            )]),
            [0, 1]
        );
        assert_eq!(
            domain_members(&[line(
                r#"ocfs2_dlm: Nodes in domain ("EF45FD5C600A4BB7933406E5FD408F73"): 0 1 "#
            )]),
            [0, 1]
        );
        // A peer's join is not this node's member list.
        assert!(domain_members(&[line(
            "o2dlm: Node 2 joins domain F47217E35EA246069E452DD9DC166B05 ( 1 2 ) 2 nodes"
        )])
        .is_empty());
        assert!(domain_members(&[line(
            "o2dlm: Leaving domain F47217E35EA246069E452DD9DC166B05"
        )])
        .is_empty());
    }

    #[test]
    fn device_and_mount_point_from_both_wordings() {
        for t in [
            "mount.ocfs2: Internal logic failure while mounting /dev/vda on /mnt/ocfs2. Check 'dmesg' for more information on this error 107.",
            "mount.ocfs2: Transport endpoint is not connected while mounting /dev/vda on /mnt/ocfs2. Check 'dmesg' for more information on this error.",
        ] {
            assert_eq!(mount_from_error(t), Some(("/dev/vda".into(), "/mnt/ocfs2".into())));
        }
        assert_eq!(
            mount_from_error("mount.ocfs2: Internal logic failure while trying to join the group"),
            None
        );
    }
}
