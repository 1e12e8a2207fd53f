//! The fleet summary: every cluster of a fleet run with its nodes and counts, the
//! nodes that belong to no cluster (or to several), and failures by check across
//! the fleet, rendered as text, JSON and one self-contained HTML page. Built from
//! the per-cluster [`RunReport`]s, so it says nothing they do not.

use crate::diagnosis_html::esc;
use crate::model::{RunReport, Status};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt::Write;

/// One cluster's line in the summary.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct ClusterSummary {
    /// The cluster name (with `@<first node>` when several clusters share it).
    pub name: String,
    pub nodes: Vec<String>,
    #[serde(flatten)]
    pub outcome: Outcome,
}

/// A node that was not checked with any cluster, and why.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct UnplacedNode {
    pub node: String,
    /// `no-cluster`, `several-clusters` or `unreachable`.
    pub kind: String,
    pub reason: String,
    /// Its own (per-node) checks, when its evidence was read: its problems are
    /// still its problems, even with no cluster to compare it with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alone: Option<Outcome>,
}

/// What one report (a cluster's, or a node's checked on its own) holds.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    pub passed: usize,
    pub failed: usize,
    pub errors: usize,
    pub skipped: usize,
    /// `check@node` of every failure and error, in report order.
    pub failing: Vec<String>,
    /// The report files, relative to the fleet summary.
    pub json: String,
    pub junit: String,
}

impl Outcome {
    /// The counts of `report`, written to `json` and `junit`.
    pub fn of(report: &RunReport, json: String, junit: String) -> Outcome {
        Outcome {
            passed: report.count(Status::Pass),
            failed: report.count(Status::Fail),
            errors: report.count(Status::Error),
            skipped: report.count(Status::Skip),
            failing: failing(report),
            json,
            junit,
        }
    }
}

/// `check@node` of every failure and error of `report`, in report order.
fn failing(report: &RunReport) -> Vec<String> {
    report
        .results
        .iter()
        .filter(|r| matches!(r.status, Status::Fail | Status::Error))
        .map(|r| format!("{}@{}", r.check, r.node))
        .collect()
}

/// How often a check failed or errored across the fleet.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct CheckFailures {
    pub check: String,
    pub failed: usize,
    pub errors: usize,
    /// The clusters it failed or errored in.
    pub clusters: Vec<String>,
}

/// The whole fleet run.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct FleetSummary {
    pub version: String,
    pub started: String,
    pub finished: String,
    pub clusters: Vec<ClusterSummary>,
    pub unplaced: Vec<UnplacedNode>,
    pub failures_by_check: Vec<CheckFailures>,
}

/// One cluster's finished run and where its reports were written.
pub struct ClusterRun<'a> {
    pub name: &'a str,
    pub report: &'a RunReport,
    pub json: String,
    pub junit: String,
}

impl FleetSummary {
    pub fn build(
        version: &str,
        started: String,
        finished: String,
        runs: &[ClusterRun],
        unplaced: Vec<UnplacedNode>,
    ) -> FleetSummary {
        let mut by_check: BTreeMap<&str, CheckFailures> = BTreeMap::new();
        let mut clusters = Vec::new();
        for run in runs {
            let r = run.report;
            for res in &r.results {
                if !matches!(res.status, Status::Fail | Status::Error) {
                    continue;
                }
                let c = by_check
                    .entry(res.check.as_str())
                    .or_insert_with(|| CheckFailures {
                        check: res.check.clone(),
                        failed: 0,
                        errors: 0,
                        clusters: Vec::new(),
                    });
                match res.status {
                    Status::Fail => c.failed += 1,
                    _ => c.errors += 1,
                }
                if c.clusters.last().map(String::as_str) != Some(run.name) {
                    c.clusters.push(run.name.to_string());
                }
            }
            clusters.push(ClusterSummary {
                name: run.name.to_string(),
                nodes: r.nodes.iter().map(|n| n.name.clone()).collect(),
                outcome: Outcome::of(r, run.json.clone(), run.junit.clone()),
            });
        }
        let mut failures_by_check: Vec<CheckFailures> = by_check.into_values().collect();
        failures_by_check.sort_by(|a, b| {
            (b.failed + b.errors)
                .cmp(&(a.failed + a.errors))
                .then(a.check.cmp(&b.check))
        });
        FleetSummary {
            version: version.to_string(),
            started,
            finished,
            clusters,
            unplaced,
            failures_by_check,
        }
    }

