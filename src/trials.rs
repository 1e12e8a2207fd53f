//! Checks become jobs named `<check id>@<node>` (kind = layer), so filters select
//! checks and nodes. `o2check run` runs them itself (one report, nothing per
//! check); `--trials` and `--list` hand them to libtest-mimic as trials, each
//! recording its full result in a shared sink.
//!
//! A per-node check already run as its node's bundle arrived (see
//! [`crate::early`]) becomes a job that hands back that result.

use libtest_mimic::{Completion, Failed, Trial};
use o2check_checks::check::{Check, ClusterCheck};
use o2check_checks::source::Source;
use o2check_checks::{CheckError, NodeCtx, Options, Verdict};
use o2check_reports::{CheckResult, Layer, Severity, Status};
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
    /// Results computed as each node arrived, in `sources` order (empty, or
    /// shorter, where nothing was run early).
    pub early: Vec<Option<crate::early::Early>>,
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

/// One check on one node (or the cluster), ready to run: its trial name, its
/// layer (the trial's kind) and the work, which returns the full result.
pub struct Job {
    pub name: String,
    pub layer: Layer,
    pub run: Box<dyn FnOnce() -> CheckResult + Send>,
}

/// One job per (check, node), plus one per cluster check when several nodes are known.
pub fn jobs(
    inputs: &Arc<Inputs>,
    checks: &[&'static Check],
    cluster_checks: &[&'static ClusterCheck],
) -> Vec<Job> {
    let mut jobs = Vec::new();
    for index in 0..inputs.reach.len() {
        let inputs = Arc::clone(inputs);
        let name = format!("{}@{}", REACHABLE.id, inputs.reach[index].node);
        jobs.push(Job {
            name,
            layer: REACHABLE.layer,
            run: Box::new(move || {
                let r = &inputs.reach[index];
                record(REACHABLE, &r.node, || {
                    Ok(match &r.outcome {
                        Ok(summary) => Verdict::pass(summary).with(r.evidence.clone()),
                        Err(e) => Verdict::error(e).code("unreachable"),
                    })
                })
            }),
        });
    }
    let peers = inputs.sources.len().saturating_sub(1);
    for index in 0..inputs.sources.len() {
        let early = inputs
            .early
            .get(index)
            .and_then(Option::as_ref)
            .filter(|e| e.peers() == peers);
        for &check in checks {
            let node = inputs.sources[index].node().to_string();
            let name = format!("{}@{}", check.id, node);
            if let Some(done) = early.and_then(|e| e.result(check.id)).cloned() {
                jobs.push(Job {
                    name,
                    layer: check.layer,
                    run: Box::new(move || done),
                });
                continue;
            }
            let inputs = Arc::clone(inputs);
            jobs.push(Job {
                name,
                layer: check.layer,
                run: Box::new(move || {
                    let ctx = inputs.ctx(index);
                    record(Meta::of(check), &node, || (check.run)(&ctx))
                }),
            });
        }
    }
    // A cluster run with one node reached still compares what it can (nothing),
    // so cross-node checks appear whenever several nodes were meant to be checked.
    if inputs.sources.len() > 1 || inputs.reach.len() > 1 {
        for &check in cluster_checks {
            let inputs = Arc::clone(inputs);
            jobs.push(Job {
                name: format!("{}@cluster", check.id),
                layer: check.layer,
                run: Box::new(move || {
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
                    record(meta, "cluster", || (check.run)(&ctxs))
                }),
            });
        }
    }
    jobs
}

/// Jobs already built and selected, as libtest-mimic trials storing into `sink`.
pub fn as_trials(jobs: Vec<Job>, sink: &Sink) -> Vec<Trial> {
    jobs.into_iter()
        .map(|job| {
            let sink = Arc::clone(sink);
            let run = job.run;
            Trial::ignorable_test(job.name, move || {
                let result = run();
                let outcome = completion(&result);
                sink.lock().unwrap_or_else(|p| p.into_inner()).push(result);
                outcome
            })
            .with_kind(job.layer.name())
        })
        .collect()
}

/// The jobs libtest-mimic would run for `args`: its filter and `--skip` (substrings
/// of the trial name, or whole names with `--exact`).
pub fn selected(jobs: Vec<Job>, args: &libtest_mimic::Arguments) -> Vec<Job> {
    jobs.into_iter()
        .filter(|j| is_selected(&j.name, args))
        .collect()
}

/// Whether libtest-mimic would run the trial `name` for `args`.
pub fn is_selected(name: &str, args: &libtest_mimic::Arguments) -> bool {
    let matches = |pattern: &str| {
        if args.exact {
            name == pattern
        } else {
            name.contains(pattern)
        }
    };
    args.filter.as_deref().is_none_or(matches) && !args.skip.iter().any(|s| matches(s))
}

/// Every job run here, without libtest (fleet runs, where many clusters are
/// checked at once and nothing is printed per check).
pub fn evaluate(jobs: Vec<Job>) -> Vec<CheckResult> {
    jobs.into_iter().map(|job| (job.run)()).collect()
}

/// Every job run here on `threads` threads (0: one per CPU), nothing printed per
/// check: `o2check run` without `--trials` (its report comes after).
pub fn evaluate_parallel(jobs: Vec<Job>, threads: usize) -> Vec<CheckResult> {
    use rayon::prelude::*;
    let run = move || jobs.into_par_iter().map(|job| (job.run)()).collect();
    match rayon::ThreadPoolBuilder::new().num_threads(threads).build() {
        Ok(pool) => pool.install(run),
        Err(_) => run(),
    }
}

pub(crate) struct Meta {
    id: &'static str,
    layer: Layer,
    severity: Severity,
    rationale: &'static str,
}

impl Meta {
    pub(crate) fn of(check: &Check) -> Meta {
        Meta {
            id: check.id,
            layer: check.layer,
            severity: check.severity,
            rationale: check.rationale,
        }
    }
}

/// Run a check and turn its verdict into a result.
pub(crate) fn record(
    meta: Meta,
    node: &str,
    run: impl FnOnce() -> Result<Verdict, CheckError>,
) -> CheckResult {
    let started = Instant::now();
    // A check must never panic on bad input; if one does anyway, the run goes on and
    // the check is reported as an error rather than taking the process down.
    let verdict = o2check_checks::runner::execute(run);
    CheckResult {
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
    }
}

/// How a result looks to libtest-mimic (its console lines and counts).
fn completion(result: &CheckResult) -> Result<Completion, Failed> {
    match result.status {
        Status::Pass => Ok(Completion::Completed),
        Status::Skip => Ok(Completion::ignored_with(&result.summary)),
        Status::Fail => Err(Failed::from(match &result.fix {
            Some(fix) => format!("{}\nfix: {}", result.summary, fix),
            None => result.summary.clone(),
        })),
        Status::Error => Err(Failed::from(format!("could not check: {}", result.summary))),
    }
}
