//! One agent on one node: started over the transport, its stdout read for the
//! progress and result lines, its stderr kept (bounded) for error messages.

use super::Run;
use o2check_cluster::Node;
use o2check_scenarios::agent::{AgentLine, AgentOutcome};
use std::io::{BufRead, BufReader, Read};
use std::process::{Child, ChildStdin};
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// One agent being waited for.
pub(super) struct Agent {
    pub(super) node: Node,
    pub(super) child: Option<Child>,
    pub(super) stdin: Option<ChildStdin>,
    pub(super) exited: Option<std::process::ExitStatus>,
    pub(super) exited_at: Option<Instant>,
    pub(super) spawn_error: Option<String>,
    pub(super) result: Arc<Mutex<Option<AgentOutcome>>>,
    pub(super) progress: Arc<Mutex<Option<(String, u64, u64)>>>,
    pub(super) stderr: Arc<Mutex<Vec<u8>>>,
    pub(super) readers: Vec<std::thread::JoinHandle<()>>,
}

impl Agent {
    pub(super) fn running(&self) -> bool {
        self.child.is_some() && self.exited.is_none()
    }

    pub(super) fn has_result(&self) -> bool {
        self.result
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .is_some()
    }
}

impl Run<'_> {
    /// Spawn the agent over the transport; a failure to spawn is kept in the `Agent`.
    pub(super) fn start(&self, node: &Node, argv: &[String]) -> Agent {
        let mut ag = Agent {
            node: node.clone(),
            child: None,
            stdin: None,
            exited: None,
            exited_at: None,
            spawn_error: None,
            result: Arc::new(Mutex::new(None)),
            progress: Arc::new(Mutex::new(None)),
            stderr: Arc::new(Mutex::new(Vec::new())),
            readers: Vec::new(),
        };
        let mut child = match self.t.spawn(node, argv) {
            Ok(c) => c,
            Err(e) => {
                ag.spawn_error = Some(e.to_string());
                return ag;
            }
        };
        ag.stdin = child.stdin.take();
        if let Some(out) = child.stdout.take() {
            let (result, progress) = (Arc::clone(&ag.result), Arc::clone(&ag.progress));
            ag.readers.push(std::thread::spawn(move || {
                for line in BufReader::new(out).lines() {
                    let Ok(line) = line else { break };
                    match serde_json::from_str::<AgentLine>(&line) {
                        Ok(AgentLine::Progress { phase, done, total }) => {
                            *progress.lock().unwrap_or_else(|p| p.into_inner()) =
                                Some((phase, done, total));
                        }
                        Ok(AgentLine::Result(r)) => {
                            *result.lock().unwrap_or_else(|p| p.into_inner()) = Some(r);
                        }
                        Err(_) => {} // a banner from a login shell, say
                    }
                }
            }));
        }
        if let Some(mut err) = child.stderr.take() {
            let sink = Arc::clone(&ag.stderr);
            ag.readers.push(std::thread::spawn(move || {
                let mut buf = [0u8; 4096];
                while let Ok(n) = err.read(&mut buf) {
                    if n == 0 {
                        break;
                    }
                    let mut s = sink.lock().unwrap_or_else(|p| p.into_inner());
                    if s.len() < 64 * 1024 {
                        s.extend_from_slice(&buf[..n]);
                    }
                }
            }));
        }
        ag.child = Some(child);
        ag
    }
}
