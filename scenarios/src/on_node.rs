//! The node side of a coordinated run: [`agent()`] runs one node's part of one
//! scenario and emits JSON lines (progress, then its result) for the
//! coordinator; [`prepare`] checks the mount before anything is written.
//!
//! The agent stops when its stdin closes ([`stop_when_stdin_closes`]: the
//! coordinator's Ctrl-C closes it, and so does a dropped ssh session), on
//! SIGINT/SIGTERM, and at its deadline; it then removes the run's directory. Its
//! scenario runs on a worker thread so that a file operation stuck on a hung
//! mount cannot keep it from answering.

use crate::agent::{self, AgentLine, AgentOutcome, AgentStatus, Scenario};
use crate::ctx::{Ctx, Progress};
use crate::error::ScenarioError;
use crate::preset::Preset;
use crate::workspace::{self, request_stop, stopping, Probe, Workspace};
use std::io::Read;
use std::path::PathBuf;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long a stopping agent waits for its scenario thread to notice.
const STOP_GRACE: Duration = Duration::from_secs(3);
/// Removing the run's directory after an interruption.
const CLEANUP_TIMEOUT: Duration = Duration::from_secs(20);
/// Progress lines of one phase at most this often (the last one always).
const PROGRESS_EVERY: Duration = Duration::from_millis(200);

/// Where an agent's lines go (stdout, for the coordinator).
pub type Emit = Arc<dyn Fn(&AgentLine) + Send + Sync>;

/// One node's part of one scenario, as the coordinator asked for it.
#[derive(Debug, Clone)]
pub struct AgentRequest {
    pub scenario: String,
    /// This node's name.
    pub node: String,
    /// Every node, the leader first.
    pub nodes: Vec<String>,
    pub mount: PathBuf,
    pub run_id: String,
    /// The preset, as JSON.
    pub preset_json: String,
    pub allow_non_ocfs2: bool,
    pub keep: bool,
}

/// Progress lines at most every [`PROGRESS_EVERY`] per phase, and always the last one.
fn progress_printer(emit: Emit) -> Progress {
    let last: Mutex<(String, Option<Instant>)> = Mutex::new((String::new(), None));
    Arc::new(move |phase: &str, done: u64, total: u64| {
        let mut l = last.lock().unwrap_or_else(|p| p.into_inner());
        let due =
            l.0 != phase || done >= total || l.1.is_none_or(|t| t.elapsed() >= PROGRESS_EVERY);
        if due {
            *l = (phase.to_string(), Some(Instant::now()));
            emit(&AgentLine::Progress {
                phase: phase.to_string(),
                done,
                total,
            });
        }
    })
}

/// Read this process's stdin to its end, then ask everything to stop.
pub fn stop_when_stdin_closes() {
    std::thread::spawn(|| {
        let mut stdin = std::io::stdin();
        let mut buf = [0u8; 512];
        loop {
            match stdin.read(&mut buf) {
                Ok(0) => break,
                Ok(_) => {}
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(_) => break,
            }
        }
        request_stop();
    });
}

/// Run `req` on this node, emitting progress and then the result line; the
/// status is also what the result line says.
pub fn agent(req: &AgentRequest, emit: Emit) -> AgentStatus {
    let started = Instant::now();
    workspace::watch_signals();
    let finish = |status: AgentStatus, error: Option<String>, report| {
        emit(&AgentLine::Result(AgentOutcome {
            node: req.node.clone(),
            scenario: req.scenario.clone(),
            status,
            error,
            report,
            millis: started.elapsed().as_millis() as u64,
        }));
        status
    };
    let Some(sc) = Scenario::parse(&req.scenario) else {
        return finish(
            AgentStatus::Error,
            Some(format!("unknown scenario `{}`", req.scenario)),
            None,
        );
    };
    let preset: Preset = match serde_json::from_str(&req.preset_json) {
        Ok(p) => p,
        Err(e) => {
            return finish(
                AgentStatus::Error,
                Some(format!("bad --preset-json: {e}")),
                None,
            )
        }
    };
    if !req.nodes.contains(&req.node) {
        return finish(
            AgentStatus::Error,
            Some(format!("{} is not one of --nodes", req.node)),
            None,
        );
    }
    let probe = workspace::probe(&req.mount, &req.run_id, req.allow_non_ocfs2);
    if !probe.ok {
        let status = if probe.refused {
            AgentStatus::Refused
        } else {
            AgentStatus::Error
        };
        return finish(status, probe.error, None);
    }
    // The coordinator created it: join only once it is verified ours.
    let root = match Workspace::join(&req.mount, &req.run_id, req.allow_non_ocfs2) {
        Ok(ws) => ws.keep(),
        Err(e) => return finish(AgentStatus::Error, Some(e.to_string()), None),
    };
    let timeout = Duration::from_secs(preset.run.timeout_s);
    let ctx = Ctx {
        dir: root.join(sc.id()),
        run_id: req.run_id.clone(),
        me: req.node.clone(),
        nodes: req.nodes.clone(),
        preset,
        deadline: started + timeout,
        keep: req.keep,
        progress: progress_printer(Arc::clone(&emit)),
    };
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(agent::run(sc, &ctx));
    });
    // The worker checks the deadline itself; this is for a worker stuck in a
    // system call on a hung mount.
    let hard_deadline = started + timeout + STOP_GRACE;
    let mut stop_at: Option<Instant> = None;
    let result = loop {
        match rx.recv_timeout(Duration::from_millis(50)) {
            Ok(r) => break r,
            Err(RecvTimeoutError::Disconnected) => break Err(ScenarioError::ThreadDied),
            Err(RecvTimeoutError::Timeout) => {}
        }
        let now = Instant::now();
        if stopping() && *stop_at.get_or_insert(now + STOP_GRACE) <= now {
            break Err(ScenarioError::StuckInterrupted);
        }
        if now >= hard_deadline {
            break Err(ScenarioError::StuckPastDeadline {
                timeout_s: timeout.as_secs(),
            });
        }
    };
    if stopping() {
        // Ctrl-C or the coordinator went away: leave nothing behind.
        let _ = workspace::remove(&req.mount, &req.run_id, CLEANUP_TIMEOUT);
        let why = result
            .err()
            .unwrap_or(ScenarioError::Interrupted)
            .to_string();
        return finish(AgentStatus::Interrupted, Some(why), None);
    }
    match result {
        Ok(report) => finish(AgentStatus::Ok, None, Some(report)),
        Err(e) => finish(AgentStatus::Error, Some(e.to_string()), None),
    }
}

/// `scenario prepare`: can a run use `mount` here; with `create`, then make the
/// run directory (the coordinator asks one node to).
pub fn prepare(
    mount: &std::path::Path,
    run_id: &str,
    allow_non_ocfs2: bool,
    create: bool,
) -> Probe {
    let mut probe = workspace::probe(mount, run_id, allow_non_ocfs2);
    if create && probe.ok {
        if let Err(e) = Workspace::create(mount, run_id, allow_non_ocfs2).map(Workspace::keep) {
            probe.ok = false;
            probe.error = Some(e.to_string());
        }
    }
    probe
}
