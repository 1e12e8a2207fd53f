//! `heartbeat-age`: how old each region's last completed heartbeat write is now
//! (debugfs `o2hb/<region>/elapsed_time_in_ms`, linux
//! fs/ocfs2/cluster/heartbeat.c, o2hb_debug_region_elapsed_time()), against the
//! running dead time. o2hbmonitor (ocfs2-tools o2monitor/o2hbmonitor.c) warns
//! from a percentage of it; at half the dead time o2hb starts negotiating
//! (o2hb_nego_timeout()), and at the dead time the node fences.

use super::common::configfs_cluster;
use crate::check::{Check, CheckError, Verdict};
use crate::context::NodeCtx;
use crate::needs::{self, Need, Needs};
use o2check_reports::{Evidence, Layer, Severity};

pub const CHECK: Check = Check {
    id: "heartbeat-age",
    layer: Layer::Heartbeat,
    severity: Severity::Warning,
    title: "every heartbeat region's last write is younger than half the dead time",
    rationale: "a heartbeat write that has not completed for half the dead time means the \
                storage is stalling now; at the dead time the node fences itself",
    needs: NEEDS,
    run,
};

/// The evidence it reads: `collect` gathers it (see [`crate::needs`]).
const NEEDS: Needs = &[needs::CONFIGFS, &[Need::Tree("/sys/kernel/debug/o2hb")]];

/// linux fs/ocfs2/cluster/heartbeat.h: O2HB_REGION_TIMEOUT_MS.
const REGION_TIMEOUT_MS: u64 = 2000;

fn run(ctx: &NodeCtx) -> Result<Verdict, CheckError> {
    let Some(cluster) = configfs_cluster(ctx)? else {
        return Ok(
            Verdict::skip("no cluster in configfs (o2cb offline, or not collected)")
                .code("no-cluster"),
        );
    };
    let Some(threshold) = cluster.dead_threshold else {
        return Ok(
            Verdict::skip("configfs has no heartbeat dead_threshold").code("dead-time-unknown")
        );
    };
    let dead_ms = u64::from(threshold.saturating_sub(1)) * REGION_TIMEOUT_MS;
    if cluster.regions.is_empty() {
        return Ok(
            Verdict::skip("no heartbeat region is running (nothing mounted)").code("no-regions"),
        );
    }
    let mut worst: Option<(u64, String, Evidence)> = None;
    let mut read = 0;
    for r in &cluster.regions {
        let path = format!("/sys/kernel/debug/o2hb/{}/elapsed_time_in_ms", r.uuid);
        let text = match ctx.file(&path) {
            Ok(t) => t,
            Err(e) if e.is_missing() => continue,
            Err(e) => return Err(e.into()),
        };
        let Ok(ms) = text.content.trim().parse::<u64>() else {
            continue;
        };
        read += 1;
        let dev = r.dev.clone().unwrap_or_else(|| "?".into());
        if worst.as_ref().is_none_or(|(w, _, _)| ms > *w) {
            worst = Some((
                ms,
                format!("region {} on {dev}", r.uuid),
                text.evidence_at(1),
            ));
        }
    }
    let Some((ms, what, ev)) = worst else {
        return Ok(Verdict::skip("no region's elapsed_time_in_ms in the evidence: collect /sys/kernel/debug/o2hb (debugfs mounted)").code("elapsed-not-collected"));
    };
    let pct = ms * 100 / dead_ms.max(1);
    if ms * 2 >= dead_ms {
        return Ok(Verdict::fail(
            format!("{what}: last heartbeat write {ms} ms ago, {pct}% of the dead time of {dead_ms} ms: the node fences at 100%"),
            "find what stalls the heartbeat device now (`multipath -ll`, `iscsiadm -m session -P 3`, dmesg for I/O errors and `hb write hung`) and restore its paths before the dead time",
        )
        .code("heartbeat-age-near-dead")
        .with([ev]));
    }
    Ok(Verdict::pass(format!(
        "{read} region(s); oldest last write {ms} ms ago ({pct}% of the {dead_ms} ms dead time)"
    ))
    .with([ev]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::context::Options;
    use crate::source::{Bundle, Source};
    use o2check_reports::Status;

    /// A configfs region and threshold 7 (12 s) as the lab has them, with the
    /// debugfs age given (the file's format: a number and a newline).
    fn verdict(elapsed: Option<&str>) -> Verdict {
        let dir = tempfile::tempdir().unwrap();
        let hb = dir.path().join("sys/kernel/config/cluster/o2lab/heartbeat");
        let region = "4FB46B5AF94A4C808003B7C416F04F05";
        std::fs::create_dir_all(hb.join(region)).unwrap();
        std::fs::write(hb.join("dead_threshold"), "7\n").unwrap();
        std::fs::write(hb.join(region).join("dev"), "dm-1\n").unwrap();
        if let Some(e) = elapsed {
            let d = dir.path().join("sys/kernel/debug/o2hb").join(region);
            std::fs::create_dir_all(&d).unwrap();
            std::fs::write(d.join("elapsed_time_in_ms"), e).unwrap();
        }
        let bundle = Bundle::open(dir.path()).unwrap();
        let options = Options::default();
        run(&NodeCtx::new(&bundle as &dyn Source, &options))
            .unwrap_or_else(CheckError::into_verdict)
    }

    #[test]
    fn age_against_half_the_dead_time() {
        assert_eq!(verdict(Some("1200\n")).status, Status::Pass);
        let v = verdict(Some("6000\n"));
        assert_eq!(
            (v.status, v.code),
            (Status::Fail, Some("heartbeat-age-near-dead")),
            "{v:?}"
        );
        assert!(
            v.summary.contains("dm-1") && v.summary.contains("50%"),
            "{}",
            v.summary
        );
    }

    #[test]
    fn not_collected_is_a_skip() {
        assert_eq!(verdict(None).code, Some("elapsed-not-collected"));
        assert_eq!(verdict(Some("garbage")).code, Some("elapsed-not-collected"));
    }
}
