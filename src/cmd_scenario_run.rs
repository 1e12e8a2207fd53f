//! `o2check scenario run NAME|all`: the coordinator. It gets o2check onto every
//! node, checks the mount there (`scenario prepare`: OCFS2, run directory not in
//! use), then for each scenario starts one agent per node at once over the
//! transport and collects each agent's JSON result line. The agents meet through
//! files in the shared directory; the coordinator never touches the mount itself
//! (it may not have it), and every wait here has a deadline.
//!
//! Ctrl-C: the coordinator closes the agents' stdin (over ssh that reaches the
//! remote agent as EOF), waits briefly, kills what is left, runs `scenario
//! cleanup` on one node with a timeout, writes the reports and exits 130.

use crate::cli_scenario::RunArgs;
use chrono::Utc;
use o2check_cluster::deploy::{self, Deploy, DeployMode};
use o2check_cluster::{fanout, Node, Transport, TransportError};
use o2check_reports::write::atomic_write;
use o2check_reports::{
    console, json, junit, CheckResult, Layer, NodeInfo, RunMeta, RunReport, Status,
};
use o2check_scenarios::agent::{AgentLine, AgentOutcome, Scenario};
use o2check_scenarios::judge::{self, NodeOutcome};
use o2check_scenarios::preset::{self, Preset};
use o2check_scenarios::workspace::{self, interrupted, Probe};
use std::io::{BufRead, BufReader, IsTerminal, Read, Write};
use std::process::{Child, ChildStdin};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// After closing the agents' stdin, how long they get to stop and clean up.
const STOP_WAIT: Duration = Duration::from_secs(5);
/// Beyond the preset's per-scenario timeout: connecting, starting, reporting.
const MARGIN: Duration = Duration::from_secs(30);
/// The leader (or an agent without a result) ended while others still run: they
/// cannot finish; stop them after this long.
const ORPHAN_GRACE: Duration = Duration::from_secs(2);
const CLEANUP_TIMEOUT_S: u64 = 60;

/// Why a node cannot take part.
enum NodeProblem {
    /// A usage error: the path is not OCFS2, the run id is in use.
    Refused(String),
    /// Unreachable, deploy failed, the mount does not answer.
    Unusable(String),
}

pub fn run(a: RunArgs) -> u8 {
    let started = Utc::now();
    workspace::watch_signals();
    let fail = |e: String| {
        eprintln!("o2check: {e}");
        2
    };
    let mut preset = match &a.preset {
        Some(p) => match preset::load(p) {
            Ok(p) => p,
            Err(e) => return fail(e),
        },
        None => preset::quick(),
    };
    if a.expect_loss {
        preset.concurrent_append.expect_loss = true;
    }
    let plan = match select(&a.names, &preset) {
        Ok(p) => p,
        Err(e) => return fail(e),
    };
    let run_id = a.run_id.clone().unwrap_or_else(|| {
        format!(
            "{}-{}",
            Utc::now().format("%Y%m%dT%H%M%S"),
            std::process::id()
        )
    });
    if let Err(e) = workspace::check_run_id(&run_id) {
        return fail(e);
    }
    let nodes = match a.cluster.nodes().and_then(check_names) {
        Ok(n) => n,
        Err(e) => return fail(e),
    };
    let transport = a.cluster.transport();
    let screen = Screen::new();
    let ctx = Run {
        a: &a,
        t: transport.as_ref(),
        nodes: &nodes,
        run_id: &run_id,
        preset_json: serde_json::to_string(&preset).unwrap_or_default(),
        preset: &preset,
        screen: &screen,
    };

    screen.show(&format!("preparing {} node(s)", nodes.len()));
    let programs = match ctx.prepare() {
        Ok(p) => p,
        Err(e) => {
            screen.clear();
            return fail(e);
        }
    };
    let mut results: Vec<CheckResult> = Vec::new();
    let mut bad: Vec<&str> = Vec::new();
    for (node, p) in nodes.iter().zip(&programs) {
        match p {
            Ok(_) => {}
            Err(NodeProblem::Refused(e)) => {
                screen.clear();
                return fail(format!("{}: {e}", node.name));
            }
            Err(NodeProblem::Unusable(e)) => {
                bad.push(&node.name);
                results.push(node_error(&node.name, e));
            }
        }
    }
    let unusable = !bad.is_empty();
    let programs: Vec<String> = programs
        .into_iter()
        .map(|p| p.ok().unwrap_or_default())
        .collect();
    let mut was_interrupted = false;
    let mut unreachable = false;
    let selected = plan.iter().filter(|(_, skip)| skip.is_none()).count();
    let mut index = 0;
    for (sc, skip) in &plan {
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
        } else if was_interrupted {
            judge::not_run(*sc, "interrupted before it started")
        } else {
            index += 1;
            let (r, stopped, lost) = ctx.scenario(*sc, index, selected, &programs);
            was_interrupted |= stopped;
            unreachable |= lost;
            screen.line(&format!(
                "[{index}/{selected}] {}: {} - {}",
                sc.id(),
                r.status.name(),
                r.summary
            ));
            r
        };
        results.push(r);
    }
    if !a.keep {
        screen.show("cleaning up");
        if let Err(e) = ctx.cleanup(&programs) {
            eprintln!("o2check: cleanup: {e}");
        }
    }
    screen.clear();
    let report = RunReport {
        meta: RunMeta {
            tool: "o2check scenario".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            run_id: run_id.clone(),
            started,
            finished: Utc::now(),
            host: hostname(),
            mode: format!("scenario ({})", transport.describe()),
        },
        nodes: nodes
            .iter()
            .map(|n| NodeInfo {
                name: n.name.clone(),
                source: if a.cluster.local_transport {
                    "local".into()
                } else {
                    format!("ssh:{}", n.destination())
                },
                ..NodeInfo::default()
            })
            .collect(),
        results,
        diagnosis: None,
    };
    let color = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let _ = console::render(&report, &mut std::io::stdout().lock(), color);
    let json_path = a
        .json
        .clone()
        .unwrap_or_else(|| a.out.join("scenarios.json"));
    let junit_path = a
        .junit
        .clone()
        .unwrap_or_else(|| a.out.join("scenarios-junit.xml"));
    if let Err(e) = atomic_write(&json_path, &json::to_json(&report))
        .and_then(|_| atomic_write(&junit_path, &junit::to_xml(&report)))
    {
        return fail(format!("cannot write reports: {e}"));
    }
    if was_interrupted {
        130
    } else if unusable || unreachable {
        2
    } else {
        report.exit_code() as u8
    }
}

