//! Gathering what the reasoning needs from each node: the check results (run
//! here), the kernel log lines, the names fixes need, and which of the evidence
//! `undetermined` would ask for is already there.

use super::names;
use super::rank::{all_collect_items, holds, NodeEvidence};
use crate::kernlog::history::{self, Window};
use crate::kernlog::lines::{self, LogLine};
use crate::kernlog::node_events::{self, events_by_source, Located, NodeEvents};
use crate::needs::{self, Need, Needs};
use crate::runner::run_all;
use crate::source::Source;
use crate::{NodeCtx, Options};
use o2check_reports::{CheckResult, Status};
use std::collections::HashSet;
use std::sync::Arc;

/// What `why` reads itself, beyond the checks' own needs: the kernel log its
/// signatures match, the names its fixes print ([`names::read`]: distribution,
/// o2cb settings, tools version, modules, fstab), and everything a cause may ask
/// to collect ([`super::catalogue`]'s `collect` lists, which
/// [`all_collect_items`] checks for presence).
pub const NEEDS: Needs = &[
    needs::KERNEL_LOG,
    needs::HOSTNAME,
    needs::CLUSTER_CONF,
    needs::O2CB_SETTINGS,
    needs::CONFIGFS,
    needs::MOUNTS,
    needs::ADDRESSES,
    &[
        Need::File("/etc/os-release"),
        Need::File("/etc/fstab"),
        Need::File("/proc/modules"),
        Need::Command(&["lsmod"]),
        Need::Command(&["o2cb_ctl", "-V"]),
        Need::Command(&["o2cb", "cluster-status"]),
        Need::Command(&["uname", "-r"]),
        Need::Command(&["mounted.ocfs2", "-d"]),
        Need::Command(&["mounted.ocfs2", "-f"]),
        Need::Command(&["multipath", "-ll"]),
        Need::Command(&["iscsiadm", "-m", "session"]),
        Need::Command(&["iptables-save"]),
        Need::Command(&["nft", "list", "ruleset"]),
        Need::File("/proc/net/tcp"),
        Need::File("/sys/fs/o2cb/interface_revision"),
        Need::File("/sys/fs/ocfs2/cluster_stack"),
        Need::File("/sys/fs/ocfs2/max_locking_protocol"),
    ],
];

/// The kernel-log lines of every source that stand now (see
/// [`history::split_lines`]), and the recognised events of those lines.
fn current(
    ctx: &NodeCtx,
    sources: &[Vec<LogLine>],
    events: &[Arc<NodeEvents>],
    options: &Options,
) -> (Vec<LogLine>, Vec<Located>) {
    let window = Window::of(ctx.source, options.since.clone());
    let (mut lines, mut now_events) = (Vec::new(), Vec::new());
    for (i, log) in sources.iter().enumerate() {
        match events.get(i) {
            Some(ev) => {
                let now = history::split_lines(log, ev, &window).0;
                // Line numbers are unique within one source.
                let standing: HashSet<u32> = now.iter().map(|l| l.line).collect();
                now_events.extend(
                    ev.events
                        .iter()
                        .filter(|e| standing.contains(&e.line.line))
                        .cloned(),
                );
                lines.extend(now);
            }
            None => {
                now_events.extend(node_events::events(log));
                lines.extend(log.iter().cloned());
            }
        }
    }
    (lines, now_events)
}

/// Run every check and read every node's logs; returns the evidence per node and
/// all check results (for the reports).
pub fn gather(
    sources: &[Box<dyn Source>],
    options: &Options,
) -> (Vec<NodeEvidence>, Vec<CheckResult>) {
    let results = run_all(sources, options);
    let items = all_collect_items();
    let evidence = sources
        .iter()
        .map(|s| {
            let ctx = NodeCtx::new(s.as_ref(), options);
            let sources = lines::node_log(&ctx);
            let events = events_by_source(&ctx).unwrap_or_default();
            let all: Vec<Located> = events.iter().flat_map(|s| s.events.clone()).collect();
            // The names fixes print come from the whole log; the signatures
            // and facts that point at a cause only from the lines that stand
            // now: an earlier failed attempt is history, not today's cause.
            let mut names = names::read(&ctx, &all);
            let (log, events) = current(&ctx, &sources, &events, options);
            let node_results: Vec<CheckResult> = results
                .iter()
                .filter(|r| r.node == s.node() || r.node == "cluster")
                .cloned()
                .collect();
            // The regions the stale-heartbeat-region check names (its evidence
            // sources are `<cluster>/heartbeat/<UUID>`).
            names.stale_regions = node_results
                .iter()
                .filter(|r| r.check == "stale-heartbeat-region" && r.status == Status::Fail)
                .flat_map(|r| r.evidence.iter())
                .filter(|e| e.source.contains("/heartbeat/"))
                .filter_map(|e| e.source.rsplit('/').next().map(str::to_string))
                .collect();
            NodeEvidence {
                node: s.node().to_string(),
                results: node_results,
                log,
                events,
                names,
                present: items
                    .iter()
                    .filter(|c| holds(s.as_ref(), c))
                    .copied()
                    .collect(),
            }
        })
        .collect();
    (evidence, results)
}
