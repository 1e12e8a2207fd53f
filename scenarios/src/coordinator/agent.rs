//! One agent on one node: started over the transport, its stdout read for the
//! progress and result lines, its stderr kept (bounded) for error messages.

use super::run::Coordinator;
use crate::agent::{AgentLine, AgentOutcome};
use o2check_cluster::transport::Process;
use o2check_cluster::{Node, TransportError};
use std::io::{BufRead, BufReader, Read, Write};
use std::process::ExitStatus;
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// An agent's stderr is kept up to this much: enough for its last lines.
const STDERR_LIMIT: usize = 64 * 1024;

/// One agent being waited for.
pub(super) struct Agent {
    pub(super) node: Node,
    pub(super) process: Option<Box<dyn Process>>,
    pub(super) stdin: Option<Box<dyn Write + Send>>,
    pub(super) exited: Option<ExitStatus>,
    pub(super) exited_at: Option<Instant>,
    pub(super) spawn_error: Option<TransportError>,
    pub(super) result: Arc<Mutex<Option<AgentOutcome>>>,
    pub(super) progress: Arc<Mutex<Option<(String, u64, u64)>>>,
    pub(super) stderr: Arc<Mutex<Vec<u8>>>,
    pub(super) readers: Vec<std::thread::JoinHandle<()>>,
}

impl Agent {
    pub(super) fn running(&self) -> bool {
        self.process.is_some() && self.exited.is_none()
    }

    pub(super) fn has_result(&self) -> bool {
        self.result
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .is_some()
    }
}

impl Coordinator<'_> {
    /// Start the agent over the transport; a failure to start is kept in the `Agent`.
    pub(super) fn start(&self, node: &Node, argv: &[String]) -> Agent {
        let mut ag = Agent {
            node: node.clone(),
            process: None,
            stdin: None,
            exited: None,
            exited_at: None,
            spawn_error: None,
            result: Arc::new(Mutex::new(None)),
            progress: Arc::new(Mutex::new(None)),
            stderr: Arc::new(Mutex::new(Vec::new())),
            readers: Vec::new(),
        };
        let mut process = match self.t.start(node, argv) {
            Ok(p) => p,
            Err(e) => {
                ag.spawn_error = Some(e);
                return ag;
            }
        };
        ag.stdin = process.take_stdin();
        if let Some(out) = process.take_stdout() {
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
        if let Some(mut err) = process.take_stderr() {
            let sink = Arc::clone(&ag.stderr);
            ag.readers.push(std::thread::spawn(move || {
                let mut buf = [0u8; 4096];
                while let Ok(n) = err.read(&mut buf) {
                    if n == 0 {
                        break;
                    }
                    let mut s = sink.lock().unwrap_or_else(|p| p.into_inner());
                    if s.len() < STDERR_LIMIT {
                        s.extend_from_slice(&buf[..n]);
                    }
                }
            }));
        }
        ag.process = Some(process);
        ag
    }
}

/// The last lines of an agent's stderr, for a one-line error.
pub(super) fn tail(stderr: &[u8]) -> String {
    let text = String::from_utf8_lossy(stderr);
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    let start = lines.len().saturating_sub(3);
    let t = lines[start..].join(" / ");
    if t.is_empty() {
        "no message".into()
    } else {
        // An agent's stderr is the node's text: nothing in it may drive the terminal.
        o2check_reports::untrusted_text::escape_controls(&t).into_owned()
    }
}
