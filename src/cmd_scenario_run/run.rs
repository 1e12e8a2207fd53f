//! From `scenario run`'s arguments to a coordinated run and its exit status:
//! 0 all passed, 1 one failed or errored, 2 usage, a refused path or a lost
//! node, 130 interrupted.

use super::report;
use super::screen::Screen;
use crate::cli_scenario::RunArgs;
use crate::cluster_args::{ClusterArgs, DeployArg};
use crate::error::{Error, Exit};
use chrono::Utc;
use o2check_cluster::deploy::{Deploy, DeployMode, Payload};
use o2check_scenarios::coordinator::{self, Options, Programs};
use o2check_scenarios::preset;
use o2check_scenarios::workspace;

pub fn run(a: RunArgs) -> Exit {
    let started = Utc::now();
    workspace::watch_signals();
    // Usage errors, refused paths and this host's failures: main prints them, exit 2.
    let fail = |e: &dyn std::fmt::Display| Err(Error::Input(e.to_string()));
    let mut preset = match &a.preset {
        Some(p) => match preset::load(p) {
            Ok(p) => p,
            Err(e) => return fail(&e),
        },
        None => preset::quick(),
    };
    if a.expect_loss {
        preset.concurrent_append.expect_loss = true;
    }
    let plan = match coordinator::plan::select(&a.names, &preset) {
        Ok(p) => p,
        Err(e) => return fail(&e),
    };
    let run_id = match a.run_id.clone() {
        Some(id) => id,
        None => match workspace::new_run_id(&Utc::now().format("%Y%m%dT%H%M%S").to_string()) {
            Ok(id) => id,
            Err(e) => return fail(&e),
        },
    };
    if let Err(e) = workspace::check_run_id(&run_id) {
        return fail(&e);
    }
    let nodes = match a.cluster.nodes() {
        Ok(n) => n,
        Err(e) => return fail(&e),
    };
    let c = &a.cluster;
    let payload = match this_binary(c) {
        true => None,
        false if c.deploy == DeployArg::Never => None,
        false => match c.payload() {
            Ok(p) => Some(p),
            Err(e) => return fail(&e),
        },
    };
    let programs = match programs(c, payload.as_ref()) {
        Ok(p) => p,
        Err(e) => return fail(&e),
    };
    let transport = c.transport();
    let options = Options {
        mount: a.mount.clone(),
        run_id: run_id.clone(),
        allow_non_ocfs2: a.allow_non_ocfs2,
        keep: a.keep,
        preset,
        node_timeout: c.node_timeout(),
        parallel: c.parallel,
    };
    let screen = Screen::new();
    let finished = coordinator::run(
        &options,
        transport.as_ref(),
        nodes.clone(),
        &plan,
        &programs,
        &|e| screen.event(e),
    );
    screen.clear();
    let finished = match finished {
        Ok(f) => f,
        Err(e) => return fail(&e),
    };
    if let Some(e) = &finished.cleanup {
        eprintln!("o2check: cleanup: {e}");
    }
    let report = report::build(
        &a,
        &run_id,
        started,
        transport.as_ref(),
        &nodes,
        finished.results.clone(),
    );
    report::output(&a, &report)?;
    Ok(finished.exit_code(report.exit_code() as u8))
}

/// Local "nodes" are this host: they run this very binary, unless told otherwise.
fn this_binary(c: &ClusterArgs) -> bool {
    c.local_transport && c.deploy != DeployArg::Always && c.remote_o2check == "o2check"
}

/// Where each node's o2check comes from: this binary, the installed one
/// (--deploy never), or a deployed copy of `payload`.
fn programs<'a>(c: &'a ClusterArgs, payload: Option<&'a Payload>) -> Result<Programs<'a>, String> {
    if this_binary(c) {
        let exe = std::env::current_exe().map_err(|e| format!("cannot find this o2check: {e}"))?;
        return Ok(Programs::Same(exe.display().to_string()));
    }
    Ok(match payload {
        None => Programs::Same(c.remote_o2check.clone()),
        Some(payload) => Programs::Deploy {
            payload,
            deploy: Deploy {
                mode: DeployMode::from(c.deploy),
                installed: &c.remote_o2check,
                remote_dir: &c.remote_dir,
                timeout: c.node_timeout(),
            },
        },
    })
}
