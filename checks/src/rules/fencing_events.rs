//! `fencing-events`: ocfs2 fenced this node (in the logs that survive the reboot).
//! A fence before the node's last boot is history, as every kernel-log check
//! judges it (see [`crate::kernlog::history`]): the node has rebooted since, and
//! `fence-attribution` / `o2check why --reboot` explain that reboot. `--since`
//! widens the window back to it.

use crate::check::{Check, CheckError, Verdict};
use crate::context::NodeCtx;
use crate::kernlog::event::O2Event;
use crate::kernlog::history::{self, standing, Standing, Window};
use crate::kernlog::node_events::{events_by_source, Located};
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
    let sources = events_by_source(ctx)?;
    if sources.is_empty() {
        return Ok(Verdict::skip("no kernel log available").code("no-kernel-log"));
    }
    let window = Window::of(ctx.source, ctx.options.since.clone());
    // Every source: a fence's last words are in the syslog of the boot that
    // died. dmesg and syslog repeat each other, so the count is the largest of
    // one source, never the sum.
    let mut current: Vec<&Located> = Vec::new();
    let mut earlier = Vec::new();
    let mut earlier_count = 0;
    for source in sources.iter() {
        let mut here: Vec<&Located> = Vec::new();
        for (i, e) in source.events.iter().enumerate() {
            if !matches!(
                e.event,
                O2Event::Fence { .. } | O2Event::HbWriteTimeout { .. }
            ) {
                continue;
            }
            match standing(&source.events, i, source.boot.as_ref(), &window) {
                Standing::Current => here.push(e),
                Standing::History(why) => {
                    earlier_count += usize::from(matches!(e.event, O2Event::Fence { .. }));
                    if earlier.len() < 10 {
                        earlier.push(history::earlier(e, &why));
                    }
                }
            }
        }
        if fences(&here) > fences(&current) {
            current = here;
        }
    }
    let count = fences(&current);
    if count == 0 {
        let history = match earlier_count {
            0 => String::new(),
            n => format!("; {n} earlier fencing message(s) are history (the node booted since)"),
        };
        return Ok(Verdict::pass(format!(
            "no fencing in {} kernel log source(s){history}",
            sources.len()
        ))
        .with(earlier));
    }
    Ok(Verdict::fail(
        format!("{count} fencing message(s) in the kernel logs"),
        "find what preceded each fence (`Heartbeat write timeout` = storage stalled longer than the dead threshold; `fencing this node because it is only connected to` = network quorum lost) and fix that; with multipath raise O2CB_HEARTBEAT_THRESHOLD (61 = 120 s) on all nodes",
    ).code("fenced")
    .with(current.iter().take(10).map(|e| e.evidence())))
}

fn fences(events: &[&Located]) -> usize {
    events
        .iter()
        .filter(|e| matches!(e.event, O2Event::Fence { .. }))
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_bundle::{fixture, fixture_copy, judge_node};
    use o2check_reports::Status;

    #[test]
    fn a_log_without_fencing_passes() {
        let v = judge_node(run, &[&fixture("bundles/lab-iscsi-fence-before-node2")]);
        assert_eq!(v.status, Status::Pass, "{}", v.summary);
        assert!(v.summary.starts_with("no fencing in "), "{}", v.summary);
    }

    /// The iSCSI lab's fenced node: its real serial console up to the fence
    /// (`Heartbeat write timeout to device dm-1`, then `very sorry to be
    /// fencing`) in place of the bundle's dmesg.
    #[test]
    fn the_fenced_nodes_console_fails() {
        let b = fixture_copy("bundles/lab-iscsi-fence-before-node2");
        std::fs::copy(
            fixture("captures/lab-iscsi/fence-fenced/node2/console.log"),
            b.path().join("commands/dmesg"),
        )
        .unwrap();
        let v = judge_node(run, &[b.path()]);
        assert_eq!(v.status, Status::Fail, "{}", v.summary);
        assert_eq!(v.code, Some("fenced"));
        assert_eq!(v.summary, "1 fencing message(s) in the kernel logs");
        let texts: Vec<&str> = v.evidence.iter().map(|e| e.text.as_str()).collect();
        assert!(
            texts
                .iter()
                .any(|t| t.contains("Heartbeat write timeout to device dm-1")),
            "{texts:?}"
        );
        assert!(
            texts.iter().any(|t| t.contains("very sorry to be fencing")),
            "{texts:?}"
        );
    }

    #[test]
    fn no_kernel_log_skips() {
        let b = fixture_copy("bundles/lab-iscsi-fence-before-node2");
        std::fs::remove_file(b.path().join("commands/dmesg")).unwrap();
        let v = judge_node(run, &[b.path()]);
        assert_eq!(v.status, Status::Skip, "{}", v.summary);
    }
}
