//! The run's report: built from every result, shown on stdout, written as JSON
//! and JUnit (by default `scenarios.json` and `scenarios-junit.xml` in --out).

use crate::cli::ColorArg;
use crate::cli_scenario::RunArgs;
use crate::error::Error;
use crate::output;
use chrono::{DateTime, Utc};
use o2check_cluster::{Node, Transport};
use o2check_reports::facts::Facts;
use o2check_reports::{console, CheckResult, NodeInfo, RunReport};

/// The report of a run that started at `started` and finishes now.
pub(super) fn build(
    a: &RunArgs,
    run_id: &str,
    started: DateTime<Utc>,
    transport: &dyn Transport,
    nodes: &[Node],
    results: Vec<CheckResult>,
) -> RunReport {
    RunReport {
        meta: output::meta(
            "o2check scenario",
            run_id.to_string(),
            started,
            format!("scenario ({})", transport.describe()),
        ),
        nodes: nodes
            .iter()
            .map(|n| NodeInfo {
                name: n.name.clone(),
                source: if a.cluster.local_transport {
                    "local".into()
                } else {
                    format!("ssh:{}", n.destination())
                },
                ..NodeInfo::default()
            })
            .collect(),
        results,
        diagnosis: None,
    }
}

/// Show the report on stdout (in colour on a terminal without NO_COLOR), then
/// write the JSON and JUnit files.
pub(super) fn output(a: &RunArgs, report: &RunReport) -> Result<(), Error> {
    output::console(
        report,
        &console::Options {
            color: output::use_color(ColorArg::Auto),
            verbose: true,
            ..Default::default()
        },
    );
    let json_path = a
        .json
        .clone()
        .unwrap_or_else(|| a.out.join("scenarios.json"));
    let junit_path = a
        .junit
        .clone()
        .unwrap_or_else(|| a.out.join("scenarios-junit.xml"));
    output::files(
        report,
        &Facts::default(),
        &output::Targets::json_junit(json_path, junit_path),
    )
}
