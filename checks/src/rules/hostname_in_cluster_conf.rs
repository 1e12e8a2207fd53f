//! `hostname-in-cluster-conf`: the node's hostname matches exactly one node stanza
//! of the boot cluster by o2cb's own rule. The most common cause of
//! `mount.ocfs2: Internal logic failure while trying to join the group`.

use super::common::{boot_cluster, cluster_conf, configfs_cluster, local_nodes};
use crate::check::{Check, CheckError, Verdict};
use crate::context::NodeCtx;
use crate::needs::{self, Needs};
use o2check_reports::{Evidence, Layer, Severity};

pub const CHECK: Check = Check {
    id: "hostname-in-cluster-conf",
    layer: Layer::O2cb,
    severity: Severity::Critical,
    title: "the hostname matches exactly one node in cluster.conf",
    rationale: "`o2cb register-cluster` marks a node local only when its name is a case-insensitive \
                prefix of the hostname ending at a `.` or the end; with no match it still succeeds, \
                the kernel has no local node, and every mount fails with `Internal logic failure \
                while trying to join the group` and nothing in dmesg",
    needs: NEEDS,
    run,
};

/// The evidence it reads: `collect` gathers it (see [`crate::needs`]).
const NEEDS: Needs = &[
    needs::CONFIGFS,
    needs::CLUSTER_CONF,
    needs::O2CB_SETTINGS,
    needs::HOSTNAME,
];

fn run(ctx: &NodeCtx) -> Result<Verdict, CheckError> {
    let hostname = ctx.hostname()?;
    let host = hostname.content.as_str();
    let (text, model) = cluster_conf(ctx)?;
    let Some(cluster) = boot_cluster(ctx, &model) else {
        return Ok(Verdict::skip(
            "no boot cluster: set O2CB_BOOTCLUSTER or define exactly one cluster (see o2cb-config)",
        )
        .code("no-boot-cluster"));
    };
    let host_evidence = Evidence::new(hostname.origin.clone(), None, host);
    let matches = local_nodes(&model, &cluster.name, host);
    let names: Vec<&str> = model
        .nodes_of(&cluster.name)
        .map(|n| n.name.as_str())
        .collect();
    let configfs = configfs_evidence(ctx);
    match matches.as_slice() {
        [node] => Ok(Verdict::pass(format!("hostname `{host}` is node `{}` (number {}) of cluster `{}`", node.name, node.number, cluster.name))
            .with([host_evidence, text.evidence_at(node.line)])),
        [] => {
            let short = host.split('.').next().unwrap_or(host);
            let likely = names.iter().find(|n| n.split('.').next().is_some_and(|s| s.eq_ignore_ascii_case(short)));
            let hint = match likely {
                Some(n) => format!(" Node `{n}` has the same short name but is not a prefix of the hostname ending at a `.`: o2cb compares the node name with the start of the hostname, so `{n}` never matches `{host}`."),
                None => String::new(),
            };
            let fix = match likely {
                Some(n) => format!("make the hostname match: `hostnamectl set-hostname {n}` (and /etc/hostname), or rename the node stanza to `{short}` on every node while the cluster is offline; then `service o2cb offline {0}; service o2cb online {0}` (Debian: `/etc/init.d/o2cb offline {0}; /etc/init.d/o2cb online {0}`)", cluster.name),
                None => format!("add this node to cluster.conf on every node (`o2cb add-node {} {host} --ip <ip> --number <n>`) or set the hostname to one of: {}", cluster.name, names.join(", ")),
            };
            Ok(Verdict::fail(
                format!("hostname `{host}` matches no node of cluster `{}` ({}).{hint} Registration then succeeds with no local node, `o2cb cluster-status` says offline and mount fails with `Internal logic failure while trying to join the group`.", cluster.name, names.join(", ")),
                fix,
            ).code("no-local-node")
            .with(std::iter::once(host_evidence).chain(node_name_lines(&text, &model, &cluster.name)).chain(configfs)))
        }
        many => Ok(Verdict::fail(
            format!("hostname `{host}` matches {} nodes ({}): o2cb marks the first local and the kernel refuses the second (`o2cb: Internal logic failure while registering node`)", many.len(), many.iter().map(|n| n.name.as_str()).collect::<Vec<_>>().join(", ")),
            "give each node stanza a name that matches exactly one host (node names must not be prefixes of each other up to a `.`)",
        ).code("several-local-nodes")
        .with(std::iter::once(host_evidence).chain(many.iter().map(|n| text.evidence_at(n.line))))),
    }
}

/// The `name = ...` lines of the cluster's node stanzas.
fn node_name_lines(
    text: &crate::Text,
    model: &crate::parse::cluster_conf_rules::Model,
    cluster: &str,
) -> Vec<Evidence> {
    let names: Vec<&str> = model.nodes_of(cluster).map(|n| n.name.as_str()).collect();
    text.numbered_lines()
        .filter(|(_, l)| {
            let l = l.trim();
            l.starts_with("name") && names.iter().any(|n| l.ends_with(n))
        })
        .map(|(n, _)| text.evidence_at(n))
        .collect()
}

/// configfs confirms the consequence: registered nodes, none with `local` = 1.
fn configfs_evidence(ctx: &NodeCtx) -> Vec<Evidence> {
    match configfs_cluster(ctx) {
        Ok(Some(c)) if c.local_node().is_none() => c
            .nodes
            .iter()
            .map(|n| Evidence::new(format!("{}/node/{}/local", c.path, n.name), None, "0"))
            .chain([Evidence::note(
                c.path.clone(),
                "registered in configfs, but no node has local = 1: the kernel has no local node",
            )])
            .collect(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_bundle::judge;
    use o2check_reports::Status;

    /// The real cluster.conf of the healthy two-node lab (n150.ocfs2.test, n151.ocfs2.test).
    const REAL: &str =
        include_str!("../../../fixtures/bundles/lab-collect-healthy-node1/etc/ocfs2/cluster.conf");

    fn on_host(hostname: &str) -> Verdict {
        judge(
            run,
            &[
                ("etc/ocfs2/cluster.conf", REAL),
                ("proc/sys/kernel/hostname", hostname),
            ],
        )
    }

    #[test]
    fn a_hostname_that_is_a_node_passes() {
        let v = on_host("n150.ocfs2.test\n");
        assert_eq!(v.status, Status::Pass, "{}", v.summary);
        assert!(v.summary.contains("number 1"), "{}", v.summary);
    }

    #[test]
    fn the_lab_mismatch_fails_as_no_local_node_and_names_the_likely_node() {
        // The hostname-mismatch fault boots node 2 as n151.test.com.
        let v = on_host("n151.test.com\n");
        assert_eq!(v.status, Status::Fail, "{}", v.summary);
        assert_eq!(v.code, Some("no-local-node"), "{}", v.summary);
        assert!(v
            .fix
            .as_deref()
            .unwrap_or("")
            .contains("hostnamectl set-hostname n151.ocfs2.test"));
    }

    #[test]
    fn no_hostname_evidence_is_a_skip() {
        let v = judge(run, &[("etc/ocfs2/cluster.conf", REAL)]);
        assert_eq!(v.status, Status::Skip, "{}", v.summary);
    }
}
