//! `o2cb-timeouts-consistent`: this node's o2cb timeouts agree with its peers'
//! (the kernel log's handshake and dead-count complaints), and what the kernel
//! runs with (configfs) agrees with the o2cb configuration file.

use super::common::{configfs_cluster, o2cb_config};
use super::mismatch_history::{peers_now, standing, Standing};
use crate::check::{Check, CheckError, Verdict};
use crate::context::NodeCtx;
use crate::kernlog::event::O2Event;
use crate::kernlog::history::{earlier, Window};
use crate::kernlog::node_events::{node_events_now, NodeEvents};
use crate::needs::{self, Needs};
use o2check_reports::{Evidence, Layer, Severity};

pub const CHECK: Check = Check {
    id: "o2cb-timeouts-consistent",
    layer: Layer::O2cb,
    severity: Severity::Critical,
    title: "o2cb timeouts agree with the peers and with the configuration file",
    rationale: "o2net compares idle timeout, keepalive delay and heartbeat timeout in every \
                handshake and refuses a peer whose values differ; the kernel keeps the values of \
                the last `o2cb online`, so an edited file is not in force until o2cb restarts",
    needs: NEEDS,
    run,
};

/// The evidence it reads: `collect` gathers it (see [`crate::needs`]).
const NEEDS: Needs = &[needs::CONFIGFS, needs::O2CB_SETTINGS, needs::KERNEL_LOG];

/// Earlier (resolved) mismatch lines shown as evidence; the rest are counted. A
/// node refused by its peer logs the mismatch on every reconnect attempt, so a
/// long log holds thousands of them.
const EARLIER_SHOWN: usize = 5;

