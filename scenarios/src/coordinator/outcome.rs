//! What one stopped agent came to, as the `NodeOutcome` the judge takes: its
//! result line, or why there is none (it could not start, the transport lost the
//! node, the scenario timed out, was interrupted or orphaned it, it crashed).

use super::agent::{tail, Agent};
use super::run::Coordinator;
use super::wait::Ending;
use crate::error::AgentFailure;
use crate::judge::NodeOutcome;
use o2check_cluster::TransportError;
use std::time::Duration;

impl Coordinator<'_> {
    /// The agent's outcome, and whether the transport found its node unreachable.
    /// `ending` is why the wait for the agents ended; `limit` the scenario's time
    /// limit (named when it timed out). Call it once the agents are stopped.
    pub(super) fn outcome(
        &self,
        mut ag: Agent,
        ending: Ending,
        limit: Duration,
    ) -> (NodeOutcome, bool) {
        for h in ag.readers.drain(..) {
            let _ = h.join();
        }
        let result = ag.result.lock().unwrap_or_else(|p| p.into_inner()).take();
        let stderr = std::mem::take(&mut *ag.stderr.lock().unwrap_or_else(|p| p.into_inner()));
        let mut unreachable = false;
        let outcome = match (result, ag.spawn_error) {
            (_, Some(e)) => Err(AgentFailure::Transport(e)),
            (Some(r), None) => Ok(r),
            (None, None) => {
                let code = ag.exited.and_then(|s| s.code());
                match self.t.transport_failure(&ag.node, code, &stderr) {
                    Some(e) => {
                        unreachable = matches!(e, TransportError::Unreachable { .. });
                        Err(AgentFailure::Transport(e))
                    }
                    None if ending == Ending::TimedOut => Err(AgentFailure::TimedOut {
                        seconds: limit.as_secs(),
                    }),
                    None if ending == Ending::Interrupted => Err(AgentFailure::Interrupted),
                    None if ending == Ending::Orphaned && ag.exited_at.is_none() => {
                        Err(AgentFailure::Orphaned)
                    }
                    None => Err(AgentFailure::NoResult {
                        exit: code,
                        stderr: tail(&stderr),
                    }),
                }
            }
        };
        let node = NodeOutcome {
            node: ag.node.name.clone(),
            outcome,
        };
        (node, unreachable)
    }
}