/// The scenarios to run, each with a reason when it is skipped.
fn select(names: &[String], preset: &Preset) -> Result<Vec<(Scenario, Option<String>)>, String> {
    if names.iter().any(|n| n == "all") {
        if names.len() > 1 {
            return Err("`all` cannot be combined with scenario names".into());
        }
        return Ok(Scenario::ALL
            .into_iter()
            .map(|sc| {
                let skip = (sc == Scenario::ConcurrentAppend
                    && !preset.concurrent_append.expect_loss)
                    .then(|| {
                        "plain O_APPEND is expected to lose records on OCFS2, so `all` runs it only with expect_loss = true (or --expect-loss); run it by name to see the loss".to_string()
                    });
                (sc, skip)
            })
            .collect());
    }
    let mut plan: Vec<(Scenario, Option<String>)> = Vec::new();
    for n in names {
        let sc = Scenario::parse(n).ok_or_else(|| {
            let known: Vec<&str> = Scenario::ALL.iter().map(|s| s.id()).collect();
            format!("unknown scenario `{n}`; known: {}, all", known.join(", "))
        })?;
        if !plan.iter().any(|(s, _)| *s == sc) {
            plan.push((sc, None));
        }
    }
    Ok(plan)
}

/// Node names become file names in the shared directory.
fn check_names(nodes: Vec<Node>) -> Result<Vec<Node>, String> {
    if nodes.is_empty() {
        return Err("no nodes".into());
    }
    for (i, n) in nodes.iter().enumerate() {
        if n.name.is_empty()
            || !n
                .name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
        {
            return Err(format!("node name `{}` is not a plain host name", n.name));
        }
        if nodes[..i].iter().any(|m| m.name == n.name) {
            return Err(format!("node {} is named twice", n.name));
        }
    }
    Ok(nodes)
}

fn node_error(node: &str, e: &str) -> CheckResult {
    CheckResult {
        check: "scenario-node".into(),
        node: node.into(),
        layer: Layer::Scenario,
        status: Status::Error,
        summary: e.into(),
        evidence: Vec::new(),
        fix: Some("make the node reachable (ssh with keys, BatchMode) and the mount present on it, or leave it out with --nodes".into()),
        rationale: "every scenario needs every node: a node that cannot be reached cannot take part".into(),
        duration_ms: 0,
    }
}

