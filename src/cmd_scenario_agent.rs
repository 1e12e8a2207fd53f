//! The node side of `o2check scenario run`, as commands: `scenario agent` (one
//! node's part of one scenario, JSON lines on stdout for the coordinator: see
//! o2check_scenarios::on_node), `scenario prepare` (the mount checked before
//! anything is written), `scenario cleanup` (a run's directory removed). Also
//! `scenario list`.

use crate::cli_scenario::{AgentArgs, CleanupArgs, PrepareArgs};
use o2check_scenarios::agent::{AgentLine, Scenario};
use o2check_scenarios::on_node::{self, AgentRequest};
use o2check_scenarios::workspace;
use std::io::Write;
use std::sync::Arc;
use std::time::Duration;

/// One line on stdout, flushed at once: the coordinator reads it as it comes.
fn emit(line: &AgentLine) {
    let text = serde_json::to_string(line).unwrap_or_default();
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{text}");
    let _ = out.flush();
}

pub fn agent_cmd(a: AgentArgs) -> u8 {
    on_node::stop_when_stdin_closes();
    let req = AgentRequest {
        scenario: a.scenario,
        node: a.node,
        nodes: a.nodes,
        mount: a.mount,
        run_id: a.run_id,
        preset_json: a.preset_json,
        allow_non_ocfs2: a.allow_non_ocfs2,
        keep: a.keep,
    };
    on_node::agent(&req, Arc::new(emit)).exit_code()
}

pub fn prepare_cmd(a: PrepareArgs) -> u8 {
    let probe = on_node::prepare(&a.mount, &a.run_id, a.allow_non_ocfs2, a.create);
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
            println!(
                "{}",
                serde_json::json!({ "removed": false, "error": e.to_string() })
            );
            eprintln!("o2check: {e}");
            1
        }
    }
}

pub fn list_cmd() -> u8 {
    for sc in Scenario::ALL.iter() {
        println!("{:<24} {}", sc.id(), sc.about());
    }
    0
}
