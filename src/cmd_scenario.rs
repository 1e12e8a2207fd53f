//! `o2check scenario`: dispatch (`run`, the coordinator, is in cmd_scenario_run/;
//! the node side in cmd_scenario_agent.rs), and the concurrent-append scenario's
//! stand-alone writer (run on every node at once, by ssh, the lab agent or any
//! orchestration) and verifier (run once after the writers). Exit 0 when every
//! record arrived intact, 1 when records were lost, torn, duplicated or
//! reordered, 2 on bad input or a refused path.

use crate::cli_scenario::{AppendVerifyArgs, AppendWriteArgs, ScenarioCommand};
use chrono::Utc;
use o2check_reports::write::atomic_write;
use o2check_reports::{json, junit, CheckResult, Evidence, Layer, RunMeta, RunReport, Status};
use o2check_scenarios::append::{check, write};
use o2check_scenarios::preset::{self, AppendParams};
use o2check_scenarios::workspace::Workspace;
use std::io::Write;
use std::time::Duration;

fn params(
    preset_path: &Option<std::path::PathBuf>,
    records: u64,
    payload: usize,
    pause_ms: u64,
) -> Result<AppendParams, String> {
    match preset_path {
        Some(p) => Ok(preset::load(p)?.concurrent_append),
        None => Ok(AppendParams {
            records,
            payload,
            pause_ms,
            expect_loss: false,
        }),
    }
}

/// The run's parameters and its workspace, or the message to print (exit 2).
fn prepare(
    preset_path: &Option<std::path::PathBuf>,
    defaults: (u64, usize, u64),
    mount: &std::path::Path,
    run_id: &str,
    allow_non_ocfs2: bool,
) -> Result<(AppendParams, Workspace), String> {
    let p = params(preset_path, defaults.0, defaults.1, defaults.2)?;
    Ok((p, Workspace::open(mount, run_id, allow_non_ocfs2)?))
}

/// Dispatch `o2check scenario ...`.
pub fn run(cmd: ScenarioCommand) -> u8 {
    match cmd {
        ScenarioCommand::Run(a) => crate::cmd_scenario_run::run(*a),
        ScenarioCommand::List => crate::cmd_scenario_agent::list_cmd(),
        ScenarioCommand::Cleanup(a) => crate::cmd_scenario_agent::cleanup_cmd(a),
        ScenarioCommand::Agent(a) => crate::cmd_scenario_agent::agent_cmd(a),
        ScenarioCommand::Prepare(a) => crate::cmd_scenario_agent::prepare_cmd(a),
        ScenarioCommand::AppendWrite(a) => write_cmd(a),
        ScenarioCommand::AppendVerify(a) => verify_cmd(a),
    }
}

pub fn write_cmd(a: AppendWriteArgs) -> u8 {
    let (p, ws) = match prepare(
        &a.preset,
        (a.records, a.payload, a.pause_ms),
        &a.mount,
        &a.run_id,
        a.allow_non_ocfs2,
    ) {
        Ok(x) => x,
        Err(e) => {
            eprintln!("o2check: {e}");
            return 2;
        }
    };
    let dir = ws.keep(); // the verifier removes it once every writer is done
    match write(
        &dir,
        &a.writer,
        p.records,
        p.payload,
        a.flock,
        Duration::from_millis(p.pause_ms),
    ) {
        Ok(r) => {
            let _ = writeln!(
                std::io::stdout(),
                "{}",
                serde_json::to_string(&r).unwrap_or_default()
            );
            if r.interrupted {
                let _ = std::fs::remove_dir_all(&dir);
                return 2;
            }
            0
        }
        Err(e) => {
            eprintln!("o2check: append to {} failed: {e}", dir.display());
            2
        }
    }
}

pub fn verify_cmd(a: AppendVerifyArgs) -> u8 {
    let (p, ws) = match prepare(
        &a.preset,
        (a.records, 0, 0),
        &a.mount,
        &a.run_id,
        a.allow_non_ocfs2,
    ) {
        Ok(x) => x,
        Err(e) => {
            eprintln!("o2check: {e}");
            return 2;
        }
    };
    let verdict = match check(ws.path(), &a.writers, p.records) {
        Ok(v) => v,
        Err(e) => {
            eprintln!("o2check: {e}");
            return 2;
        }
    };
    let mode = if a.flock { "flock" } else { "plain O_APPEND" };
    let summary = format!(
        "{mode}: {} of {} records intact; lost {}, torn {}, duplicated {}, out of order {}",
        verdict.intact,
        verdict.expected,
        verdict.lost,
        verdict.torn,
        verdict.duplicated,
        verdict.out_of_order
    );
    let status = if verdict.is_perfect() {
        Status::Pass
    } else {
        Status::Fail
    };
    let result = CheckResult {
        check: if a.flock { "concurrent-append-flock".into() } else { "concurrent-append".into() },
        node: "cluster".into(),
        layer: Layer::Scenario,
        status,
        summary: summary.clone(),
        finding: None,        severity: None,        evidence: verdict.per_writer.iter().map(|(w, n)| Evidence::note(format!("writer {w}"), format!("{n} intact records"))).collect(),
        fix: (status == Status::Fail).then(|| o2check_scenarios::judge::APPEND_FIX.to_string()),
        rationale: "every record of every writer must be in the file exactly once, whole, in each writer's order".into(),
        duration_ms: 0,
    };
    let _ = writeln!(
        std::io::stdout(),
        "{summary}\n{}",
        serde_json::to_string(&verdict).unwrap_or_default()
    );
    if let Some(path) = &a.json {
        let now = Utc::now();
        let report = RunReport {
            meta: RunMeta {
                tool: "o2check scenario".into(),
                version: env!("CARGO_PKG_VERSION").into(),
                run_id: a.run_id.clone(),
                started: now,
                finished: now,
                host: String::new(),
                mode: "scenario".into(),
            },
            nodes: Vec::new(),
            results: vec![result],
            diagnosis: None,
        };
        if atomic_write(path, &json::to_json(&report))
            .and_then(|_| atomic_write(&path.with_extension("xml"), &junit::to_xml(&report)))
            .is_err()
        {
            eprintln!("o2check: cannot write {}", path.display());
            return 2;
        }
    }
    if a.keep {
        ws.keep();
    }
    u8::from(status == Status::Fail)
}
