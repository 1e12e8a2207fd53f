//! `same-volume-uuid` (across nodes): a mount point used for OCFS2 holds the same
//! volume (UUID) on every node that mounts it, and no node that is meant to mount
//! it (fstab) has it missing. Catches a node that formatted or mounted its own LUN
//! (a wrong multipath alias, a local disk): it then runs a private filesystem
//! under the shared path.

use super::volumes::volumes;
use crate::check::{CheckError, ClusterCheck, Verdict};
use crate::context::NodeCtx;
use crate::needs::Needs;
use o2check_reports::{Evidence, Layer, Severity};
use std::collections::BTreeMap;

pub const CHECK: ClusterCheck = ClusterCheck {
    id: "same-volume-uuid",
    layer: Layer::Cluster,
    severity: Severity::Critical,
    title: "every node mounts the same volume (UUID) at each shared mount point",
    rationale: "nodes are only a cluster for data they share: a node whose mount point holds \
                another volume (or nothing) writes VM disks the others never see, and a later \
                migration of those VMs loses data",
    needs: NEEDS,
    run,
};

/// The evidence it reads: `collect` gathers it (see [`crate::needs`]).
const NEEDS: Needs = &[super::volumes::NEEDS];

/// Per mount point: node -> UUID mounted there (None: meant to, not mounted; or unknown UUID).
type Table = BTreeMap<String, BTreeMap<String, Option<String>>>;

fn table(nodes: &[NodeCtx]) -> (Table, Vec<Evidence>) {
    let mut t = Table::new();
    let mut evidence = Vec::new();
    for n in nodes {
        let fstab = n
            .file("/etc/fstab")
            .map(|f| crate::parse::mount_table::parse(&f))
            .unwrap_or_default();
        for v in volumes(n) {
            match &v.mount_point {
                Some(mp) => {
                    let uuid = v.uuid.as_ref().map(|u| u.to_uppercase());
                    evidence.push(Evidence::note(
                        format!("{}: {mp}", n.node()),
                        format!(
                            "{} (UUID {})",
                            v.device,
                            uuid.as_deref().unwrap_or("unknown")
                        ),
                    ));
                    t.entry(mp.clone())
                        .or_default()
                        .insert(n.node().to_string(), uuid.or(Some(String::new())));
                }
                None => {
                    // In fstab but not mounted: note it under fstab's mount point.
                    if let Some(e) = fstab
                        .iter()
                        .find(|e| e.fs_type == "ocfs2" && e.device == v.device)
                    {
                        t.entry(e.mount_point.clone())
                            .or_default()
                            .entry(n.node().to_string())
                            .or_insert(None);
                    }
                }
            }
        }
    }
    (t, evidence)
}

