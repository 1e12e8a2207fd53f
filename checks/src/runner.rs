//! Running every check without the test-runner front end, for analyses that need
//! the results rather than a console (`o2check why`, `o2check bench`, tests).

use crate::source::Source;
use crate::{rules, CheckError, NodeCtx, Options, Verdict};
use o2check_reports::{CheckResult, Layer, Severity};
use rayon::prelude::*;
use std::time::Instant;

/// Run one check to a verdict, as every front end does (`run`, `why`, `bench`):
/// an error becomes the runner's skip or error with its generic finding code, and
/// a panic (a bug: a check must never panic on bad input) becomes an error for
/// this check instead of taking the run down.
pub fn execute(run: impl FnOnce() -> Result<Verdict, CheckError>) -> Verdict {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(run)) {
        Ok(Ok(v)) => v,
        Ok(Err(e)) => e.into_verdict(),
        Err(_) => Verdict::error("the check panicked (a bug in o2check; please report it)")
            .code("panicked"),
    }
}

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
                    let v = execute(|| (c.run)(&ctx));
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
            let v = execute(|| (c.run)(&ctxs));
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
    v: Verdict,
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

#[cfg(test)]
mod tests {
    use super::*;
    use o2check_reports::Status;

    #[test]
    fn a_panicking_check_is_an_error_with_a_code_and_the_run_goes_on() {
        let v = execute(|| -> Result<Verdict, CheckError> { panic!("bug") });
        assert_eq!((v.status, v.code), (Status::Error, Some("panicked")));
        let v = execute(|| {
            Err(crate::EvidenceError::Timeout {
                what: "dmesg".into(),
                seconds: 5,
            }
            .into())
        });
        assert_eq!((v.status, v.code), (Status::Error, Some("timed-out")));
    }
}
