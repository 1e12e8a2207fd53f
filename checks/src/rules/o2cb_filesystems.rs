//! `o2cb-filesystems`: configfs and ocfs2_dlmfs are mounted where o2cb expects them.

use super::common::mounts;
use crate::check::{Check, CheckError, Verdict};
use crate::context::NodeCtx;
use o2check_reports::{Layer, Severity};

pub const CHECK: Check = Check {
    id: "o2cb-filesystems",
    layer: Layer::O2cb,
    severity: Severity::Critical,
    title: "configfs is mounted at /sys/kernel/config and ocfs2_dlmfs at /dlm",
    rationale: "o2cb registers the cluster in configfs (without it: `Unable to access cluster \
                service`); the init script treats a failed /dlm mount as a load failure and \
                fsck/tunefs.ocfs2 need dlmfs for cluster locks",
    run,
};

fn run(ctx: &NodeCtx) -> Result<Verdict, CheckError> {
    let (text, entries) = mounts(ctx)?;
    let configfs = entries.iter().find(|e| {
        e.fs_type == "configfs"
            && (e.mount_point == "/sys/kernel/config" || e.mount_point == "/config")
    });
    let dlmfs = entries.iter().find(|e| e.fs_type == "ocfs2_dlmfs");
    let evidence: Vec<_> = [configfs, dlmfs]
        .iter()
        .flatten()
        .map(|e| text.evidence_at(e.line))
        .collect();
    let mut missing = Vec::new();
    if configfs.is_none() {
        missing.push("configfs (mount -t configfs none /sys/kernel/config)");
    }
    if dlmfs.is_none() {
        missing.push("ocfs2_dlmfs (mkdir -p /dlm; mount -t ocfs2_dlmfs ocfs2_dlmfs /dlm)");
    }
    if missing.is_empty() {
        return Ok(Verdict::pass("configfs and ocfs2_dlmfs are mounted").with(evidence));
    }
    Ok(Verdict::fail(
        format!("not mounted: {}", missing.join("; ")),
        "`service o2cb load` mounts both; or mount them by hand as shown",
    )
    .code("not-mounted")
    .with(evidence))
}