fn run(nodes: &[NodeCtx]) -> Result<Verdict, CheckError> {
    // Without a node's mount table, "not mounted there" would be a guess.
    let unknown: Vec<crate::EvidenceError> = nodes
        .iter()
        .filter_map(|n| super::common::mounts(n).err())
        .collect();
    if let Some(e) = unknown.into_iter().reduce(crate::EvidenceError::weaker) {
        return Err(e.into());
    }
    let (t, evidence) = table(nodes);
    let mut problems = Vec::new();
    let mut shared = 0;
    // Mount points where two or more nodes' UUIDs are known: only those prove a pass.
    let mut compared = 0;
    for (mp, per_node) in &t {
        let mounted: BTreeMap<&str, &str> = per_node
            .iter()
            .filter_map(|(n, u)| u.as_deref().map(|u| (n.as_str(), u)))
            .collect();
        if mounted.is_empty() {
            continue;
        }
        shared += 1;
        let known: Vec<&str> = {
            let mut k: Vec<&str> = mounted
                .values()
                .copied()
                .filter(|u| !u.is_empty())
                .collect();
            k.sort_unstable();
            k.dedup();
            k
        };
        if mounted.values().filter(|u| !u.is_empty()).count() >= 2 {
            compared += 1;
        }
        if known.len() > 1 {
            let listed: Vec<String> = mounted
                .iter()
                .map(|(n, u)| format!("{n}: {}", if u.is_empty() { "unknown" } else { u }))
                .collect();
            problems.push(format!(
                "{mp} holds different volumes: {}",
                listed.join(", ")
            ));
        }
        let absent: Vec<&str> = per_node
            .iter()
            .filter(|(_, u)| u.is_none())
            .map(|(n, _)| n.as_str())
            .collect();
        if !absent.is_empty() {
            problems.push(format!(
                "{mp} is in fstab but not mounted on {} while mounted on {}",
                absent.join(", "),
                mounted.keys().copied().collect::<Vec<_>>().join(", ")
            ));
        }
    }
    if shared == 0 {
        return Ok(Verdict::skip("no OCFS2 volume is mounted on any node").code("nothing-mounted"));
    }
    if problems.is_empty() && compared == 0 {
        return Ok(Verdict::skip(format!(
            "{shared} mount point(s), but no two nodes' volume UUIDs are known to compare: collect `debugfs.ocfs2 -R stats <device>` or `mounted.ocfs2 -d` on every node (`o2check collect` does)"
        ))
        .code("uuids-unknown")
        .with(evidence));
    }
    if problems.is_empty() {
        return Ok(Verdict::pass(format!(
            "{compared} mount point(s) hold the same volume on every node that mounts them"
        ))
        .with(evidence));
    }
    Ok(Verdict::fail(
        problems.join("; "),
        "on the odd node, compare `mounted.ocfs2 -d` and `multipath -ll` with the others: mount the shared LUN (by its /dev/mapper alias or UUID=) at the mount point; never mkfs a LUN that another node already uses",
    ).code("uuid-differs")
    .with(evidence))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_bundle::{edit, fixture, fixture_copy, judge_cluster};
    use o2check_reports::Status;

    const UUID: &str = "AE29B6C7C65E423CA9FFA8C83388BB2F";

    fn healthy_with_n151(n151: &std::path::Path) -> Verdict {
        judge_cluster(run, &[&fixture("bundles/lab-cluster-healthy-n150"), n151])
    }

    #[test]
    fn both_lab_nodes_mount_the_same_volume() {
        let v = healthy_with_n151(&fixture("bundles/lab-cluster-healthy-n151"));
        assert_eq!(v.status, Status::Pass, "{}", v.summary);
        assert_eq!(
            v.summary,
            "1 mount point(s) hold the same volume on every node that mounts them"
        );
    }

    /// n151 with another volume at /mnt/ocfs2 (its own LUN formatted).
    #[test]
    fn another_volume_at_the_shared_mount_point_fails() {
        let n151 = fixture_copy("bundles/lab-cluster-healthy-n151");
        for f in [
            "commands/mounted.ocfs2_-d",
            "commands/debugfs.ocfs2_-R_stats_%2Fdev%2Fvda",
        ] {
            edit(n151.path(), f, UUID, "0123456789ABCDEF0123456789ABCDEF");
        }
        let v = healthy_with_n151(n151.path());
        assert_eq!(v.status, Status::Fail, "{}", v.summary);
        assert_eq!(v.code, Some("uuid-differs"));
        assert_eq!(
            v.summary,
            format!("/mnt/ocfs2 holds different volumes: n150.ocfs2.test: {UUID}, n151.ocfs2.test: 0123456789ABCDEF0123456789ABCDEF")
        );
    }

    /// The port-blocked lab run: n151's mount failed, its fstab still names it.
    #[test]
    fn a_node_meant_to_mount_that_did_not_fails() {
        let v = judge_cluster(
            run,
            &[
                &fixture("bundles/lab-cluster-port-blocked-n150"),
                &fixture("bundles/lab-cluster-port-blocked-n151"),
            ],
        );
        assert_eq!(v.code, Some("uuid-differs"), "{}", v.summary);
        assert_eq!(
            v.summary,
            "/mnt/ocfs2 is in fstab but not mounted on n151.ocfs2.test while mounted on n150.ocfs2.test"
        );
    }

    /// Without a node's mount table "not mounted there" would be a guess.
    #[test]
    fn an_uncollected_mount_table_skips() {
        let n151 = fixture_copy("bundles/lab-cluster-healthy-n151");
        std::fs::remove_file(n151.path().join("proc/mounts")).unwrap();
        let v = healthy_with_n151(n151.path());
        assert_eq!(v.status, Status::Skip, "{}", v.summary);
        assert_eq!(v.code, Some("not-collected"));
    }

    /// n151 alone mounted, with no UUID evidence: one mount point, nothing to compare.
    #[test]
    fn unknown_uuids_and_nothing_mounted_skip() {
        let n151 = fixture_copy("bundles/lab-cluster-healthy-n151");
        for f in [
            "commands/mounted.ocfs2_-d",
            "commands/debugfs.ocfs2_-R_stats_%2Fdev%2Fvda",
        ] {
            std::fs::remove_file(n151.path().join(f)).unwrap();
        }
        let v = judge_cluster(run, &[n151.path()]);
        assert_eq!(v.code, Some("uuids-unknown"), "{}", v.summary);
        let v = judge_cluster(run, &[&fixture("bundles/lab-cluster-port-blocked-n151")]);
        assert_eq!(v.status, Status::Skip, "{}", v.summary);
        assert_eq!(v.code, Some("nothing-mounted"));
    }
}
