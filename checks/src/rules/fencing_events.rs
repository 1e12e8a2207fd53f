//! `fencing-events`: ocfs2 fenced this node (in the logs that survive the reboot).

use crate::check::{Check, CheckError, Verdict};
use crate::context::NodeCtx;
use crate::kernlog::event::{recognize, O2Event};
use crate::kernlog::lines::node_log_checked;
use crate::kernlog::node_events::Located;
use crate::needs::{self, Needs};
use o2check_reports::{Layer, Severity};

pub const CHECK: Check = Check {
    id: "fencing-events",
    layer: Layer::Heartbeat,
    severity: Severity::Warning,
    title: "no o2quo self-fencing in the kernel logs",
    rationale: "a node fences (reboots or panics) itself when it loses its disk heartbeat or the \
                network quorum; every fence is an outage of all VMs on that host and has a cause \
                to fix (storage latency, heartbeat threshold too low for multipath, network)",
    needs: NEEDS,
    run,
};

/// The evidence it reads: `collect` gathers it (see [`crate::needs`]).
const NEEDS: Needs = &[needs::KERNEL_LOG];

fn run(ctx: &NodeCtx) -> Result<Verdict, CheckError> {
    let logs = node_log_checked(ctx)?;
    if logs.is_empty() {
        return Ok(Verdict::skip("no kernel log available").code("no-kernel-log"));
    }
    // Every source: a fence's last words are in the syslog of the boot that died.
    let fences: Vec<Located> = logs
        .iter()
        .flatten()
        .filter_map(|l| match recognize(&l.message) {
            Some(event @ (O2Event::Fence { .. } | O2Event::HbWriteTimeout { .. })) => {
                Some(Located {
                    event,
                    line: l.clone(),
                })
            }
            _ => None,
        })
        .collect();
    let count = fences
        .iter()
        .filter(|f| matches!(f.event, O2Event::Fence { .. }))
        .count();
    if count == 0 {
        return Ok(Verdict::pass(format!(
            "no fencing in {} kernel log source(s)",
            logs.len()
        )));
    }
    Ok(Verdict::fail(
        format!("{count} fencing message(s) in the kernel logs"),
        "find what preceded each fence (`Heartbeat write timeout` = storage stalled longer than the dead threshold; `fencing this node because it is only connected to` = network quorum lost) and fix that; with multipath raise O2CB_HEARTBEAT_THRESHOLD (61 = 120 s) on all nodes",
    ).code("fenced")
    .with(fences.iter().take(10).map(Located::evidence)))
}
