//! All o2 events of one node, each with the line it came from.

use super::event::{recognize, O2Event};
use super::lines::{command_origin, node_log, node_log_checked, read_node_log, LogLine};
use crate::context::NodeCtx;
use crate::error::EvidenceError;
use o2check_reports::Evidence;
use std::sync::Arc;

/// An event and where it was read.
#[derive(Debug, Clone)]
pub struct Located {
    pub event: O2Event,
    pub line: LogLine,
}

impl Located {
    pub fn evidence(&self) -> Evidence {
        Evidence::new(
            self.line.origin.clone(),
            Some(self.line.line),
            format!("{} {}", self.line.stamp, self.line.message.trim_end())
                .trim()
                .to_string(),
        )
    }
}

/// Events of one log source, in order. A DLM join or leave whose member list
/// dmesg split into the following records (`(`, `1`, `2`, `) 2 nodes`: each
/// `printk` of `__dlm_print_nodes` without KERN_CONT) gets that list back.
pub fn events(log: &[LogLine]) -> Vec<Located> {
    located(log, |_, l| recognize(&l.message))
}

/// [`events`] with each line's event given by `event_of(index, line)`: the
/// kernel-log scanner has already recognised the lines it kept, on all cores,
/// and recognising them again here would be a second, serial pass.
pub fn located(
    log: &[LogLine],
    mut event_of: impl FnMut(usize, &LogLine) -> Option<O2Event>,
) -> Vec<Located> {
    let mut out = Vec::new();
    for (i, l) in log.iter().enumerate() {
        let Some(mut event) = event_of(i, l) else {
            continue;
        };
        if let O2Event::DlmJoin { nodes, .. } | O2Event::DlmLeave { nodes, .. } = &mut event {
            if nodes.is_empty() {
                nodes.extend(continued_list(&log[i + 1..]));
            }
        }
        out.push(Located {
            event,
            line: l.clone(),
        });
    }
    out
}

/// The node numbers of a member list printed as separate records after its head.
fn continued_list(after: &[LogLine]) -> Vec<u32> {
    let mut list = Vec::new();
    let mut opened = false;
    for l in after {
        let m = l.message.trim();
        if m == "(" {
            opened = true;
        } else if let (true, Ok(n)) = (opened, m.parse::<u32>()) {
            list.push(n);
        } else {
            break;
        }
    }
    list
}

/// Events of the node's first log source that has any (dmesg: this boot), so the
/// same message is not counted again from syslog.
pub fn node_events(ctx: &NodeCtx) -> Vec<Located> {
    first_with_events(&node_log(ctx))
}

/// [`node_events`], or why the node has no kernel log to judge (a check must
/// not pass on a log it could not read).
pub fn node_events_checked(ctx: &NodeCtx) -> Result<Vec<Located>, EvidenceError> {
    Ok(first_with_events(&node_log_checked(ctx)?))
}

/// A node's events with what judging them against the present needs.
#[derive(Debug, Default)]
pub struct NodeEvents {
    pub events: Vec<Located>,
    /// The last boot line of the source the events came from.
    pub boot: Option<LogLine>,
}

/// [`node_events_checked`] with the last boot of their source (see
/// [`super::history::standing`]).
pub fn node_events_now(ctx: &NodeCtx) -> Result<Arc<NodeEvents>, EvidenceError> {
    let all = events_by_source(ctx)?;
    Ok(all
        .iter()
        .find(|s| !s.events.is_empty())
        .cloned()
        .unwrap_or_default())
}

/// Every kernel-log source's events with its last boot, recognised once per node
/// per run: checks that must see every boot (a fence's last words are in the
/// syslog of the boot that died) read this rather than scanning lines again.
pub fn events_by_source(ctx: &NodeCtx) -> Result<Arc<Vec<Arc<NodeEvents>>>, EvidenceError> {
    ctx.fact(
        |f| &f.events_by_source,
        || {
            let log = read_node_log(ctx);
            log.evidence()?;
            // Recognised when the log was read (see NodeLog::events).
            Ok(Arc::new(log.events.clone()))
        },
    )
}

/// This boot's events: those of the node's `dmesg` output, as the facts layer
/// read them (streamed from a bundle), or `None` without a dmesg with kernel
/// lines. Readers that judge only the running kernel take these rather than
/// reading the command's whole text again.
pub fn dmesg_events(ctx: &NodeCtx) -> Option<Arc<NodeEvents>> {
    let log = read_node_log(ctx);
    let origin = command_origin(&["dmesg"]);
    log.sources
        .iter()
        .position(|s| s.first().is_some_and(|l| l.origin == origin))
        .and_then(|i| log.events.get(i).cloned())
}

fn first_with_events(logs: &[Vec<LogLine>]) -> Vec<Located> {
    logs.iter()
        .map(|log| events(log))
        .find(|e| !e.is_empty())
        .unwrap_or_default()
}
