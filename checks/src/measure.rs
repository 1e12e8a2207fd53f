//! The measurements monitoring wants besides verdicts (see
//! [`o2check_reports::facts`]): multipath path counts, this node's disk
//! heartbeat age against the dead time, and fences in the 24 hours before the
//! evidence was taken. They are read from the node's [`crate::facts`] (the same
//! parsed `multipath -ll`, configfs, mount table and kernel-log events the
//! checks judge), and timed against [`crate::source::Source::taken_at`]: now on
//! a live node, the collection time of a bundle, so a bundle measures what the
//! node had when it was collected. Where that time is unknown (a sosreport, a
//! hand-made bundle) the time-based numbers are left out, never guessed.

use crate::kernlog::event::O2Event;
use crate::kernlog::history::Window;
use crate::kernlog::node_events::events_by_source;
use crate::needs::{self, Need, Needs};
use crate::parse::debugfs_hb;
use crate::rules::common::{configfs_cluster, mounts};
use crate::NodeCtx;
use chrono::{DateTime, Duration, Utc};
use o2check_reports::facts::{Facts, FenceMessages, HeartbeatAge, MultipathPaths};
use std::collections::BTreeMap;

/// What [`measure`] reads.
pub const NEEDS: Needs = &[
    needs::CONFIGFS,
    needs::MOUNTS,
    needs::KERNEL_LOG,
    &[
        Need::Command(&["multipath", "-ll"]),
        Need::PerDevice(&["debugfs.ocfs2", "-R", "hb"]),
    ],
];

/// The window the fence count covers, ending when the evidence was taken.
pub const FENCE_WINDOW_HOURS: i64 = 24;

/// Every measurement the evidence of this node gives.
pub fn measure(ctx: &NodeCtx) -> Facts {
    Facts {
        multipath: multipath(ctx),
        heartbeat: heartbeat(ctx),
        fences: ctx
            .source
            .taken_at()
            .and_then(|t| fences(ctx, t))
            .into_iter()
            .collect(),
    }
}

/// Paths per map and state, from `multipath -ll`.
fn multipath(ctx: &NodeCtx) -> Vec<MultipathPaths> {
    let Ok(multipath) = ctx.multipath_maps() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for map in &multipath.1 {
        let mut by_state: BTreeMap<&str, u32> = [("active", 0), ("failed", 0), ("other", 0)].into();
        for p in &map.paths {
            let state = if p.is_good() {
                "active"
            } else if p.dm_state == "failed" || p.checker == "faulty" || p.online == "offline" {
                "failed"
            } else {
                "other"
            };
            *by_state.entry(state).or_default() += 1;
        }
        let name = if map.name.is_empty() {
            &map.wwid
        } else {
            &map.name
        };
        for (state, count) in by_state {
            out.push(MultipathPaths {
                node: ctx.node().to_string(),
                map: name.clone(),
                state: state.to_string(),
                count,
            });
        }
    }
    out
}

/// Fencing messages (o2quo "fencing this node", "ocfs2 is very sorry to be
/// fencing") in the 24 h before `taken`, as the largest count of one log
/// source: dmesg and syslog repeat each other, so adding them up would count
/// one fence twice. `None` (left out) when there is no kernel log, or when a
/// fence line cannot be placed in time (a `[seconds since boot]` stamp of an
/// earlier boot): a count that may miss a fence is not given as a number.
fn fences(ctx: &NodeCtx, taken: DateTime<Utc>) -> Option<FenceMessages> {
    let sources = events_by_source(ctx).ok()?;
    let window = Window::of(ctx.source, None);
    let from = taken - Duration::hours(FENCE_WINDOW_HOURS);
    let mut most = 0;
    for source in sources.iter() {
        let mut count = 0;
        for (i, e) in source.events.iter().enumerate() {
            if !matches!(e.event, O2Event::Fence { .. }) {
                continue;
            }
            let at = window.placed(source, i)?;
            // A line stamped after the collection started is still inside:
            // collect reads the logs after it records its start time.
            if at >= from && at <= taken + Duration::minutes(10) {
                count += 1;
            }
        }
        most = most.max(count);
    }
    Some(FenceMessages {
        node: ctx.node().to_string(),
        count: most,
    })
}

/// This node's own slot on every mounted OCFS2 device (`debugfs.ocfs2 -R hb`,
/// ocfs2-tools debugfs.ocfs2/dump.c dump_hb()): the slot's sequence number is
/// the wall-clock second of its last write (linux fs/ocfs2/cluster/heartbeat.c,
/// o2hb_prepare_block(): hb_seq = ktime_get_real_seconds()), so its age is
/// the time the dump was taken minus that ([`crate::source::Source::command_taken_at`]:
/// now live, the command's start in a bundle, else the bundle's collection
/// time), against the dead time the slot carries (past it, the other nodes
/// fence this one).
fn heartbeat(ctx: &NodeCtx) -> Vec<HeartbeatAge> {
    let Some(me) = configfs_cluster(ctx)
        .ok()
        .flatten()
        .and_then(|c| c.local_node().and_then(|n| n.num))
    else {
        return Vec::new();
    };
    let Ok((_, entries)) = mounts(ctx) else {
        return Vec::new();
    };
    let mut devices: Vec<&str> = crate::parse::mount_table::ocfs2(&entries)
        .map(|e| e.device.as_str())
        .collect();
    devices.sort();
    devices.dedup();
    let mut out = Vec::new();
    for device in devices {
        let argv = ["debugfs.ocfs2", "-R", "hb", device];
        let (Ok(hb), Some(taken)) = (ctx.command(&argv), ctx.source.command_taken_at(&argv)) else {
            continue;
        };
        let Some(slot) = debugfs_hb::parse(&hb.stdout)
            .into_iter()
            .find(|s| s.node == me)
        else {
            continue;
        };
        let (Some(dead_ms), Ok(seq)) = (slot.dead_ms, i64::try_from(slot.seq)) else {
            continue;
        };
        out.push(HeartbeatAge {
            node: ctx.node().to_string(),
            device: device.to_string(),
            slot_node: me,
            age_ms: (taken.timestamp() - seq).max(0) as u64 * 1000,
            dead_ms,
        });
    }
    out
}
