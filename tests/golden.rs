//! Golden tests of what users read: the console report, results.json and JUnit of
//! `run`, the console, Markdown, HTML, JSON and JUnit of `why`, and the text and
//! SVG of `timeline`, on the repository's real lab bundles. Each output is an
//! `insta` snapshot in tests/snapshots/, so any change in what a user sees shows
//! up as a diff in review. What varies from run to run or machine to machine
//! (times, durations, run ids, the output directory, the analysing host, the
//! version) is replaced by a placeholder first.
//!
//! A difference fails the test; CI sets `INSTA_UPDATE=no` so nothing is written.
//! To accept an intended change: `INSTA_UPDATE=always cargo test --test golden`
//! (or `cargo insta review` with cargo-insta installed), then review the diff of
//! tests/snapshots/ like code (CONTRIBUTING.md).

use std::path::Path;
use std::process::Command;

/// The demo's bundles (scripts/demo): node1 healthy, node2 with a hostname that
/// matches no node of cluster.conf.
const DEMO: [&str; 2] = [
    "fixtures/bundles/lab-capture-healthy-node1",
    "fixtures/bundles/lab-capture-hostname-mismatch-node2",
];

/// The lab cluster run with n150's o2net port dropped by iptables: a timeline
/// with connections, rejections and a failed mount.
const PORT_BLOCKED: [&str; 2] = [
    "fixtures/bundles/lab-cluster-port-blocked-n150",
    "fixtures/bundles/lab-cluster-port-blocked-n151",
];

/// Runs o2check from the repository root (so bundle paths print as given) with
/// `--bundle` for each of `bundles`, reports in `out`; returns stdout.
fn o2check(args: &[&str], bundles: &[&str], out: &Path) -> String {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_o2check"));
    cmd.args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .env("TZ", "UTC")
        .arg("--out")
        .arg(out);
    for b in bundles {
        cmd.args(["--bundle", b]);
    }
    let o = cmd.output().expect("o2check runs");
    assert!(
        o.status.code().is_some_and(|c| c <= 1),
        "o2check {args:?}: {}\n{}",
        o.status,
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout).expect("stdout is UTF-8")
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&read(path)).expect("valid JSON")
}

/// A report's JSON with what varies between runs replaced by placeholders: the
/// run's start, end and analysing host, and every duration. Done on the value
/// rather than with insta's `redactions` feature, whose selector parser (pest)
/// needs a newer Rust than the workspace's rust-version.
fn redacted(mut report: serde_json::Value) -> serde_json::Value {
    fn durations(v: &mut serde_json::Value) {
        match v {
            serde_json::Value::Object(map) => {
                for (key, value) in map.iter_mut() {
                    if key == "duration_ms" {
                        *value = "[ms]".into();
                    } else {
                        durations(value);
                    }
                }
            }
            serde_json::Value::Array(items) => items.iter_mut().for_each(durations),
            _ => {}
        }
    }
    if let Some(meta) = report.get_mut("meta").and_then(|m| m.as_object_mut()) {
        for (key, placeholder) in [
            ("started", "[time]"),
            ("finished", "[time]"),
            ("host", "[analysing-host]"),
        ] {
            if meta.contains_key(key) {
                meta.insert(key.into(), placeholder.into());
            }
        }
    }
    durations(&mut report);
    report
}

/// Placeholders for what varies between runs and machines, in every snapshot
/// taken inside `f`.
fn stable(out: &Path, f: impl FnOnce()) {
    let mut s = insta::Settings::clone_current();
    s.set_snapshot_path("snapshots");
    s.set_prepend_module_to_snapshot(false);
    s.add_filter(&regex::escape(&out.display().to_string()), "[out]");
    // The host that analysed the bundles (JUnit's cluster suite, JSON meta).
    let host = nix::unistd::gethostname().expect("hostname");
    let host = regex::escape(&host.to_string_lossy());
    s.add_filter(
        &format!(r#"hostname="{host}""#),
        r#"hostname="[analysing-host]""#,
    );
    s.add_filter(
        &format!(r#""host": "{host}""#),
        r#""host": "[analysing-host]""#,
    );
    s.add_filter(&regex::escape(env!("CARGO_PKG_VERSION")), "[version]");
    s.add_filter(r"\b\d{8}T\d{6}Z\b", "[run-id]");
    s.add_filter(r#"timestamp="[^"]*""#, r#"timestamp="[time]""#);
    s.add_filter(r#" time="\d+(\.\d+)?""#, r#" time="[s]""#);
    s.add_filter(r#""duration_ms": \d+"#, r#""duration_ms": "[ms]""#);
    s.bind(f);
}

#[test]
fn run_console_json_and_junit_on_the_demo_bundles() {
    let out = tempfile::tempdir().unwrap();
    let console = o2check(&["run", "--color", "never"], &DEMO, out.path());
    stable(out.path(), || {
        insta::assert_snapshot!("run_console", console);
        insta::assert_json_snapshot!(
            "run_results_json",
            redacted(json(&out.path().join("results.json")))
        );
        insta::assert_snapshot!("run_junit", read(&out.path().join("junit.xml")));
    });
}

#[test]
fn why_console_markdown_html_json_and_junit_on_the_demo_bundles() {
    let out = tempfile::tempdir().unwrap();
    let console = o2check(
        &[
            "why",
            "mount.ocfs2: Internal logic failure while trying to join the group",
        ],
        &DEMO,
        out.path(),
    );
    stable(out.path(), || {
        insta::assert_snapshot!("why_console", console);
        insta::assert_snapshot!("why_markdown", read(&out.path().join("why.md")));
        insta::assert_snapshot!("why_html", read(&out.path().join("why.html")));
        insta::assert_json_snapshot!("why_json", redacted(json(&out.path().join("why.json"))));
        insta::assert_snapshot!("why_junit", read(&out.path().join("why-junit.xml")));
    });
}

#[test]
fn timeline_text_and_svg_of_the_port_blocked_run() {
    let out = tempfile::tempdir().unwrap();
    let text = o2check(&["timeline"], &PORT_BLOCKED, out.path());
    stable(out.path(), || {
        insta::assert_snapshot!("timeline_text", text);
        insta::assert_snapshot!("timeline_svg", read(&out.path().join("timeline.svg")));
    });
}