fn run(ctx: &NodeCtx) -> Result<Verdict, CheckError> {
    let mut problems = Vec::new();
    let mut evidence = Vec::new();
    let mut over = 0;
    // The log's handshake complaints are half of the judgement: without a
    // readable log there is no pass, though a file/kernel mismatch still fails.
    let log = node_events_now(ctx);
    let empty = NodeEvents {
        events: Vec::new(),
        boot: None,
    };
    let events: &NodeEvents = log.as_deref().unwrap_or(&empty);
    let window = Window::of(ctx.source, ctx.options.since.clone());
    // Every peer's evidence, read only once a logged mismatch needs it: read for
    // every node's check it made a cluster run quadratic in nodes.
    let peers = std::cell::OnceCell::new();
    for (i, e) in events.events.iter().enumerate() {
        if let O2Event::NetMismatch {
            setting,
            theirs,
            ours,
            ..
        } = &e.event
        {
            if let Standing::Over(why) =
                standing(events, i, peers.get_or_init(|| peers_now(ctx)), &window)
            {
                if over < EARLIER_SHOWN {
                    evidence.push(earlier(e, &why));
                }
                over += 1;
                continue;
            }
            let p = format!("a peer uses {setting:?} {theirs} ms, this node {ours} ms");
            if !problems.contains(&p) {
                problems.push(p);
                evidence.push(e.evidence());
            }
        }
    }
    let running = configfs_cluster(ctx).ok().flatten();
    let file = o2cb_config(ctx).ok();
    if let (Some(c), Some((text, conf))) = (&running, &file) {
        let pairs = [
            (
                "O2CB_HEARTBEAT_THRESHOLD",
                c.dead_threshold,
                conf.threshold(),
                &conf.heartbeat_threshold,
            ),
            (
                "O2CB_IDLE_TIMEOUT_MS",
                c.idle_timeout_ms,
                conf.idle_ms(),
                &conf.idle_timeout_ms,
            ),
            (
                "O2CB_KEEPALIVE_DELAY_MS",
                c.keepalive_delay_ms,
                conf.keepalive_ms(),
                &conf.keepalive_delay_ms,
            ),
        ];
        for (key, kernel, configured, setting) in pairs {
            if let (Some(k), Some(f)) = (kernel, configured) {
                if k != f {
                    problems.push(format!(
                        "{key}={f} in {} but the kernel runs with {k} (restart o2cb to apply)",
                        text.origin
                    ));
                    evidence.extend(setting.as_ref().map(|s| text.evidence_at(s.line)));
                    evidence.push(Evidence::note(
                        c.path.clone(),
                        format!("{key} in force: {k}"),
                    ));
                }
            }
        }
    }
    if problems.is_empty() {
        log.map_err(CheckError::from)?;
        if running.is_none() && file.is_none() {
            return Ok(Verdict::skip(
                "neither configfs nor an o2cb configuration file is available",
            )
            .code("no-timeout-evidence"));
        }
        let summary = if over == 0 {
            "no timeout disagreement in the kernel log or between file and kernel".to_string()
        } else {
            format!("no current timeout disagreement ({over} logged mismatch(es) since resolved)")
        };
        return Ok(Verdict::pass(summary).with(evidence));
    }
    Ok(Verdict::fail(
        problems.join("; "),
        "set identical O2CB_HEARTBEAT_THRESHOLD, O2CB_IDLE_TIMEOUT_MS and O2CB_KEEPALIVE_DELAY_MS on every node (RHEL/OL: /etc/sysconfig/o2cb via `service o2cb configure`; Debian/Ubuntu: /etc/default/o2cb), then unmount and restart o2cb on the nodes that differ",
    ).code("timeouts-disagree")
    .with(evidence))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_bundle::{edit, fixture, fixture_copy, judge_node};
    use o2check_reports::Status;

    #[test]
    fn the_healthy_lab_node_passes() {
        let v = judge_node(run, &[&fixture("bundles/lab-capture-healthy-node1")]);
        assert_eq!(v.status, Status::Pass, "{}", v.summary);
        assert_eq!(
            v.summary,
            "no timeout disagreement in the kernel log or between file and kernel"
        );
    }

    /// Lab scenario 5b: node2's kernel logged node1's 30000 ms idle timeout
    /// against its own 10000 ms.
    #[test]
    fn the_labs_logged_idle_timeout_mismatch_fails() {
        let v = judge_node(run, &[&fixture("bundles/lab-capture-idle-timeout-node2")]);
        assert_eq!(v.status, Status::Fail, "{}", v.summary);
        assert_eq!(v.code, Some("timeouts-disagree"));
        assert_eq!(
            v.summary,
            "a peer uses IdleTimeout 30000 ms, this node 10000 ms"
        );
        assert!(!v.evidence.is_empty());
    }

    /// An edited file is not in force until o2cb restarts: configfs still says 31.
    #[test]
    fn a_file_the_kernel_does_not_run_with_fails() {
        let b = fixture_copy("bundles/lab-capture-healthy-node1");
        edit(
            b.path(),
            "etc/default/o2cb",
            "O2CB_HEARTBEAT_THRESHOLD=31",
            "O2CB_HEARTBEAT_THRESHOLD=61",
        );
        let v = judge_node(run, &[b.path()]);
        assert_eq!(v.code, Some("timeouts-disagree"), "{}", v.summary);
        assert!(
            v.summary.starts_with(
                "O2CB_HEARTBEAT_THRESHOLD=61 in /etc/default/o2cb but the kernel runs with 31"
            ),
            "{}",
            v.summary
        );
    }

    /// The port-blocked lab run: n150's log holds n151's old 6000 ms idle
    /// timeout; alone that is current, with n151's evidence (it runs 5000 ms
    /// now, as n150 does) it is history.
    #[test]
    fn a_mismatch_the_peer_has_since_fixed_is_history_in_a_cluster_run() {
        let n150 = fixture("bundles/lab-cluster-port-blocked-n150");
        let v = judge_node(run, &[&n150]);
        assert_eq!(v.status, Status::Fail, "{}", v.summary);
        assert!(
            v.summary.contains("IdleTimeout 6000 ms, this node 5000 ms"),
            "{}",
            v.summary
        );
        let v = judge_node(
            run,
            &[&n150, &fixture("bundles/lab-cluster-port-blocked-n151")],
        );
        assert_eq!(v.status, Status::Pass, "{}", v.summary);
        assert!(
            v.summary.contains("logged mismatch(es) since resolved"),
            "{}",
            v.summary
        );
    }

    /// A peer refused on every reconnect for a long time: the resolved lines are
    /// counted, and only the first few shown.
    #[test]
    fn many_resolved_mismatches_show_a_few_and_count_all() {
        let n150 = fixture_copy("bundles/lab-cluster-port-blocked-n150");
        let dmesg = n150.path().join("commands/dmesg");
        let text = std::fs::read_to_string(&dmesg).unwrap();
        let line = text
            .lines()
            .find(|l| l.contains("uses a network idle timeout of 6000 ms"))
            .unwrap();
        let resolved = |v: &Verdict| -> usize {
            let (_, tail) = v.summary.split_once('(').unwrap();
            tail.split_whitespace().next().unwrap().parse().unwrap()
        };
        let n151 = fixture("bundles/lab-cluster-port-blocked-n151");
        let before = resolved(&judge_node(run, &[n150.path(), &n151]));
        let mut more = text.clone();
        for _ in 0..200 {
            more.push_str(line);
            more.push('\n');
        }
        std::fs::write(&dmesg, more).unwrap();
        let v = judge_node(run, &[n150.path(), &n151]);
        assert_eq!(v.status, Status::Pass, "{}", v.summary);
        let shown = v
            .evidence
            .iter()
            .filter(|e| e.text.starts_with("earlier, "))
            .count();
        assert_eq!(shown, EARLIER_SHOWN, "{:?}", v.evidence);
        assert_eq!(resolved(&v), before + 200, "{}", v.summary);
    }

    #[test]
    fn neither_configfs_nor_the_file_skips() {
        let b = fixture_copy("bundles/lab-capture-healthy-node1");
        std::fs::remove_dir_all(b.path().join("sys/kernel/config")).unwrap();
        std::fs::remove_file(b.path().join("etc/default/o2cb")).unwrap();
        let v = judge_node(run, &[b.path()]);
        assert_eq!(v.status, Status::Skip, "{}", v.summary);
        assert_eq!(v.code, Some("no-timeout-evidence"));
    }
}
