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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_bundle::{fixture, fixture_copy, judge_node};
    use o2check_reports::Status;

    #[test]
    fn the_healthy_lab_node_passes() {
        let v = judge_node(run, &[&fixture("bundles/lab-capture-healthy-node1")]);
        assert_eq!(v.status, Status::Pass, "{}", v.summary);
        assert_eq!(v.summary, "no current ERROR status lines");
    }

    /// Lab scenario 5b: the failed mount's -107 chain, lowest function first
    /// in the kernel's order, grouped by errno and function.
    #[test]
    fn the_labs_failed_mount_chain_fails() {
        let v = judge_node(run, &[&fixture("bundles/lab-capture-idle-timeout-node2")]);
        assert_eq!(v.status, Status::Fail, "{}", v.summary);
        assert_eq!(v.code, Some("error-status-lines"));
        assert_eq!(
            v.summary,
            "ERROR status lines: ocfs2_dlm_init = -107 (ENOTCONN) x1, ocfs2_fill_super = -107 (ENOTCONN) x1, ocfs2_mount_volume = -107 (ENOTCONN) x1"
        );
        assert_eq!(v.evidence.len(), 3);
    }

    /// The same errors followed by a successful mount (the line n151 logs
    /// when it mounts, from the lab cluster run): the failed attempt is history.
    #[test]
    fn errors_of_an_attempt_a_later_mount_replaced_are_history() {
        let b = fixture_copy("bundles/lab-capture-idle-timeout-node2");
        let dmesg = b.path().join("commands/dmesg");
        let mut text = std::fs::read_to_string(&dmesg).unwrap();
        text.push_str("[  900.826217] ocfs2: Mounting device (254,0) on (node 2, slot 1) with ordered data mode.\n");
        std::fs::write(&dmesg, text).unwrap();
        let v = judge_node(run, &[b.path()]);
        assert_eq!(v.status, Status::Pass, "{}", v.summary);
        assert!(
            v.summary.contains("3 earlier ERROR line(s) are history"),
            "{}",
            v.summary
        );
    }

    #[test]
    fn an_uncollected_kernel_log_skips() {
        let b = fixture_copy("bundles/lab-capture-idle-timeout-node2");
        std::fs::remove_file(b.path().join("commands/dmesg")).unwrap();
        let v = judge_node(run, &[b.path()]);
        assert_eq!(v.status, Status::Skip, "{}", v.summary);
    }
}
