//! `fencing-events`: ocfs2 fenced this node (in the logs that survive the reboot).

use crate::check::{Check, CheckError, Verdict};
use crate::context::NodeCtx;
use crate::kernlog::event::O2Event;
use crate::kernlog::lines::read_node_log;
use crate::kernlog::node_events::{source_events, Located};
use o2check_reports::{Layer, Severity};

pub const CHECK: Check = Check {
    id: "fencing-events",
    layer: Layer::Heartbeat,
    severity: Severity::Warning,
    title: "no o2quo self-fencing in the kernel logs",
    rationale: "a node fences (reboots or panics) itself when it loses its disk heartbeat or the \
                network quorum; every fence is an outage of all VMs on that host and has a cause \
                to fix (storage latency, heartbeat threshold too low for multipath, network)",
    run,
};

fn run(ctx: &NodeCtx) -> Result<Verdict, CheckError> {
    let log = read_node_log(ctx);
    log.evidence()?;
    let logs = &log.sources;
    if logs.is_empty() {
        return Ok(Verdict::skip("no kernel log available").code("no-kernel-log"));
    }
    // Every source: a fence's last words are in the syslog of the boot that died.
    let fences: Vec<Located> = source_events(ctx)
        .iter()
        .flatten()
        .filter(|l| {
            matches!(
                l.event,
                O2Event::Fence { .. } | O2Event::HbWriteTimeout { .. }
            )
        })
        .cloned()
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
