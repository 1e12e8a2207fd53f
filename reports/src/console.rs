//! The terminal summary: results grouped by layer, lowest first (a storage or
//! network problem usually explains the o2cb and mount failures above it), and
//! under each failure the evidence, the fix and why it matters.

use crate::model::{CheckResult, Layer, RunReport, Status};
use crate::untrusted_text::escape_controls;
use std::io::{self, Write};

const RED: &str = "\x1b[31m";
const GREEN: &str = "\x1b[32m";
const YELLOW: &str = "\x1b[33m";
const BOLD: &str = "\x1b[1m";
const DIM: &str = "\x1b[2m";
const RESET: &str = "\x1b[0m";

/// Write the summary; `color` adds ANSI colours (only for a terminal).
pub fn render(report: &RunReport, out: &mut impl Write, color: bool) -> io::Result<()> {
    let paint = |code: &'static str, text: &str| {
        if color {
            format!("{code}{text}{RESET}")
        } else {
            text.to_string()
        }
    };
    writeln!(out)?;
    let nodes: Vec<String> = report.nodes.iter().map(|n| printable(&n.name)).collect();
    writeln!(
        out,
        "{}",
        paint(
            BOLD,
            &format!("o2check {} on {}", report.meta.version, nodes.join(", "))
        )
    )?;
    for layer in Layer::ALL {
        let results: Vec<&CheckResult> =
            report.results.iter().filter(|r| r.layer == layer).collect();
        if results.is_empty() {
            continue;
        }
        writeln!(out, "\n{}", paint(BOLD, &format!("[{}]", layer.name())))?;
        for r in results {
            let (mark, code) = match r.status {
                Status::Pass => ("PASS ", GREEN),
                Status::Fail => ("FAIL ", RED),
                Status::Error => ("ERROR", RED),
                Status::Skip => ("skip ", DIM),
            };
            let finding = r
                .finding
                .as_deref()
                .filter(|_| r.status != Status::Pass)
                .map(|f| format!(" [{f}]"))
                .unwrap_or_default();
            writeln!(
                out,
                "  {} {} @ {}{finding}: {}",
                paint(code, mark),
                printable(&r.check),
                printable(&r.node),
                printable(&r.summary)
            )?;
            if matches!(r.status, Status::Fail | Status::Error) {
                details(out, r, &paint)?;
            }
        }
    }
    writeln!(
        out,
        "\n{}",
        paint(
            if report.exit_code() == 0 {
                GREEN
            } else {
                YELLOW
            },
            &summary_line(report)
        )
    )?;
    Ok(())
}

fn details(
    out: &mut impl Write,
    r: &CheckResult,
    paint: &impl Fn(&'static str, &str) -> String,
) -> io::Result<()> {
    for e in &r.evidence {
        let place = match e.line {
            Some(line) => format!("{}:{}", e.source, line),
            None => e.source.clone(),
        };
        writeln!(
            out,
            "        {} {}",
            paint(DIM, &format!("{}:", printable(&place))),
            printable(&e.text)
        )?;
    }
    if let Some(fix) = &r.fix {
        let mut lines = fix.lines();
        writeln!(
            out,
            "        {} {}",
            paint(BOLD, "fix:"),
            printable(lines.next().unwrap_or(""))
        )?;
        for line in lines {
            writeln!(out, "             {}", printable(line))?;
        }
    }
    if !r.rationale.is_empty() {
        writeln!(
            out,
            "        {} {}",
            paint(DIM, "why:"),
            printable(&r.rationale)
        )?;
    }
    Ok(())
}

/// Control characters from evidence must not drive the terminal.
fn printable(text: &str) -> String {
    escape_controls(text).into_owned()
}

/// `N passed, N failed, N skipped, N errors` (the plain closing line CI parsers read).
pub fn summary_line(report: &RunReport) -> String {
    format!(
        "{} passed, {} failed, {} skipped, {} errors",
        report.count(Status::Pass),
        report.count(Status::Fail),
        report.count(Status::Skip),
        report.count(Status::Error)
    )
}
