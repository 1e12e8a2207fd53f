//! The measurements monitoring wants besides verdicts (see
//! [`o2check_reports::facts`]), read from the same evidence the checks read:
//! `multipath -ll`, the kernel logs, and on a live node the disk-heartbeat slot
//! this node writes (`debugfs.ocfs2 -R hb`), whose age needs the time now.

use crate::trials::Inputs;
use chrono::{DateTime, Utc};
use o2check_checks::kernlog::event::O2Event;
use o2check_checks::kernlog::node_events::source_events;
use o2check_checks::parse::{configfs, debugfs_hb, mount_table, multipath_ll};
use o2check_checks::source::Source;
use o2check_checks::NodeCtx;
use o2check_reports::facts::{Facts, FenceMessages, HeartbeatAge, MultipathPaths};
use std::collections::BTreeMap;

pub fn gather(inputs: &Inputs, now: DateTime<Utc>) -> Facts {
    let mut facts = Facts::default();
    for source in &inputs.sources {
        let ctx = NodeCtx::new(source.as_ref(), &inputs.options);
        let node = ctx.node().to_string();
        multipath(&ctx, &node, &mut facts.multipath);
        fences(&ctx, &node, &mut facts.fences);
        if source.is_live() {
            heartbeat(&ctx, source.as_ref(), now, &mut facts.heartbeat);
        }
    }
    facts
}

fn multipath(ctx: &NodeCtx, node: &str, out: &mut Vec<MultipathPaths>) {
    let Ok(ll) = ctx.command(&["multipath", "-ll"]) else {
        return;
    };
    for map in multipath_ll::parse(&ll.stdout) {
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
                node: node.to_string(),
                map: name.clone(),
                state: state.to_string(),
                count,
            });
        }
    }
}

/// The most fencing messages any one log source holds: dmesg and syslog overlap,
/// so adding them up would count one fence twice (a lower bound, never more).
fn fences(ctx: &NodeCtx, node: &str, out: &mut Vec<FenceMessages>) {
    let logs = source_events(ctx);
    if logs.is_empty() {
        return;
    }
    let count = logs
        .iter()
        .map(|events| {
            events
                .iter()
                .filter(|l| matches!(l.event, O2Event::Fence { .. }))
                .count()
        })
        .max()
        .unwrap_or(0);
    out.push(FenceMessages {
        node: node.to_string(),
        count: count as u32,
    });
}

/// This node's own slot on every mounted OCFS2 device: how long since it last
/// wrote it, against the dead time (past it, the other nodes fence it).
fn heartbeat(ctx: &NodeCtx, source: &dyn Source, now: DateTime<Utc>, out: &mut Vec<HeartbeatAge>) {
    let node = ctx.node();
    let Some(me) = configfs::read(source)
        .ok()
        .and_then(|cs| cs.iter().find_map(|c| c.local_node().and_then(|n| n.num)))
    else {
        return;
    };
    let Ok(mounts) = ctx.file("/proc/mounts") else {
        return;
    };
    let entries = mount_table::parse(&mounts);
    let mut devices: Vec<&str> = mount_table::ocfs2(&entries)
        .map(|e| e.device.as_str())
        .collect();
    devices.dedup();
    for device in devices {
        let Ok(hb) = ctx.command(&["debugfs.ocfs2", "-R", "hb", device]) else {
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
            node: node.to_string(),
            device: device.to_string(),
            slot_node: me,
            age_ms: (now.timestamp() - seq).max(0) as u64 * 1000,
            dead_ms,
        });
    }
}
