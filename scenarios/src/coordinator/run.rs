//! The run from start to end: prepare every node, then each planned scenario in
//! turn (or why it is not run), then the cleanup. What it shares with every
//! phase is the [`Coordinator`].

use super::plan::check_names;
use super::prepare::{node_error, NodeProblem};
use super::progress::Event;
use super::{CleanupError, CoordinatorError};
use crate::agent::Scenario;
use crate::judge;
use crate::preset::Preset;
use o2check_cluster::deploy::{Deploy, Payload};
use o2check_cluster::{Node, Transport};
use o2check_reports::CheckResult;
use std::path::PathBuf;
use std::time::Duration;

/// What the run is asked to do, as the command line said it.
pub struct Options {
    /// The shared mount point, the same path on every node.
    pub mount: PathBuf,
    pub run_id: String,
    /// Allow a mount that is not OCFS2 (testing the harness itself).
    pub allow_non_ocfs2: bool,
    /// Leave `<mount>/.o2check-<run id>/` in place.
    pub keep: bool,
    pub preset: Preset,
    /// For each command that prepares a node (deploy, `scenario prepare`).
    pub node_timeout: Duration,
    /// How many nodes are prepared at once.
    pub parallel: usize,
}

/// Where each node's o2check comes from.
pub enum Programs<'a> {
    /// Every node calls this one (this very binary for local nodes, or the
    /// installed o2check the administrator vouches for).
    Same(String),
    /// A copy of `payload`, deployed as `deploy` says (see
    /// [`o2check_cluster::deploy::ensure`]).
    Deploy {
        payload: &'a Payload,
        deploy: Deploy<'a>,
    },
}

/// What the run came to.
#[derive(Debug)]
pub struct Finished {
    /// One per node that could not be used, then one per planned scenario.
    pub results: Vec<CheckResult>,
    /// Ctrl-C (or SIGTERM) stopped it.
    pub interrupted: bool,
    /// A node could not be prepared or became unreachable.
    pub node_lost: bool,
    /// `scenario cleanup` was run (not with `keep`) and failed.
    pub cleanup: Option<CleanupError>,
}

impl Finished {
    /// The exit status: 130 interrupted, 2 a node lost, else the verdicts' own.
    pub fn exit_code(&self, verdicts: u8) -> u8 {
        if self.interrupted {
            130
        } else if self.node_lost {
            2
        } else {
            verdicts
        }
    }
}

/// What every phase of one run shares.
pub(super) struct Coordinator<'a> {
    pub(super) o: &'a Options,
    pub(super) t: &'a dyn Transport,
    pub(super) nodes: &'a [Node],
    pub(super) preset_json: String,
    pub(super) progress: &'a (dyn Fn(&Event) + Sync),
}

impl Coordinator<'_> {
    /// The arguments every node-side command takes.
    pub(super) fn common(&self) -> Vec<String> {
        let mut v = vec![
            "--mount".to_string(),
            self.o.mount.display().to_string(),
            "--run-id".into(),
            self.o.run_id.to_string(),
        ];
        if self.o.allow_non_ocfs2 {
            v.push("--allow-non-ocfs2".into());
        }
        v
    }
}

/// Run `plan` (from [`super::plan::select`]) on `nodes` over `t`, telling
/// `progress` what happens. Err when the run cannot go ahead at all.
pub fn run(
    o: &Options,
    t: &dyn Transport,
    nodes: Vec<Node>,
    plan: &[(Scenario, Option<String>)],
    programs: &Programs,
    progress: &(dyn Fn(&Event) + Sync),
) -> Result<Finished, CoordinatorError> {
    crate::workspace::watch_signals();
    let nodes = check_names(nodes)?;
    let c = Coordinator {
        o,
        t,
        nodes: &nodes,
        preset_json: serde_json::to_string(&o.preset).unwrap_or_default(),
        progress,
    };
    progress(&Event::Preparing { nodes: nodes.len() });
    let ready = c.prepare(programs)?;
    let mut results: Vec<CheckResult> = Vec::new();
    let mut bad: Vec<&str> = Vec::new();
    for (node, p) in nodes.iter().zip(&ready) {
        match p {
            Ok(_) => {}
            Err(NodeProblem::Refused(e)) => {
                return Err(CoordinatorError::Refused {
                    node: node.name.clone(),
                    reason: e.clone(),
                })
            }
            Err(NodeProblem::Unusable(e)) => {
                bad.push(&node.name);
                results.push(node_error(&node.name, e));
            }
        }
    }
    let unusable = !bad.is_empty();
    let programs: Vec<String> = ready
        .into_iter()
        .map(|p| p.ok().unwrap_or_default())
        .collect();
    let mut interrupted = false;
    let mut unreachable = false;
    let selected = plan.iter().filter(|(_, skip)| skip.is_none()).count();
    let mut index = 0;
    for (sc, skip) in plan {
        let r = if let Some(why) = skip {
            judge::skipped(*sc, why)
        } else if unusable {
            judge::not_run(
                *sc,
                &format!("it needs {}, which could not be used", bad.join(", ")),
            )
        } else if nodes.len() < sc.min_nodes() {
            judge::skipped(
                *sc,
                &format!(
                    "needs at least {} nodes (one leads, the others follow)",
                    sc.min_nodes()
                ),
            )
        } else if interrupted {
            judge::not_run(*sc, "interrupted before it started")
        } else {
            index += 1;
            let (r, stopped, lost) = c.scenario(*sc, index, selected, &programs);
            interrupted |= stopped;
            unreachable |= lost;
            progress(&Event::Judged {
                scenario: *sc,
                index,
                count: selected,
                result: &r,
            });
            r
        };
        results.push(r);
    }
    let cleanup = if o.keep {
        None
    } else {
        progress(&Event::CleaningUp);
        c.cleanup(&programs).err()
    };
    Ok(Finished {
        results,
        interrupted,
        node_lost: unusable || unreachable,
        cleanup,
    })
}
