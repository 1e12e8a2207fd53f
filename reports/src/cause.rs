//! Failures ordered by cause: layer order (storage, network, config, o2cb, ...),
//! then the known dependencies between checks, and each symptom grouped under the
//! failed check that explains it (a node that is not in cluster.conf before the
//! cluster that is offline before the volume that is not mounted). The console and
//! the Nagios line both read the failures in this order.

use crate::model::{CheckResult, Layer, RunReport, Severity, Status};

/// `(cause, symptom)`: when both fail, the symptom follows from the cause. Each
/// pair is how o2cb works: mount.ocfs2 needs the cluster online (ocfs2-tools
/// libo2cb, o2cb_begin_group_join()), the cluster needs its modules, configfs and
/// a local node whose name is the hostname (o2cb_ctl/o2cb_ctl.c, the init
/// script's register_cluster), and heartbeat and DLM membership need a mount.
const DEPENDS: &[(&str, &str)] = &[
    ("cluster-conf-syntax", "hostname-in-cluster-conf"),
    ("cluster-conf-syntax", "cluster-online"),
    ("o2cb-modules", "o2cb-filesystems"),
    ("o2cb-modules", "cluster-online"),
    ("o2cb-filesystems", "cluster-online"),
    ("o2cb-config", "cluster-online"),
    ("hostname-in-cluster-conf", "cluster-online"),
    ("cluster-online", "heartbeat-active-after-mount"),
    ("cluster-online", "dlm-membership"),
    ("cluster-online", "dlm-domains-agree"),
    ("cluster-online", "same-volume-uuid"),
    ("iscsi-sessions", "multipath-paths"),
    ("iscsi-sessions", "heartbeat-active-after-mount"),
    ("multipath-paths", "heartbeat-active-after-mount"),
    ("name-resolution", "o2net-port"),
    ("o2net-port", "o2net-stability"),
    ("o2net-port", "dlm-membership"),
    ("o2net-port", "dlm-domains-agree"),
];

/// A failure and the failures it explains.
pub struct Cause<'a> {
    pub result: &'a CheckResult,
    pub symptoms: Vec<&'a CheckResult>,
}

fn explains(cause: &CheckResult, symptom: &CheckResult) -> bool {
    // A node's failure explains its own symptoms; a cross-node one (`cluster`)
    // is explained by any node's cause, and explains every node's.
    let same_place =
        cause.node == symptom.node || cause.node == "cluster" || symptom.node == "cluster";
    same_place
        && DEPENDS
            .iter()
            .any(|(c, s)| *c == cause.check && *s == symptom.check)
}

/// The failed results (status fail) grouped and ordered by cause.
pub fn causes(report: &RunReport) -> Vec<Cause<'_>> {
    let mut failed: Vec<&CheckResult> = report
        .results
        .iter()
        .filter(|r| r.status == Status::Fail)
        .collect();
    failed.sort_by(|a, b| {
        (layer_rank(a.layer), &a.check, &a.node).cmp(&(layer_rank(b.layer), &b.check, &b.node))
    });
    let explained = |r: &CheckResult| {
        failed
            .iter()
            .any(|c| !std::ptr::eq(*c, r) && explains(c, r))
    };
    let mut taken = vec![false; failed.len()];
    let mut out: Vec<Cause> = Vec::new();
    // Roots: failures nothing else that failed explains, in layer order; each
    // takes the symptoms reachable from it (hostname -> cluster offline ->
    // volume not mounted), nearest first.
    for i in 0..failed.len() {
        if explained(failed[i]) {
            continue;
        }
        taken[i] = true;
        let mut chain = vec![failed[i]];
        let mut next = 0;
        while next < chain.len() {
            let from = chain[next];
            for (j, r) in failed.iter().enumerate() {
                if !taken[j] && explains(from, r) {
                    taken[j] = true;
                    chain.push(r);
                }
            }
            next += 1;
        }
        out.push(Cause {
            result: chain[0],
            symptoms: chain[1..].to_vec(),
        });
    }
    // Never lose a failure, whatever the table says.
    for (j, r) in failed.iter().enumerate() {
        if !taken[j] {
            out.push(Cause {
                result: r,
                symptoms: Vec::new(),
            });
        }
    }
    out
}

/// The cause a person should look at first: critical before warning, then the
/// one explaining the most symptoms, then layer order.
pub fn most_likely<'a, 'b>(causes: &'b [Cause<'a>]) -> Option<&'b Cause<'a>> {
    causes
        .iter()
        .enumerate()
        .min_by_key(|(i, c)| {
            let warning = c.result.severity == Some(Severity::Warning);
            (warning, std::cmp::Reverse(c.symptoms.len()), *i)
        })
        .map(|(_, c)| c)
}

fn layer_rank(layer: Layer) -> usize {
    Layer::ALL
        .iter()
        .position(|l| *l == layer)
        .unwrap_or(usize::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::RunMeta;

    fn result(check: &str, node: &str, layer: Layer) -> CheckResult {
        CheckResult {
            check: check.into(),
            node: node.into(),
            layer,
            status: Status::Fail,
            summary: String::new(),
            finding: None,
            severity: Some(Severity::Critical),
            evidence: Vec::new(),
            fix: None,
            rationale: String::new(),
            duration_ms: 0,
        }
    }

    fn report(results: Vec<CheckResult>) -> RunReport {
        let now = chrono::Utc::now();
        RunReport {
            meta: RunMeta {
                tool: "o2check".into(),
                version: "0".into(),
                run_id: "x".into(),
                started: now,
                finished: now,
                host: "h".into(),
                mode: "bundle".into(),
            },
            nodes: Vec::new(),
            results,
            diagnosis: None,
        }
    }

    #[test]
    fn hostname_comes_before_cluster_offline_before_the_unmounted_volume() {
        let r = report(vec![
            result("same-volume-uuid", "cluster", Layer::Cluster),
            result("cluster-online", "n2", Layer::O2cb),
            result("hostname-in-cluster-conf", "n2", Layer::O2cb),
        ]);
        let c = causes(&r);
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].result.check, "hostname-in-cluster-conf");
        let symptoms: Vec<&str> = c[0].symptoms.iter().map(|s| s.check.as_str()).collect();
        assert_eq!(symptoms, ["cluster-online", "same-volume-uuid"]);
    }

    #[test]
    fn another_nodes_cause_does_not_explain_this_nodes_symptom() {
        let r = report(vec![
            result("hostname-in-cluster-conf", "n1", Layer::O2cb),
            result("cluster-online", "n2", Layer::O2cb),
        ]);
        assert_eq!(causes(&r).len(), 2);
    }

    #[test]
    fn unrelated_failures_stay_in_layer_order_and_the_critical_one_is_most_likely() {
        let mut fstab = result("fstab", "n1", Layer::Config);
        fstab.severity = Some(Severity::Warning);
        let r = report(vec![
            result("hostname-in-cluster-conf", "n1", Layer::O2cb),
            fstab,
            result("multipath-paths", "n1", Layer::Storage),
        ]);
        let c = causes(&r);
        let order: Vec<&str> = c.iter().map(|c| c.result.check.as_str()).collect();
        assert_eq!(
            order,
            ["multipath-paths", "fstab", "hostname-in-cluster-conf"]
        );
        assert_eq!(most_likely(&c).unwrap().result.check, "multipath-paths");
    }
}
