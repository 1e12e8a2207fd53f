//! Golden tests of the monitoring renderers (Nagios plugin output, Prometheus
//! textfile) on real run reports; `O2CHECK_BLESS=1` rewrites the expected files.

use o2check_reports::facts::Facts;
use o2check_reports::{console, nagios, prometheus, RunReport, Severity, Status};
use std::path::PathBuf;

fn golden_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden")
}

fn report(name: &str) -> RunReport {
    let bytes = std::fs::read(golden_dir().join(name)).unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

fn facts() -> Facts {
    serde_json::from_slice(&std::fs::read(golden_dir().join("facts.json")).unwrap()).unwrap()
}

/// Compare with the golden file, or write it when blessing.
fn golden(name: &str, actual: &str) {
    let path = golden_dir().join(name);
    if std::env::var_os("O2CHECK_BLESS").is_some() {
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|_| panic!("{} missing: run with O2CHECK_BLESS=1", path.display()));
    assert_eq!(
        actual, expected,
        "{name} differs (O2CHECK_BLESS=1 to accept)"
    );
}

#[test]
fn nagios_demo_is_critical_and_names_the_failures() {
    let p = nagios::render(&report("demo-results.json"), &facts());
    assert_eq!(p.code, 2);
    golden("demo.nagios", &p.text);
}

#[test]
fn nagios_healthy_is_ok_with_perfdata_where_known() {
    let p = nagios::render(&report("healthy-results.json"), &Facts::default());
    assert_eq!(p.code, 0);
    assert!(p.text.starts_with("O2CHECK OK - "), "{}", p.text);
    // No facts given: no multipath, heartbeat or fence numbers made up.
    assert!(!p.text.contains("paths_failed"), "{}", p.text);
    golden("healthy.nagios", &p.text);
}

#[test]
fn nagios_warning_severity_alone_is_warning_and_an_error_alone_unknown() {
    let mut r = report("demo-results.json");
    for res in &mut r.results {
        if res.status == Status::Fail {
            res.severity = Some(Severity::Warning);
        }
    }
    let p = nagios::render(&r, &Facts::default());
    assert_eq!(p.code, 1, "{}", p.text);
    assert!(
        p.text.starts_with("O2CHECK WARNING - 3 failed: "),
        "{}",
        p.text
    );
    for res in &mut r.results {
        if res.status == Status::Fail {
            res.status = Status::Error;
        }
    }
    let p = nagios::render(&r, &Facts::default());
    assert_eq!(p.code, 3, "{}", p.text);
    assert!(
        p.text.starts_with("O2CHECK UNKNOWN - 3 could not check"),
        "{}",
        p.text
    );
}

#[test]
fn nagios_with_nothing_checked_is_unknown() {
    let mut r = report("healthy-results.json");
    for res in &mut r.results {
        res.status = Status::Skip;
    }
    let p = nagios::render(&r, &Facts::default());
    assert_eq!(p.code, 3);
    assert!(p.text.contains("nothing checked"), "{}", p.text);
}

#[test]
fn nagios_status_line_is_one_short_line_without_stray_pipes() {
    let p = nagios::render(&report("demo-results.json"), &facts());
    let first = p.text.lines().next().unwrap();
    assert_eq!(first.matches('|').count(), 1, "{first}");
    assert!(first.len() < 1024, "{} bytes", first.len());
    assert!(first.contains("paths_failed=1;1;;0"), "{first}");
    assert!(first.contains("hb_age_ms=2000ms;;62000;0"), "{first}");
}

#[test]
fn console_demo_leads_to_the_cause() {
    let mut out = Vec::new();
    let options = console::Options {
        why_command: Some("o2check why --bundle A --bundle B".into()),
        ..Default::default()
    };
    console::render(&report("demo-results.json"), &mut out, &options).unwrap();
    let text = String::from_utf8(out).unwrap();
    golden("demo.console", &text);
    // Each failure once; the cause first, its symptoms under it.
    assert_eq!(
        text.matches("hostname-in-cluster-conf @ n151.test.com")
            .count(),
        1
    );
    assert!(
        text.find("hostname-in-cluster-conf @").unwrap() < text.find("cluster-online @").unwrap()
    );
    assert!(text.trim_end().ends_with(
        "Most likely cause: hostname-in-cluster-conf on n151.test.com. Next: o2check why --bundle A --bundle B"
    ));
}

#[test]
fn prometheus_demo_textfile() {
    let text = prometheus::render(&report("demo-results.json"), &facts());
    golden("demo.prom", &text);
    // Every sample's family is declared, and no skipped check has a status sample.
    assert!(text.contains("o2check_check_status{check=\"hostname-in-cluster-conf\",node=\"n151.test.com\",cluster=\"o2lab\",layer=\"o2cb\"} 2"));
    assert!(text.contains(
        "o2check_multipath_paths{node=\"n150.ocfs2.test\",map=\"mpatha\",state=\"failed\"} 1"
    ));
}

#[test]
fn prometheus_escapes_label_values() {
    let mut r = report("healthy-results.json");
    r.results[0].node = "odd \"name\"\\\n".into();
    let text = prometheus::render(&r, &Facts::default());
    assert!(text.contains("node=\"odd \\\"name\\\"\\\\\\n\""), "{text}");
}
