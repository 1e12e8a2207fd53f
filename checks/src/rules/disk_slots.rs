//! `disk-slots`: each OCFS2 volume has at least as many node slots as the cluster
//! has nodes; a node beyond the last slot cannot mount at all.

use super::common::{boot_cluster, cluster_conf, configfs_cluster};
use super::volumes::volumes;
use crate::check::{Check, CheckError, Verdict};
use crate::context::NodeCtx;
use crate::needs::{self, Need, Needs, O2CB_STATUS};
use crate::parse::o2cb_cluster_status::parse_list_cluster;
use crate::parse::o2cb_status;
use o2check_reports::{Layer, Severity};

pub const CHECK: Check = Check {
    id: "disk-slots",
    layer: Layer::Storage,
    severity: Severity::Critical,
    title: "each volume has node slots for every node of the cluster",
    rationale:
        "every mounting node needs its own slot (journal); mkfs.ocfs2 -N sets how many, and \
                a node that finds no free slot fails to mount",
    needs: NEEDS,
    run,
};

/// The evidence it reads: `collect` gathers it (see [`crate::needs`]).
const NEEDS: Needs = &[
    super::volumes::NEEDS,
    needs::CONFIGFS,
    needs::CLUSTER_CONF,
    needs::O2CB_SETTINGS,
    needs::HOSTNAME,
    needs::KERNEL_LOG,
    &[O2CB_STATUS, Need::PerCluster(&["o2cb", "list-cluster"])],
];

/// Last resort (a sosreport has neither cluster.conf parsed nor configfs): the nodes
/// `o2cb list-cluster <name>` lists for the cluster named in the status text.
fn listed_node_count(ctx: &NodeCtx) -> Option<usize> {
    let status = ctx.command(&["service", "o2cb", "status"]).ok()?;
    let name = o2cb_status::parse(&status.stdout).cluster?;
    let listed = ctx.command(&["o2cb", "list-cluster", &name]).ok()?;
    let cluster = parse_list_cluster(&listed.stdout);
    let nodes = cluster.nodes.iter().filter(|n| n.cluster == name).count();
    Some(nodes.max(cluster.node_count.unwrap_or(0) as usize))
}

fn run(ctx: &NodeCtx) -> Result<Verdict, CheckError> {
    let conf = cluster_conf(ctx);
    let nodes = match &conf {
        Ok((_, model)) => boot_cluster(ctx, model).map(|c| model.nodes_of(&c.name).count()),
        Err(_) => None,
    }
    .or_else(|| configfs_cluster(ctx).ok().flatten().map(|c| c.nodes.len()))
    .or_else(|| listed_node_count(ctx));
    let Some(nodes) = nodes.filter(|n| *n > 0) else {
        // cluster.conf could not be read: that, not "unknown", is the answer.
        if let Err(CheckError::Evidence(e)) = conf {
            if e.is_unreadable() {
                return Err(e.into());
            }
        }
        return Ok(Verdict::skip(
            "the number of cluster nodes is unknown (no usable cluster.conf or configfs)",
        )
        .code("node-count-unknown"));
    };
    let vols: Vec<_> = volumes(ctx)
        .into_iter()
        .filter(|v| v.superblock.is_some())
        .collect();
    if vols.is_empty() {
        return Ok(Verdict::skip(
            "no OCFS2 superblock available (`debugfs.ocfs2 -R stats <device>` output)",
        )
        .code("no-superblock"));
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
    .code("too-few-slots")
    .with(evidence))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::context::Options;
    use crate::source::{Bundle, Source};
    use o2check_reports::Status;
    use std::path::Path;

    /// The real healthy lab bundle without cluster.conf and configfs, so only the
    /// status text and `o2cb list-cluster o2lab` (real, 2 nodes) can count nodes.
    fn run_without_conf(stats_edit: Option<(&str, &str)>) -> Verdict {
        let src = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../fixtures/bundles/lab-capture-healthy-node1");
        let dir = tempfile::tempdir().unwrap();
        crate::rules::test_bundle::copy_tree(&src, dir.path());
        for gone in ["etc/ocfs2", "sys/kernel/config", "config"] {
            let _ = std::fs::remove_dir_all(dir.path().join(gone));
        }
        if let Some((from, to)) = stats_edit {
            let p = dir
                .path()
                .join("commands/debugfs.ocfs2_-R_stats_%2Fdev%2Fvda");
            let text = std::fs::read_to_string(&p).unwrap();
            assert!(text.contains(from));
            std::fs::write(&p, text.replace(from, to)).unwrap();
        }
        let bundle = Bundle::open(dir.path()).unwrap();
        let options = Options::default();
        run(&NodeCtx::new(&bundle as &dyn Source, &options))
            .unwrap_or_else(CheckError::into_verdict)
    }

    #[test]
    fn list_cluster_counts_nodes_when_nothing_else_can() {
        let v = run_without_conf(None);
        assert_eq!(v.status, Status::Pass, "{}", v.summary);
        assert!(v.summary.contains("for 2 nodes"), "{}", v.summary);
        let v = run_without_conf(Some(("Max Node Slots: 4", "Max Node Slots: 1")));
        assert_eq!(v.status, Status::Fail, "{}", v.summary);
        assert!(v.fix.as_deref().unwrap_or("").contains("tunefs.ocfs2 -N 2"));
    }
}
