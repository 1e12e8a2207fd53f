//! The binary as a user runs it: exit codes, reports, the libtest-style CLI, on
//! bundles made from the real lab captures.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn o2check(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_o2check"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .output()
        .expect("o2check runs")
}

fn bundle(name: &str) -> String {
    format!("fixtures/bundles/{name}")
}

fn results(path: &Path) -> serde_json::Value {
    let bytes = std::fs::read(path).expect("results.json written");
    serde_json::from_slice(&bytes).expect("results.json is JSON")
}

fn status_of(report: &serde_json::Value, check: &str, node: &str) -> String {
    let results = report["results"].as_array().expect("results array");
    let r = results
        .iter()
        .find(|r| r["check"] == check && r["node"] == node)
        .unwrap_or_else(|| panic!("no result for {check}@{node}"));
    r["status"].as_str().unwrap_or_default().to_string()
}

fn out_dir() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().to_path_buf();
    (dir, path)
}

#[test]
fn healthy_lab_node_passes_and_exits_zero() {
    let (_d, out) = out_dir();
    let o = o2check(&[
        "run",
        "--bundle",
        &bundle("lab-capture-healthy-node1"),
        "--out",
        out.to_str().unwrap(),
    ]);
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{stdout}\n{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let report = results(&out.join("results.json"));
    assert_eq!(
        status_of(&report, "hostname-in-cluster-conf", "n150.ocfs2.test"),
        "pass"
    );
    assert!(out.join("junit.xml").is_file());
}

#[test]
fn hostname_mismatch_fails_that_check_on_that_node_and_exits_one() {
    let (_d, out) = out_dir();
    let o = o2check(&[
        "run",
        "--bundle",
        &bundle("lab-capture-healthy-node1"),
        "--bundle",
        &bundle("lab-capture-hostname-mismatch-node2"),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    let report = results(&out.join("results.json"));
    assert_eq!(
        status_of(&report, "hostname-in-cluster-conf", "n151.test.com"),
        "fail"
    );
    assert_eq!(
        status_of(&report, "hostname-in-cluster-conf", "n150.ocfs2.test"),
        "pass"
    );
}

#[test]
fn list_names_checks_per_node_and_writes_no_report() {
    let (_d, out) = out_dir();
    let o = o2check(&[
        "run",
        "--bundle",
        &bundle("lab-capture-healthy-node1"),
        "--list",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0));
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(
        stdout.contains("hostname-in-cluster-conf@n150.ocfs2.test: test"),
        "{stdout}"
    );
    assert!(!out.join("results.json").exists());
}

#[test]
fn a_filter_runs_only_matching_checks() {
    let (_d, out) = out_dir();
    let o = o2check(&[
        "run",
        "--bundle",
        &bundle("lab-capture-hostname-mismatch-node2"),
        "--out",
        out.to_str().unwrap(),
        "--exact",
        "hostname-in-cluster-conf@n151.test.com",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let report = results(&out.join("results.json"));
    let checks: Vec<_> = report["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["check"].clone())
        .collect();
    assert_eq!(checks, vec![serde_json::json!("hostname-in-cluster-conf")]);
}

#[test]
fn unreadable_input_exits_two_with_a_clear_message() {
    let o = o2check(&[
        "run",
        "--bundle",
        "fixtures/bundles/no-such-bundle",
        "--no-reports",
    ]);
    assert_eq!(o.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(stderr.contains("no-such-bundle"), "{stderr}");
}

#[test]
fn usage_errors_exit_two() {
    let o = o2check(&["run", "--no-such-flag"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn collect_refuses_a_non_empty_target() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("x"), "keep me").unwrap();
    let o = o2check(&["collect", "--out", dir.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("x")).unwrap(),
        "keep me"
    );
}

#[test]
fn collected_bundle_of_this_host_runs_offline_with_the_same_verdicts() {
    let dir = tempfile::tempdir().unwrap();
    let b = dir.path().join("bundle");
    let o = o2check(&["collect", "--out", b.to_str().unwrap()]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(b.join("meta.json").is_file());
    let live_out = dir.path().join("live");
    let offline_out = dir.path().join("offline");
    o2check(&["run", "--out", live_out.to_str().unwrap()]);
    o2check(&[
        "run",
        "--bundle",
        b.to_str().unwrap(),
        "--out",
        offline_out.to_str().unwrap(),
    ]);
    let verdicts = |p: &Path| -> Vec<(String, String)> {
        let r = results(&p.join("results.json"));
        let mut v: Vec<_> = r["results"]
            .as_array()
            .unwrap()
            .iter()
            // A TCP probe and the clock are the only evidence that may change between
            // the live run and the collection a moment earlier.
            .filter(|r| r["check"] != "o2net-port" && r["check"] != "clock-skew")
            .map(|r| {
                (
                    r["check"].as_str().unwrap().to_string(),
                    r["status"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        v.sort();
        v
    };
    assert_eq!(verdicts(&live_out), verdicts(&offline_out));
}

#[test]
fn explicit_report_paths_are_written_even_with_no_reports() {
    let (_d, out) = out_dir();
    let junit = out.join("x/j.xml");
    let o = o2check(&[
        "run",
        "--bundle",
        &bundle("lab-capture-healthy-node1"),
        "--no-reports",
        "--junit",
        junit.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0));
    assert!(junit.is_file());
    assert!(!out.join("results.json").exists());
}

#[test]
fn run_help_is_o2checks_own_with_examples_and_exit_codes() {
    let o = o2check(&["run", "--help"]);
    assert_eq!(o.status.code(), Some(0));
    let help = String::from_utf8_lossy(&o.stdout);
    assert!(help.contains("Usage: o2check run"), "{help}");
    assert!(
        help.contains("Examples:") && help.contains("Exit codes:"),
        "{help}"
    );
    assert!(
        help.contains("--format <FORMAT>") && help.contains("nagios"),
        "{help}"
    );
    for libtest_only in [
        "--ignored",
        "--bench",
        "--nocapture",
        "-Z",
        "--logfile",
        "--include-ignored",
    ] {
        assert!(!help.contains(libtest_only), "{libtest_only} in:\n{help}");
    }
}

#[test]
fn console_shows_each_failure_once_and_ends_with_the_why_command() {
    let o = o2check(&[
        "run",
        "--no-reports",
        "--bundle",
        &bundle("lab-capture-healthy-node1"),
        "--bundle",
        &bundle("lab-capture-hostname-mismatch-node2"),
    ]);
    assert_eq!(o.status.code(), Some(1));
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(
        out.matches("hostname-in-cluster-conf @ n151.test.com")
            .count(),
        1,
        "{out}"
    );
    // No libtest listing without --trials.
    assert!(
        !out.contains("test result:") && !out.contains("... ok"),
        "{out}"
    );
    let last = out.trim_end().lines().last().unwrap();
    assert_eq!(
        last,
        "Most likely cause: hostname-in-cluster-conf on n151.test.com. Next: o2check why \
         --bundle fixtures/bundles/lab-capture-healthy-node1 \
         --bundle fixtures/bundles/lab-capture-hostname-mismatch-node2"
    );
    // The listing is there for those who ask.
    let t = o2check(&[
        "run",
        "--no-reports",
        "--trials",
        "--bundle",
        &bundle("lab-capture-healthy-node1"),
    ]);
    assert!(String::from_utf8_lossy(&t.stdout).contains("test result: ok."));
}

#[test]
fn a_host_without_ocfs2_hears_so_first() {
    let empty = tempfile::tempdir().unwrap();
    let o = o2check(&[
        "run",
        "--no-reports",
        "--bundle",
        empty.path().to_str().unwrap(),
    ]);
    let out = String::from_utf8_lossy(&o.stdout);
    let second = out
        .lines()
        .find(|l| !l.trim().is_empty() && !l.starts_with("o2check "));
    assert!(second.unwrap_or("").starts_with("No OCFS2 here:"), "{out}");
    // A real node does not get that headline.
    let o = o2check(&[
        "run",
        "--no-reports",
        "--bundle",
        &bundle("lab-capture-healthy-node1"),
    ]);
    assert!(!String::from_utf8_lossy(&o.stdout).contains("No OCFS2 here"));
}

#[test]
fn nagios_format_is_one_status_line_and_the_plugin_exit_code() {
    let (_d, out) = out_dir();
    let prom = out.join("o2check.prom");
    let o = o2check(&[
        "run",
        "--no-reports",
        "--format",
        "nagios",
        "--prometheus",
        prom.to_str().unwrap(),
        "--bundle",
        &bundle("lab-capture-healthy-node1"),
        "--bundle",
        &bundle("lab-capture-hostname-mismatch-node2"),
    ]);
    assert_eq!(o.status.code(), Some(2), "CRITICAL");
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        text.starts_with("O2CHECK CRITICAL - 3 failed: hostname-in-cluster-conf@n151.test.com, "),
        "{text}"
    );
    let metrics = std::fs::read_to_string(&prom).unwrap();
    assert!(
        metrics.contains("o2check_run_timestamp_seconds "),
        "{metrics}"
    );
    let healthy = o2check(&[
        "run",
        "--no-reports",
        "--format",
        "nagios",
        "--bundle",
        &bundle("lab-capture-healthy-node1"),
    ]);
    assert_eq!(healthy.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&healthy.stdout).starts_with("O2CHECK OK - "));
    let missing = o2check(&[
        "run",
        "--format",
        "nagios",
        "--bundle",
        "fixtures/bundles/no-such-bundle",
    ]);
    assert_eq!(missing.status.code(), Some(3), "UNKNOWN");
}

#[test]
fn diff_exits_one_when_something_new_fails() {
    let (_d, out) = out_dir();
    let (old, new) = (out.join("old.json"), out.join("new.json"));
    let run = |json: &Path, bundles: &[&str]| {
        let mut args = vec!["run", "--no-reports", "--json", json.to_str().unwrap()];
        for b in bundles {
            args.extend(["--bundle", b]);
        }
        o2check(&args);
    };
    let healthy = bundle("lab-capture-healthy-node1");
    let mismatch = bundle("lab-capture-hostname-mismatch-node2");
    run(&old, &[&healthy]);
    run(&new, &[&healthy, &mismatch]);
    let report = out.join("diff.json");
    let d = o2check(&[
        "diff",
        old.to_str().unwrap(),
        new.to_str().unwrap(),
        "--json",
        report.to_str().unwrap(),
    ]);
    assert_eq!(d.status.code(), Some(1));
    let text = String::from_utf8_lossy(&d.stdout);
    assert!(
        text.contains("New failures:\n  cluster-online @ n151.test.com (absent -> fail)"),
        "{text}"
    );
    let back = o2check(&["diff", new.to_str().unwrap(), old.to_str().unwrap()]);
    assert_eq!(back.status.code(), Some(0));
    let json = results(&report);
    assert_eq!(json["new_failures"].as_array().unwrap().len(), 3);
    let bad = o2check(&["diff", "Cargo.toml", new.to_str().unwrap()]);
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn since_takes_boot_or_a_time_and_refuses_anything_else() {
    let (_d, out) = out_dir();
    let o = o2check(&[
        "run",
        "--bundle",
        &bundle("lab-capture-idle-timeout-node2"),
        "--since",
        "yesterday",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("neither `boot` nor a time"));
    let node = "n151.ocfs2.test";
    let o = o2check(&[
        "run",
        "--bundle",
        &bundle("lab-capture-idle-timeout-node2"),
        "--since",
        "boot",
        "--out",
        out.to_str().unwrap(),
    ]);
    let report = results(&out.join("results.json"));
    assert_eq!(
        status_of(&report, "ocfs2-errors", node),
        "fail",
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
}

#[test]
fn a_sosreport_says_what_sos_does_not_collect_and_fails_nothing() {
    let (_d, out) = out_dir();
    let o = o2check(&[
        "run",
        "--bundle",
        &bundle("sos-hostname-mismatch-node2"),
        "--out",
        out.to_str().unwrap(),
    ]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        stderr.contains("is a sosreport") && stderr.contains("/etc/ocfs2/cluster.conf"),
        "{stderr}"
    );
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    let report = results(&out.join("results.json"));
    assert_eq!(
        status_of(&report, "hostname-in-cluster-conf", "n151.test.com"),
        "skip"
    );
}
