//! Where a finished run goes: the terminal and the report files. The renderers
//! are pure functions in the reports crate; this module only picks targets.

use o2check_reports::write::atomic_write;
use o2check_reports::{console, json, junit, RunReport};
use std::io::IsTerminal;
use std::path::Path;

/// Whether to colour the terminal summary: libtest's `--color`, else only on a
/// terminal and never when NO_COLOR is set (<https://no-color.org>).
pub fn use_color(setting: Option<libtest_mimic::ColorSetting>) -> bool {
    use libtest_mimic::ColorSetting;
    match setting.unwrap_or_default() {
        ColorSetting::Always => true,
        ColorSetting::Never => false,
        ColorSetting::Auto => {
            std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
        }
    }
}

/// The grouped summary after libtest-mimic's per-trial lines.
pub fn console(report: &RunReport, color: bool) {
    let stdout = std::io::stdout();
    let _ = console::render(report, &mut stdout.lock(), color);
}

/// Write the JSON and JUnit reports that have a path, each atomically.
pub fn files(
    report: &RunReport,
    json_path: Option<&Path>,
    junit_path: Option<&Path>,
) -> std::io::Result<()> {
    if let Some(p) = json_path {
        atomic_write(p, &json::to_json(report))?;
    }
    if let Some(p) = junit_path {
        atomic_write(p, &junit::to_xml(report))?;
    }
    Ok(())
}
