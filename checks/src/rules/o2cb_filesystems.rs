//! `o2cb-filesystems`: configfs and ocfs2_dlmfs are mounted where o2cb expects them.

use super::common::mounts;
use crate::check::{Check, CheckError, Verdict};
use crate::context::NodeCtx;
use crate::needs::{self, Needs, OS_RELEASE};
use o2check_reports::{Layer, Severity};

pub const CHECK: Check = Check {
    id: "o2cb-filesystems",
    layer: Layer::O2cb,
    severity: Severity::Critical,
    title: "configfs is mounted at /sys/kernel/config and ocfs2_dlmfs at /dlm",
    rationale: "o2cb registers the cluster in configfs (without it: `Unable to access cluster \
                service`); the init script treats a failed /dlm mount as a load failure and \
                fsck/tunefs.ocfs2 need dlmfs for cluster locks",
    needs: NEEDS,
    run,
};

/// The evidence it reads: `collect` gathers it (see [`crate::needs`]).
const NEEDS: Needs = &[needs::MOUNTS, &[OS_RELEASE]];

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_bundle::judge;
    use o2check_reports::Status;

    const CONFIGFS: &str = "configfs /sys/kernel/config configfs rw,relatime 0 0\n";
    const DLMFS: &str = "ocfs2_dlmfs /dlm ocfs2_dlmfs rw,relatime 0 0\n";

    fn mounts(text: &str) -> Verdict {
        judge(run, &[("proc/mounts", text)])
    }

    #[test]
    fn both_mounted_passes() {
        let v = mounts(&format!("{CONFIGFS}{DLMFS}"));
        assert_eq!(v.status, Status::Pass, "{}", v.summary);
        assert_eq!(v.evidence.len(), 2);
    }

    #[test]
    fn a_missing_dlmfs_fails_and_names_it() {
        let v = mounts(CONFIGFS);
        assert_eq!(v.status, Status::Fail, "{}", v.summary);
        assert!(v.summary.contains("ocfs2_dlmfs"), "{}", v.summary);
        assert!(!v.summary.contains("configfs ("), "{}", v.summary);
    }

    #[test]
    fn configfs_elsewhere_does_not_count() {
        let v = mounts(&format!("configfs /mnt/cfg configfs rw 0 0\n{DLMFS}"));
        assert_eq!(v.status, Status::Fail, "{}", v.summary);
        assert!(v.summary.contains("configfs"), "{}", v.summary);
    }

    #[test]
    fn uncollected_mounts_are_a_skip() {
        assert_eq!(judge(run, &[]).status, Status::Skip);
    }
}
