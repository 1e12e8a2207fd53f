//! The report a person reads: each failure once, ordered by cause with its
//! symptoms under it (see [`crate::cause`]), what could not be checked, passes and
//! skips folded to one line per layer (every one with `verbose`), and a last line
//! naming the most likely cause and the `o2check why` command to run.

use crate::cause::{self, Cause};
use crate::model::{CheckResult, Layer, RunReport, Severity, Status};
use crate::untrusted_text::escape_controls;
use std::io::{self, Write};

const RED: &str = "\x1b[31m";
const GREEN: &str = "\x1b[32m";
const YELLOW: &str = "\x1b[33m";
const BOLD: &str = "\x1b[1m";
const DIM: &str = "\x1b[2m";
const RESET: &str = "\x1b[0m";

/// How to render.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// ANSI colours (only for a terminal).
    pub color: bool,
    /// Every pass and skip on its own line, not folded per layer.
    pub verbose: bool,
    /// A line shown first, e.g. that the host has no OCFS2 at all.
    pub headline: Option<String>,
    /// The `o2check why ...` command for the same evidence.
    pub why_command: Option<String>,
}

struct Paint(bool);

impl Paint {
    fn with(&self, code: &str, text: &str) -> String {
        if self.0 {
            format!("{code}{text}{RESET}")
        } else {
            text.to_string()
        }
    }
}

/// Write the report.
pub fn render(report: &RunReport, out: &mut impl Write, options: &Options) -> io::Result<()> {
    let paint = Paint(options.color);
    let nodes: Vec<String> = report.nodes.iter().map(|n| printable(&n.name)).collect();
    writeln!(
        out,
        "{}",
        paint.with(
            BOLD,
            &format!("o2check {} on {}", report.meta.version, nodes.join(", "))
        )
    )?;
    if let Some(h) = &options.headline {
        writeln!(out, "\n{}", paint.with(YELLOW, h))?;
    }
    let causes = cause::causes(report);
    if !causes.is_empty() {
        let n: usize = causes.iter().map(|c| 1 + c.symptoms.len()).sum();
        writeln!(
            out,
            "\n{}",
            paint.with(BOLD, &format!("{n} failed, by cause (lowest layer first):"))
        )?;
        for (i, c) in causes.iter().enumerate() {
            failure(out, i + 1, c, &paint)?;
        }
    }
    let errors: Vec<&CheckResult> = report
        .results
        .iter()
        .filter(|r| r.status == Status::Error)
        .collect();
    if !errors.is_empty() {
        writeln!(out, "\n{}", paint.with(BOLD, "Could not check:"))?;
        for r in errors {
            writeln!(
                out,
                "  {} {} @ {}: {}",
                paint.with(RED, "ERROR"),
                printable(&r.check),
                printable(&r.node),
                printable(&r.summary)
            )?;
            evidence(out, r, &paint, "        ")?;
        }
    }
    folded(out, report, Status::Pass, options, &paint)?;
    folded(out, report, Status::Skip, options, &paint)?;
    let colour = if report.exit_code() == 0 {
        GREEN
    } else {
        YELLOW
    };
    writeln!(out, "\n{}", paint.with(colour, &summary_line(report)))?;
    if let Some(c) = cause::most_likely(&causes) {
        let next = match &options.why_command {
            Some(why) => format!(" Next: {why}"),
            None => String::new(),
        };
        let line = format!(
            "Most likely cause: {} on {}.{next}",
            printable(&c.result.check),
            printable(&c.result.node)
        );
        writeln!(out, "{}", paint.with(BOLD, &line))?;
    }
    Ok(())
}

fn failure(out: &mut impl Write, number: usize, c: &Cause, paint: &Paint) -> io::Result<()> {
    let r = c.result;
    let (mark, colour) = match r.severity {
        Some(Severity::Warning) => ("WARN", YELLOW),
        _ => ("FAIL", RED),
    };
    let finding = r
        .finding
        .as_deref()
        .map(|f| format!(" [{}]", printable(f)))
        .unwrap_or_default();
    writeln!(
        out,
        "\n{:>2}. {} [{}] {} @ {}{finding}: {}",
        number,
        paint.with(colour, mark),
        r.layer.name(),
        paint.with(BOLD, &printable(&r.check)),
        printable(&r.node),
        printable(&r.summary)
    )?;
    evidence(out, r, paint, "      ")?;
    if let Some(fix) = &r.fix {
        let mut lines = fix.lines();
        writeln!(
            out,
            "      {} {}",
            paint.with(BOLD, "fix:"),
            printable(lines.next().unwrap_or(""))
        )?;
        for line in lines {
            writeln!(out, "           {}", printable(line))?;
        }
    }
    if !r.rationale.is_empty() {
        writeln!(
            out,
            "      {} {}",
            paint.with(DIM, "why:"),
            printable(&r.rationale)
        )?;
    }
    if !c.symptoms.is_empty() {
        writeln!(
            out,
            "      {}",
            paint.with(DIM, "and what follows from it:")
        )?;
        for s in &c.symptoms {
            writeln!(
                out,
                "        - {} @ {}: {}",
                printable(&s.check),
                printable(&s.node),
                printable(&s.summary)
            )?;
        }
    }
    Ok(())
}

fn evidence(out: &mut impl Write, r: &CheckResult, paint: &Paint, indent: &str) -> io::Result<()> {
    for e in &r.evidence {
        let place = match e.line {
            Some(line) => format!("{}:{}", e.source, line),
            None => e.source.clone(),
        };
        writeln!(
            out,
            "{indent}{} {}",
            paint.with(DIM, &format!("{}:", printable(&place))),
            printable(&e.text)
        )?;
    }
    Ok(())
}

/// Passes or skips: one line per layer with the check names, or with `verbose`
/// one line per result with its summary.
fn folded(
    out: &mut impl Write,
    report: &RunReport,
    status: Status,
    options: &Options,
    paint: &Paint,
) -> io::Result<()> {
    let of = |layer: Layer| -> Vec<&CheckResult> {
        report
            .results
            .iter()
            .filter(|r| r.status == status && r.layer == layer)
            .collect()
    };
    if report.count(status) == 0 {
        return Ok(());
    }
    let title = match status {
        Status::Pass => "Passed",
        _ => "Skipped (does not apply, or the evidence is not there)",
    };
    writeln!(out, "\n{}", paint.with(BOLD, &format!("{title}:")))?;
    for layer in Layer::ALL {
        let results = of(layer);
        if results.is_empty() {
            continue;
        }
        if options.verbose {
            for r in results {
                writeln!(
                    out,
                    "  {:<9} {} @ {}: {}",
                    layer.name(),
                    printable(&r.check),
                    printable(&r.node),
                    printable(&r.summary)
                )?;
            }
            continue;
        }
        let mut names: Vec<String> = results.iter().map(|r| printable(&r.check)).collect();
        names.dedup();
        writeln!(
            out,
            "  {:<9} {:>2}: {}",
            layer.name(),
            results.len(),
            paint.with(DIM, &names.join(", "))
        )?;
    }
    if status == Status::Skip && !options.verbose {
        writeln!(
            out,
            "  {}",
            paint.with(DIM, "(-v shows each with its reason)")
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