    /// 0 when every cluster passed and every node was placed, else 1.
    pub fn exit_code(&self) -> u8 {
        let bad = self
            .clusters
            .iter()
            .any(|c| c.outcome.failed + c.outcome.errors > 0);
        u8::from(bad || !self.unplaced.is_empty())
    }

    fn node_count(&self) -> usize {
        self.clusters.iter().map(|c| c.nodes.len()).sum::<usize>() + self.unplaced.len()
    }
}

/// Pretty-printed JSON with a final newline.
pub fn to_json(s: &FleetSummary) -> Vec<u8> {
    let mut bytes = serde_json::to_vec_pretty(s).unwrap_or_default();
    bytes.push(b'\n');
    bytes
}

/// The summary as plain text (what `o2check fleet` prints).
pub fn to_text(s: &FleetSummary) -> String {
    let mut t = format!(
        "fleet: {} cluster(s), {} node(s), {} not in one cluster\n",
        s.clusters.len(),
        s.node_count(),
        s.unplaced.len()
    );
    for c in &s.clusters {
        let verdict = if c.outcome.failed + c.outcome.errors == 0 {
            "ok"
        } else {
            "FAILED"
        };
        let _ = writeln!(
            t,
            "  {} {}: {} node(s) ({}); {} passed, {} failed, {} errors, {} skipped; {}",
            verdict,
            c.name,
            c.nodes.len(),
            c.nodes.join(", "),
            c.outcome.passed,
            c.outcome.failed,
            c.outcome.errors,
            c.outcome.skipped,
            c.outcome.json
        );
        for f in &c.outcome.failing {
            let _ = writeln!(t, "      {f}");
        }
    }
    for u in &s.unplaced {
        let _ = writeln!(t, "  NOT CHECKED {} ({}): {}", u.node, u.kind, u.reason);
        if let Some(a) = &u.alone {
            let _ = writeln!(
                t,
                "      its own checks: {} passed, {} failed, {} errors, {} skipped; {}",
                a.passed, a.failed, a.errors, a.skipped, a.json
            );
            for f in &a.failing {
                let _ = writeln!(t, "      {f}");
            }
        }
    }
    if !s.failures_by_check.is_empty() {
        t.push_str("failures by check:\n");
        for f in &s.failures_by_check {
            let _ = writeln!(
                t,
                "  {}: {} failed, {} errors in {}",
                f.check,
                f.failed,
                f.errors,
                f.clusters.join(", ")
            );
        }
    }
    t
}

const STYLE: &str = "body{font:15px/1.45 system-ui,sans-serif;max-width:70rem;margin:2rem auto;padding:0 1rem;color:#222}\
table{border-collapse:collapse;margin:1rem 0}td,th{border:1px solid #ccc;padding:.25rem .6rem;text-align:left;vertical-align:top}\
.ok{color:#070}.bad{color:#b00;font-weight:bold}code{font-size:13px}";

