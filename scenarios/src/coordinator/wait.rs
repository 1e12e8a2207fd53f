//! Waiting for a scenario's agents and deciding when to stop waiting: every agent
//! ended, Ctrl-C, the deadline passed, or the agents still running wait for
//! nothing. Progress is reported meanwhile.

use super::agent::Agent;
use super::progress::running;
use super::run::Coordinator;
use crate::agent::Scenario;
use crate::workspace::interrupted;
use std::time::{Duration, Instant};

/// The leader (or an agent without a result) ended while others still run: they
/// cannot finish; stop them after this long.
const ORPHAN_GRACE: Duration = Duration::from_secs(2);

/// Why the wait ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Ending {
    /// Every agent ended by itself.
    AllEnded,
    /// Ctrl-C: the agents are to be stopped.
    Interrupted,
    /// The scenario's deadline passed.
    TimedOut,
    /// The leader, or an agent without a result, ended and the others were still
    /// running `ORPHAN_GRACE` later.
    Orphaned,
}

impl Coordinator<'_> {
    /// Note each agent's exit as it happens (closing its stdin) until the wait ends.
    pub(super) fn wait(
        &self,
        sc: Scenario,
        index: usize,
        count: usize,
        t0: Instant,
        deadline: Instant,
        agents: &mut [Agent],
    ) -> Ending {
        let mut orphaned_at: Option<Instant> = None;
        loop {
            for ag in agents.iter_mut().filter(|a| a.running()) {
                if let Some(process) = ag.process.as_mut() {
                    if let Ok(Some(status)) = process.try_wait() {
                        ag.exited = Some(status);
                        ag.exited_at = Some(Instant::now());
                        ag.stdin = None;
                    }
                }
            }
            if !agents.iter().any(Agent::running) {
                return Ending::AllEnded;
            }
            if interrupted() {
                return Ending::Interrupted;
            }
            if Instant::now() >= deadline {
                return Ending::TimedOut;
            }
            // The leader ending first, or any agent ending without a result, leaves
            // the others waiting for nothing.
            let orphaned =
                !agents[0].running() || agents.iter().any(|a| !a.running() && !a.has_result());
            if orphaned {
                let since = *orphaned_at.get_or_insert_with(Instant::now);
                if since.elapsed() >= ORPHAN_GRACE {
                    return Ending::Orphaned;
                }
            }
            (self.progress)(&running(sc, index, count, t0, agents));
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}
