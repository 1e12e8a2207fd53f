//! `disk-cluster-stack`: the stack, cluster name and heartbeat mode written on each
//! volume match the running cluster. mount.ocfs2 compares them before joining
//! (libo2cb `o2cb_validate_cluster_*` in libo2cb/o2cb_abi.c).

use super::common::configfs_cluster;
use super::volumes::volumes;
use crate::check::{Check, CheckError, Verdict};
use crate::context::NodeCtx;
use crate::needs::{self, Need, Needs};
use o2check_reports::{Evidence, Layer, Severity};

pub const CHECK: Check = Check {
    id: "disk-cluster-stack",
    layer: Layer::Storage,
    severity: Severity::Critical,
    title: "on-disk cluster stack, name and heartbeat mode match the running cluster",
    rationale: "a mismatch makes every mount fail before the join: `Cluster stack is invalid`, \
                `Cluster name is invalid` or `Heartbeat mode is invalid while trying to join the group`",
    needs: NEEDS,
    run,
};

/// The evidence it reads: `collect` gathers it (see [`crate::needs`]).
const NEEDS: Needs = &[
    super::volumes::NEEDS,
    needs::CONFIGFS,
    &[Need::File("/sys/fs/ocfs2/cluster_stack")],
];

fn run(ctx: &NodeCtx) -> Result<Verdict, CheckError> {
    let running_stack = ctx
        .file("/sys/fs/ocfs2/cluster_stack")
        .map(|t| t.content.trim().to_string());
    let cluster = configfs_cluster(ctx);
    if let (Err(a), Err(b)) = (&running_stack, &cluster) {
        let unknown = a.clone().weaker(b.clone());
        // Seen absent on the node: nothing runs to compare with. Otherwise the
        // running cluster is unknown: say what to collect, or that reading failed.
        if !unknown.is_absent() {
            return Err(unknown.into());
        }
    }
    let running_stack = running_stack.ok();
    let cluster = cluster.ok().flatten();
    if cluster.is_none() && running_stack.is_none() {
        return Ok(Verdict::skip(
            "no running cluster to compare with (configfs and /sys/fs/ocfs2 not available)",
        )
        .code("no-running-cluster"));
    }
    let vols = volumes(ctx);
    if vols.is_empty() {
        return Ok(Verdict::skip("no OCFS2 volume found on this node").code("no-volume"));
    }
    let mut problems = Vec::new();
    let mut evidence: Vec<Evidence> = Vec::new();
    for v in &vols {
        let (stack, name, global, ev) = match (&v.superblock, &v.detected) {
            (Some((text, sb)), _) => {
                let ev: Vec<Evidence> = [&sb.cluster_stack, &sb.cluster_name]
                    .iter()
                    .filter_map(|f| f.as_ref().map(|(_, l)| text.evidence_at(*l)))
                    .collect();
                (
                    sb.cluster_stack.as_ref().map(|s| s.0.clone()),
                    sb.cluster_name.as_ref().map(|s| s.0.clone()),
                    sb.global_heartbeat,
                    ev,
                )
            }
            (None, Some(row)) => (
                Some(row.stack.clone()),
                Some(row.cluster.clone()).filter(|c| !c.is_empty()),
                row.flags == "G",
                v.evidence.clone(),
            ),
            (None, None) => continue,
        };
        evidence.extend(ev);
        // "classic o2cb" (no clusterinfo) works with the o2cb stack under any name.
        let stack = stack.map(|s| {
            if s == "classic o2cb" {
                "o2cb".to_string()
            } else {
                s
            }
        });
        if let (Some(disk), Some(run)) = (&stack, &running_stack) {
            if disk != run {
                problems.push(format!(
                    "{}: stack `{disk}` on disk, `{run}` running (mount: Cluster stack is invalid)",
                    v.device
                ));
            }
        }
        if let (Some(disk), Some(c)) = (&name, &cluster) {
            if disk != &c.name {
                problems.push(format!("{}: cluster `{disk}` on disk, `{}` registered (mount: Cluster name is invalid)", v.device, c.name));
            }
        }
        if let Some(mode) = cluster.as_ref().and_then(|c| c.heartbeat_mode.as_deref()) {
            if global != (mode == "global") {
                problems.push(format!(
                    "{}: {} heartbeat on disk, `{mode}` running (mount: Heartbeat mode is invalid)",
                    v.device,
                    if global { "global" } else { "local" }
                ));
            }
        }
    }
    if problems.is_empty() {
        return Ok(Verdict::pass(format!(
            "{} volume(s) match the running cluster",
            vols.len()
        ))
        .with(evidence));
    }
    Ok(Verdict::fail(
        problems.join("; "),
        "with the volume unmounted on every node, rewrite the on-disk cluster information to the running cluster's: `tunefs.ocfs2 --update-cluster-stack <device>` (or fix cluster.conf/heartbeat_mode to match the disk)",
    ).code("mismatch")
    .with(evidence))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_bundle::{edit, fixture, fixture_copy, judge_node};
    use o2check_reports::Status;

    const STATS: &str = "commands/debugfs.ocfs2_-R_stats_%2Fdev%2Fvda";

    fn healthy_node1_edited(edit_it: impl FnOnce(&std::path::Path)) -> Verdict {
        let b = fixture_copy("bundles/lab-capture-healthy-node1");
        edit_it(b.path());
        judge_node(run, &[b.path()])
    }

    #[test]
    fn the_lab_volume_matches_its_cluster() {
        let v = judge_node(run, &[&fixture("bundles/lab-capture-healthy-node1")]);
        assert_eq!(v.status, Status::Pass, "{}", v.summary);
        assert_eq!(v.summary, "1 volume(s) match the running cluster");
        assert!(v
            .evidence
            .iter()
            .any(|e| e.text.contains("Cluster name: o2lab")));
    }

    #[test]
    fn another_cluster_name_on_disk_fails() {
        let v =
            healthy_node1_edited(|b| edit(b, STATS, "Cluster name: o2lab", "Cluster name: prod"));
        assert_eq!(v.status, Status::Fail, "{}", v.summary);
        assert_eq!(v.code, Some("mismatch"));
        assert_eq!(
            v.summary,
            "/dev/vda: cluster `prod` on disk, `o2lab` registered (mount: Cluster name is invalid)"
        );
    }

    #[test]
    fn a_local_heartbeat_volume_under_a_global_cluster_fails() {
        let v = healthy_node1_edited(|b| {
            edit(
                b,
                "sys/kernel/config/cluster/o2lab/heartbeat/mode",
                "local",
                "global",
            )
        });
        assert_eq!(v.code, Some("mismatch"), "{}", v.summary);
        assert!(
            v.summary
                .contains("local heartbeat on disk, `global` running"),
            "{}",
            v.summary
        );
    }

    #[test]
    fn a_running_userspace_stack_fails() {
        let v = healthy_node1_edited(|b| {
            std::fs::create_dir_all(b.join("sys/fs/ocfs2")).unwrap();
            std::fs::write(b.join("sys/fs/ocfs2/cluster_stack"), "pcmk\n").unwrap();
        });
        assert_eq!(v.code, Some("mismatch"), "{}", v.summary);
        assert!(
            v.summary.contains("stack `o2cb` on disk, `pcmk` running"),
            "{}",
            v.summary
        );
    }

    /// The lab capture of the threshold fault has no configfs and no
    /// /sys/fs/ocfs2: the running cluster is unknown, so no verdict.
    #[test]
    fn no_running_cluster_evidence_skips() {
        let v = judge_node(run, &[&fixture("bundles/lab-capture-hb-threshold-node2")]);
        assert_eq!(v.status, Status::Skip, "{}", v.summary);
        assert_eq!(v.code, Some("not-collected"));
    }
}
