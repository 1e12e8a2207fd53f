//! A sosreport of a real lab node whose hostname matches no cluster.conf node
//! (built by fixtures/make-sosreport-bundle.sh from the real capture: only what
//! sos collects). sos collects no OCFS2 state, so nothing here can prove the
//! fault: no check may fail, and the ones that would see it say what to collect.

mod common;

use common::fixtures;
use o2check_checks::runner::run_all;
use o2check_checks::source::{Bundle, Source};
use o2check_checks::Options;
use o2check_reports::Status;
use std::path::Path;
use std::process::Command;

const BUNDLE: &str = "sos-hostname-mismatch-node2";

#[test]
fn the_fixture_is_what_the_script_builds() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("sos");
    let script = fixtures().join("../make-sosreport-bundle.sh");
    let ok = Command::new("sh")
        .arg(&script)
        .arg(fixtures().join("lab-capture-hostname-mismatch-node2"))
        .arg(&out)
        .status()
        .unwrap();
    assert!(ok.success());
    let files = |root: &Path| {
        let mut v: Vec<(String, Vec<u8>)> = Vec::new();
        let mut stack = vec![root.to_path_buf()];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    stack.push(p);
                } else {
                    let rel = p.strip_prefix(root).unwrap().display().to_string();
                    v.push((rel, std::fs::read(&p).unwrap()));
                }
            }
        }
        v.sort();
        v
    };
    assert_eq!(files(&out), files(&fixtures().join(BUNDLE)));
}

#[test]
fn no_failure_the_evidence_does_not_support_and_it_says_what_to_collect() {
    let sos = Bundle::open(&fixtures().join(BUNDLE)).unwrap();
    assert!(sos.describe().starts_with("sosreport:"));
    let sources: Vec<Box<dyn Source>> = vec![Box::new(sos)];
    let results = run_all(&sources, &Options::default());
    for r in &results {
        assert_ne!(r.status, Status::Fail, "{}: {}", r.check, r.summary);
        assert_ne!(r.status, Status::Error, "{}: {}", r.check, r.summary);
    }
    for id in [
        "hostname-in-cluster-conf",
        "cluster-conf-syntax",
        "o2cb-config",
    ] {
        let r = results.iter().find(|r| r.check == id).unwrap();
        assert_eq!(r.status, Status::Skip);
        assert_eq!(r.finding.as_deref(), Some("not-collected"), "{id}");
        assert!(
            r.summary.contains("sos does not collect") && r.summary.contains("o2check collect"),
            "{id}: {}",
            r.summary
        );
    }
    // What sos does collect is still judged.
    let modules = results.iter().find(|r| r.check == "o2cb-modules").unwrap();
    assert_eq!(modules.status, Status::Pass, "{}", modules.summary);
}
