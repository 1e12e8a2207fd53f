//! `o2check run`: every check on every node, then the reports.

use crate::cli::RunArgs;
use crate::{node_info, output, sources, trials};
use chrono::Utc;
use o2check_checks::{rules, Options};
use o2check_reports::{NodeInfo, RunMeta, RunReport};
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub fn run(args: RunArgs) -> u8 {
    let started = Utc::now();
    let Some(opened) = sources::open_or_report(&sources::Wanted {
        bundles: &args.bundles,
        cluster: args.cluster,
        cluster_args: &args.cluster_args,
        command_timeout: args.command_timeout,
        tcp_timeout_ms: args.tcp_timeout_ms,
        save_bundles: args.save_bundles.as_deref(),
    }) else {
        return 2;
    };
    let mode = opened.mode;
    let options = Options {
        min_paths: args.min_paths,
        multipath_maps: args.multipath_maps.clone(),
        tcp_timeout: Duration::from_millis(args.tcp_timeout_ms),
        max_clock_skew: Duration::from_millis(args.max_clock_skew_ms),
        since: args.since.clone(),
    };
    let inputs = Arc::new(trials::Inputs {
        sources: opened.sources,
        options,
        reach: opened.reach,
    });
    let report = if args.line_format && !args.test.list {
        let jobs = trials::jobs(&inputs, rules::ALL, rules::CLUSTER);
        let results = trials::evaluate(trials::selected(jobs, &args.test));
        let report = assemble(&inputs, results, mode, started);
        println!("{}", o2check_reports::line::render(&report));
        report
    } else {
        let sink: trials::Sink = Arc::new(Mutex::new(Vec::new()));
        let trials = trials::build(&inputs, rules::ALL, rules::CLUSTER, &sink);
        let _conclusion = libtest_mimic::run(&args.test, trials);
        if args.test.list {
            return 0;
        }
        let results = std::mem::take(&mut *sink.lock().unwrap_or_else(|p| p.into_inner()));
        let report = assemble(&inputs, results, mode, started);
        output::console(&report, output::use_color(args.test.color));
        report
    };
    // Paths given explicitly are always written; --no-reports only drops the defaults.
    let default = |name: &str| (!args.no_reports).then(|| args.out.join(name));
    let json = args.json.clone().or_else(|| default("results.json"));
    let junit = args.junit.clone().or_else(|| default("junit.xml"));
    if let Err(e) = output::files(&report, json.as_deref(), junit.as_deref()) {
        eprintln!("o2check: cannot write reports: {e}");
        return 2;
    }
    report.exit_code() as u8
}

/// The finished run of `inputs`: results sorted lowest layer first, every node's facts.
pub fn assemble(
    inputs: &trials::Inputs,
    mut results: Vec<o2check_reports::CheckResult>,
    mode: &str,
    started: chrono::DateTime<Utc>,
) -> RunReport {
    results.sort_by(|a, b| (a.layer, &a.check, &a.node).cmp(&(b.layer, &b.check, &b.node)));
    RunReport {
        meta: RunMeta {
            tool: "o2check".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            run_id: started.format("%Y%m%dT%H%M%SZ").to_string(),
            started,
            finished: Utc::now(),
            host: hostname(),
            mode: mode.into(),
        },
        nodes: node_infos(inputs),
        results,
        diagnosis: None,
    }
}

fn hostname() -> String {
    nix::unistd::gethostname()
        .map(|h| h.to_string_lossy().into_owned())
        .unwrap_or_else(|_| "unknown".into())
}

/// Every node's facts; a node that could not be reached still gets its own entry
/// (and its own JUnit suite), with what is known: its name and why.
fn node_infos(inputs: &trials::Inputs) -> Vec<NodeInfo> {
    let mut nodes: Vec<NodeInfo> = inputs
        .sources
        .iter()
        .map(|s| node_info::describe(s.as_ref()))
        .collect();
    for r in &inputs.reach {
        if let Err(e) = &r.outcome {
            nodes.push(NodeInfo {
                name: r.node.clone(),
                source: format!("unreachable: {e}"),
                ..NodeInfo::default()
            });
        }
    }
    nodes
}
