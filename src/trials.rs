//! Checks become libtest-mimic trials named `<check id>@<node>` (kind = layer), so
//! test-runner filters select checks and nodes. Each trial records its full
//! result in a shared sink; libtest-mimic's own pass/fail is only for the console.

use libtest_mimic::{Completion, Failed, Trial};
use o2check_checks::check::{Check, ClusterCheck};
use o2check_checks::source::Source;
use o2check_checks::{CheckError, NodeCtx, Options, Verdict};
use o2check_reports::{CheckResult, Layer, Severity, Status};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// Results gathered from trials running on several threads.
pub type Sink = Arc<Mutex<Vec<CheckResult>>>;

/// Shared, read-only inputs of every trial.
pub struct Inputs {
    pub sources: Vec<Box<dyn Source>>,
    pub options: Options,
    /// Cluster mode: how reaching each node went (`node-reachable` trials).
    pub reach: Vec<crate::cluster_sources::Reach>,
}

impl Inputs {
    /// Node `index`'s context, with the other nodes' evidence as its peers.
    fn ctx(&self, index: usize) -> NodeCtx<'_> {
        o2check_checks::runner::node_ctx(&self.sources, index, &self.options)
    }
}

/// `node-reachable`: cluster mode's first check of each node.
const REACHABLE: Meta = Meta {
    id: "node-reachable",
    layer: Layer::Network,
    severity: Severity::Critical,
    rationale: "o2check reaches every node over ssh to read its evidence; a node it cannot \
                reach is not checked at all",
};

/// One trial per (check, node), plus one per cluster check when several nodes are known.
pub fn build(
    inputs: &Arc<Inputs>,
    checks: &[&'static Check],
    cluster_checks: &[&'static ClusterCheck],
    sink: &Sink,
) -> Vec<Trial> {
    let mut trials = Vec::new();
    for index in 0..inputs.reach.len() {
        let (inputs, sink) = (Arc::clone(inputs), Arc::clone(sink));
        let name = format!("{}@{}", REACHABLE.id, inputs.reach[index].node);
        let trial = Trial::ignorable_test(name, move || {
            let r = &inputs.reach[index];
            record(&sink, REACHABLE, &r.node, || {
                Ok(match &r.outcome {
                    Ok(summary) => Verdict::pass(summary).with(r.evidence.clone()),
                    Err(e) => Verdict::error(e).code("unreachable"),
                })
            })
        });
        trials.push(trial.with_kind(REACHABLE.layer.name()));
    }
    for index in 0..inputs.sources.len() {
        for &check in checks {
            let (inputs, sink) = (Arc::clone(inputs), Arc::clone(sink));
            let node = inputs.sources[index].node().to_string();
            let name = format!("{}@{}", check.id, node);
            let trial = Trial::ignorable_test(name, move || {
                let ctx = inputs.ctx(index);
                let meta = Meta {
                    id: check.id,
                    layer: check.layer,
                    severity: check.severity,
                    rationale: check.rationale,
                };
                record(&sink, meta, &node, || (check.run)(&ctx))
            });
            trials.push(trial.with_kind(check.layer.name()));
        }
    }
    // A cluster run with one node reached still compares what it can (nothing),
    // so cross-node checks appear whenever several nodes were meant to be checked.
    if inputs.sources.len() > 1 || inputs.reach.len() > 1 {
        for &check in cluster_checks {
            let (inputs, sink) = (Arc::clone(inputs), Arc::clone(sink));
            let trial = Trial::ignorable_test(format!("{}@cluster", check.id), move || {
                let ctxs: Vec<NodeCtx> = inputs
                    .sources
                    .iter()
                    .map(|s| NodeCtx::new(s.as_ref(), &inputs.options))
                    .collect();
                let meta = Meta {
                    id: check.id,
                    layer: check.layer,
                    severity: check.severity,
                    rationale: check.rationale,
                };
                record(&sink, meta, "cluster", || (check.run)(&ctxs))
            });
            trials.push(trial.with_kind(check.layer.name()));
        }
    }
    trials
}

struct Meta {
    id: &'static str,
    layer: Layer,
    severity: Severity,
    rationale: &'static str,
}

/// Run a check, store its result, and tell libtest-mimic how it went.
fn record(
    sink: &Sink,
    meta: Meta,
    node: &str,
    run: impl FnOnce() -> Result<Verdict, CheckError>,
) -> Result<Completion, Failed> {
    let started = Instant::now();
    // A check must never panic on bad input; if one does anyway, the run goes on and
    // the check is reported as an error rather than taking the process down.
    let verdict = match catch_unwind(AssertUnwindSafe(run)) {
        Ok(Ok(v)) => v,
        Ok(Err(e)) => e.into_verdict(),
        Err(_) => Verdict::error("the check panicked (a bug in o2check; please report it)")
            .code("panicked"),
    };
    let result = CheckResult {
        check: meta.id.to_string(),
        node: node.to_string(),
        layer: meta.layer,
        status: verdict.status,
        summary: verdict.summary,
        finding: verdict.code.map(str::to_string),
        severity: Some(meta.severity),
        evidence: verdict.evidence,
        fix: verdict.fix,
        rationale: meta.rationale.to_string(),
        duration_ms: started.elapsed().as_millis() as u64,
    };
    let outcome = match result.status {
        Status::Pass => Ok(Completion::Completed),
        Status::Skip => Ok(Completion::ignored_with(&result.summary)),
        Status::Fail => Err(Failed::from(match &result.fix {
            Some(fix) => format!("{}\nfix: {}", result.summary, fix),
            None => result.summary.clone(),
        })),
        Status::Error => Err(Failed::from(format!("could not check: {}", result.summary))),
    };
    sink.lock().unwrap_or_else(|p| p.into_inner()).push(result);
    outcome
}