fn hostname() -> String {
    nix::unistd::gethostname()
        .map(|h| h.to_string_lossy().into_owned())
        .unwrap_or_else(|_| "unknown".into())
}

/// What every step of one run shares.
struct Run<'a> {
    a: &'a RunArgs,
    t: &'a dyn Transport,
    nodes: &'a [Node],
    run_id: &'a str,
    preset_json: String,
    preset: &'a Preset,
    screen: &'a Screen,
}

/// One agent being waited for.
struct Agent {
    node: Node,
    child: Option<Child>,
    stdin: Option<ChildStdin>,
    exited: Option<std::process::ExitStatus>,
    exited_at: Option<Instant>,
    spawn_error: Option<String>,
    result: Arc<Mutex<Option<AgentOutcome>>>,
    progress: Arc<Mutex<Option<(String, u64, u64)>>>,
    stderr: Arc<Mutex<Vec<u8>>>,
    readers: Vec<std::thread::JoinHandle<()>>,
}

impl Agent {
    fn running(&self) -> bool {
        self.child.is_some() && self.exited.is_none()
    }

    fn has_result(&self) -> bool {
        self.result
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .is_some()
    }
}

impl Run<'_> {
    fn common(&self) -> Vec<String> {
        let mut v = vec![
            "--mount".to_string(),
            self.a.mount.display().to_string(),
            "--run-id".into(),
            self.run_id.to_string(),
        ];
        if self.a.allow_non_ocfs2 {
            v.push("--allow-non-ocfs2".into());
        }
        v
    }

    /// Per node: the o2check to call there, once it is deployed and the mount
    /// checked. Err only for this host's own failures.
    fn prepare(&self) -> Result<Vec<Result<String, NodeProblem>>, String> {
        let c = &self.a.cluster;
        // Local "nodes" are this host: this very binary, unless told otherwise.
        let this = (c.local_transport
            && c.deploy != crate::cluster_args::DeployArg::Always
            && c.remote_o2check == "o2check")
            .then(|| {
                std::env::current_exe()
                    .map(|p| p.display().to_string())
                    .map_err(|e| format!("cannot find this o2check: {e}"))
            })
            .transpose()?;
        let payload = match (&this, c.deploy) {
            (Some(_), _) | (None, crate::cluster_args::DeployArg::Never) => None,
            _ => Some(crate::cluster_args::payload()?),
        };
        let d = Deploy {
            mode: DeployMode::from(c.deploy),
            installed: &c.remote_o2check,
            remote_dir: &c.remote_dir,
            timeout: c.node_timeout(),
        };
        Ok(fanout::map_nodes(self.nodes, c.parallel, |node| {
            let program = match (&this, &payload) {
                (Some(p), _) => p.clone(),
                (None, Some(payload)) => {
                    deploy::ensure(self.t, node, payload, &d)
                        .map_err(|e| NodeProblem::Unusable(e.to_string()))?
                        .program
                }
                (None, None) => c.remote_o2check.clone(),
            };
            self.probe(node, &program)?;
            Ok(program)
        }))
    }

    fn probe(&self, node: &Node, program: &str) -> Result<(), NodeProblem> {
        let mut argv = vec![program.to_string(), "scenario".into(), "prepare".into()];
        argv.extend(self.common());
        let out = self
            .t
            .run(node, &argv, None, self.a.cluster.node_timeout())
            .map_err(|e| NodeProblem::Unusable(e.to_string()))?;
        let text = String::from_utf8_lossy(&out.stdout);
        let probe: Probe = text
            .lines()
            .rev()
            .find_map(|l| serde_json::from_str(l).ok())
            .ok_or_else(|| {
                NodeProblem::Unusable(format!(
                    "`{program} scenario prepare` gave no answer (exit {:?}): {}",
                    out.exit_code,
                    tail(&out.stderr)
                ))
            })?;
        let why = || probe.error.clone().unwrap_or_default();
        if probe.refused {
            return Err(NodeProblem::Refused(why()));
        }
        if !probe.ok {
            return Err(NodeProblem::Unusable(why()));
        }
        if probe.exists {
            return Err(NodeProblem::Refused(format!(
                "{} already exists: choose another --run-id, or remove it with `o2check scenario cleanup --mount {} --run-id {}`",
                workspace::dir_of(&self.a.mount, self.run_id).display(),
                self.a.mount.display(),
                self.run_id
            )));
        }
        Ok(())
    }

    /// Run one scenario on every node; (result, interrupted, a node became unreachable).
    fn scenario(
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
                if self.a.keep {
                    argv.push("--keep".into());
                }
                self.start(node, &argv)
            })
            .collect();
        let deadline = t0 + Duration::from_secs(self.preset.run.timeout_s) + MARGIN;
        let mut stopped = false;
        let mut timed_out = false;
        let mut orphaned_at: Option<Instant> = None;
        let mut orphans = false;
        loop {
            for ag in agents.iter_mut().filter(|a| a.running()) {
                if let Some(child) = ag.child.as_mut() {
                    if let Ok(Some(status)) = child.try_wait() {
                        ag.exited = Some(status);
                        ag.exited_at = Some(Instant::now());
                        ag.stdin = None;
                    }
                }
            }
            if !agents.iter().any(Agent::running) {
                break;
            }
            if interrupted() {
                stopped = true;
                break;
            }
            if Instant::now() >= deadline {
                timed_out = true;
                break;
            }
            // The leader ending first, or any agent ending without a result, leaves
            // the others waiting for nothing.
            let orphaned =
                !agents[0].running() || agents.iter().any(|a| !a.running() && !a.has_result());
            if orphaned {
                let since = *orphaned_at.get_or_insert_with(Instant::now);
                if since.elapsed() >= ORPHAN_GRACE {
                    orphans = true;
                    break;
                }
            }
            self.screen
                .show(&progress_line(sc, index, count, t0, &agents));
            std::thread::sleep(Duration::from_millis(10));
        }
        if stopped {
            self.screen
                .show(&format!("{}: interrupted, stopping the agents", sc.id()));
        }
        stop_all(&mut agents);
        let mut unreachable = false;
        let outcomes: Vec<NodeOutcome> = agents
            .into_iter()
            .map(|mut ag| {
                for h in ag.readers.drain(..) {
                    let _ = h.join();
                }
                let result = ag.result.lock().unwrap_or_else(|p| p.into_inner()).take();
                let stderr = std::mem::take(&mut *ag.stderr.lock().unwrap_or_else(|p| p.into_inner()));
                let outcome = match (result, ag.spawn_error) {
                    (_, Some(e)) => Err(e),
                    (Some(r), None) => Ok(r),
                    (None, None) => {
                        let code = ag.exited.and_then(|s| s.code());
                        match self.t.transport_failure(&ag.node, code, &stderr) {
                            Some(e) => {
                                unreachable |= matches!(e, TransportError::Unreachable { .. });
                                Err(e.to_string())
                            }
                            None if timed_out => Err(format!(
                                "did not finish within {} s; stopped",
                                deadline.duration_since(t0).as_secs()
                            )),
                            None if stopped => Err("interrupted".into()),
                            None if orphans && ag.exited_at.is_none() => Err(
                                "gave no result and was stopped after the others had ended (hung, or not started?)".into(),
                            ),
                            None => Err(format!(
                                "the agent ended without a result (exit {}): {}",
                                code.map_or("by a signal".into(), |c| c.to_string()),
                                tail(&stderr)
                            )),
                        }
                    }
                };
                NodeOutcome {
                    node: ag.node.name.clone(),
                    outcome,
                }
            })
            .collect();
        let mut r = judge::judge(sc, self.preset, &outcomes);
        r.duration_ms = t0.elapsed().as_millis() as u64;
        (r, stopped, unreachable)
    }

    fn start(&self, node: &Node, argv: &[String]) -> Agent {
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

    /// Remove the run's directory from the first usable node.
    fn cleanup(&self, programs: &[String]) -> Result<(), String> {
        let Some((node, program)) = self.nodes.iter().zip(programs).find(|(_, p)| !p.is_empty())
        else {
            return Ok(());
        };
        let mut argv = vec![
            program.clone(),
            "scenario".into(),
            "cleanup".into(),
            "--timeout".into(),
            CLEANUP_TIMEOUT_S.to_string(),
        ];
        argv.extend(
            self.common()
                .into_iter()
                .filter(|a| a != "--allow-non-ocfs2"),
        );
        let out = self
            .t
            .run(
                node,
                &argv,
                None,
                Duration::from_secs(CLEANUP_TIMEOUT_S + 30),
            )
            .map_err(|e| e.to_string())?;
        if out.exit_code == Some(0) {
            Ok(())
        } else {
            Err(format!("on {}: {}", node.name, tail(&out.stderr)))
        }
    }
}

