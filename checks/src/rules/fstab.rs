//! `fstab`: OCFS2 entries wait for the network and name a device that survives
//! reboots and path changes.

use crate::check::{Check, CheckError, Verdict};
use crate::context::NodeCtx;
use crate::needs::{Need, Needs};
use crate::parse::mount_table;
use o2check_reports::{Layer, Severity};

pub const CHECK: Check = Check {
    id: "fstab",
    layer: Layer::Config,
    severity: Severity::Warning,
    title: "OCFS2 fstab entries use _netdev and not a /dev/sdX path",
    rationale: "without _netdev the boot mounts OCFS2 before the network and o2cb are up and the \
                mount fails; /dev/sdX names change between boots and bypass multipath, so one \
                dead path takes the volume down",
    needs: NEEDS,
    run,
};

/// The evidence it reads: `collect` gathers it (see [`crate::needs`]).
const NEEDS: Needs = &[&[Need::File("/etc/fstab")]];

/// `/dev/sdX` names a single SCSI path: it changes between boots and bypasses
/// multipath. Virtual disks (`/dev/vdX`, `/dev/xvdX`) have no paths to bypass.
fn single_path_name(device: &str) -> bool {
    device
        .strip_prefix("/dev/sd")
        .is_some_and(|rest| rest.chars().next().is_some_and(|c| c.is_ascii_lowercase()))
}

fn run(ctx: &NodeCtx) -> Result<Verdict, CheckError> {
    let text = ctx.file("/etc/fstab")?;
    let entries = mount_table::parse(&text);
    let ocfs2: Vec<_> = mount_table::ocfs2(&entries).collect();
    if ocfs2.is_empty() {
        return Ok(Verdict::skip("no ocfs2 entry in /etc/fstab").code("no-ocfs2-entry"));
    }
    let mut problems = Vec::new();
    let mut evidence = Vec::new();
    for e in &ocfs2 {
        let mut bad = Vec::new();
        if !e.has_option("_netdev") && !e.has_option("noauto") {
            bad.push("no _netdev");
        }
        if single_path_name(&e.device) {
            bad.push("a /dev/sdX path name, not stable and bypassing multipath (use /dev/mapper/<alias>, UUID= or LABEL=)");
        }
        if !bad.is_empty() {
            problems.push(format!("{}: {}", e.mount_point, bad.join(", ")));
            evidence.push(text.evidence_at(e.line));
        }
    }
    if problems.is_empty() {
        return Ok(Verdict::pass(format!(
            "{} ocfs2 entr{} with _netdev and stable devices",
            ocfs2.len(),
            if ocfs2.len() == 1 { "y" } else { "ies" }
        ))
        .with(ocfs2.iter().map(|e| text.evidence_at(e.line))));
    }
    Ok(Verdict::fail(
        problems.join("; "),
        "e.g. `/dev/mapper/<alias>  /mnt/point  ocfs2  _netdev,defaults  0 0` (and enable the o2cb and ocfs2 services so _netdev mounts run after them)",
    ).code("bad-entry")
    .with(evidence))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_bundle::judge;
    use o2check_reports::Status;

    fn fstab(text: &str) -> Verdict {
        judge(run, &[("etc/fstab", text)])
    }

    #[test]
    fn a_netdev_entry_on_a_multipath_alias_passes() {
        let v = fstab("/dev/mapper/ocfs2a /srv/ocfs2 ocfs2 _netdev,defaults 0 0\n");
        assert_eq!(v.status, Status::Pass, "{}", v.summary);
    }

    #[test]
    fn no_netdev_and_a_single_path_name_both_fail() {
        let v = fstab("/dev/sdb1 /srv/ocfs2 ocfs2 defaults 0 0\n");
        assert_eq!(v.status, Status::Fail, "{}", v.summary);
        assert!(v.summary.contains("no _netdev"), "{}", v.summary);
        assert!(v.summary.contains("/dev/sdX"), "{}", v.summary);
        assert_eq!(v.code, Some("bad-entry"));
    }

    #[test]
    fn a_virtual_disk_is_not_a_single_path_name() {
        let v = fstab("/dev/vdb /srv/ocfs2 ocfs2 _netdev 0 0\n");
        assert_eq!(v.status, Status::Pass, "{}", v.summary);
    }

    #[test]
    fn no_ocfs2_entry_is_a_skip_and_an_uncollected_fstab_too() {
        let v = fstab("/dev/vda1 / ext4 defaults 0 1\n");
        assert_eq!(v.status, Status::Skip, "{}", v.summary);
        let v = judge(run, &[]);
        assert_eq!(v.status, Status::Skip, "{}", v.summary);
    }
}
