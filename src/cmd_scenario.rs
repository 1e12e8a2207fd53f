//! `o2check scenario`: dispatch (`run`, the coordinator, is in cmd_scenario_run/;
//! the node side in cmd_scenario_agent.rs), and the concurrent-append scenario's
//! stand-alone writer (run on every node at once, by ssh, the lab agent or any
//! orchestration) and verifier (run once after the writers). Exit 0 when every
//! record arrived intact, 1 when records were lost, torn, duplicated or
//! reordered, 2 on bad input or a refused path.

use crate::cli_scenario::{AppendVerifyArgs, AppendWriteArgs, ScenarioCommand};
use crate::error::{Error, Exit};
use crate::output;
use chrono::Utc;
use o2check_reports::facts::Facts;
use o2check_reports::{CheckResult, Evidence, Layer, RunMeta, RunReport, Status};
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

/// The run's parameters and its workspace, or why not (exit 2).
fn prepare(
    preset_path: &Option<std::path::PathBuf>,
    defaults: (u64, usize, u64),
    mount: &std::path::Path,
    run_id: &str,
    allow_non_ocfs2: bool,
) -> Result<(AppendParams, Workspace), Error> {
    let p = params(preset_path, defaults.0, defaults.1, defaults.2).map_err(Error::Input)?;
    let ws = Workspace::open(mount, run_id, allow_non_ocfs2).map_err(Error::Input)?;
    Ok((p, ws))
}

/// Dispatch `o2check scenario ...`.
pub fn run(cmd: ScenarioCommand) -> Exit {
    match cmd {
        ScenarioCommand::Run(a) => Ok(crate::cmd_scenario_run::run(*a)),
        ScenarioCommand::List => Ok(crate::cmd_scenario_agent::list_cmd()),
        ScenarioCommand::Cleanup(a) => Ok(crate::cmd_scenario_agent::cleanup_cmd(a)),
        ScenarioCommand::Agent(a) => Ok(crate::cmd_scenario_agent::agent_cmd(a)),
        ScenarioCommand::Prepare(a) => Ok(crate::cmd_scenario_agent::prepare_cmd(a)),
        ScenarioCommand::AppendWrite(a) => write_cmd(a),
        ScenarioCommand::AppendVerify(a) => verify_cmd(a),
    }
}

pub fn write_cmd(a: AppendWriteArgs) -> Exit {
    let (p, ws) = prepare(
        &a.preset,
        (a.records, a.payload, a.pause_ms),
        &a.mount,
        &a.run_id,
        a.allow_non_ocfs2,
    )?;
    let dir = ws.keep(); // the verifier removes it once every writer is done
    let r = write(
        &dir,
        &a.writer,
        p.records,
        p.payload,
        a.flock,
        Duration::from_millis(p.pause_ms),
    )
    .map_err(|e| Error::Input(format!("append to {} failed: {e}", dir.display())))?;
    let _ = writeln!(
        std::io::stdout(),
        "{}",
        serde_json::to_string(&r).unwrap_or_default()
    );
    if r.interrupted {
        // Stopped by the coordinator (stdin closed): the JSON line above says so.
        let _ = std::fs::remove_dir_all(&dir);
        return Ok(2);
    }
    Ok(0)
}

pub fn verify_cmd(a: AppendVerifyArgs) -> Exit {
    let (p, ws) = prepare(
        &a.preset,
        (a.records, 0, 0),
        &a.mount,
        &a.run_id,
        a.allow_non_ocfs2,
    )?;
    let verdict = check(ws.path(), &a.writers, p.records).map_err(Error::Input)?;
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
        let targets = output::Targets::json_junit(path.clone(), path.with_extension("xml"));
        output::files(&report, &Facts::default(), &targets)?;
    }
    if a.keep {
        ws.keep();
    }
    Ok(u8::from(status == Status::Fail))
}
