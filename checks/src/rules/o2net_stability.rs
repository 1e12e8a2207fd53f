//! `o2net-stability`: the o2net connections in this boot's kernel log: handshake
//! rejections (with the mismatching values), repeated disconnects, idle timeouts.

use crate::check::{Check, CheckError, Verdict};
use crate::context::NodeCtx;
use crate::kernlog::event::O2Event;
use crate::kernlog::history::{split_now, unplaced_note, Window};
use crate::kernlog::node_events::node_events_now;
use crate::needs::{self, Needs};
use o2check_reports::{Layer, Severity};
use std::collections::BTreeMap;

pub const CHECK: Check = Check {
    id: "o2net-stability",
    layer: Layer::Network,
    severity: Severity::Warning,
    title: "o2net connections are stable: no rejected handshakes, flaps or idle timeouts",
    rationale: "an o2net connection that drops makes the nodes evaluate quorum and, if it stays \
                down past the idle timeout, one side fences itself; rejected handshakes mean the \
                nodes never talk at all",
    needs: NEEDS,
    run,
};

/// The evidence it reads: `collect` gathers it (see [`crate::needs`]).
const NEEDS: Needs = &[needs::KERNEL_LOG];

/// Disconnects per peer above which the link is called flapping.
const FLAPS: usize = 3;

