//! A node name or evidence line carrying ESC sequences, CR or newlines cannot
//! drive the terminal or forge a line of the console summary or the Markdown
//! report (issue 9's low finding).

use chrono::{TimeZone, Utc};
use o2check_reports::diagnosis::Diagnosis;
use o2check_reports::{CheckResult, Evidence, Layer, NodeInfo, RunMeta, RunReport, Status};

const FORGED: &str = "n1\u{1b}[2J\u{1b}[32m\rPASS everything @ all: fine\nPASS more";

fn report() -> RunReport {
    let t = Utc.with_ymd_and_hms(2026, 12, 1, 9, 0, 0).unwrap();
    RunReport {
        meta: RunMeta {
            tool: "o2check".into(),
            version: "0.1.0".into(),
            run_id: "r1".into(),
            started: t,
            finished: t,
            host: "coordinator".into(),
            mode: "cluster".into(),
        },
        nodes: vec![NodeInfo {
            name: FORGED.into(),
            source: "bundle:x".into(),
            ..Default::default()
        }],
        results: vec![CheckResult {
            check: "node-reachable".into(),
            node: FORGED.into(),
            layer: Layer::Network,
            status: Status::Error,
            summary: format!("ssh said: {FORGED}"),
            finding: None,
            severity: None,
            evidence: vec![Evidence::new("stderr", None, FORGED)],
            // A fix is multi-line by design: only its control characters are escaped.
            fix: Some("reach n1\u{1b}[2J\rPASS".into()),
            rationale: FORGED.into(),
            duration_ms: 1,
        }],
        diagnosis: None,
    }
}

#[test]
fn the_console_shows_escapes_not_control_characters() {
    let mut out = Vec::new();
    o2check_reports::console::render(&report(), &mut out, &Default::default()).unwrap();
    let text = String::from_utf8(out).unwrap();
    assert!(!text.contains('\u{1b}'), "{text:?}");
    assert!(!text.contains('\r'), "{text:?}");
    assert!(
        !text.lines().any(|l| l.trim_start().starts_with("PASS")),
        "a forged line: {text}"
    );
    assert!(text.contains("n1\\x1b[2J"), "{text}");
}

#[test]
fn markdown_and_why_console_show_escapes_not_control_characters() {
    let d = Diagnosis {
        error_text: Some(FORGED.into()),
        ..Default::default()
    };
    for text in [
        o2check_reports::diagnosis_text::markdown(&d),
        o2check_reports::diagnosis_text::console(&d),
    ] {
        assert!(!text.contains('\u{1b}') && !text.contains('\r'), "{text:?}");
        assert!(!text.lines().any(|l| l.starts_with("PASS")), "{text}");
    }
}
