//! `cluster-conf-syntax`: /etc/ocfs2/cluster.conf loads the way o2cb loads it.

use super::common::{cluster_conf, CLUSTER_CONF};
use crate::check::{Check, CheckError, Verdict};
use crate::context::NodeCtx;
use crate::needs::{self, Needs};
use crate::parse::{cluster_conf as grammar, cluster_conf_rules};
use o2check_reports::{Evidence, Layer, Severity};

pub const CHECK: Check = Check {
    id: "cluster-conf-syntax",
    layer: Layer::Config,
    severity: Severity::Critical,
    title: "cluster.conf follows o2cb's grammar and rules",
    rationale: "o2cb refuses the whole file for one bad line (load fails with -EIO/-EINVAL and no \
                message), and silently ignores a node whose `cluster` names no cluster stanza",
    needs: NEEDS,
    run,
};

/// The evidence it reads: `collect` gathers it (see [`crate::needs`]).
const NEEDS: Needs = &[needs::CLUSTER_CONF];

fn run(ctx: &NodeCtx) -> Result<Verdict, CheckError> {
    let text = match ctx.file(CLUSTER_CONF) {
        Ok(t) => t,
        // Only an absence seen on the node (not a file a bundle lacks) fails.
        Err(e) if e.is_absent() => {
            return Ok(Verdict::fail(
                format!("{CLUSTER_CONF} does not exist: o2cb treats that as an empty cluster"),
                "create it on every node with the same content, e.g.\n  o2cb add-cluster <name>\n  o2cb add-node <name> <node> --ip <ip> --port 7777 --number <n>\n(ocfs2-tools ≤1.6: o2cb_ctl -C -n <node> -t node -a number=<n> -a ip_address=<ip> -a ip_port=7777 -a cluster=<name>)",
            ).code("file-absent"))
        }
        Err(e) => return Err(e.into()),
    };
    let conf = match grammar::parse(&text.origin, &text.content) {
        Ok(c) => c,
        Err(e) => {
            let line = e.line.unwrap_or(1);
            return Ok(Verdict::fail(
                format!("o2cb cannot load {CLUSTER_CONF}: line {line}: {}", e.message),
                "stanza headers start in column 0 and end with `:`; attributes are indented `key = value` lines; a blank line ends a stanza; comments only in column 0; save with Unix line endings (dos2unix); then copy the identical file to every node",
            ).code("unloadable")
            .with([text.evidence_at(line)]));
        }
    };
    let model = cluster_conf_rules::model(&conf);
    if model.clusters.is_empty() {
        return Ok(Verdict::fail(
            format!("{CLUSTER_CONF} has no cluster stanza"),
            "add a `cluster:` stanza with name, heartbeat_mode and node_count",
        )
        .code("no-cluster-stanza"));
    }
    if !model.problems.is_empty() {
        let lines: Vec<u32> = model.problems.iter().map(|p| p.line).collect();
        let evidence: Vec<Evidence> = model
            .problems
            .iter()
            .zip(text.evidence_at_each(&lines))
            .map(|(p, quoted)| {
                Evidence::new(
                    text.origin.clone(),
                    Some(p.line),
                    format!("{} ({})", quoted.text.trim(), p.message),
                )
            })
            .collect();
        let first = &model.problems[0].message;
        return Ok(Verdict::fail(
            format!("{} problem(s) in {CLUSTER_CONF}: {first}", model.problems.len()),
            "correct the lines quoted below, keep the file identical on all nodes, then `service o2cb online <name>` (Debian: `/etc/init.d/o2cb online <name>`; not bare `o2cb register-cluster`, which leaves the default timeouts) with the cluster offline",
        ).code("rule-violations")
        .with(evidence));
    }
    let (_, model) = cluster_conf(ctx)?;
    let nodes: usize = model
        .clusters
        .iter()
        .map(|c| model.nodes_of(&c.name).count())
        .sum();
    Ok(Verdict::pass(format!(
        "{} cluster(s), {nodes} node(s), no problems",
        model.clusters.len()
    )))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_bundle::judge;
    use o2check_reports::Status;

    /// The real cluster.conf of the healthy two-node lab (written by o2cb).
    const REAL: &str =
        include_str!("../../../fixtures/bundles/lab-collect-healthy-node1/etc/ocfs2/cluster.conf");

    fn conf(text: &str) -> Verdict {
        judge(run, &[("etc/ocfs2/cluster.conf", text)])
    }

    #[test]
    fn the_real_lab_file_passes_with_its_two_nodes() {
        let v = conf(REAL);
        assert_eq!(v.status, Status::Pass, "{}", v.summary);
        assert!(v.summary.contains("2 node(s)"), "{}", v.summary);
    }

    #[test]
    fn an_unindented_attribute_cannot_be_loaded() {
        let broken = REAL.replacen("\tnode_count = 2", "node_count = 2", 1);
        assert_ne!(broken, REAL);
        let v = conf(&broken);
        assert_eq!(v.status, Status::Fail, "{}", v.summary);
        assert_eq!(v.code, Some("unloadable"), "{}", v.summary);
    }

    #[test]
    fn node_stanzas_without_their_cluster_stanza_fail() {
        let nodes_only = &REAL[REAL.find("node:").unwrap()..];
        let v = conf(nodes_only);
        assert_eq!(v.status, Status::Fail, "{}", v.summary);
        assert_eq!(v.code, Some("no-cluster-stanza"), "{}", v.summary);
    }

    #[test]
    fn a_file_the_bundle_lacks_is_a_skip_not_a_failure() {
        assert_eq!(judge(run, &[]).status, Status::Skip);
    }
}
