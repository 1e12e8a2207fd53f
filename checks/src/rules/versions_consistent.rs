//! `versions-consistent` (across nodes): every node runs the same kernel release
//! and the same ocfs2-tools version.

use crate::check::{CheckError, ClusterCheck, Verdict};
use crate::context::NodeCtx;
use crate::needs::{Need, Needs};
use o2check_reports::{Evidence, Layer, Severity};
use std::collections::BTreeMap;

pub const CHECK: ClusterCheck = ClusterCheck {
    id: "versions-consistent",
    layer: Layer::Cluster,
    severity: Severity::Warning,
    title: "kernel and ocfs2-tools versions are the same on every node",
    rationale: "the ocfs2, o2net and o2dlm modules of different kernels negotiate protocol \
                versions and may refuse each other or disable features; mixed ocfs2-tools \
                write different defaults (mkfs, tunefs, the o2cb script). Mixed versions are \
                meant only for the length of a rolling upgrade",
    needs: NEEDS,
    run,
};

/// The evidence it reads: `collect` gathers it (see [`crate::needs`]).
const NEEDS: Needs = &[&[
    Need::Command(&["o2cb_ctl", "-V"]),
    Need::Command(&["uname", "-r"]),
]];

/// What `argv` printed on each node, trimmed (nodes where it is unknown left out).
fn per_node(
    nodes: &[NodeCtx],
    argv: &[&str],
    pick: fn(&str) -> Option<String>,
) -> BTreeMap<String, String> {
    nodes
        .iter()
        .filter_map(|n| {
            let out = n.command(argv).ok()?;
            let v = pick(out.stdout.content.trim())?;
            Some((n.node().to_string(), v))
        })
        .collect()
}

/// `o2cb_ctl -V` prints `o2cb_ctl version 1.8.7`.
fn tools_version(s: &str) -> Option<String> {
    s.lines()
        .next()
        .and_then(|l| l.split_whitespace().last())
        .map(str::to_string)
}

fn kernel_release(s: &str) -> Option<String> {
    s.lines()
        .next()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

fn run(nodes: &[NodeCtx]) -> Result<Verdict, CheckError> {
    let kernels = per_node(nodes, &["uname", "-r"], kernel_release);
    let tools = per_node(nodes, &["o2cb_ctl", "-V"], tools_version);
    let mut problems = Vec::new();
    let mut evidence = Vec::new();
    let mut compared = Vec::new();
    for (what, found) in [("kernel", &kernels), ("ocfs2-tools", &tools)] {
        for (node, v) in found {
            evidence.push(Evidence::note(format!("{node}: {what}"), v.clone()));
        }
        if found.len() < 2 {
            continue;
        }
        compared.push(what);
        let mut groups: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for (node, v) in found {
            groups.entry(v).or_default().push(node);
        }
        if groups.len() > 1 {
            let listed: Vec<String> = groups
                .iter()
                .map(|(v, ns)| format!("{v} on {}", ns.join(", ")))
                .collect();
            problems.push(format!("{what} versions differ: {}", listed.join("; ")));
        }
    }
    if compared.is_empty() {
        return Ok(
            Verdict::skip("fewer than two nodes say their kernel or ocfs2-tools version")
                .code("too-few-versions"),
        );
    }
    if problems.is_empty() {
        return Ok(Verdict::pass(format!(
            "{} identical on {} nodes",
            compared.join(" and "),
            nodes.len()
        ))
        .with(evidence));
    }
    Ok(Verdict::fail(
        problems.join("; "),
        "finish the rolling upgrade: install the same kernel and ocfs2-tools packages on every node (one node at a time: unmount, upgrade, reboot, mount), then re-run o2check",
    ).code("versions-differ")
    .with(evidence))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tools_version_is_the_last_word_of_the_first_line() {
        assert_eq!(
            tools_version("o2cb_ctl version 1.8.7\n").as_deref(),
            Some("1.8.7")
        );
        assert_eq!(tools_version(""), None);
        assert_eq!(
            kernel_release("6.1.0-27-amd64\n").as_deref(),
            Some("6.1.0-27-amd64")
        );
    }
}
