//! What the coordinator tells its caller while it works (the terminal line in
//! the CLI, nothing at all in a test), and the text of each event.

use super::agent::Agent;
use crate::agent::Scenario;
use o2check_reports::CheckResult;
use std::time::{Duration, Instant};

/// Where one node's agent is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NodeState {
    /// It could not be started.
    Error,
    /// Started, no progress line yet.
    Starting,
    /// Its last progress line.
    Phase {
        phase: String,
        done: u64,
        total: u64,
    },
    /// It ended.
    Done,
}

/// One thing that happened.
#[derive(Debug)]
pub enum Event<'a> {
    /// Deploying and checking the mount on this many nodes.
    Preparing { nodes: usize },
    /// Scenario `index` of `count` is running (sent often: redraw, do not log).
    Running {
        scenario: Scenario,
        index: usize,
        count: usize,
        elapsed: Duration,
        nodes: Vec<(String, NodeState)>,
    },
    /// Ctrl-C: the scenario's agents are being stopped.
    Stopping { scenario: Scenario },
    /// Scenario `index` of `count` was judged.
    Judged {
        scenario: Scenario,
        index: usize,
        count: usize,
        result: &'a CheckResult,
    },
    /// Removing the run's directory.
    CleaningUp,
}

impl Event<'_> {
    /// One line for a person.
    pub fn text(&self) -> String {
        match self {
            Event::Preparing { nodes } => format!("preparing {nodes} node(s)"),
            Event::Running {
                scenario,
                index,
                count,
                elapsed,
                nodes,
            } => {
                let mut s = format!(
                    "[{index}/{count}] {} {:.1}s",
                    scenario.id(),
                    elapsed.as_secs_f64()
                );
                for (node, state) in nodes {
                    let state = match state {
                        NodeState::Error => "error".to_string(),
                        NodeState::Done => "done".to_string(),
                        NodeState::Phase { phase, done, total } => {
                            format!("{phase} {done}/{total}")
                        }
                        NodeState::Starting => "starting".to_string(),
                    };
                    s.push_str(&format!("  {node}: {state}"));
                }
                s
            }
            Event::Stopping { scenario } => {
                format!("{}: interrupted, stopping the agents", scenario.id())
            }
            Event::Judged {
                scenario,
                index,
                count,
                result,
            } => format!(
                "[{index}/{count}] {}: {} - {}",
                scenario.id(),
                result.status.name(),
                result.summary
            ),
            Event::CleaningUp => "cleaning up".into(),
        }
    }

    /// A line that stays on the terminal, rather than one the next event replaces.
    pub fn stays(&self) -> bool {
        matches!(self, Event::Judged { .. })
    }
}

/// Where every agent of a running scenario is.
pub(super) fn running(
    sc: Scenario,
    index: usize,
    count: usize,
    t0: Instant,
    agents: &[Agent],
) -> Event<'static> {
    let nodes = agents
        .iter()
        .map(|ag| {
            let p = ag
                .progress
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .clone();
            let state = match (&ag.spawn_error, p, ag.running()) {
                (Some(_), _, _) => NodeState::Error,
                (None, _, false) => NodeState::Done,
                (None, Some((phase, done, total)), true) => NodeState::Phase { phase, done, total },
                (None, None, true) => NodeState::Starting,
            };
            (ag.node.name.clone(), state)
        })
        .collect();
    Event::Running {
        scenario: sc,
        index,
        count,
        elapsed: t0.elapsed(),
        nodes,
    }
}
