//! `multipath-paths`: every multipath map under an OCFS2 volume has enough healthy
//! paths. A single remaining path is one cable away from the heartbeat write
//! timeout that fences the node.

use super::volumes::volumes;
use crate::check::{Check, CheckError, Verdict};
use crate::context::NodeCtx;
use crate::parse::multipath_ll::{self, MpMap};
use o2check_reports::{Layer, Severity};

pub const CHECK: Check = Check {
    id: "multipath-paths",
    layer: Layer::Storage,
    severity: Severity::Critical,
    title: "multipath maps backing OCFS2 have enough `active ready running` paths",
    rationale: "when the last path fails, heartbeat writes stall; after the dead threshold the \
                node fences itself (`Heartbeat write timeout to device dm-N`) and mounts elsewhere \
                see `I/O error on channel`",
    run,
};

/// Does `map` back `device` (`/dev/mapper/<alias>`, `/dev/dm-N`, `/dev/mapper/<wwid>`)?
fn backs(map: &MpMap, device: &str, dm_name: Option<&str>) -> bool {
    let base = device.rsplit('/').next().unwrap_or(device);
    base == map.name || base == map.wwid || base == map.dm || dm_name == Some(map.name.as_str())
}

fn run(ctx: &NodeCtx) -> Result<Verdict, CheckError> {
    let out = ctx.command(&["multipath", "-ll"])?;
    let maps = multipath_ll::parse(&out.stdout);
    let vols = volumes(ctx);
    let wanted: Vec<&MpMap> = maps
        .iter()
        .filter(|m| {
            ctx.options
                .multipath_maps
                .iter()
                .any(|n| n == &m.name || n == &m.wwid)
                || vols.iter().any(|v| {
                    let dm = v
                        .device
                        .strip_prefix("/dev/")
                        .filter(|d| d.starts_with("dm-"));
                    let alias = dm
                        .and_then(|d| ctx.file(&format!("/sys/block/{d}/dm/name")).ok())
                        .map(|t| t.content.trim().to_string());
                    backs(m, &v.device, alias.as_deref())
                })
        })
        .collect();
    if wanted.is_empty() {
        let why = if maps.is_empty() {
            "no multipath maps on this node"
        } else {
            "no multipath map backs an OCFS2 volume here (name one with --multipath-map)"
        };
        return Ok(Verdict::skip(why).code("no-map"));
    }
    let min = ctx.options.min_paths.max(1);
    let mut problems = Vec::new();
    let mut evidence = Vec::new();
    for m in &wanted {
        evidence.push(out.stdout.evidence_at(m.line));
        let good = m.paths.iter().filter(|p| p.is_good()).count();
        for p in m.paths.iter().filter(|p| !p.is_good()) {
            let kind = if p.is_orphan() {
                "orphan (device gone)"
            } else {
                "bad"
            };
            problems.push(format!(
                "{}: {kind} path {} {} [{} {} {}]",
                m.name, p.scsi, p.device, p.dm_state, p.checker, p.online
            ));
            evidence.push(out.stdout.evidence_at(p.line));
        }
        if good < min {
            problems.push(format!(
                "{} ({}, {}) has {good} healthy path(s), {min} required",
                m.name, m.wwid, m.dm
            ));
        }
    }
    if problems.is_empty() {
        let paths: usize = wanted.iter().map(|m| m.paths.len()).sum();
        return Ok(Verdict::pass(format!(
            "{} map(s), {paths} path(s), all `active ready running`",
            wanted.len()
        ))
        .with(evidence));
    }
    Ok(Verdict::fail(
        problems.join("; "),
        "restore the paths: check cabling/switch ports and the iSCSI sessions (`iscsiadm -m session -P 3`), rescan (`iscsiadm -m session --rescan` or `rescan-scsi-bus.sh`), remove orphans (`multipath -f` stale maps / `echo 1 > /sys/block/sdX/device/delete`), then `multipath -r`; use --min-paths to set the expected count",
    ).code("paths-down")
    .with(evidence))
}