fn run(ctx: &NodeCtx) -> Result<Verdict, CheckError> {
    let log = node_events_now(ctx)?;
    let events = &log.events;
    if events.is_empty() {
        return Ok(Verdict::skip(
            "no o2 messages in the kernel log (nothing mounted yet, or the log rotated)",
        )
        .code("no-o2-messages"));
    }
    let mut problems = Vec::new();
    let mut evidence = Vec::new();
    let mut drops: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    let mut connects = 0;
    let mut transient: Vec<String> = Vec::new();
    // What a later reconnection, registration or boot replaced is history.
    let window = Window::of(ctx.source, ctx.options.since.clone());
    let (now, earlier, n_earlier) = split_now(&log, &window, 6, |e| {
        matches!(
            e,
            O2Event::NetMismatch { .. }
                | O2Event::NetRejected { .. }
                | O2Event::NetIdle { .. }
                | O2Event::NetNoConnection { .. }
                | O2Event::NetDisconnected { .. }
                | O2Event::NetShutdown { .. }
                | O2Event::NetConnected { .. }
        )
    });
    for &(i, e) in &now {
        let notable = matches!(
            e.event,
            O2Event::NetMismatch { .. }
                | O2Event::NetRejected { .. }
                | O2Event::NetIdle { .. }
                | O2Event::NetNoConnection { .. }
        );
        if notable && evidence.len() < 12 {
            evidence.push(e.evidence());
        }
        match &e.event {
            O2Event::NetMismatch {
                peer,
                node,
                setting,
                theirs,
                ours,
            } => {
                let who = peer.as_ref().map_or_else(
                    || format!("node {}", node.unwrap_or_default()),
                    |p| format!("{} (num {})", p.name, p.num),
                );
                let p = format!("{who} uses {setting:?} {theirs} ms, this node {ours} ms");
                if !problems.iter().any(|(_, q)| *q == p) {
                    problems.push(("handshake-mismatch", p));
                }
            }
            // An unknown peer or protocol is a configuration error at once; a
            // wrong-direction or duplicate connect also happens once while two
            // nodes come up together, so only a repeated one counts.
            O2Event::NetRejected { text, .. }
                if text.to_lowercase().contains("unknown node")
                    || text.to_lowercase().contains("protocol") =>
            {
                problems.push((
                    "rejected-connection",
                    format!("rejected connection: {text}"),
                ))
            }
            O2Event::NetRejected { text, .. } => transient.push(text.clone()),
            O2Event::NetIdle { peer, secs } => problems.push((
                "idle-timeout",
                format!("connection to {} idle for {secs} s", peer.name),
            )),
            O2Event::NetDisconnected { peer } | O2Event::NetShutdown { peer, .. } => {
                drops.entry(peer.name.clone()).or_default().push(i)
            }
            O2Event::NetConnected { .. } => connects += 1,
            _ => {}
        }
    }
    for (peer, idx) in &drops {
        if idx.len() >= FLAPS {
            problems.push((
                "flapping",
                format!("connection to {peer} dropped {} times", idx.len()),
            ));
            evidence.extend(idx.iter().take(3).map(|&i| events[i].evidence()));
        }
    }
    if transient.len() >= FLAPS {
        problems.push((
            "repeated-rejections",
            format!(
                "{} rejected connect attempts ({})",
                transient.len(),
                transient[0]
            ),
        ));
    }
    if let Some(p) = now.iter().find_map(|(_, e)| {
        if let O2Event::NetNoConnection { node, secs } = &e.event {
            Some((*node, secs.clone()))
        } else {
            None
        }
    }) {
        problems.push((
            "no-connection",
            format!(
                "no connection established with node {} after {} s",
                p.0, p.1
            ),
        ));
    }
    problems.dedup();
    let history = if n_earlier == 0 {
        String::new()
    } else {
        format!("; {n_earlier} earlier o2net event(s) are history (shown below)")
    };
    if problems.is_empty() {
        return Ok(Verdict::pass(format!(
            "{connects} current connection(s), no current rejections, flaps or idle timeouts{history}"
        ))
        .with(earlier)
    .with(unplaced_note(&log, &window)));
    }
    let code = problems[0].0;
    let problems: Vec<String> = problems.into_iter().map(|(_, p)| p).collect();
    Ok(Verdict::fail(
        problems.join("; "),
        "mismatched values: make O2CB_IDLE_TIMEOUT_MS, O2CB_KEEPALIVE_DELAY_MS and O2CB_HEARTBEAT_THRESHOLD identical on every node and restart o2cb on the odd one; drops and idle timeouts: check the interconnect (NIC errors `ip -s link`, switch, bonding) and the o2net port between the nodes",
    ).code(code)
    .with(evidence)
    .with(earlier)
    .with(unplaced_note(&log, &window)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_bundle::{fixture, fixture_copy, judge_node};
    use o2check_reports::Status;

    fn lab(bundle: &str) -> Verdict {
        judge_node(run, &[&fixture(bundle)])
    }

    #[test]
    fn the_healthy_lab_node_passes() {
        let v = lab("bundles/lab-capture-healthy-node1");
        assert_eq!(v.status, Status::Pass, "{}", v.summary);
        assert_eq!(
            v.summary,
            "1 current connection(s), no current rejections, flaps or idle timeouts"
        );
    }

    /// Lab scenario 5b from node2's side: the handshake names node1's value,
    /// the connection drops again and again, the mount gives up.
    #[test]
    fn the_labs_idle_timeout_mismatch_fails_with_the_values() {
        let v = lab("bundles/lab-capture-idle-timeout-node2");
        assert_eq!(v.status, Status::Fail, "{}", v.summary);
        assert_eq!(v.code, Some("handshake-mismatch"));
        assert_eq!(
            v.summary,
            "n150.ocfs2.test (num 1) uses IdleTimeout 30000 ms, this node 10000 ms; connection to n150.ocfs2.test dropped 7 times; no connection established with node 1 after 10.0 s"
        );
    }

    /// The port-blocked run from n151: no handshake at all, only o2net's
    /// `No connection established` after the 5 s idle timeout.
    #[test]
    fn a_node_that_never_connects_fails() {
        let v = lab("bundles/lab-cluster-port-blocked-n151");
        assert_eq!(v.code, Some("no-connection"), "{}", v.summary);
        assert_eq!(
            v.summary,
            "no connection established with node 1 after 5.0 s"
        );
    }

    /// iSCSI lab node1: one o2net event before the last reconnection.
    #[test]
    fn events_a_reconnection_replaced_are_history() {
        let v = lab("bundles/lab-iscsi-healthy-node1");
        assert_eq!(v.status, Status::Pass, "{}", v.summary);
        assert!(
            v.summary
                .ends_with("; 1 earlier o2net event(s) are history (shown below)"),
            "{}",
            v.summary
        );
        assert!(!v.evidence.is_empty(), "the history is shown");
    }

    #[test]
    fn no_o2_messages_and_no_log_skip() {
        let v = lab("bundles/lab-iscsi-fence-before-node2");
        assert_eq!(v.status, Status::Skip, "{}", v.summary);
        assert_eq!(v.code, Some("no-o2-messages"));
        let b = fixture_copy("bundles/lab-capture-healthy-node1");
        std::fs::remove_file(b.path().join("commands/dmesg")).unwrap();
        let v = judge_node(run, &[b.path()]);
        assert_eq!(v.status, Status::Skip, "{}", v.summary);
        assert_eq!(v.code, Some("not-collected"));
    }
}
