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
