//! Where a finished run goes: the terminal and the report files. The renderers
//! are pure functions in the reports crate; this module only picks targets.

use crate::cli::ColorArg;
use o2check_reports::facts::Facts;
use o2check_reports::write::atomic_write;
use o2check_reports::{console, json, junit, prometheus, RunReport};
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

/// The report files to write; `None` is not written.
pub struct Targets {
    pub json: Option<PathBuf>,
    pub junit: Option<PathBuf>,
    pub prometheus: Option<PathBuf>,
}

/// Write every report that has a path, each atomically.
pub fn files(report: &RunReport, facts: &Facts, to: &Targets) -> std::io::Result<()> {
    if let Some(p) = &to.json {
        atomic_write(p, &json::to_json(report))?;
    }
    if let Some(p) = &to.junit {
        atomic_write(p, &junit::to_xml(report))?;
    }
    if let Some(p) = &to.prometheus {
        atomic_write(p, prometheus::render(report, facts).as_bytes())?;
    }
    Ok(())
}
