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
