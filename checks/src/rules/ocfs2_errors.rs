//! `ocfs2-errors`: `ERROR: status = -N` lines of ocfs2 and its cluster stack in this
//! boot's kernel log, grouped by function and errno.

use crate::check::{Check, CheckError, Verdict};
use crate::context::NodeCtx;
use crate::kernlog::errno;
use crate::kernlog::event::O2Event;
use crate::kernlog::history::{split_now, unplaced_note, Window};
use crate::kernlog::node_events::node_events_now;
use crate::needs::{self, Needs};
use o2check_reports::{Layer, Severity};
use std::collections::BTreeMap;

pub const CHECK: Check = Check {
    id: "ocfs2-errors",
    layer: Layer::Mount,
    severity: Severity::Critical,
    title: "no ocfs2 ERROR status lines in the kernel log",
    rationale: "mlog_errno lines trace a failure up the call chain (e.g. ocfs2_dlm_init -> \
                ocfs2_mount_volume -> ocfs2_fill_super = -107 is a mount that could not reach \
                the other nodes); the lowest function names where it started",
    needs: NEEDS,
    run,
};

/// The evidence it reads: `collect` gathers it (see [`crate::needs`]).
const NEEDS: Needs = &[needs::KERNEL_LOG];

fn run(ctx: &NodeCtx) -> Result<Verdict, CheckError> {
    let log = node_events_now(ctx)?;
    let window = Window::of(ctx.source, ctx.options.since.clone());
    // Errors of an attempt that a later mount replaced are history.
    let (now, earlier, n_earlier) =
        split_now(&log, &window, 5, |e| matches!(e, O2Event::FsError { .. }));
    let mut groups: BTreeMap<(i32, String), usize> = BTreeMap::new();
    let mut evidence = Vec::new();
    for (_, e) in &now {
        if let O2Event::FsError { function, status } = &e.event {
            let n = groups.entry((*status, function.clone())).or_default();
            if *n == 0 && evidence.len() < 10 {
                evidence.push(e.evidence());
            }
            *n += 1;
        }
    }
    let history = if n_earlier == 0 {
        String::new()
    } else {
        format!("; {n_earlier} earlier ERROR line(s) are history (shown below)")
    };
    if groups.is_empty() {
        return Ok(
            Verdict::pass(format!("no current ERROR status lines{history}"))
                .with(earlier)
                .with(unplaced_note(&log, &window)),
        );
    }
    let summary: Vec<String> = groups
        .iter()
        .map(|((status, f), n)| format!("{f} = {status} ({}) x{n}", errno::name(*status)))
        .collect();
    Ok(Verdict::fail(
        format!("ERROR status lines: {}{history}", summary.join(", ")),
        "run `o2check why` with the mount error for the cause; -107 (ENOTCONN) means o2net could not connect, -22 (EINVAL) usually a configuration mismatch, -5 (EIO) storage",
    )
    .code("error-status-lines")
    .with(evidence)
    .with(earlier)
    .with(unplaced_note(&log, &window)))
}
