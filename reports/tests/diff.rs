//! `diff` on real run reports (tests/golden/*-results.json, see PROVENANCE).

use o2check_reports::diff::diff;
use o2check_reports::{Evidence, RunReport, Status};

fn report(name: &str) -> RunReport {
    let path = format!("{}/tests/golden/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

fn names(list: &[o2check_reports::diff::Change]) -> Vec<String> {
    list.iter()
        .map(|c| format!("{}@{}", c.check, c.node))
        .collect()
}

#[test]
fn a_node_that_starts_failing_is_a_new_failure_and_exit_one() {
    let d = diff(
        &report("healthy-results.json"),
        &report("demo-results.json"),
    );
    assert_eq!(
        names(&d.new_failures),
        [
            "cluster-online@n151.test.com",
            "hostname-in-cluster-conf@n151.test.com",
            "same-volume-uuid@cluster"
        ]
    );
    assert_eq!(d.new_failures[1].before, "absent");
    assert!(d.fixed.is_empty());
    assert_eq!(d.exit_code(), 1);
}

#[test]
fn the_same_run_twice_changes_nothing() {
    let d = diff(&report("demo-results.json"), &report("demo-results.json"));
    assert!(d.new_failures.is_empty() && d.fixed.is_empty() && d.changed_evidence.is_empty());
    assert_eq!(d.exit_code(), 0);
}

#[test]
fn fixed_changed_and_vanished_failures_are_told_apart() {
    let old = report("demo-results.json");
    let mut new = old.clone();
    for r in &mut new.results {
        match (r.check.as_str(), r.node.as_str()) {
            ("hostname-in-cluster-conf", "n151.test.com") => r.status = Status::Pass,
            ("cluster-online", "n151.test.com") => r
                .evidence
                .push(Evidence::note("command: o2cb cluster-status", "offline")),
            ("same-volume-uuid", "cluster") => r.status = Status::Skip,
            _ => {}
        }
    }
    let d = diff(&old, &new);
    assert_eq!(names(&d.fixed), ["hostname-in-cluster-conf@n151.test.com"]);
    assert_eq!(names(&d.changed_evidence), ["cluster-online@n151.test.com"]);
    assert_eq!(
        d.changed_evidence[0].evidence_added,
        ["command: o2cb cluster-status: offline"]
    );
    // Skipped now is not fixed: the evidence to say so is missing.
    assert_eq!(names(&d.no_longer_checked), ["same-volume-uuid@cluster"]);
    assert_eq!(d.exit_code(), 0);
    let text = d.to_text();
    assert!(
        text.contains("Fixed:\n  hostname-in-cluster-conf @ n151.test.com (fail -> pass)"),
        "{text}"
    );
    let json: serde_json::Value = serde_json::from_slice(&d.to_json()).unwrap();
    assert_eq!(json["fixed"][0]["after"], "pass");
}
