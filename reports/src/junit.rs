//! JUnit XML for Jenkins and GitLab: one `<testsuite>` per node (with `hostname`
//! and node facts as `<properties>`), one for cluster-wide checks and one for
//! scenarios. `classname` is `ocfs2.<layer>`; a failed check is `<failure>` with
//! `type` = `<check>/<finding code>` (the check id when it has none), a check that
//! could not run is `<error>`, a skip `<skipped>`.
//!
//! Written with quick-xml rather than the junit-report crate: junit-report 0.9
//! cannot write `<properties>`, and it puts failure bodies in CDATA without
//! splitting `]]>`, which evidence can contain.

use crate::model::{CheckResult, Layer, NodeInfo, RunReport, Status};
use crate::xml_text::{one_line, xml_safe};
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use quick_xml::Writer;
use std::io;

/// The whole report as UTF-8 XML bytes.
pub fn to_xml(report: &RunReport) -> Vec<u8> {
    let mut w = Writer::new_with_indent(Vec::new(), b' ', 2);
    // Writing into a Vec cannot fail; the io::Result only exists for other sinks.
    let _ = write_report(&mut w, report);
    let mut bytes = w.into_inner();
    bytes.push(b'\n');
    bytes
}

fn write_report(w: &mut Writer<Vec<u8>>, report: &RunReport) -> io::Result<()> {
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    let all: Vec<&CheckResult> = report.results.iter().collect();
    let mut root = BytesStart::new("testsuites");
    root.push_attribute(("name", "o2check"));
    push_counts(&mut root, &all);
    w.write_event(Event::Start(root))?;
    for (index, suite) in suites(report).iter().enumerate() {
        write_suite(w, report, suite, index)?;
    }
    w.write_event(Event::End(BytesEnd::new("testsuites")))?;
    Ok(())
}

/// A suite: its name, the node it describes (if any) and its results.
struct Suite<'a> {
    name: String,
    hostname: String,
    node: Option<&'a NodeInfo>,
    results: Vec<&'a CheckResult>,
}

fn suites(report: &RunReport) -> Vec<Suite<'_>> {
    let mut suites: Vec<Suite> = report
        .nodes
        .iter()
        .map(|n| Suite {
            name: format!("o2check.{}", n.name),
            hostname: n.name.clone(),
            node: Some(n),
            results: report
                .results
                .iter()
                .filter(|r| r.node == n.name && r.layer != Layer::Scenario)
                .collect(),
        })
        .collect();
    let known = |r: &&CheckResult| report.nodes.iter().any(|n| n.name == r.node);
    let cluster: Vec<&CheckResult> = report
        .results
        .iter()
        .filter(|r| r.layer != Layer::Scenario && !known(r))
        .collect();
    let scenarios: Vec<&CheckResult> = report
        .results
        .iter()
        .filter(|r| r.layer == Layer::Scenario)
        .collect();
    for (name, results) in [
        ("o2check.cluster", cluster),
        ("o2check.scenarios", scenarios),
    ] {
        if !results.is_empty() {
            let hostname = report.meta.host.clone();
            suites.push(Suite {
                name: name.into(),
                hostname,
                node: None,
                results,
            });
        }
    }
    suites
}

fn push_counts(e: &mut BytesStart, results: &[&CheckResult]) {
    let count = |s: Status| results.iter().filter(|r| r.status == s).count().to_string();
    let millis: u64 = results.iter().map(|r| r.duration_ms).sum();
    e.push_attribute(("tests", results.len().to_string().as_str()));
    e.push_attribute(("failures", count(Status::Fail).as_str()));
    e.push_attribute(("errors", count(Status::Error).as_str()));
    e.push_attribute(("skipped", count(Status::Skip).as_str()));
    e.push_attribute(("time", seconds(millis).as_str()));
}

fn seconds(millis: u64) -> String {
    format!("{:.3}", millis as f64 / 1000.0)
}

