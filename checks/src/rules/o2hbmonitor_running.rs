//! `o2hbmonitor-running`: while a disk heartbeat runs, o2hbmonitor watches it and
//! logs `Last ping N msecs ago on /dev/X` once a region is late by half the dead
//! time (ocfs2-tools o2monitor/o2hbmonitor.c, process_elapsed_time()): often the
//! only trace, on a node that then fences, of the I/O stall that fenced it. The
//! o2cb init script starts it at online and kills it at offline (ocfs2-tools
//! vendor/common/o2cb.init.sh, online_o2cb() and offline_o2cb()); it is missing
//! when it was never installed, when debugfs was not mounted, or when it died.

use super::common::configfs_cluster;
use crate::check::{Check, CheckError, Verdict};
use crate::context::NodeCtx;
use crate::needs::{self, Need, Needs};
use crate::parse::ps;
use o2check_reports::{Evidence, Layer, Severity};

pub const CHECK: Check = Check {
    id: "o2hbmonitor-running",
    layer: Layer::Heartbeat,
    severity: Severity::Warning,
    title: "o2hbmonitor runs while a disk heartbeat does",
    rationale: "without o2hbmonitor a heartbeat region that falls behind is not logged \
                (`Last ping N msecs ago`) before the node fences itself on it, and \
                \"why did this node reboot?\" loses its earliest evidence",
    needs: NEEDS,
    run,
};

/// The command whose output lists the processes (sosreport: process/ps_auxwww).
pub const PS: &[&str] = &["ps", "auxwww"];

/// The evidence it reads: `collect` gathers it (see [`crate::needs`]).
const NEEDS: Needs = &[needs::CONFIGFS, &[Need::Command(PS)]];

fn run(ctx: &NodeCtx) -> Result<Verdict, CheckError> {
    let Some(cluster) = configfs_cluster(ctx)? else {
        return Ok(Verdict::skip(
            "no cluster registered in configfs: no heartbeat for o2hbmonitor to watch",
        )
        .code("not-registered"));
    };
    // A region heartbeats once its dev is set and its o2hb thread runs (pid).
    let live: Vec<_> = cluster
        .regions
        .iter()
        .filter(|r| r.dev.is_some() && r.pid.is_some())
        .collect();
    if live.is_empty() {
        return Ok(Verdict::skip(format!(
            "cluster {} has no heartbeat region running: nothing for o2hbmonitor to watch",
            cluster.name
        ))
        .code("no-heartbeat"));
    }
    let listing = ctx.command(PS)?;
    let procs = ps::parse(&listing.stdout)?;
    let regions: Vec<String> = live
        .iter()
        .map(|r| format!("{} ({})", r.uuid, r.dev.as_deref().unwrap_or("")))
        .collect();
    let region_ev: Vec<Evidence> = live
        .iter()
        .map(|r| {
            Evidence::new(
                format!("{}/heartbeat/{}/dev", cluster.path, r.uuid),
                None,
                r.dev.clone().unwrap_or_default(),
            )
        })
        .collect();
    let monitors: Vec<&ps::Process> = procs
        .iter()
        .filter(|p| p.program() == "o2hbmonitor")
        .collect();
    if monitors.is_empty() {
        return Ok(Verdict::fail(
            format!(
                "no o2hbmonitor process while {} heartbeat region(s) run: {}; a late heartbeat would not be logged before a fence",
                live.len(),
                regions.join(", ")
            ),
            "start it: `o2hbmonitor` (it daemonizes; needs debugfs at /sys/kernel/debug: \
             `mount -t debugfs debugfs /sys/kernel/debug`); o2cb's online starts it, so also \
             check that /usr/sbin/o2hbmonitor is installed (ocfs2-tools)",
        )
        .code("not-running")
        .with(region_ev));
    }
    Ok(Verdict::pass(format!(
        "o2hbmonitor runs (pid {}) watching {} region(s): {}",
        monitors
            .iter()
            .map(|p| p.pid.to_string())
            .collect::<Vec<_>>()
            .join(", "),
        live.len(),
        regions.join(", ")
    ))
    .with(monitors.iter().map(|p| listing.stdout.evidence_at(p.line)))
    .with(region_ev))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::context::Options;
    use crate::source::{Bundle, Source};
    use o2check_reports::Status;
    use std::path::Path;

    fn on(bundle: &str) -> Verdict {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../fixtures/bundles")
            .join(bundle);
        let b = Bundle::open(&dir).unwrap();
        let options = Options::default();
        run(&NodeCtx::new(&b as &dyn Source, &options)).unwrap_or_else(CheckError::into_verdict)
    }

    const REGION: &str = "662449C17A2844639F315538D7E07940";

    /// The global lab (lab/global-hb.sh): o2cb's online started the monitor.
    #[test]
    fn the_global_labs_monitor_passes_and_killing_it_fails() {
        let v = on("lab-global-healthy-node2");
        assert_eq!(v.status, Status::Pass, "{v:?}");
        assert!(
            v.summary.contains(&format!("{REGION} (vda)")),
            "{}",
            v.summary
        );
        assert!(v.evidence.iter().any(|e| e.text.ends_with(" o2hbmonitor")));
        let v = on("lab-global-o2hbmonitor-stopped-node2");
        assert_eq!(
            (v.status, v.code),
            (Status::Fail, Some("not-running")),
            "{}",
            v.summary
        );
        assert!(v.summary.contains(REGION), "{}", v.summary);
    }

    #[test]
    fn no_running_region_skips_and_an_old_bundle_without_ps_is_not_judged() {
        // Region missing: registered in configfs, nothing heartbeats.
        let v = on("lab-global-region-missing-node2");
        assert_eq!(
            (v.status, v.code),
            (Status::Skip, Some("no-heartbeat")),
            "{v:?}"
        );
        // Collected before collect took a process list: a region runs, no ps.
        let v = on("lab-iscsi-healthy-node2");
        assert_eq!(v.status, Status::Skip, "{v:?}");
        assert_ne!(v.code, Some("not-running"));
    }
}
