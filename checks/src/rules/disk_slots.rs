//! `disk-slots`: each OCFS2 volume has at least as many node slots as the cluster
//! has nodes; a node beyond the last slot cannot mount at all.

use super::common::{boot_cluster, cluster_conf, configfs_cluster};
use super::volumes::volumes;
use crate::check::{Check, CheckError, Verdict};
use crate::context::NodeCtx;
use o2check_reports::Layer;

pub const CHECK: Check = Check {
    id: "disk-slots",
    layer: Layer::Storage,
    title: "each volume has node slots for every node of the cluster",
    rationale:
        "every mounting node needs its own slot (journal); mkfs.ocfs2 -N sets how many, and \
                a node that finds no free slot fails to mount",
    run,
};

fn run(ctx: &NodeCtx) -> Result<Verdict, CheckError> {
    let nodes = match cluster_conf(ctx) {
        Ok((_, model)) => boot_cluster(ctx, &model).map(|c| model.nodes_of(&c.name).count()),
        Err(_) => None,
    }
    .or_else(|| configfs_cluster(ctx).ok().flatten().map(|c| c.nodes.len()));
    let Some(nodes) = nodes.filter(|n| *n > 0) else {
        return Ok(Verdict::skip(
            "the number of cluster nodes is unknown (no usable cluster.conf or configfs)",
        ));
    };
    let vols: Vec<_> = volumes(ctx)
        .into_iter()
        .filter(|v| v.superblock.is_some())
        .collect();
    if vols.is_empty() {
        return Ok(Verdict::skip(
            "no OCFS2 superblock available (`debugfs.ocfs2 -R stats <device>` output)",
        ));
    }
    let mut short = Vec::new();
    let mut evidence = Vec::new();
    for v in &vols {
        let Some((text, sb)) = &v.superblock else {
            continue;
        };
        if let Some((slots, line)) = sb.max_node_slots {
            evidence.push(text.evidence_at(line));
            if (slots as usize) < nodes {
                short.push(format!("{} has {slots} slots", v.device));
            }
        }
    }
    if short.is_empty() {
        return Ok(Verdict::pass(format!(
            "{} volume(s) with enough slots for {nodes} nodes",
            vols.len()
        ))
        .with(evidence));
    }
    Ok(Verdict::fail(
        format!("{} for {nodes} cluster nodes", short.join(", ")),
        format!(
            "add slots (online is fine on ocfs2-tools ≥1.6): `tunefs.ocfs2 -N {nodes} <device>`"
        ),
    )
    .with(evidence))
}