/// The summary as one HTML page, no scripts, every value escaped.
pub fn to_html(s: &FleetSummary) -> String {
    let mut h = format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>o2check fleet</title><style>{STYLE}</style></head><body>\n\
         <h1>o2check fleet: {} cluster(s), {} node(s)</h1>\n<p>o2check {}, {} to {}</p>\n",
        s.clusters.len(),
        s.node_count(),
        esc(&s.version),
        esc(&s.started),
        esc(&s.finished)
    );
    h.push_str("<h2>Clusters</h2>\n<table><tr><th>cluster</th><th>nodes</th><th>passed</th><th>failed</th><th>errors</th><th>skipped</th><th>failing</th><th>reports</th></tr>\n");
    for c in &s.clusters {
        let class = if c.outcome.failed + c.outcome.errors == 0 {
            "ok"
        } else {
            "bad"
        };
        let failing: Vec<String> = c
            .outcome
            .failing
            .iter()
            .map(|f| format!("<code>{}</code>", esc(f)))
            .collect();
        let _ = writeln!(
            h,
            "<tr><td class=\"{class}\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td><a href=\"{}\">JSON</a> <a href=\"{}\">JUnit</a></td></tr>",
            esc(&c.name),
            esc(&c.nodes.join(", ")),
            c.outcome.passed,
            c.outcome.failed,
            c.outcome.errors,
            c.outcome.skipped,
            failing.join("<br>"),
            esc(&c.outcome.json),
            esc(&c.outcome.junit)
        );
    }
    h.push_str("</table>\n");
    if !s.unplaced.is_empty() {
        h.push_str("<h2>Nodes not checked with a cluster</h2>\n<table><tr><th>node</th><th>why</th><th>its own checks</th></tr>\n");
        for u in &s.unplaced {
            let own = match &u.alone {
                Some(a) => {
                    let failing: Vec<String> = a
                        .failing
                        .iter()
                        .map(|f| format!("<br><code>{}</code>", esc(f)))
                        .collect();
                    format!(
                        "{} passed, {} failed, {} errors, {} skipped (<a href=\"{}\">JSON</a> <a href=\"{}\">JUnit</a>){}",
                        a.passed,
                        a.failed,
                        a.errors,
                        a.skipped,
                        esc(&a.json),
                        esc(&a.junit),
                        failing.join("")
                    )
                }
                None => "not run: no evidence".into(),
            };
            let _ = writeln!(
                h,
                "<tr><td class=\"bad\">{}</td><td>{}: {}</td><td>{own}</td></tr>",
                esc(&u.node),
                esc(&u.kind),
                esc(&u.reason)
            );
        }
        h.push_str("</table>\n");
    }
    if !s.failures_by_check.is_empty() {
        h.push_str("<h2>Failures by check</h2>\n<table><tr><th>check</th><th>failed</th><th>errors</th><th>clusters</th></tr>\n");
        for f in &s.failures_by_check {
            let _ = writeln!(
                h,
                "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(&f.check),
                f.failed,
                f.errors,
                esc(&f.clusters.join(", "))
            );
        }
        h.push_str("</table>\n");
    }
    h.push_str("</body></html>\n");
    h
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{CheckResult, Layer, NodeInfo, RunMeta};

    fn report(nodes: &[&str], results: &[(&str, &str, Status)]) -> RunReport {
        let now = chrono::Utc::now();
        RunReport {
            meta: RunMeta {
                tool: "o2check".into(),
                version: "0".into(),
                run_id: "r".into(),
                started: now,
                finished: now,
                host: "h".into(),
                mode: "bundle".into(),
            },
            nodes: nodes
                .iter()
                .map(|n| NodeInfo {
                    name: n.to_string(),
                    ..NodeInfo::default()
                })
                .collect(),
            results: results
                .iter()
                .map(|(check, node, status)| CheckResult {
                    check: check.to_string(),
                    node: node.to_string(),
                    layer: Layer::O2cb,
                    status: *status,
                    summary: "s".into(),
                    finding: None,
                    severity: None,
                    evidence: vec![],
                    fix: None,
                    rationale: String::new(),
                    duration_ms: 0,
                })
                .collect(),
            diagnosis: None,
        }
    }

    #[test]
    fn failures_are_counted_by_check_across_clusters() {
        let a = report(
            &["a1", "a2"],
            &[
                ("hostname-in-cluster-conf", "a1", Status::Pass),
                ("hostname-in-cluster-conf", "a2", Status::Fail),
                ("o2net-port", "a2", Status::Fail),
            ],
        );
        let b = report(
            &["b1<x>"],
            &[
                ("hostname-in-cluster-conf", "b1<x>", Status::Fail),
                ("fstab", "b1<x>", Status::Skip),
            ],
        );
        let c = report(&["c1"], &[("fstab", "c1", Status::Pass)]);
        let runs = [
            ClusterRun {
                name: "alpha",
                report: &a,
                json: "alpha/results.json".into(),
                junit: "alpha/junit.xml".into(),
            },
            ClusterRun {
                name: "beta",
                report: &b,
                json: "beta/results.json".into(),
                junit: "beta/junit.xml".into(),
            },
            ClusterRun {
                name: "gamma",
                report: &c,
                json: "gamma/results.json".into(),
                junit: "gamma/junit.xml".into(),
            },
        ];
        let s = FleetSummary::build("0", "t0".into(), "t1".into(), &runs, vec![]);
        assert_eq!(s.failures_by_check[0].check, "hostname-in-cluster-conf");
        assert_eq!(s.failures_by_check[0].failed, 2);
        assert_eq!(s.failures_by_check[0].clusters, ["alpha", "beta"]);
        assert_eq!(s.failures_by_check[1].check, "o2net-port");
        assert_eq!(s.clusters[1].outcome.skipped, 1);
        assert_eq!(s.exit_code(), 1);
        let text = to_text(&s);
        assert!(text.starts_with("fleet: 3 cluster(s), 4 node(s), 0 not in one cluster\n"));
        assert!(text.contains("  ok gamma: 1 node(s) (c1); 1 passed"));
        assert!(text.contains("      o2net-port@a2\n"));
        let html = to_html(&s);
        assert!(html.contains("b1&lt;x&gt;") && !html.contains("b1<x>"));
        let back: FleetSummary = serde_json::from_slice(&to_json(&s)).unwrap();
        assert_eq!(back, s);
    }

    #[test]
    fn an_unplaced_node_makes_the_fleet_fail_even_when_clusters_pass() {
        let c = report(&["c1"], &[("fstab", "c1", Status::Pass)]);
        let runs = [ClusterRun {
            name: "gamma",
            report: &c,
            json: "j".into(),
            junit: "x".into(),
        }];
        let ok = FleetSummary::build("0", "a".into(), "b".into(), &runs, vec![]);
        assert_eq!(ok.exit_code(), 0);
        let lost = UnplacedNode {
            node: "z".into(),
            kind: "several-clusters".into(),
            reason: "listed in alpha, beta".into(),
            alone: None,
        };
        let s = FleetSummary::build("0", "a".into(), "b".into(), &runs, vec![lost]);
        assert_eq!(s.exit_code(), 1);
        assert!(to_text(&s).contains("NOT CHECKED z (several-clusters): listed in alpha, beta"));
    }

    #[test]
    fn an_unplaced_node_shows_its_own_checks() {
        let own = report(
            &["z<1>"],
            &[
                ("fstab", "z<1>", Status::Pass),
                ("hostname-in-cluster-conf", "z<1>", Status::Fail),
                ("o2cb-status", "z<1>", Status::Skip),
            ],
        );
        let lost = UnplacedNode {
            node: "z<1>".into(),
            kind: "no-cluster".into(),
            reason: "its evidence has no /etc/ocfs2/cluster.conf".into(),
            alone: Some(Outcome::of(
                &own,
                "u/z/results.json".into(),
                "u/z/junit.xml".into(),
            )),
        };
        let s = FleetSummary::build("0", "a".into(), "b".into(), &[], vec![lost]);
        let text = to_text(&s);
        assert!(
            text.contains("      its own checks: 1 passed, 1 failed, 0 errors, 1 skipped; u/z/results.json\n      hostname-in-cluster-conf@z<1>\n"),
            "{text}"
        );
        let html = to_html(&s);
        assert!(
            html.contains("<code>hostname-in-cluster-conf@z&lt;1&gt;</code>"),
            "{html}"
        );
        let back: FleetSummary = serde_json::from_slice(&to_json(&s)).unwrap();
        assert_eq!(back, s);
    }
}
