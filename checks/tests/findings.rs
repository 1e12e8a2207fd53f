//! Every result that is not a pass names what was found with a listed finding
//! code: every check over every fixture bundle, alone, in lab pairs, and emptied.

mod common;

use common::fixtures;
use o2check_checks::rules::findings;
use o2check_checks::runner::run_all;
use o2check_checks::source::{Bundle, Cached, Source};
use o2check_checks::Options;
use o2check_reports::{CheckResult, Status};
use std::path::Path;

fn run(dirs: &[&Path]) -> Vec<CheckResult> {
    let sources: Vec<Box<dyn Source>> = dirs
        .iter()
        .map(|d| Box::new(Cached::new(Bundle::open(d).unwrap())) as Box<dyn Source>)
        .collect();
    run_all(&sources, &Options::default())
}

fn assert_coded(results: &[CheckResult], case: &str) -> usize {
    let mut non_pass = 0;
    for r in results.iter().filter(|r| r.status != Status::Pass) {
        non_pass += 1;
        let code = r.finding.as_deref().unwrap_or_else(|| {
            panic!(
                "{case}: {}@{} {:?} has no finding: {}",
                r.check, r.node, r.status, r.summary
            )
        });
        let row = findings::lookup(&r.check, code)
            .unwrap_or_else(|| panic!("{case}: {}/{code} is not in rules/FINDINGS", r.check));
        assert_eq!(
            row.status, r.status,
            "{case}: {}/{code}: {}",
            r.check, r.summary
        );
    }
    non_pass
}

#[test]
fn every_non_pass_result_on_every_fixture_has_a_listed_code() {
    let mut non_pass = 0;
    for dir in common::bundle_dirs() {
        non_pass += assert_coded(&run(&[&dir]), &dir.display().to_string());
    }
    let pairs = [
        ("lab-capture-healthy-node1", "lab-capture-healthy-node2"),
        (
            "lab-cluster-port-blocked-n150",
            "lab-cluster-port-blocked-n151",
        ),
        (
            "lab-capture-healthy-node1-end",
            "lab-capture-hostname-mismatch-node2",
        ),
    ];
    for (a, b) in pairs {
        let (a, b) = (fixtures().join(a), fixtures().join(b));
        non_pass += assert_coded(&run(&[&a, &b]), "pair");
    }
    let empty = tempfile::tempdir().unwrap();
    non_pass += assert_coded(&run(&[empty.path(), empty.path()]), "empty");
    // The fixtures hold real faults: the scan must have seen many findings.
    assert!(non_pass > 50, "only {non_pass} non-pass results");
}
