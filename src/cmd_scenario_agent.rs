//! The node side of `o2check scenario run`: `scenario agent` runs one node's part
//! of one scenario and prints JSON lines (progress, then its result) for the
//! coordinator; `scenario prepare` checks the mount before anything is written;
//! `scenario cleanup` removes a run's directory. Also `scenario list`.
//!
//! The agent stops when its stdin closes (the coordinator's Ctrl-C closes it, and
//! so does a dropped ssh session), on SIGINT/SIGTERM, and at its deadline; it then
//! removes the run's directory. Its scenario runs on a worker thread so that a
//! file operation stuck on a hung mount cannot keep it from answering.

use crate::cli_scenario::{AgentArgs, CleanupArgs, PrepareArgs};
use o2check_scenarios::agent::{self, AgentLine, AgentOutcome, AgentStatus, Scenario};
use o2check_scenarios::ctx::{Ctx, Progress};
use o2check_scenarios::preset::Preset;
use o2check_scenarios::workspace::{self, request_stop, stopping, Workspace};
use std::io::{Read, Write};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long a stopping agent waits for its scenario thread to notice.
const STOP_GRACE: Duration = Duration::from_secs(3);
/// Removing the run's directory after an interruption.
const CLEANUP_TIMEOUT: Duration = Duration::from_secs(20);

fn emit(line: &AgentLine) {
    let text = serde_json::to_string(line).unwrap_or_default();
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{text}");
    let _ = out.flush();
}

/// Progress lines at most every 200 ms per phase, and always the last one.
fn progress_printer() -> Progress {
    let last: Mutex<(String, Option<Instant>)> = Mutex::new((String::new(), None));
    Arc::new(move |phase: &str, done: u64, total: u64| {
        let mut l = last.lock().unwrap_or_else(|p| p.into_inner());
        let due = l.0 != phase
            || done >= total
            || l.1
                .is_none_or(|t| t.elapsed() >= Duration::from_millis(200));
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

/// Read stdin to its end, then ask everything to stop.
fn watch_stdin() {
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

pub fn agent_cmd(a: AgentArgs) -> u8 {
    let started = Instant::now();
    workspace::watch_signals();
    watch_stdin();
    let finish = |status: AgentStatus, error: Option<String>, report| {
        emit(&AgentLine::Result(AgentOutcome {
            node: a.node.clone(),
            scenario: a.scenario.clone(),
            status,
            error,
            report,
            millis: started.elapsed().as_millis() as u64,
        }));
        match status {
            AgentStatus::Ok => 0,
            AgentStatus::Error => 1,
            AgentStatus::Refused => 2,
            AgentStatus::Interrupted => 130,
        }
    };
    let Some(sc) = Scenario::parse(&a.scenario) else {
        return finish(
            AgentStatus::Error,
            Some(format!("unknown scenario `{}`", a.scenario)),
            None,
        );
    };
    let preset: Preset = match serde_json::from_str(&a.preset_json) {
        Ok(p) => p,
        Err(e) => {
            return finish(
                AgentStatus::Error,
                Some(format!("bad --preset-json: {e}")),
                None,
            )
        }
    };
    if !a.nodes.contains(&a.node) {
        return finish(
            AgentStatus::Error,
            Some(format!("{} is not one of --nodes", a.node)),
            None,
        );
    }
    let probe = workspace::probe(&a.mount, &a.run_id, a.allow_non_ocfs2);
    if !probe.ok {
        let status = if probe.refused {
            AgentStatus::Refused
        } else {
            AgentStatus::Error
        };
        return finish(status, probe.error, None);
    }
    // The coordinator created it: join only once it is verified ours.
    let root = match Workspace::join(&a.mount, &a.run_id, a.allow_non_ocfs2) {
        Ok(ws) => ws.keep(),
        Err(e) => return finish(AgentStatus::Error, Some(e), None),
    };
    let timeout = Duration::from_secs(preset.run.timeout_s);
    let ctx = Ctx {
        dir: root.join(sc.id()),
        run_id: a.run_id.clone(),
        me: a.node.clone(),
        nodes: a.nodes.clone(),
        preset,
        deadline: started + timeout,
        keep: a.keep,
        progress: progress_printer(),
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
            Err(RecvTimeoutError::Disconnected) => break Err("the scenario thread died".into()),
            Err(RecvTimeoutError::Timeout) => {}
        }
        let now = Instant::now();
        if stopping() && *stop_at.get_or_insert(now + STOP_GRACE) <= now {
            break Err("interrupted (stuck in a file operation)".into());
        }
        if now >= hard_deadline {
            break Err(format!(
                "did not finish within {} s and is stuck in a file operation: is the mount hung?",
                timeout.as_secs()
            ));
        }
    };
    if stopping() {
        // Ctrl-C or the coordinator went away: leave nothing behind.
        let _ = workspace::remove(&a.mount, &a.run_id, CLEANUP_TIMEOUT);
        let why = result.err().unwrap_or_else(|| "interrupted".into());
        return finish(AgentStatus::Interrupted, Some(why), None);
    }
    match result {
        Ok(report) => finish(AgentStatus::Ok, None, Some(report)),
        Err(e) => finish(AgentStatus::Error, Some(e), None),
    }
}

pub fn prepare_cmd(a: PrepareArgs) -> u8 {
    let mut probe = workspace::probe(&a.mount, &a.run_id, a.allow_non_ocfs2);
    if a.create && probe.ok {
        if let Err(e) =
            Workspace::create(&a.mount, &a.run_id, a.allow_non_ocfs2).map(Workspace::keep)
        {
            probe.ok = false;
            probe.error = Some(e);
        }
    }
    println!("{}", serde_json::to_string(&probe).unwrap_or_default());
    u8::from(!probe.ok)
}

pub fn cleanup_cmd(a: CleanupArgs) -> u8 {
    match workspace::remove(&a.mount, &a.run_id, Duration::from_secs(a.timeout.max(1))) {
        Ok(removed) => {
            println!("{}", serde_json::json!({ "removed": removed }));
            0
        }
        Err(e) => {
            println!("{}", serde_json::json!({ "removed": false, "error": e }));
            eprintln!("o2check: {e}");
            1
        }
    }
}

pub fn list_cmd() -> u8 {
    for sc in Scenario::ALL {
        println!("{:<24} {}", sc.id(), sc.about());
    }
    0
}
