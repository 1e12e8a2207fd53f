//! The JUnit report must stay valid XML, and valid against reports/junit.xsd, even
//! when evidence carries control characters, markup, `]]>` or lossy-decoded bytes.

use chrono::{TimeZone, Utc};
use o2check_reports::{junit, CheckResult, Evidence, Layer, NodeInfo, RunMeta, RunReport, Status};
use quick_xml::events::Event;
use std::process::Command;

fn result(check: &str, node: &str, layer: Layer, status: Status, text: &str) -> CheckResult {
    CheckResult {
        check: check.into(),
        node: node.into(),
        layer,
        status,
        summary: format!("summary of {check}: {text}"),
        finding: None,
        severity: None,
        evidence: vec![Evidence::new("/var/log/kern.log", Some(7), text)],
        fix: Some("run `o2cb register-cluster o2lab` && check </etc/hosts>".into()),
        rationale: "because".into(),
        duration_ms: 12,
    }
}

fn nasty_report() -> RunReport {
    let t = Utc.with_ymd_and_hms(2026, 11, 24, 19, 51, 49).unwrap();
    let nasty = "ctl \u{1}\u{1b}[31m <b>&\"'</b> ]]> \u{FFFE} lossy \u{FFFD}\u{0} end";
    let long = "x".repeat(200_000);
    RunReport {
        meta: RunMeta {
            tool: "o2check".into(),
            version: "0.1.0".into(),
            run_id: "r1".into(),
            started: t,
            finished: t,
            host: "ci\u{7}host".into(),
            mode: "bundle".into(),
        },
        nodes: vec![
            NodeInfo {
                name: "n150.ocfs2.test".into(),
                source: "bundle:x".into(),
                cluster: Some("o2lab".into()),
                kernel: Some("6.1.0-56-amd64".into()),
                ..Default::default()
            },
            NodeInfo {
                name: "n151<&>".into(),
                source: "bundle:y".into(),
                ..Default::default()
            },
        ],
        results: vec![
            result(
                "hostname-in-cluster-conf",
                "n150.ocfs2.test",
                Layer::O2cb,
                Status::Pass,
                "ok",
            ),
            result(
                "hostname-in-cluster-conf",
                "n151<&>",
                Layer::O2cb,
                Status::Fail,
                nasty,
            ),
            result(
                "multipath-paths",
                "n151<&>",
                Layer::Storage,
                Status::Skip,
                "no multipath",
            ),
            result(
                "o2net-port",
                "n151<&>",
                Layer::Network,
                Status::Error,
                &long,
            ),
            result(
                "cluster-conf-identical",
                "cluster",
                Layer::Cluster,
                Status::Fail,
                "differs",
            ),
            result(
                "concurrent-append",
                "cluster",
                Layer::Scenario,
                Status::Fail,
                "3 lost",
            ),
        ],
        diagnosis: None,
    }
}

