//! `o2check why [ERROR TEXT]`: the ranked causes of a failed mount (or, with
//! `--reboot NODE`, of a node's reboot), from this node
//! or from bundles, as console text and reports/why.md, why.html, results.json and
//! junit.xml. Exit 0 when a cause was named, 1 when undetermined, 2 on bad input.

use crate::cli::WhyArgs;
use crate::error::Exit;
use crate::{node_info, output, sources};
use chrono::Utc;
use o2check_checks::why::{diagnose, fence, gather};
use o2check_checks::{NodeCtx, Options};
use o2check_reports::facts::Facts;
use o2check_reports::{diagnosis_text, RunMeta, RunReport};
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
        meta: RunMeta {
            tool: "o2check why".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            run_id: started.format("%Y%m%dT%H%M%SZ").to_string(),
            started,
            finished: Utc::now(),
            host: nix::unistd::gethostname()
                .map(|h| h.to_string_lossy().into_owned())
                .unwrap_or_default(),
            mode: opened.mode.into(),
        },
        nodes: sources
            .iter()
            .map(|s| node_info::describe(s.as_ref()))
            .collect(),
        results: all_results,
        diagnosis: Some(diagnosis),
    };
    if !args.no_reports {
        let out = &args.out;
        let targets = output::Targets {
            markdown: Some(out.join("why.md")),
            html: Some(out.join("why.html")),
            json: Some(out.join("why.json")),
            junit: Some(out.join("why-junit.xml")),
            prometheus: None,
        };
        output::files(&report, &Facts::default(), &targets)?;
        let _ = writeln!(
            std::io::stdout(),
            "\nreports: {0}/why.md {0}/why.html {0}/why.json {0}/why-junit.xml",
            out.display()
        );
    }
    Ok(u8::from(undetermined))
}
