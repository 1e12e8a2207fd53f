//! `dlm-membership`: for every mounted volume, the latest o2dlm membership of its
//! domain (named by the volume UUID) in the kernel log includes every node that
//! mounts it. A node missing from the domain while it has the volume mounted is
//! partitioned: its locks are not honoured by the others.

use super::common::{cluster_conf, configfs_cluster};
use super::volumes::volumes;
use crate::check::{Check, CheckError, Verdict};
use crate::context::NodeCtx;
use crate::kernlog::dlm;
use crate::kernlog::history::Window;
use crate::kernlog::node_events::events_by_source;
use crate::needs::{self, Needs};
use o2check_reports::{Layer, Severity};

pub const CHECK: Check = Check {
    id: "dlm-membership",
    layer: Layer::Dlm,
    severity: Severity::Critical,
    title: "each mounted volume's DLM domain includes every node that mounts it",
    rationale: "cluster locking only covers nodes in the o2dlm domain; a node that mounts the \
                volume but is missing from the domain has left or died (recovery follows) or is \
                cut off, and its view of the filesystem is not coherent with the others'",
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
];

fn run(ctx: &NodeCtx) -> Result<Verdict, CheckError> {
    let mounted: Vec<_> = volumes(ctx)
        .into_iter()
        .filter(|v| v.is_mounted())
        .collect();
    if mounted.is_empty() {
        // Without the mount table (or a slot map or kernel log naming a mount),
        // "nothing mounted" would be a guess.
        super::common::mounts(ctx)?;
        return Ok(Verdict::skip("no OCFS2 volume is mounted").code("nothing-mounted"));
    }
    let numbers_by_name: Vec<(String, u32)> = match cluster_conf(ctx) {
        Ok((_, m)) => m.nodes.iter().map(|n| (n.name.clone(), n.number)).collect(),
        Err(_) => Vec::new(),
    };
    let me = configfs_cluster(ctx)
        .ok()
        .flatten()
        .and_then(|c| c.local_node().and_then(|n| n.num));
    let logs = events_by_source(ctx)?;
    let window = Window::of(ctx.source, ctx.options.since.clone());
    let mut earlier = Vec::new();
    let mut problems = Vec::new();
    let mut evidence = Vec::new();
    let mut judged = 0;
    for v in &mounted {
        let Some(uuid) = v.uuid.as_deref() else {
            continue;
        };
        // The first source (dmesg = this boot) that knows the domain wins.
        let (latest, history) = dlm::current(&logs, &uuid.to_uppercase(), &window);
        earlier.extend(history);
        let Some(m) = latest else {
            continue;
        };
        judged += 1;
        evidence.push(m.evidence.clone());
        let Some(members) = &m.nodes else {
            problems.push(format!(
                "{}: this node left domain {uuid} but the volume is still mounted",
                v.device
            ));
            continue;
        };
        let mut expected: Vec<(String, u32)> = v
            .nodes
            .iter()
            .filter_map(|name| {
                numbers_by_name
                    .iter()
                    .find(|(n, _)| n == name)
                    .cloned()
                    .or_else(|| name.parse().ok().map(|num| (name.clone(), num)))
            })
            .collect();
        if let Some(me) = me {
            expected.push(("this node".into(), me));
        }
        let missing: Vec<String> = expected
            .iter()
            .filter(|(_, num)| !members.contains(num))
            .map(|(n, num)| format!("{n} (node {num})"))
            .collect();
        if !missing.is_empty() {
            problems.push(format!(
                "{}: domain {uuid} has nodes {:?} but {} mount(s) it",
                v.device,
                members,
                missing.join(", ")
            ));
        }
    }
    if judged == 0 {
        let why = if earlier.is_empty() {
            "no o2dlm membership lines for the mounted volumes in the kernel logs (rotated away?)"
        } else {
            "no current o2dlm membership line for the mounted volumes: the ones in the logs are history (before the last boot or --since)"
        };
        return Ok(Verdict::skip(why).code("no-membership-lines").with(earlier));
    }
    let left_only = problems.iter().all(|p| p.contains("left domain"));
    if problems.is_empty() {
        return Ok(Verdict::pass(format!(
            "{judged} mounted domain(s); every mounting node is a member"
        ))
        .with(evidence)
        .with(earlier));
    }
    Ok(Verdict::fail(
        problems.join("; "),
        "look at the o2net and o2hb lines before the membership change (`dmesg | grep -E 'o2net|o2hb|o2dlm'`); a node that left must unmount and remount, a dead node must be fenced and recovered before it mounts again",
    )
    .code(if left_only { "left-domain" } else { "membership-problem" })
    .with(evidence)
    .with(earlier))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_bundle::{edit, fixture, fixture_copy, judge_node};
    use o2check_reports::Status;

    const UUID: &str = "AE29B6C7C65E423CA9FFA8C83388BB2F";

    /// n150's real o2dlm lines after node 2 joined its domain.
    const NODE2_JOINS: &str = "[   24.850495] o2dlm: Node 2 joins domain AE29B6C7C65E423CA9FFA8C83388BB2F \n[   24.850649] ( \n[   24.850679] 1 \n[   24.850695] 2 \n[   24.850707] ) 2 nodes\n";

    fn n150_edited(edit_it: impl FnOnce(&std::path::Path)) -> Verdict {
        let b = fixture_copy("bundles/lab-cluster-healthy-n150");
        edit_it(b.path());
        judge_node(run, &[b.path()])
    }

    #[test]
    fn both_mounting_lab_nodes_are_members() {
        let v = n150_edited(|_| {});
        assert_eq!(v.status, Status::Pass, "{}", v.summary);
        assert_eq!(
            v.summary,
            "1 mounted domain(s); every mounting node is a member"
        );
    }

    /// `mounted.ocfs2 -f` says n151 mounts the volume, but n150's latest
    /// membership is its own join, `( 1 )`.
    #[test]
    fn a_mounting_node_missing_from_the_domain_fails() {
        let v = n150_edited(|b| edit(b, "commands/dmesg", NODE2_JOINS, ""));
        assert_eq!(v.status, Status::Fail, "{}", v.summary);
        assert_eq!(v.code, Some("membership-problem"));
        assert_eq!(
            v.summary,
            format!(
                "/dev/vda: domain {UUID} has nodes [1] but n151.ocfs2.test (node 2) mount(s) it"
            )
        );
    }

    /// linux fs/ocfs2/dlm/dlmdomain.c, dlm_leave_domain(): "o2dlm: Leaving
    /// domain %s", logged after the volume's own lines while it still shows
    /// as mounted.
    #[test]
    fn a_node_that_left_while_mounted_fails() {
        let v = n150_edited(|b| {
            let p = b.join("commands/dmesg");
            let mut text = std::fs::read_to_string(&p).unwrap();
            text.push_str(&format!("[  500.000000] o2dlm: Leaving domain {UUID}\n"));
            std::fs::write(p, text).unwrap();
        });
        assert_eq!(v.code, Some("left-domain"), "{}", v.summary);
    }

    #[test]
    fn nothing_mounted_or_no_membership_lines_skip() {
        let v = judge_node(run, &[&fixture("bundles/lab-cluster-port-blocked-n151")]);
        assert_eq!(v.status, Status::Skip, "{}", v.summary);
        assert_eq!(v.code, Some("nothing-mounted"));
        let v = n150_edited(|b| {
            edit(b, "commands/dmesg", NODE2_JOINS, "");
            edit(
                b,
                "commands/dmesg",
                "o2dlm: Joining domain",
                "o2dlm: (elided)",
            );
        });
        assert_eq!(v.status, Status::Skip, "{}", v.summary);
        assert_eq!(v.code, Some("no-membership-lines"));
    }
}
