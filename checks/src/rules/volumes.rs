//! The OCFS2 volumes a node knows about: mounted ones (/proc/mounts) and those
//! `mounted.ocfs2 -d` detects, each with its superblock when `debugfs.ocfs2 -R
//! stats` output is available. Shared by the heartbeat and on-disk checks.

use super::common::mounts;
use crate::context::NodeCtx;
use crate::parse::debugfs_stats::{self, Superblock};
use crate::parse::mounted_ocfs2;
use crate::text::Text;
use o2check_reports::Evidence;

/// One volume as far as the evidence goes.
#[derive(Debug, Clone)]
pub struct Volume {
    pub device: String,
    pub mount_point: Option<String>,
    pub uuid: Option<String>,
    /// `mounted.ocfs2 -d` columns (stack, cluster, G flag).
    pub detected: Option<mounted_ocfs2::MountedRow>,
    pub superblock: Option<(Text, Superblock)>,
    /// Nodes the slot map says have it mounted (`mounted.ocfs2 -f`).
    pub nodes: Vec<String>,
    pub evidence: Vec<Evidence>,
}

impl Volume {
    fn new(
        device: String,
        mount_point: Option<String>,
        detected: Option<mounted_ocfs2::MountedRow>,
        evidence: Vec<Evidence>,
    ) -> Self {
        Volume {
            device,
            mount_point,
            uuid: None,
            detected,
            superblock: None,
            nodes: Vec::new(),
            evidence,
        }
    }
}

/// Every volume, mounted ones first, devices deduplicated.
pub fn volumes(ctx: &NodeCtx) -> Vec<Volume> {
    let mut out: Vec<Volume> = Vec::new();
    if let Ok((text, entries)) = mounts(ctx) {
        for e in crate::parse::mount_table::ocfs2(&entries) {
            out.push(Volume::new(
                e.device.clone(),
                Some(e.mount_point.clone()),
                None,
                vec![text.evidence_at(e.line)],
            ));
        }
    }
    // Volumes the node is meant to mount, even when it has not managed to.
    if let Ok(fstab) = ctx.file("/etc/fstab") {
        for e in crate::parse::mount_table::parse(&fstab)
            .iter()
            .filter(|e| e.fs_type == "ocfs2")
        {
            if !out.iter().any(|v| v.device == e.device) {
                out.push(Volume::new(
                    e.device.clone(),
                    None,
                    None,
                    vec![fstab.evidence_at(e.line)],
                ));
            }
        }
    }
    if let Ok(d) = ctx.command(&["mounted.ocfs2", "-d"]) {
        for row in mounted_ocfs2::parse(&d.stdout) {
            let ev = d.stdout.evidence_at(row.line);
            match out.iter_mut().find(|v| v.device == row.device) {
                Some(v) if v.detected.is_none() => {
                    v.evidence.push(ev);
                    v.detected = Some(row);
                }
                Some(_) => {}
                None => out.push(Volume::new(row.device.clone(), None, Some(row), vec![ev])),
            }
        }
    }
    if let Ok(f) = ctx.command(&["mounted.ocfs2", "-f"]) {
        for row in mounted_ocfs2::parse(&f.stdout) {
            if let Some(v) = out
                .iter_mut()
                .find(|v| v.device == row.device && v.nodes.is_empty())
            {
                v.evidence.push(f.stdout.evidence_at(row.line));
                v.nodes = row.nodes;
            }
        }
    }
    for v in &mut out {
        if let Ok(stats) = ctx.command(&["debugfs.ocfs2", "-R", "stats", &v.device]) {
            let sb = debugfs_stats::parse(&stats.stdout);
            if sb.uuid.is_some() {
                v.superblock = Some((stats.stdout, sb));
            }
        }
        v.uuid = v
            .superblock
            .as_ref()
            .and_then(|(_, sb)| sb.uuid.clone())
            .or_else(|| {
                v.detected
                    .as_ref()
                    .map(|d| d.uuid.clone())
                    .filter(|u| !u.is_empty())
            });
    }
    out
}
