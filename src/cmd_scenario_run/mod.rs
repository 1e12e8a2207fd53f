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
//!
//! This file is the entry point: it runs the phases in order, each in its own
//! file: `plan.rs` (what to run), `prepare.rs`, per scenario `scenario.rs`
//! (agents started in `agent.rs`, waited for in `wait.rs`, stopped in `stop.rs`,
//! what each came to in `outcome.rs`), `cleanup.rs`, `report.rs`; `progress.rs`
//! draws the terminal line meanwhile.

mod agent;
mod cleanup;
mod outcome;
mod plan;
mod prepare;
mod progress;
mod report;
mod scenario;
mod stop;
mod wait;

use crate::cli_scenario::RunArgs;
use chrono::Utc;
use o2check_cluster::{Node, Transport};
use o2check_reports::CheckResult;
use o2check_scenarios::judge;
use o2check_scenarios::preset::{self, Preset};
use o2check_scenarios::workspace;
use plan::{check_names, select};
use prepare::{node_error, NodeProblem};
use progress::Screen;

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
    let run_id = match a.run_id.clone() {
        Some(id) => id,
        None => match workspace::new_run_id(&Utc::now().format("%Y%m%dT%H%M%S").to_string()) {
            Ok(id) => id,
            Err(e) => return fail(e),
        },
    };
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
    let report = report::build(&a, &run_id, started, transport.as_ref(), &nodes, results);
    if let Err(e) = report::output(&a, &report) {
        return fail(e.to_string());
    }
    if was_interrupted {
        130
    } else if unusable || unreachable {
        2
    } else {
        report.exit_code() as u8
    }
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
        // An agent's stderr is the node's text: nothing in it may drive the terminal.
        o2check_reports::untrusted_text::escape_controls(&t).into_owned()
    }
}
