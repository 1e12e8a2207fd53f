//! `--format line`: the whole run as one line, made only of what is the same on
//! identical nodes (verdicts and check ids; no hostname, time or duration), so
//! `clush -b` and `dshbak -c` fold every healthy node of a fleet into one entry
//! and list the odd ones apart. The shell tool already prefixes the node name.

use crate::model::{RunReport, Status};

/// `OK 12 passed, 0 failed, 9 skipped, 0 errors`, or `FAIL` with the failing
/// checks first: `FAIL o2net-port; error: cluster-online; 11 passed, 1 failed, ...`.
/// Results of other nodes (a run over several bundles) carry `@node`.
pub fn render(report: &RunReport) -> String {
    let several = report.nodes.len() > 1;
    let name = |check: &str, node: &str| {
        if several || node == "cluster" {
            format!("{check}@{node}")
        } else {
            check.to_string()
        }
    };
    let of = |status: Status| -> Vec<String> {
        let mut v: Vec<String> = report
            .results
            .iter()
            .filter(|r| r.status == status)
            .map(|r| name(&r.check, &r.node))
            .collect();
        v.sort();
        v.dedup();
        v
    };
    let (failed, errors) = (of(Status::Fail), of(Status::Error));
    let counts = format!(
        "{} passed, {} failed, {} skipped, {} errors",
        report.count(Status::Pass),
        report.count(Status::Fail),
        report.count(Status::Skip),
        report.count(Status::Error)
    );
    if failed.is_empty() && errors.is_empty() {
        return format!("OK {counts}");
    }
    let mut parts = Vec::new();
    if !failed.is_empty() {
        parts.push(failed.join(", "));
    }
    if !errors.is_empty() {
        parts.push(format!("error: {}", errors.join(", ")));
    }
    parts.push(counts);
    format!("FAIL {}", parts.join("; "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{CheckResult, Layer, NodeInfo, RunMeta};

    fn report(host: &str, took_ms: u64, results: &[(&str, Status)]) -> RunReport {
        let now = chrono::Utc::now();
        RunReport {
            meta: RunMeta {
                tool: "o2check".into(),
                version: "0.1.0".into(),
                run_id: format!("{took_ms}"),
                started: now,
                finished: now,
                host: host.into(),
                mode: "live".into(),
            },
            nodes: vec![NodeInfo {
                name: host.into(),
                ..NodeInfo::default()
            }],
            results: results
                .iter()
                .map(|(c, s)| CheckResult {
                    check: c.to_string(),
                    node: host.into(),
                    layer: Layer::Network,
                    status: *s,
                    summary: format!("on {host}"),
                    finding: None,
                    severity: None,
                    evidence: vec![],
                    fix: None,
                    rationale: String::new(),
                    duration_ms: took_ms,
                })
                .collect(),
            diagnosis: None,
        }
    }

    #[test]
    fn identical_healthy_nodes_give_identical_lines() {
        let healthy = [("o2net-port", Status::Pass), ("fstab", Status::Skip)];
        let a = render(&report("kvm01", 3, &healthy));
        let b = render(&report("kvm02", 17, &healthy));
        assert_eq!(a, b);
        assert_eq!(a, "OK 1 passed, 0 failed, 1 skipped, 0 errors");
        assert!(!a.contains('\n'));
    }

    #[test]
    fn a_failing_node_names_its_checks_first() {
        let r = report(
            "kvm03",
            1,
            &[
                ("o2net-port", Status::Fail),
                ("cluster-online", Status::Error),
                ("hostname-in-cluster-conf", Status::Fail),
                ("fstab", Status::Pass),
            ],
        );
        assert_eq!(
            render(&r),
            "FAIL hostname-in-cluster-conf, o2net-port; error: cluster-online; 1 passed, 2 failed, 0 skipped, 1 errors"
        );
    }
}
