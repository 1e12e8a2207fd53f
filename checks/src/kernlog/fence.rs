//! The kernel and o2hbmonitor lines that tell who fenced and why: the fenced
//! node's own last words, and what the survivors saw (the peer's heartbeat
//! negotiation, the eviction, DLM recovery, the journal replay).
//!
//! Wordings, from the sources that print them:
//! - linux fs/ocfs2/cluster/quorum.c, o2quo_fence_self(): `*** ocfs2 is very
//!   sorry to be fencing this system by restarting ***` (or `panicing`);
//!   o2quo_make_decision(): `fencing this node because it is only connected to
//!   %u nodes and %u is needed to make a quorum out of %u heartbeating nodes`
//!   and `fencing this node because it is connected to a half-quorum of %u out
//!   of %u nodes which doesn't include the lowest active node %u`.
//! - linux fs/ocfs2/cluster/heartbeat.c, o2hb_write_timeout(): `Heartbeat write
//!   timeout to device %s after %u milliseconds`; o2hb_nego_timeout(): `node %d
//!   hb write hung for %ds on region %s (%pg), negotiate timeout with node %d.`;
//!   o2hb_nego_timeout_handler(): `receive negotiate timeout message from node
//!   %d on region %s (%pg).`
//! - linux fs/ocfs2/stack_o2cb.c, o2dlm_eviction_cb(): `o2dlm has evicted node
//!   %d from domain %.*s`; fs/ocfs2/dlm/dlmrecovery.c: `Begin recovery on domain
//!   %s for node %u`; fs/ocfs2/journal.c, ocfs2_replay_journal(): `Begin replay
//!   journal (node %d, slot %d) on device (%u,%u)`.
//! - linux fs/ocfs2/cluster/tcp.c, o2net_set_nn_state(): `No longer connected
//!   to node %s (num %u) at %pI4:%u`.
//! - ocfs2-tools o2monitor/o2hbmonitor.c, process_elapsed_time():
//!   `Last ping %lu msecs ago on /dev/%s, %s` (device, region; syslog, not the
//!   kernel; warns from a percentage of the dead threshold).
//!
//! The wording is recognised once, by kernlog/event.rs (the same `O2Event`s the
//! facts layer caches); this file only picks the events that tell a fence story.

use super::event::{self, O2Event, Recovering};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FenceEvent {
    /// This node fences itself now (`restarting` or `panicing`).
    SelfFence { method: String },
    /// This node fences because it lost the network quorum.
    QuorumLost { text: String },
    /// This node's heartbeat write did not complete within the dead time.
    WriteTimeout { device: String, ms: u64 },
    /// This node's heartbeat write hung for half the dead time: it asks the
    /// lowest live node to negotiate a longer timeout.
    WriteHung {
        node: u32,
        secs: u64,
        device: String,
        asked: u32,
    },
    /// A peer told this node its heartbeat write hung on DEVICE.
    PeerWriteHung { node: u32, device: String },
    /// This node's DLM evicted a dead peer from a domain.
    Evicted { node: u32, domain: String },
    /// This node recovers a dead peer's locks.
    RecoveryBegin { node: u32, domain: String },
    /// This node replays a dead peer's journal.
    JournalReplay { node: u32, slot: u32 },
    /// o2net lost its connection to a peer.
    Disconnected { node: u32, name: String },
    /// o2hbmonitor: this node's last heartbeat write is this old.
    LastPing {
        msecs: u64,
        device: String,
        region: String,
    },
}

/// The fence-story event one kernel (or o2hbmonitor) message carries, if any.
pub fn recognize(message: &str) -> Option<FenceEvent> {
    from_event(event::recognize(message)?)
}

