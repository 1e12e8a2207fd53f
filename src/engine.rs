//! Running every check without the test-runner front end: used by `bench` and by
//! analyses that need the results rather than a console (root-cause reports).

use o2check_checks::source::Source;
use o2check_checks::{rules, CheckError, NodeCtx, Options};
use o2check_reports::CheckResult;
use rayon::prelude::*;
use std::time::Instant;

/// Every per-node check on every source (nodes in parallel), then the cluster checks.
pub fn run_all(sources: &[Box<dyn Source>], options: &Options) -> Vec<CheckResult> {
    let mut results: Vec<CheckResult> = sources
        .par_iter()
        .flat_map_iter(|source| {
            let ctx = NodeCtx::new(source.as_ref(), options);
            rules::ALL
                .iter()
                .map(|check| {
                    let started = Instant::now();
                    let verdict = (check.run)(&ctx).unwrap_or_else(CheckError::into_verdict);
                    result(
                        check.id,
                        check.layer,
                        check.rationale,
                        ctx.node(),
                        verdict,
                        started,
                    )
                })
                .collect::<Vec<_>>()
        })
        .collect();
    if sources.len() > 1 {
        let ctxs: Vec<NodeCtx> = sources
            .iter()
            .map(|s| NodeCtx::new(s.as_ref(), options))
            .collect();
        for check in rules::CLUSTER {
            let started = Instant::now();
            let verdict = (check.run)(&ctxs).unwrap_or_else(CheckError::into_verdict);
            results.push(result(
                check.id,
                check.layer,
                check.rationale,
                "cluster",
                verdict,
                started,
            ));
        }
    }
    results
}

fn result(
    id: &str,
    layer: o2check_reports::Layer,
    rationale: &str,
    node: &str,
    v: o2check_checks::Verdict,
    started: Instant,
) -> CheckResult {
    CheckResult {
        check: id.to_string(),
        node: node.to_string(),
        layer,
        status: v.status,
        summary: v.summary,
        evidence: v.evidence,
        fix: v.fix,
        rationale: rationale.to_string(),
        duration_ms: started.elapsed().as_millis() as u64,
    }
}
