//! Where a finished run goes: the terminal and the report files. The renderers
//! are pure functions in the reports crate; this module only picks targets.

use crate::cli::ColorArg;
use crate::error::Error;
use chrono::{DateTime, Utc};
use o2check_reports::facts::Facts;
use o2check_reports::write::atomic_write;
use o2check_reports::{
    console, diagnosis_html, diagnosis_text, json, junit, prometheus, RunMeta, RunReport,
};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;

/// Whether to colour the terminal report: `--color`, else only on a terminal and
/// never when NO_COLOR is set (<https://no-color.org>).
pub fn use_color(setting: ColorArg) -> bool {
    match setting {
        ColorArg::Always => true,
        ColorArg::Never => false,
        ColorArg::Auto => std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
    }
}

/// The same setting for libtest-mimic's `--trials` / `--list` output.
pub fn libtest_color(setting: ColorArg) -> libtest_mimic::ColorSetting {
    match setting {
        ColorArg::Always => libtest_mimic::ColorSetting::Always,
        ColorArg::Never => libtest_mimic::ColorSetting::Never,
        ColorArg::Auto if use_color(ColorArg::Auto) => libtest_mimic::ColorSetting::Auto,
        ColorArg::Auto => libtest_mimic::ColorSetting::Never,
    }
}

/// The report for a person.
pub fn console(report: &RunReport, options: &console::Options) {
    let _ = console::render(report, &mut std::io::stdout().lock(), options);
}

/// Text rendered elsewhere (the Nagios status line), as it is.
pub fn print(text: &str) {
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
}

/// The report files to write; `None` is not written. Every command that writes
/// reports (run, why, fleet, scenario run, append-verify) fills this in from its
/// options and calls [`files`], so all of them are written the same way.
#[derive(Default)]
pub struct Targets {
    pub json: Option<PathBuf>,
    pub junit: Option<PathBuf>,
    /// The node_exporter textfile; needs the run's [`Facts`].
    pub prometheus: Option<PathBuf>,
    /// The diagnosis (`why`) as Markdown and HTML; a report without one writes neither.
    pub markdown: Option<PathBuf>,
    pub html: Option<PathBuf>,
}

impl Targets {
    /// The paths to be written, in the order [`files`] writes them.
    pub fn paths(&self) -> impl Iterator<Item = &PathBuf> {
        [
            &self.markdown,
            &self.html,
            &self.json,
            &self.junit,
            &self.prometheus,
        ]
        .into_iter()
        .flatten()
    }

    /// JSON and JUnit only (scenario and fleet reports).
    pub fn json_junit(json: PathBuf, junit: PathBuf) -> Targets {
        Targets {
            json: Some(json),
            junit: Some(junit),
            ..Targets::default()
        }
    }
}

/// Write every report that has a path, each atomically (a reader never sees half
/// a file); the error names the file that could not be written.
pub fn files(report: &RunReport, facts: &Facts, to: &Targets) -> Result<(), Error> {
    // Rendered only when asked for: a run without --prometheus does not pay for it.
    let write = |path: &Option<PathBuf>, render: &dyn Fn() -> Vec<u8>| match path {
        Some(path) => atomic_write(path, &render()).map_err(Error::write(path)),
        None => Ok(()),
    };
    if let Some(d) = &report.diagnosis {
        write(&to.markdown, &|| diagnosis_text::markdown(d).into_bytes())?;
        write(&to.html, &|| diagnosis_html::html(d).into_bytes())?;
    }
    write(&to.json, &|| json::to_json(report))?;
    write(&to.junit, &|| junit::to_xml(report))?;
    write(&to.prometheus, &|| {
        prometheus::render(report, facts).into_bytes()
    })
}

/// The header every report carries: which tool, which run, when, on which host,
/// and how the evidence was read; finished now.
pub fn meta(tool: &str, run_id: String, started: DateTime<Utc>, mode: String) -> RunMeta {
    RunMeta {
        tool: tool.into(),
        version: env!("CARGO_PKG_VERSION").into(),
        run_id,
        started,
        finished: Utc::now(),
        host: nix::unistd::gethostname()
            .map(|h| h.to_string_lossy().into_owned())
            .unwrap_or_else(|_| "unknown".into()),
        mode,
    }
}

/// A run id from its start: `20261201T125900Z`.
pub fn run_id(started: DateTime<Utc>) -> String {
    started.format("%Y%m%dT%H%M%SZ").to_string()
}
