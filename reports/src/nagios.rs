//! `run --format nagios`: a Nagios/Icinga plugin's output by the monitoring-plugins
//! development guidelines: one status line `O2CHECK <STATE> - <text> | <perfdata>`,
//! then one line per failure (long output), and the state as exit code: 0 OK,
//! 1 WARNING, 2 CRITICAL, 3 UNKNOWN. A failed check counts by its severity; a
//! check that could not decide is UNKNOWN, and the worst state wins in the order
//! CRITICAL, WARNING, UNKNOWN, OK (a known problem outranks an unknown one).

use crate::cause;
use crate::facts::Facts;
use crate::model::{CheckResult, RunReport, Severity, Status};
use std::fmt::Write;

/// The plugin's whole output and its exit code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plugin {
    pub text: String,
    pub code: u8,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Ok,
    Warning,
    Critical,
    Unknown,
}

impl State {
    fn name(self) -> &'static str {
        match self {
            State::Ok => "OK",
            State::Warning => "WARNING",
            State::Critical => "CRITICAL",
            State::Unknown => "UNKNOWN",
        }
    }
    fn code(self) -> u8 {
        match self {
            State::Ok => 0,
            State::Warning => 1,
            State::Critical => 2,
            State::Unknown => 3,
        }
    }
}

/// Failures named on the status line; the rest are counted. NRPE 2 passes only
/// 1024 bytes of output, so the status line stays short and each long-output
/// line is cut.
const NAMED: usize = 3;
const LONG_LINE: usize = 160;

pub fn render(report: &RunReport, facts: &Facts) -> Plugin {
    // Failures in cause order (the cause before what follows from it).
    let ordered: Vec<&CheckResult> = cause::causes(report)
        .into_iter()
        .flat_map(|c| std::iter::once(c.result).chain(c.symptoms))
        .collect();
    let failed = |sev: Severity| -> Vec<&CheckResult> {
        ordered
            .iter()
            .copied()
            .filter(|r| r.severity.unwrap_or(Severity::Critical) == sev)
            .collect()
    };
    let (critical, warning) = (failed(Severity::Critical), failed(Severity::Warning));
    let errors: Vec<&CheckResult> = report
        .results
        .iter()
        .filter(|r| r.status == Status::Error)
        .collect();
    let passed = report.count(Status::Pass);
    let (state, named) = if !critical.is_empty() {
        (State::Critical, &critical)
    } else if !warning.is_empty() {
        (State::Warning, &warning)
    } else if !errors.is_empty() || passed == 0 {
        // Could not decide, or nothing was checked at all.
        (State::Unknown, &errors)
    } else {
        (State::Ok, &errors)
    };
    let mut text = format!("O2CHECK {} - ", state.name());
    text.push_str(&headline(state, named, passed, report));
    text.push_str(" | ");
    text.push_str(&perfdata(
        report,
        facts,
        critical.len(),
        warning.len(),
        errors.len(),
    ));
    text.push('\n');
    // Long output: every failure and error, worst first, one line each.
    for (word, list) in [
        ("CRITICAL", &critical),
        ("WARNING", &warning),
        ("UNKNOWN", &errors),
    ] {
        for r in list.iter() {
            let _ = writeln!(
                text,
                "{word}: {}@{}: {}",
                r.check,
                r.node,
                short(&r.summary)
            );
        }
    }
    Plugin {
        text,
        code: state.code(),
    }
}

fn headline(state: State, named: &[&CheckResult], passed: usize, report: &RunReport) -> String {
    match state {
        State::Ok => format!(
            "{passed} checks passed on {}",
            nodes(report).unwrap_or_else(|| "no node".into())
        ),
        State::Unknown if named.is_empty() => format!(
            "nothing checked: {} checks skipped (no OCFS2 evidence on {})",
            report.count(Status::Skip),
            nodes(report).unwrap_or_else(|| "this host".into())
        ),
        _ => {
            let what = if state == State::Unknown {
                "could not check"
            } else {
                "failed"
            };
            let mut parts: Vec<String> = named
                .iter()
                .take(NAMED)
                .map(|r| format!("{}@{}", r.check, r.node))
                .collect();
            if named.len() > NAMED {
                parts.push(format!("and {} more", named.len() - NAMED));
            }
            format!("{} {what}: {}", named.len(), parts.join(", "))
        }
    }
}

fn nodes(report: &RunReport) -> Option<String> {
    let names: Vec<&str> = report.nodes.iter().map(|n| n.name.as_str()).collect();
    (!names.is_empty()).then(|| names.join(", "))
}

/// `label=value[UOM];warn;crit;min;max`, only for what the evidence gave.
fn perfdata(report: &RunReport, facts: &Facts, crit: usize, warn: usize, errors: usize) -> String {
    let mut p = vec![
        format!("critical={crit};;1;0"),
        format!("warning={warn};1;;0"),
        format!("unknown={errors};;;0"),
        format!("passed={};;;0", report.count(Status::Pass)),
        format!("skipped={};;;0", report.count(Status::Skip)),
    ];
    if let Some(n) = facts.paths_failed() {
        p.push(format!("paths_failed={n};1;;0"));
    }
    if let Some(hb) = facts.oldest_heartbeat() {
        // Critical at the dead time: past it the node is declared dead and fenced.
        p.push(format!("hb_age_ms={}ms;;{};0", hb.age_ms, hb.dead_ms));
    }
    if let Some(n) = facts.fences_24h() {
        p.push(format!("fences_24h={n};;1;0"));
    }
    p.join(" ")
}

/// A summary on one short line, without the perfdata separator `|`.
fn short(text: &str) -> String {
    let line: String = text
        .lines()
        .next()
        .unwrap_or("")
        .replace('|', "/")
        .chars()
        .filter(|c| !c.is_control())
        .collect();
    match line.char_indices().nth(LONG_LINE) {
        Some((cut, _)) => format!("{}...", &line[..cut]),
        None => line,
    }
}