/// (suite name, hostname, tests, failures, errors, skipped) for every testsuite.
fn suites(xml: &[u8]) -> Vec<(String, String, String, String, String, String)> {
    let mut reader = quick_xml::Reader::from_reader(xml);
    let mut buf = Vec::new();
    let mut out = Vec::new();
    loop {
        match reader.read_event_into(&mut buf).expect("well-formed XML") {
            Event::Start(e) if e.name().as_ref() == b"testsuite" => {
                let get = |k: &str| {
                    e.try_get_attribute(k)
                        .unwrap()
                        .map(|a| {
                            a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                                .unwrap()
                                .into_owned()
                        })
                        .unwrap_or_default()
                };
                out.push((
                    get("name"),
                    get("hostname"),
                    get("tests"),
                    get("failures"),
                    get("errors"),
                    get("skipped"),
                ));
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    out
}

#[test]
fn suites_per_node_plus_cluster_and_scenarios_with_right_counts() {
    let xml = junit::to_xml(&nasty_report());
    let s = suites(&xml);
    let names: Vec<&str> = s.iter().map(|x| x.0.as_str()).collect();
    assert_eq!(
        names,
        [
            "o2check.n150.ocfs2.test",
            "o2check.n151<&>",
            "o2check.cluster",
            "o2check.scenarios"
        ]
    );
    assert_eq!(s[1].1, "n151<&>");
    assert_eq!(
        (
            s[1].2.as_str(),
            s[1].3.as_str(),
            s[1].4.as_str(),
            s[1].5.as_str()
        ),
        ("3", "1", "1", "1")
    );
    assert_eq!((s[0].2.as_str(), s[0].3.as_str()), ("1", "0"));
    let text = String::from_utf8(xml).unwrap();
    assert!(
        text.contains(r#"<property name="cluster" value="o2lab"/>"#),
        "{}",
        &text[..2000]
    );
    assert!(text.contains(r#"type="hostname-in-cluster-conf""#));
    assert!(text.contains(r#"classname="ocfs2.o2cb""#));
    assert!(!text.contains('\u{1}') && !text.contains('\u{FFFE}'));
}

#[test]
fn validates_against_the_junit_xsd() {
    let Ok(v) = Command::new("xmllint").arg("--version").output() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "xmllint is required in CI"
        );
        eprintln!("xmllint not installed: schema validation not run");
        return;
    };
    assert!(v.status.success());
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("junit.xml");
    std::fs::write(&path, junit::to_xml(&nasty_report())).unwrap();
    let xsd = concat!(env!("CARGO_MANIFEST_DIR"), "/junit.xsd");
    let out = Command::new("xmllint")
        .args(["--noout", "--schema", xsd])
        .arg(&path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn json_round_trips() {
    let report = nasty_report();
    let back = o2check_reports::json::from_json(&o2check_reports::json::to_json(&report)).unwrap();
    assert_eq!(back, report);
}

#[test]
fn console_lists_failures_once_lowest_layer_first_and_shows_fixes() {
    let mut out = Vec::new();
    let options = o2check_reports::console::Options::default();
    o2check_reports::console::render(&nasty_report(), &mut out, &options).unwrap();
    let text = String::from_utf8(out).unwrap();
    assert!(text.contains("fix: run `o2cb register-cluster o2lab`"));
    assert!(text.contains("/var/log/kern.log:7:"));
    assert!(
        !text.contains('\u{1b}'),
        "no colour codes without a terminal"
    );
    // The o2cb failure comes before the cross-node one (layer order), each once.
    let o2cb = text
        .find("[o2cb] hostname-in-cluster-conf @ n151<&>")
        .unwrap();
    let cluster = text
        .find("[cluster] cluster-conf-identical @ cluster")
        .unwrap();
    assert!(o2cb < cluster, "{text}");
    assert_eq!(
        text.matches("[o2cb] hostname-in-cluster-conf @ n151<&>")
            .count(),
        1,
        "{text}"
    );
    let lines: Vec<&str> = text.trim_end().lines().collect();
    assert_eq!(
        lines[lines.len() - 2],
        "1 passed, 3 failed, 1 skipped, 1 errors"
    );
    assert!(
        lines[lines.len() - 1].starts_with("Most likely cause: "),
        "{text}"
    );
}

#[test]
fn failure_type_and_console_name_the_finding() {
    let mut report = nasty_report();
    report.results[1].finding = Some("no-local-node".into());
    let text = String::from_utf8(junit::to_xml(&report)).unwrap();
    assert!(
        text.contains(r#"type="hostname-in-cluster-conf/no-local-node""#),
        "{}",
        &text[..2000]
    );
    // A result without a code keeps the check id alone.
    assert!(text.contains(r#"type="o2net-port""#));
    let mut console = Vec::new();
    o2check_reports::console::render(&report, &mut console, &Default::default()).unwrap();
    let console = String::from_utf8(console).unwrap();
    assert!(
        console.contains("hostname-in-cluster-conf @ n151<&> [no-local-node]:"),
        "{console}"
    );
}
