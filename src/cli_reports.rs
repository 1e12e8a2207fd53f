//! The report-file options `run` and `why` share (`--json`, `--junit`, `--out`,
//! `--no-reports`) and how they become the files [`crate::output::files`] writes:
//! a path given is written, else the command's default name in `--out`.

use crate::output::Targets;
use clap::Args;
use std::path::PathBuf;

#[derive(Args, Debug, Clone)]
pub struct ReportArgs {
    /// Write the JUnit XML report here (default: in --out).
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,

    /// Write the JSON report here (default: in --out).
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,

    /// Directory for reports not given an explicit path.
    #[arg(long, value_name = "DIR", default_value = "reports")]
    pub out: PathBuf,

    /// Write no report files but those given a path, only print to the terminal.
    #[arg(long)]
    pub no_reports: bool,
}

/// The names a command's reports take in `--out`; `None` is not written there.
#[derive(Default)]
pub struct DefaultNames {
    pub json: &'static str,
    pub junit: &'static str,
    pub markdown: Option<&'static str>,
    pub html: Option<&'static str>,
}

impl ReportArgs {
    /// The files to write: each explicit path, and unless `--no-reports` the
    /// default names in `--out` for the rest.
    pub fn targets(&self, names: &DefaultNames) -> Targets {
        let default =
            |name: Option<&str>| name.filter(|_| !self.no_reports).map(|n| self.out.join(n));
        Targets {
            json: self.json.clone().or_else(|| default(Some(names.json))),
            junit: self.junit.clone().or_else(|| default(Some(names.junit))),
            markdown: default(names.markdown),
            html: default(names.html),
            prometheus: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(json: Option<&str>, no_reports: bool) -> ReportArgs {
        ReportArgs {
            junit: None,
            json: json.map(PathBuf::from),
            out: PathBuf::from("out"),
            no_reports,
        }
    }

    const WHY: DefaultNames = DefaultNames {
        json: "why.json",
        junit: "why-junit.xml",
        markdown: Some("why.md"),
        html: None,
    };

    #[test]
    fn explicit_paths_win_and_no_reports_keeps_only_them() {
        let t = args(Some("ci/why.json"), false).targets(&WHY);
        assert_eq!(t.json, Some(PathBuf::from("ci/why.json")));
        assert_eq!(t.junit, Some(PathBuf::from("out/why-junit.xml")));
        assert_eq!(t.markdown, Some(PathBuf::from("out/why.md")));
        assert_eq!(t.html, None);
        let t = args(Some("ci/why.json"), true).targets(&WHY);
        assert_eq!(t.json, Some(PathBuf::from("ci/why.json")));
        assert_eq!((t.junit, t.markdown), (None, None));
    }
}
