//! `fstab`: OCFS2 entries wait for the network and name a device that survives
//! reboots and path changes.

use crate::check::{Check, CheckError, Verdict};
use crate::context::NodeCtx;
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
    run,
};

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