/// The fence-story view of an event, or `None` for events that tell none.
pub fn from_event(event: O2Event) -> Option<FenceEvent> {
    Some(match event {
        O2Event::Fence {
            method: Some(method),
            by_quorum: false,
            ..
        } => FenceEvent::SelfFence { method },
        O2Event::Fence {
            text,
            by_quorum: true,
            ..
        } => FenceEvent::QuorumLost {
            text: text.trim_end().to_string(),
        },
        O2Event::HbWriteTimeout { device, ms } => FenceEvent::WriteTimeout { device, ms },
        O2Event::HbWriteHung {
            node,
            secs,
            device,
            asked,
        } => FenceEvent::WriteHung {
            node,
            secs,
            device,
            asked,
        },
        O2Event::HbPeerWriteHung { node, device } => FenceEvent::PeerWriteHung { node, device },
        O2Event::DlmRecovery {
            domain,
            of: Some(Recovering::Evicted(node)),
            ..
        } => FenceEvent::Evicted { node, domain },
        O2Event::DlmRecovery {
            domain,
            of: Some(Recovering::Begin(node)),
            ..
        } => FenceEvent::RecoveryBegin { node, domain },
        O2Event::FsReplay {
            journal: Some((node, slot)),
            ..
        } => FenceEvent::JournalReplay { node, slot },
        O2Event::NetDisconnected { peer } => FenceEvent::Disconnected {
            node: peer.num,
            name: peer.name,
        },
        O2Event::HbLastPing {
            msecs,
            device,
            region,
        } => FenceEvent::LastPing {
            msecs,
            device,
            region,
        },
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Lines of the lab's real fence (fixtures/captures/lab-iscsi): node 2's
    /// console and node 1's dmesg, prefixes as the kernel printed them.
    #[test]
    fn the_lab_fence_lines() {
        assert_eq!(
            recognize("(kworker/0:0,7,0):o2hb_write_timeout:301 ERROR: Heartbeat write timeout to device dm-1 after 12136 milliseconds"),
            Some(FenceEvent::WriteTimeout { device: "dm-1".into(), ms: 12136 })
        );
        assert_eq!(
            recognize("*** ocfs2 is very sorry to be fencing this system by restarting ***"),
            Some(FenceEvent::SelfFence {
                method: "restarting".into()
            })
        );
        assert_eq!(
            recognize("o2hb: node 2 hb write hung for 6s on region 4FB46B5AF94A4C808003B7C416F04F05 (dm-1), negotiate timeout with node 1."),
            Some(FenceEvent::WriteHung { node: 2, secs: 6, device: "dm-1".into(), asked: 1 })
        );
        assert_eq!(
            recognize("o2hb: receive negotiate timeout message from node 2 on region 4FB46B5AF94A4C808003B7C416F04F05 (dm-1)."),
            Some(FenceEvent::PeerWriteHung { node: 2, device: "dm-1".into() })
        );
        assert_eq!(
            recognize(
                "o2cb: o2dlm has evicted node 2 from domain 4FB46B5AF94A4C808003B7C416F04F05"
            ),
            Some(FenceEvent::Evicted {
                node: 2,
                domain: "4FB46B5AF94A4C808003B7C416F04F05".into()
            })
        );
        assert_eq!(
            recognize(
                "o2dlm: Begin recovery on domain 4FB46B5AF94A4C808003B7C416F04F05 for node 2"
            ),
            Some(FenceEvent::RecoveryBegin {
                node: 2,
                domain: "4FB46B5AF94A4C808003B7C416F04F05".into()
            })
        );
        assert_eq!(
            recognize("ocfs2: Begin replay journal (node 2, slot 0) on device (253,1)"),
            Some(FenceEvent::JournalReplay { node: 2, slot: 0 })
        );
        assert_eq!(
            recognize(
                "o2net: No longer connected to node n151.ocfs2.test (num 2) at 10.77.0.151:7777"
            ),
            Some(FenceEvent::Disconnected {
                node: 2,
                name: "n151.ocfs2.test".into()
            })
        );
    }

    /// Built from the format strings in quorum.c and o2hbmonitor.c (no lab
    /// run produced them: the lab fences on the disk, and runs no o2hbmonitor).
    #[test]
    fn quorum_and_o2hbmonitor_wordings() {
        assert!(matches!(
            recognize("(kworker/u2:1,50,0):o2quo_make_decision:144 ERROR: fencing this node because it is only connected to 1 nodes and 2 is needed to make a quorum out of 3 heartbeating nodes"),
            Some(FenceEvent::QuorumLost { .. })
        ));
        assert!(matches!(
            recognize("fencing this node because it is connected to a half-quorum of 1 out of 2 nodes which doesn't include the lowest active node 1"),
            Some(FenceEvent::QuorumLost { .. })
        ));
        assert_eq!(
            recognize("o2hbmonitor: Last ping 7012 msecs ago on /dev/dm-1, 4FB46B5AF94A4C808003B7C416F04F05"),
            Some(FenceEvent::LastPing { msecs: 7012, device: "dm-1".into(), region: "4FB46B5AF94A4C808003B7C416F04F05".into() })
        );
        assert_eq!(
            recognize("*** ocfs2 is very sorry to be fencing this system by panicing ***"),
            Some(FenceEvent::SelfFence {
                method: "panicing".into()
            })
        );
    }

    #[test]
    fn unrelated_and_other_stack_lines() {
        assert_eq!(recognize("o2hb: Heartbeat mode set to local"), None);
        assert_eq!(recognize("dlm: lockspace: recover 1"), None);
        assert_eq!(recognize(""), None);
        assert_eq!(recognize(&"x".repeat(100_000)), None);
    }
}
