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
use o2check_reports::{RunReport, Status};
use o2check_scenarios::append::{check, write};
use o2check_scenarios::append_halves::{self, verdict_result};
use o2check_scenarios::preset::AppendParams;
use o2check_scenarios::workspace::Workspace;
use std::io::Write;
use std::time::Duration;

/// The run's parameters and its workspace, or why not (exit 2).
fn prepare(
    preset_path: &Option<std::path::PathBuf>,
    defaults: (u64, usize, u64),
    mount: &std::path::Path,
    run_id: &str,
    allow_non_ocfs2: bool,
) -> Result<(AppendParams, Workspace), Error> {
    append_halves::open(
        preset_path.as_deref(),
        defaults,
        mount,
        run_id,
        allow_non_ocfs2,
    )
    .map_err(|e| Error::Input(e.to_string()))
}

/// Dispatch `o2check scenario ...`.
pub fn run(cmd: ScenarioCommand) -> Exit {
    match cmd {
        ScenarioCommand::Run(a) => crate::cmd_scenario_run::run(*a),
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
    let verdict =
        check(ws.path(), &a.writers, p.records).map_err(|e| Error::Input(e.to_string()))?;
    let result = verdict_result(&verdict, a.flock);
    let status = result.status;
    let _ = writeln!(
        std::io::stdout(),
        "{}\n{}",
        result.summary,
        serde_json::to_string(&verdict).unwrap_or_default()
    );
    if let Some(path) = &a.json {
        let report = RunReport {
            meta: output::meta(
                "o2check scenario",
                a.run_id.clone(),
                Utc::now(),
                "scenario".into(),
            ),
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
