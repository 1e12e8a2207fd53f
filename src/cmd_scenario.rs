//! `o2check scenario`: dispatch (`run`, the coordinator, is in cmd_scenario_run/;
//! the node side in cmd_scenario_agent.rs), and the concurrent-append scenario's
//! stand-alone writer (run on every node at once, by ssh, the lab agent or any
//! orchestration) and verifier (run once after the writers). Exit 0 when every
//! record arrived intact, 1 when records were lost, torn, duplicated or
//! reordered, 2 on bad input or a refused path.

use crate::cli_scenario::{AppendVerifyArgs, AppendWriteArgs, ScenarioCommand};
use chrono::Utc;
use o2check_reports::write::atomic_write;
use o2check_reports::{json, junit, RunMeta, RunReport, Status};
use o2check_scenarios::append::{check, write};
use o2check_scenarios::append_halves::{open, verdict_result};
use std::io::Write;
use std::time::Duration;

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
    let (p, ws) = match open(
        a.preset.as_deref(),
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
    let (p, ws) = match open(
        a.preset.as_deref(),
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
    let result = verdict_result(&verdict, a.flock);
    let status = result.status;
    let _ = writeln!(
        std::io::stdout(),
        "{}\n{}",
        result.summary,
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
