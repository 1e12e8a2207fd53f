//! One scenario on every node: start one agent per node at once, wait for them,
//! stop them, and judge what each came to.

use super::agent::Agent;
use super::progress::Event;
use super::run::Coordinator;
use super::stop::stop_all;
use super::wait::Ending;
use crate::agent::Scenario;
use crate::judge::{self, NodeOutcome};
use o2check_reports::CheckResult;
use std::time::{Duration, Instant};

/// Beyond the preset's per-scenario timeout: connecting, starting, reporting.
const MARGIN: Duration = Duration::from_secs(30);

impl Coordinator<'_> {
    /// Run one scenario on every node; (result, interrupted, a node became unreachable).
    pub(super) fn scenario(
        &self,
        sc: Scenario,
        index: usize,
        count: usize,
        programs: &[String],
    ) -> (CheckResult, bool, bool) {
        let t0 = Instant::now();
        let names: Vec<&str> = self.nodes.iter().map(|n| n.name.as_str()).collect();
        let mut agents: Vec<Agent> = self
            .nodes
            .iter()
            .zip(programs)
            .map(|(node, program)| {
                let mut argv = vec![
                    program.clone(),
                    "scenario".into(),
                    "agent".into(),
                    "--scenario".into(),
                    sc.id().into(),
                    "--node".into(),
                    node.name.clone(),
                    "--nodes".into(),
                    names.join(","),
                    "--preset-json".into(),
                    self.preset_json.clone(),
                ];
                argv.extend(self.common());
                if self.o.keep {
                    argv.push("--keep".into());
                }
                self.start(node, &argv)
            })
            .collect();
        let deadline = t0 + Duration::from_secs(self.o.preset.run.timeout_s) + MARGIN;
        let ending = self.wait(sc, index, count, t0, deadline, &mut agents);
        let stopped = ending == Ending::Interrupted;
        if stopped {
            (self.progress)(&Event::Stopping { scenario: sc });
        }
        stop_all(&mut agents);
        let mut unreachable = false;
        let outcomes: Vec<NodeOutcome> = agents
            .into_iter()
            .map(|ag| {
                let (outcome, lost) = self.outcome(ag, ending, deadline.duration_since(t0));
                unreachable |= lost;
                outcome
            })
            .collect();
        let mut r = judge::judge(sc, &self.o.preset, &outcomes);
        r.duration_ms = t0.elapsed().as_millis() as u64;
        (r, stopped, unreachable)
    }
}