fn write_suite(
    w: &mut Writer<Vec<u8>>,
    report: &RunReport,
    s: &Suite,
    id: usize,
) -> io::Result<()> {
    let mut e = BytesStart::new("testsuite");
    e.push_attribute(("name", xml_safe(&s.name).as_str()));
    push_counts(&mut e, &s.results);
    e.push_attribute(("id", id.to_string().as_str()));
    e.push_attribute(("hostname", xml_safe(&s.hostname).as_str()));
    e.push_attribute((
        "timestamp",
        report
            .meta
            .started
            .format("%Y-%m-%dT%H:%M:%S")
            .to_string()
            .as_str(),
    ));
    w.write_event(Event::Start(e))?;
    write_properties(w, report, s.node)?;
    for r in &s.results {
        write_case(w, r)?;
    }
    w.write_event(Event::End(BytesEnd::new("testsuite")))?;
    Ok(())
}

fn write_properties(
    w: &mut Writer<Vec<u8>>,
    report: &RunReport,
    node: Option<&NodeInfo>,
) -> io::Result<()> {
    let mut props: Vec<(&str, String)> = vec![
        ("o2check.version", report.meta.version.clone()),
        ("o2check.run_id", report.meta.run_id.clone()),
        ("o2check.mode", report.meta.mode.clone()),
    ];
    if let Some(n) = node {
        props.push(("source", n.source.clone()));
        let optional = [
            ("cluster", &n.cluster),
            ("kernel", &n.kernel),
            ("ocfs2_tools_version", &n.tools_version),
            ("stack", &n.stack),
            ("heartbeat_mode", &n.heartbeat_mode),
        ];
        props.extend(
            optional
                .iter()
                .filter_map(|(k, v)| Some((*k, v.as_ref()?.clone()))),
        );
    }
    w.write_event(Event::Start(BytesStart::new("properties")))?;
    for (name, value) in props {
        let mut p = BytesStart::new("property");
        p.push_attribute(("name", name));
        p.push_attribute(("value", xml_safe(&value).as_str()));
        w.write_event(Event::Empty(p))?;
    }
    w.write_event(Event::End(BytesEnd::new("properties")))?;
    Ok(())
}

fn write_case(w: &mut Writer<Vec<u8>>, r: &CheckResult) -> io::Result<()> {
    let mut e = BytesStart::new("testcase");
    e.push_attribute((
        "name",
        xml_safe(&format!("{}@{}", r.check, r.node)).as_str(),
    ));
    e.push_attribute(("classname", format!("ocfs2.{}", r.layer.name()).as_str()));
    e.push_attribute(("time", seconds(r.duration_ms).as_str()));
    if r.status == Status::Pass {
        return w.write_event(Event::Empty(e));
    }
    w.write_event(Event::Start(e))?;
    let (tag, body) = match r.status {
        Status::Fail => ("failure", Some(body(r))),
        Status::Error => ("error", Some(body(r))),
        _ => ("skipped", None),
    };
    let mut outcome = BytesStart::new(tag);
    outcome.push_attribute(("message", one_line(&r.summary).as_str()));
    if tag != "skipped" {
        // `<check>/<finding>` so CI groups failures by what was found, not by wording.
        let kind = match &r.finding {
            Some(code) => format!("{}/{code}", r.check),
            None => r.check.clone(),
        };
        outcome.push_attribute(("type", kind.as_str()));
    }
    match body {
        Some(text) => {
            w.write_event(Event::Start(outcome))?;
            w.write_event(Event::Text(BytesText::new(&xml_safe(&text))))?;
            w.write_event(Event::End(BytesEnd::new(tag)))?;
        }
        None => w.write_event(Event::Empty(outcome))?,
    }
    w.write_event(Event::End(BytesEnd::new("testcase")))?;
    Ok(())
}

/// The failure body: summary, evidence lines with their origin, fix, rationale.
fn body(r: &CheckResult) -> String {
    let mut text = format!("{}\n", r.summary);
    if !r.evidence.is_empty() {
        text.push_str("\nevidence:\n");
        for e in &r.evidence {
            match e.line {
                Some(line) => text.push_str(&format!("  {}:{}: {}\n", e.source, line, e.text)),
                None => text.push_str(&format!("  {}: {}\n", e.source, e.text)),
            }
        }
    }
    if let Some(fix) = &r.fix {
        text.push_str(&format!("\nfix:\n  {}\n", fix.replace('\n', "\n  ")));
    }
    if !r.rationale.is_empty() {
        text.push_str(&format!("\nwhy this matters: {}\n", r.rationale));
    }
    text
}
