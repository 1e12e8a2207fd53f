//! Running every check without the test-runner front end, for analyses that need
//! the results rather than a console (`o2check why`, `o2check bench`, tests).

use crate::source::Source;
use crate::{rules, CheckError, NodeCtx, Options};
use o2check_reports::{CheckResult, Layer, Severity};
use rayon::prelude::*;
use std::time::Instant;

/// Node `index`'s context, with every other source as its peers.
pub fn node_ctx<'a>(
    sources: &'a [Box<dyn Source>],
    index: usize,
    options: &'a Options,
) -> NodeCtx<'a> {
    let peers = sources
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != index)
        .map(|(_, s)| s.as_ref())
        .collect();
    NodeCtx::new(sources[index].as_ref(), options).with_peers(peers)
}

/// Every per-node check on every source (nodes in parallel), then the cluster checks.
pub fn run_all(sources: &[Box<dyn Source>], options: &Options) -> Vec<CheckResult> {
    let mut results: Vec<CheckResult> = (0..sources.len())
        .into_par_iter()
        .flat_map_iter(|index| {
            let ctx = node_ctx(sources, index, options);
            rules::ALL
                .iter()
                .map(|c| {
                    let started = Instant::now();
                    let v = (c.run)(&ctx).unwrap_or_else(CheckError::into_verdict);
                    result(
                        c.id,
                        c.layer,
                        c.severity,
                        c.rationale,
                        ctx.node(),
                        v,
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
        for c in rules::CLUSTER {
            let started = Instant::now();
            let v = (c.run)(&ctxs).unwrap_or_else(CheckError::into_verdict);
            results.push(result(
                c.id,
                c.layer,
                c.severity,
                c.rationale,
                "cluster",
                v,
                started,
            ));
        }
    }
    results
}

fn result(
    id: &str,
    layer: Layer,
    severity: Severity,
    rationale: &str,
    node: &str,
    v: crate::Verdict,
    started: Instant,
) -> CheckResult {
    CheckResult {
        check: id.to_string(),
        node: node.to_string(),
        layer,
        status: v.status,
        summary: v.summary,
        finding: v.code.map(str::to_string),
        severity: Some(severity),
        evidence: v.evidence,
        fix: v.fix,
        rationale: rationale.to_string(),
        duration_ms: started.elapsed().as_millis() as u64,
    }
}
