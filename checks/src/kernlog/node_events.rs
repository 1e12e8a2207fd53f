//! All o2 events of one node, each with the line it came from.

use super::event::{recognize, O2Event};
use super::lines::{read_node_log, LogLine};
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
    let mut out = Vec::new();
    for (i, l) in log.iter().enumerate() {
        let Some(mut event) = recognize(&l.message) else {
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

/// The events of each of the node's log sources, in [`read_node_log`]'s order,
/// recognised once per node: every reader of events shares them instead of
/// matching each o2 line against the event rules again (a 1 GiB log holds tens
/// of thousands).
pub fn source_events(ctx: &NodeCtx) -> Arc<Vec<Vec<Located>>> {
    ctx.fact(
        |f| &f.source_events,
        || {
            Arc::new(
                read_node_log(ctx)
                    .sources
                    .iter()
                    .map(|l| events(l))
                    .collect(),
            )
        },
    )
}

/// Events of the node's first log source that has any (dmesg: this boot), so the
/// same message is not counted again from syslog.
pub fn node_events(ctx: &NodeCtx) -> Vec<Located> {
    first_with_events(&source_events(ctx))
}

/// [`node_events`], or why the node has no kernel log to judge (a check must
/// not pass on a log it could not read).
pub fn node_events_checked(ctx: &NodeCtx) -> Result<Vec<Located>, EvidenceError> {
    read_node_log(ctx).evidence()?;
    Ok(node_events(ctx))
}

/// A node's events with what judging them against the present needs.
pub struct NodeEvents {
    pub events: Vec<Located>,
    /// The last boot line of the source the events came from.
    pub boot: Option<LogLine>,
}

/// [`node_events_checked`] with the last boot of their source (see
/// [`super::history::standing`]).
pub fn node_events_now(ctx: &NodeCtx) -> Result<Arc<NodeEvents>, EvidenceError> {
    ctx.fact(
        |f| &f.node_events,
        || {
            let log = read_node_log(ctx);
            log.evidence()?;
            let per_source = source_events(ctx);
            let chosen = per_source.iter().position(|e| !e.is_empty());
            Ok(Arc::new(NodeEvents {
                events: chosen.map(|i| per_source[i].clone()).unwrap_or_default(),
                boot: chosen
                    .and_then(|i| log.sources.get(i))
                    .and_then(|l| super::history::last_boot(l).cloned()),
            }))
        },
    )
}

fn first_with_events(per_source: &[Vec<Located>]) -> Vec<Located> {
    per_source
        .iter()
        .find(|e| !e.is_empty())
        .cloned()
        .unwrap_or_default()
}
