//! `run --prometheus FILE`: the run as a Prometheus textfile for node_exporter's
//! textfile collector (text exposition format 0.0.4). Names follow Prometheus'
//! naming rules: an `o2check_` prefix, base units (`_seconds`), no `_total` on a
//! gauge. A skipped check has no `o2check_check_status` sample: skipped is not
//! a state to alert on, and a missing number is not a zero.

use crate::facts::Facts;
use crate::model::{RunReport, Severity, Status};
use std::collections::BTreeMap;
use std::fmt::Write;

pub fn render(report: &RunReport, facts: &Facts) -> String {
    let clusters: BTreeMap<&str, &str> = report
        .nodes
        .iter()
        .filter_map(|n| Some((n.name.as_str(), n.cluster.as_deref()?)))
        .collect();
    // Cross-node checks (node `cluster`) take the cluster name the nodes agree on.
    let mut names: Vec<&str> = clusters.values().copied().collect();
    names.dedup();
    let shared = if names.len() == 1 { names[0] } else { "" };
    let cluster_of = |node: &str| clusters.get(node).copied().unwrap_or(shared);

    let mut out = String::new();
    family(
        &mut out,
        "o2check_check_status",
        "Outcome of each check: 0 passed, 1 failed (warning severity), 2 failed (critical severity), 3 could not decide. Skipped checks have no sample.",
    );
    for r in &report.results {
        let value = match (r.status, r.severity.unwrap_or(Severity::Critical)) {
            (Status::Pass, _) => 0,
            (Status::Fail, Severity::Warning) => 1,
            (Status::Fail, Severity::Critical) => 2,
            (Status::Error, _) => 3,
            (Status::Skip, _) => continue,
        };
        sample(
            &mut out,
            "o2check_check_status",
            &[
                ("check", &r.check),
                ("node", &r.node),
                ("cluster", cluster_of(&r.node)),
                ("layer", r.layer.name()),
            ],
            value,
        );
    }
    family(
        &mut out,
        "o2check_checks",
        "Checks of the last run by outcome.",
    );
    for status in [Status::Pass, Status::Fail, Status::Error, Status::Skip] {
        sample(
            &mut out,
            "o2check_checks",
            &[("status", status.name())],
            report.count(status),
        );
    }
    family(
        &mut out,
        "o2check_run_timestamp_seconds",
        "When the last run finished, in seconds since the epoch.",
    );
    let finished = report.meta.finished;
    let _ = writeln!(
        out,
        "o2check_run_timestamp_seconds {}.{:03}",
        finished.timestamp(),
        finished.timestamp_subsec_millis()
    );
    family(
        &mut out,
        "o2check_run_duration_seconds",
        "How long the last run took.",
    );
    let took = (report.meta.finished - report.meta.started)
        .num_milliseconds()
        .max(0);
    let _ = writeln!(
        out,
        "o2check_run_duration_seconds {}.{:03}",
        took / 1000,
        took % 1000
    );
    if !facts.multipath.is_empty() {
        family(&mut out, "o2check_multipath_paths", "Paths of each multipath map by state (active = active ready running) from multipath -ll.");
        for m in &facts.multipath {
            sample(
                &mut out,
                "o2check_multipath_paths",
                &[("node", &m.node), ("map", &m.map), ("state", &m.state)],
                m.count,
            );
        }
    }
    if !facts.heartbeat.is_empty() {
        family(
            &mut out,
            "o2check_heartbeat_age_seconds",
            "Time since the node last wrote its disk heartbeat slot on the device.",
        );
        for h in &facts.heartbeat {
            let labels = [("node", h.node.as_str()), ("device", &h.device)];
            let _ = writeln!(
                out,
                "o2check_heartbeat_age_seconds{} {}",
                labels_text(&labels),
                seconds(h.age_ms)
            );
        }
        family(&mut out, "o2check_heartbeat_dead_seconds", "The dead time the slot carries: a node whose heartbeat is older is declared dead and fenced.");
        for h in &facts.heartbeat {
            let labels = [("node", h.node.as_str()), ("device", &h.device)];
            let _ = writeln!(
                out,
                "o2check_heartbeat_dead_seconds{} {}",
                labels_text(&labels),
                seconds(h.dead_ms)
            );
        }
    }
    if !facts.fences.is_empty() {
        family(
            &mut out,
            "o2check_fences_24h",
            "Fencing messages in the node's kernel logs in the 24 h before its evidence was taken.",
        );
        for f in &facts.fences {
            sample(
                &mut out,
                "o2check_fences_24h",
                &[("node", &f.node)],
                f.count,
            );
        }
    }
    out
}

fn seconds(ms: u64) -> String {
    format!("{}.{:03}", ms / 1000, ms % 1000)
}

fn family(out: &mut String, name: &str, help: &str) {
    let _ = writeln!(
        out,
        "# HELP {name} {}",
        help.replace('\\', "\\\\").replace('\n', "\\n")
    );
    let _ = writeln!(out, "# TYPE {name} gauge");
}

fn sample(out: &mut String, name: &str, labels: &[(&str, &str)], value: impl std::fmt::Display) {
    let _ = writeln!(out, "{name}{} {value}", labels_text(labels));
}

/// `{a="x",b="y"}` with the exposition format's escapes (backslash, quote, newline).
fn labels_text(labels: &[(&str, &str)]) -> String {
    let inner: Vec<String> = labels
        .iter()
        .map(|(k, v)| {
            let v = v
                .replace('\\', "\\\\")
                .replace('"', "\\\"")
                .replace('\n', "\\n");
            format!("{k}=\"{v}\"")
        })
        .collect();
    format!("{{{}}}", inner.join(","))
}