/// Close every agent's stdin (the stop signal), give them time to clean up,
/// then kill what is left (its whole process group: ssh, or the local agent).
fn stop_all(agents: &mut [Agent]) {
    for ag in agents.iter_mut() {
        ag.stdin = None;
    }
    let end = Instant::now() + STOP_WAIT;
    while Instant::now() < end && agents.iter().any(Agent::running) {
        for ag in agents.iter_mut().filter(|a| a.running()) {
            if let Some(Ok(Some(s))) = ag.child.as_mut().map(Child::try_wait) {
                ag.exited = Some(s);
            }
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    for ag in agents.iter_mut().filter(|a| a.running()) {
        if let Some(child) = ag.child.as_mut() {
            if let Ok(pid) = i32::try_from(child.id()) {
                let _ = nix::sys::signal::killpg(
                    nix::unistd::Pid::from_raw(pid),
                    nix::sys::signal::Signal::SIGKILL,
                );
            }
            ag.exited = child.wait().ok();
        }
    }
}

fn progress_line(
    sc: Scenario,
    index: usize,
    count: usize,
    t0: Instant,
    agents: &[Agent],
) -> String {
    let mut s = format!(
        "[{index}/{count}] {} {:.1}s",
        sc.id(),
        t0.elapsed().as_secs_f64()
    );
    for ag in agents {
        let p = ag
            .progress
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        let state = match (&ag.spawn_error, p, ag.running()) {
            (Some(_), _, _) => "error".to_string(),
            (None, _, false) => "done".to_string(),
            (None, Some((phase, done, total)), true) => format!("{phase} {done}/{total}"),
            (None, None, true) => "starting".to_string(),
        };
        s.push_str(&format!("  {}: {state}", ag.node.name));
    }
    s
}

/// The last lines of an agent's stderr, for a one-line error.
fn tail(stderr: &[u8]) -> String {
    let text = String::from_utf8_lossy(stderr);
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    let start = lines.len().saturating_sub(3);
    let t = lines[start..].join(" / ");
    if t.is_empty() {
        "no message".into()
    } else {
        t
    }
}

/// Progress on stderr, only when it is a terminal: one line, rewritten.
struct Screen {
    tty: bool,
    last: Mutex<String>,
}

impl Screen {
    fn new() -> Screen {
        Screen {
            tty: std::io::stderr().is_terminal(),
            last: Mutex::new(String::new()),
        }
    }

    fn show(&self, text: &str) {
        if self.tty {
            let cut: String = text.chars().take(160).collect();
            let mut last = self.last.lock().unwrap_or_else(|p| p.into_inner());
            if *last == cut {
                return; // redrawn only when something changed
            }
            last.clone_from(&cut);
            let mut e = std::io::stderr().lock();
            let _ = write!(e, "\r\x1b[K{cut}");
            let _ = e.flush();
        }
    }

    /// A line that stays.
    fn line(&self, text: &str) {
        if self.tty {
            let cut: String = text.chars().take(200).collect();
            eprintln!("\r\x1b[K{cut}");
            self.last.lock().unwrap_or_else(|p| p.into_inner()).clear();
        }
    }

    fn clear(&self) {
        if self.tty {
            eprint!("\r\x1b[K");
            self.last.lock().unwrap_or_else(|p| p.into_inner()).clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_leaves_out_plain_append_unless_loss_is_expected() {
        let mut preset = Preset::default();
        let plan = select(&["all".into()], &preset).unwrap();
        assert_eq!(plan.len(), Scenario::ALL.len());
        let (sc, skip) = &plan[0];
        assert_eq!(*sc, Scenario::ConcurrentAppend);
        assert!(skip.as_deref().unwrap().contains("expect_loss"));
        assert!(plan[1..].iter().all(|(_, s)| s.is_none()));
        preset.concurrent_append.expect_loss = true;
        assert!(select(&["all".into()], &preset)
            .unwrap()
            .iter()
            .all(|(_, s)| s.is_none()));
        let named = select(&["tail-follow".into(), "tail-follow".into()], &preset).unwrap();
        assert_eq!(named, vec![(Scenario::TailFollow, None)]);
        assert!(select(&["nope".into()], &preset)
            .unwrap_err()
            .contains("known:"));
        assert!(select(&["all".into(), "tail-follow".into()], &preset).is_err());
    }

    #[test]
    fn node_names_must_be_plain_and_unique() {
        assert!(check_names(vec![Node::named("n1"), Node::named("n2.x-y_z")]).is_ok());
        assert!(check_names(vec![Node::named("a/b")]).is_err());
        assert!(check_names(vec![Node::named("n1"), Node::named("n1")]).is_err());
        assert!(check_names(Vec::new()).is_err());
    }
}
