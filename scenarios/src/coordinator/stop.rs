//! Stopping a scenario's agents, at its end and on Ctrl-C: closing their stdin is
//! the stop signal (over ssh it reaches the remote agent as EOF); what does not
//! stop in time is killed.

use super::agent::Agent;
use std::time::{Duration, Instant};

/// After closing the agents' stdin, how long they get to stop and clean up.
const STOP_WAIT: Duration = Duration::from_secs(5);

/// Close every agent's stdin (the stop signal), give them time to clean up,
/// then kill what is left (for a real process its whole process group: ssh, or
/// the local agent).
pub(super) fn stop_all(agents: &mut [Agent]) {
    for ag in agents.iter_mut() {
        ag.stdin = None;
    }
    let end = Instant::now() + STOP_WAIT;
    while Instant::now() < end && agents.iter().any(Agent::running) {
        for ag in agents.iter_mut().filter(|a| a.running()) {
            if let Some(Ok(Some(s))) = ag.process.as_mut().map(|p| p.try_wait()) {
                ag.exited = Some(s);
            }
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    for ag in agents.iter_mut().filter(|a| a.running()) {
        if let Some(process) = ag.process.as_mut() {
            ag.exited = process.kill().ok();
        }
    }
}
