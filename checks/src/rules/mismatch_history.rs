//! Whether a timeout mismatch the kernel logged still holds. A node's log keeps
//! complaints from before a peer was reconfigured; repeating them as a current
//! fault sends people to fix what is already fixed. A complaint is over when the
//! log itself says so (a later connection to that peer, a registration, a boot:
//! [`crate::kernlog::history`]), or when that peer's own evidence (cluster mode)
//! shows it now runs this node's value.

use super::common::{configfs_cluster, node_number};
use crate::context::NodeCtx;
use crate::kernlog::event::{O2Event, Setting};
use crate::kernlog::history::{self, Window};
use crate::kernlog::node_events::NodeEvents;
use crate::parse::configfs::ConfigfsCluster;

/// How a logged mismatch stands now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Standing {
    /// Nothing says it is over.
    Current,
    /// Over, and why (for the evidence).
    Over(String),
}

/// The peer node number a mismatch event is about.
fn peer_number(e: &O2Event) -> Option<u32> {
    match e {
        O2Event::NetMismatch { peer, node, .. } => peer.as_ref().map(|p| p.num).or(*node),
        _ => None,
    }
}

/// A peer's node number and the timeouts it runs now (its configfs).
pub struct PeerNow {
    pub name: String,
    pub num: u32,
    pub cluster: ConfigfsCluster,
}

/// Every peer whose number and running timeouts are known, read once per check
/// (a log can hold hundreds of mismatch lines).
pub fn peers_now(ctx: &NodeCtx) -> Vec<PeerNow> {
    ctx.peers
        .iter()
        .filter_map(|p| {
            let peer = ctx.peer(*p);
            Some(PeerNow {
                name: p.node().to_string(),
                num: node_number(&peer)?,
                cluster: configfs_cluster(&peer).ok().flatten()?,
            })
        })
        .collect()
}

/// The standing of `events[index]`, a `NetMismatch`.
pub fn standing(log: &NodeEvents, index: usize, peers: &[PeerNow], window: &Window) -> Standing {
    let events = &log.events;
    if let history::Standing::History(why) =
        history::standing(events, index, log.boot.as_ref(), window)
    {
        return Standing::Over(why);
    }
    let Some(num) = peer_number(&events[index].event) else {
        return Standing::Current;
    };
    let O2Event::NetMismatch { setting, ours, .. } = &events[index].event else {
        return Standing::Current;
    };
    for p in peers.iter().filter(|p| p.num == num) {
        if value_ms(*setting, &p.cluster) == Some(*ours) {
            return Standing::Over(format!(
                "{} (node {num}) now runs {ours} ms, as this node does",
                p.name
            ));
        }
    }
    Standing::Current
}

/// What a node's configfs says for the value a handshake compares, in ms.
fn value_ms(setting: Setting, c: &ConfigfsCluster) -> Option<u64> {
    let threshold = c.dead_threshold.map(u64::from);
    match setting {
        Setting::IdleTimeout => c.idle_timeout_ms.map(u64::from),
        Setting::Keepalive => c.keepalive_delay_ms.map(u64::from),
        // o2hb: dead count = threshold x 2 s; o2net's heartbeat timeout is one less.
        Setting::DeadCount => threshold.map(|t| t * 2000),
        Setting::HeartbeatTimeout => threshold.map(|t| t.saturating_sub(1) * 2000),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::context::Options;
    use crate::kernlog::node_events::node_events_now;
    use crate::rules::test_bundle::{edit, fixture, fixture_copy};
    use crate::source::{Bundle, Source};

    /// The standing of every mismatch in n150's log of the port-blocked lab run,
    /// with `peers` (bundle dirs) as the other nodes' evidence.
    fn standings(peers: &[&std::path::Path]) -> Vec<Standing> {
        let me = Bundle::open(&fixture("bundles/lab-cluster-port-blocked-n150")).unwrap();
        let peers: Vec<Bundle> = peers.iter().map(|p| Bundle::open(p).unwrap()).collect();
        let options = Options::default();
        let ctx = NodeCtx::new(&me as &dyn Source, &options)
            .with_peers(peers.iter().map(|p| p as &dyn Source).collect());
        let log = node_events_now(&ctx).unwrap();
        let window = Window::of(ctx.source, None);
        let now = peers_now(&ctx);
        (0..log.events.len())
            .filter(|&i| matches!(log.events[i].event, O2Event::NetMismatch { .. }))
            .map(|i| standing(&log, i, &now, &window))
            .collect()
    }

    #[test]
    fn without_the_peers_evidence_every_mismatch_stands() {
        let s = standings(&[]);
        assert!(!s.is_empty());
        assert!(s.iter().all(|s| *s == Standing::Current), "{s:?}");
    }

    /// n151 now runs idle 5000 ms and threshold 7 (dead count 14000 ms,
    /// heartbeat timeout 12000 ms), n150's values: each logged mismatch is over.
    #[test]
    fn a_peer_now_running_this_nodes_values_ends_them() {
        let s = standings(&[&fixture("bundles/lab-cluster-port-blocked-n151")]);
        assert!(!s.is_empty());
        for st in &s {
            match st {
                Standing::Over(why) => {
                    assert!(
                        why.starts_with("n151.ocfs2.test (node 2) now runs "),
                        "{why}"
                    )
                }
                Standing::Current => panic!("{s:?}"),
            }
        }
    }

    /// n151 still at the 6000 ms it logged: the idle-timeout mismatch stands,
    /// the others (threshold fixed) are over.
    #[test]
    fn a_peer_still_running_the_logged_value_keeps_it_current() {
        let n151 = fixture_copy("bundles/lab-cluster-port-blocked-n151");
        edit(
            n151.path(),
            "sys/kernel/config/cluster/o2lab/idle_timeout_ms",
            "5000",
            "6000",
        );
        let s = standings(&[n151.path()]);
        assert!(s.contains(&Standing::Current), "{s:?}");
        assert!(s.iter().any(|s| matches!(s, Standing::Over(_))), "{s:?}");
    }
}
