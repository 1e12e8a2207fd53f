//! concurrent-append's stand-alone halves (`scenario append-write` on every node
//! at once, then `scenario append-verify` once), for orchestration of one's own
//! (Ansible, pdsh): their parameters, their run directory, and the verifier's
//! result as a report line.

use crate::agent::Scenario;
use crate::error::{PresetError, WorkspaceError};
use crate::judge::{self, APPEND_FIX};
use crate::preset::{self, AppendParams};
use crate::records::AppendVerdict;
use crate::workspace::Workspace;
use o2check_reports::{CheckResult, Evidence, Status};
use std::path::Path;

/// Why a half cannot start (exit 2).
#[derive(Debug, thiserror::Error)]
pub enum HalfError {
    #[error(transparent)]
    Preset(#[from] PresetError),
    #[error(transparent)]
    Workspace(#[from] WorkspaceError),
}

/// The parameters: a preset's `[concurrent_append]` when one is given, else the
/// command line's `records`, `payload` and `pause_ms`.
pub fn params(
    preset: Option<&Path>,
    records: u64,
    payload: usize,
    pause_ms: u64,
) -> Result<AppendParams, PresetError> {
    match preset {
        Some(p) => Ok(preset::load(p)?.concurrent_append),
        None => Ok(AppendParams {
            records,
            payload,
            pause_ms,
            expect_loss: false,
        }),
    }
}

/// The parameters and the run directory (created by the first writer, joined by
/// the others and the verifier).
pub fn open(
    preset: Option<&Path>,
    (records, payload, pause_ms): (u64, usize, u64),
    mount: &Path,
    run_id: &str,
    allow_non_ocfs2: bool,
) -> Result<(AppendParams, Workspace), HalfError> {
    let p = params(preset, records, payload, pause_ms)?;
    Ok((p, Workspace::open(mount, run_id, allow_non_ocfs2)?))
}

/// The verifier's verdict as a result (node `cluster`): every record of every
/// writer in the file exactly once, whole, in each writer's order.
pub fn verdict_result(verdict: &AppendVerdict, flock: bool) -> CheckResult {
    let mode = if flock { "flock" } else { "plain O_APPEND" };
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
    let sc = if flock {
        Scenario::CONCURRENT_APPEND_FLOCK
    } else {
        Scenario::CONCURRENT_APPEND
    };
    let evidence = verdict
        .per_writer
        .iter()
        .map(|(w, n)| Evidence::note(format!("writer {w}"), format!("{n} intact records")))
        .collect();
    CheckResult {
        fix: (status == Status::Fail).then(|| APPEND_FIX.to_string()),
        // The stand-alone verifier has always said this (not the scenario's own).
        rationale: "every record of every writer must be in the file exactly once, whole, in each writer's order".into(),
        ..judge::result(sc, status, summary, evidence)
    }
}
