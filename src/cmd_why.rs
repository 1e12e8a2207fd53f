//! `o2check why [ERROR TEXT]`: the ranked causes of a failed mount (or, with
//! `--reboot NODE`, of a node's reboot), from this node
//! or from bundles, as console text and reports/why.md, why.html, results.json and
//! junit.xml. Exit 0 when a cause was named, 1 when undetermined, 2 on bad input.

use crate::cli::WhyArgs;
use crate::cli_reports::DefaultNames;
use crate::error::Exit;
use crate::{output, sources};
use chrono::Utc;
use o2check_checks::why::{diagnose, fence, gather};
use o2check_checks::{NodeCtx, Options};
use o2check_reports::facts::Facts;
use o2check_reports::{diagnosis_text, RunReport};
use std::io::Write;

pub fn run(args: WhyArgs) -> Exit {
    let started = Utc::now();
    let wanted = sources::Wanted::reading(
        &args.bundles,
        args.cluster,
        &args.cluster_args,
        args.command_timeout,
    );
    let opened = sources::open_wanted(&wanted)?;
    let sources = &opened.sources;
    for r in &opened.reach {
        if let Err(e) = &r.outcome {
            eprintln!("o2check: {e}; the diagnosis lacks that node's evidence");
        }
    }
    let options = Options {
        since: args.since.clone(),
        ..Options::default()
    };
    let (evidence, results) = gather(sources, &options);
    let error_text = args.error_text.join(" ");
    let diagnosis = match &args.reboot {
        // `--reboot NODE`: the fence story from every node's log.
        Some(node) => {
            let ctxs: Vec<NodeCtx> = sources
                .iter()
                .map(|s| NodeCtx::new(s.as_ref(), &options))
                .collect();
            fence::reboot(&ctxs, node)
        }
        None => diagnose(
            &evidence,
            Some(error_text.as_str()).filter(|t| !t.trim().is_empty()),
        ),
    };
    // A closed pipe (`o2check why | head`) must not turn into a panic.
    let _ = write!(std::io::stdout(), "{}", diagnosis_text::console(&diagnosis));
    let mut all_results = results;
    all_results.extend(diagnosis.to_results());
    let undetermined = diagnosis.undetermined;
    let report = RunReport {
        meta: output::meta(
            "o2check why",
            output::run_id(started),
            started,
            opened.mode.into(),
        ),
        nodes: sources
            .iter()
            .map(|s| o2check_checks::node_props::describe(s.as_ref()))
            .collect(),
        results: all_results,
        diagnosis: Some(diagnosis),
    };
    let targets = args.reports.targets(&DefaultNames {
        json: "why.json",
        junit: "why-junit.xml",
        markdown: Some("why.md"),
        html: Some("why.html"),
    });
    output::files(&report, &Facts::default(), &targets)?;
    let written: Vec<String> = targets.paths().map(|p| p.display().to_string()).collect();
    if !written.is_empty() {
        let _ = writeln!(std::io::stdout(), "\nreports: {}", written.join(" "));
    }
    Ok(u8::from(undetermined))
}
