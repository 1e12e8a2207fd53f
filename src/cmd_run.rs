//! `o2check run`: every check on every node, then the reports.

use crate::cli::{Format, RunArgs};
use crate::cli_reports::DefaultNames;
use crate::error::{Error, Exit};
use crate::{cluster_sources, early, facts, output, presence, sources, trials};
use chrono::Utc;
use o2check_checks::{rules, Options};
use o2check_reports::{NodeInfo, RunReport};
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub fn run(args: RunArgs) -> Exit {
    let started = Utc::now();
    // The monitoring-plugins guidelines: a plugin that cannot check is UNKNOWN
    // (exit 3, with a status line on stdout), whatever the error.
    let nagios = args.format == Format::Nagios;
    let as_plugin = |e: Error| {
        if nagios {
            Error::NagiosUnknown(Box::new(e))
        } else {
            e
        }
    };
    let options = Options {
        min_paths: args.min_paths,
        multipath_maps: args.multipath_maps.clone(),
        tcp_timeout: Duration::from_millis(args.tcp_timeout_ms),
        max_clock_skew: Duration::from_millis(args.max_clock_skew_ms),
        since: args.since.clone(),
    };
    // o2check's own arguments in libtest-mimic's terms: its filter semantics, and
    // its listing for --list and --trials.
    let selection = libtest_mimic::Arguments {
        filter: args.filter.clone(),
        skip: args.skip.clone(),
        exact: args.exact,
        list: args.list,
        quiet: args.quiet,
        test_threads: (args.test_threads > 0).then_some(args.test_threads),
        color: Some(output::libtest_color(args.color)),
        ..libtest_mimic::Arguments::default()
    };
    // Cluster mode: each node's checks run as its bundle arrives.
    let arrived = |a: &cluster_sources::Arrival, nodes: usize| {
        let wanted = |name: &str| trials::is_selected(name, &selection);
        let peers = nodes.saturating_sub(1);
        Some(early::early(
            a.source.as_ref(),
            &options,
            rules::ALL,
            peers,
            &wanted,
        ))
    };
    let opened = sources::open_wanted(&sources::Wanted {
        bundles: &args.bundles,
        cluster: args.cluster,
        cluster_args: &args.cluster_args,
        command_timeout: args.command_timeout,
        tcp_timeout_ms: args.tcp_timeout_ms,
        save_bundles: args.save_bundles.as_deref(),
        arrived: if args.list {
            &cluster_sources::nothing_early
        } else {
            &arrived
        },
    })
    .inspect_err(|_| {
        if nagios {
            println!("O2CHECK UNKNOWN - cannot read the evidence (the error is on stderr)");
        }
    })
    .map_err(as_plugin)?;
    let mode = opened.mode;
    for s in opened
        .sources
        .iter()
        .filter(|s| s.describe().starts_with("sosreport:"))
    {
        eprintln!(
            "o2check: {} is a sosreport: sos collects no OCFS2 state and none of: {}; the checks that need them skip; run `o2check collect` on the node and add the bundle",
            o2check_reports::untrusted_text::escape_controls(s.node()),
            o2check_checks::source::sosreport::not_collected().join(", ")
        );
    }
    let inputs = Arc::new(trials::Inputs {
        sources: opened.sources,
        options,
        reach: opened.reach,
        early: opened.early,
    });
    let jobs: Vec<trials::Job> = trials::selected(
        trials::jobs(&inputs, rules::ALL, rules::CLUSTER),
        &selection,
    );
    let results = if args.list || args.trials {
        // libtest-mimic's listing, for those who ask; it runs the trials too.
        let sink: trials::Sink = Arc::new(Mutex::new(Vec::new()));
        let _conclusion = libtest_mimic::run(&selection, trials::as_trials(jobs, &sink));
        if args.list {
            return Ok(0);
        }
        let results = std::mem::take(&mut *sink.lock().unwrap_or_else(|p| p.into_inner()));
        results
    } else {
        trials::evaluate_parallel(jobs, args.test_threads)
    };
    let report = assemble(&inputs, results, mode, started);
    let facts = facts::gather(&inputs);
    let plugin = o2check_reports::nagios::render(&report, &facts);
    match args.format {
        Format::Console => output::console(
            &report,
            &o2check_reports::console::Options {
                color: output::use_color(args.color),
                verbose: args.verbose,
                headline: presence::headline(&inputs.sources),
                why_command: Some(why_command(&args)),
            },
        ),
        Format::Nagios => output::print(&plugin.text),
        Format::Line => println!("{}", o2check_reports::line::render(&report)),
    }
    // Paths given explicitly are always written; --no-reports only drops the defaults.
    let targets = output::Targets {
        prometheus: args.prometheus.clone(),
        ..args.reports.targets(&DefaultNames {
            json: "results.json",
            junit: "junit.xml",
            ..DefaultNames::default()
        })
    };
    output::files(&report, &facts, &targets).map_err(as_plugin)?;
    Ok(match args.format {
        Format::Nagios => plugin.code,
        _ => report.exit_code() as u8,
    })
}

/// `o2check why` over the same evidence, as a person would type it.
fn why_command(args: &RunArgs) -> String {
    let mut words = vec!["o2check".to_string(), "why".to_string()];
    for b in &args.bundles {
        words.push("--bundle".into());
        words.push(b.display().to_string());
    }
    let c = &args.cluster_args;
    if let Some(n) = &c.nodes {
        words.extend(["--nodes".into(), n.clone()]);
    } else if let Some(i) = &c.inventory {
        words.extend(["--inventory".into(), i.display().to_string()]);
    } else if args.cluster {
        words.push("--cluster".into());
    }
    words
        .iter()
        .map(|w| shell_word(w))
        .collect::<Vec<_>>()
        .join(" ")
}

/// A word the shell reads back as itself.
fn shell_word(w: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "-_./=:@,".contains(c);
    if !w.is_empty() && w.chars().all(plain) {
        w.to_string()
    } else {
        format!("'{}'", w.replace('\'', "'\\''"))
    }
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
        meta: output::meta("o2check", output::run_id(started), started, mode.into()),
        nodes: node_infos(inputs),
        results,
        diagnosis: None,
    }
}

/// Every node's facts; a node that could not be reached still gets its own entry
/// (and its own JUnit suite), with what is known: its name and why.
fn node_infos(inputs: &trials::Inputs) -> Vec<NodeInfo> {
    let mut nodes: Vec<NodeInfo> = inputs
        .sources
        .iter()
        .map(|s| o2check_checks::node_props::describe(s.as_ref()))
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
