//! Kernel log facts that prove a layer worked on a node, and the causes each
//! rules out there. A fact counts only while it is today's state: the latest of
//! its kind in the log, not undone by a later line (a disconnect, leaving the
//! domain). An old connection is history and rules nothing out.
//!
//! The lines are o2 events recognised once by [`crate::kernlog::event`] (which
//! cites the printk of each wording): o2net's `Connected to node` / `Accepted
//! connection from node`, undone by `No longer connected`, a `shutdown`, `No
//! connection established` or a timeout mismatch (linux fs/ocfs2/cluster/tcp.c,
//! o2net_set_nn_state(), o2net_connect_expired(), o2net_check_handshake()); the
//! DLM's own join of a domain, undone by leaving it (below).

use crate::kernlog::event::{O2Event, Setting};
use crate::kernlog::lines::LogLine;
use crate::kernlog::node_events::Located;

pub struct FactDef {
    pub id: &'static str,
    /// The event that establishes the fact.
    establish: fn(&O2Event) -> bool,
    /// A later event that undoes it.
    undo: fn(&O2Event) -> bool,
    /// Causes this fact rules out on the node where it holds.
    pub excludes: &'static [&'static str],
    pub meaning: &'static str,
}

pub const FACTS: &[FactDef] = &[
    FactDef {
        id: "o2net-connected",
        establish: |e| matches!(e, O2Event::NetConnected { .. }),
        undo: |e| {
            matches!(
                e,
                O2Event::NetDisconnected { .. }
                    | O2Event::NetShutdown { .. }
                    | O2Event::NetNoConnection { .. }
            ) || matches!(e, O2Event::NetMismatch { setting, .. } if *setting != Setting::DeadCount)
        },
        // The handshake compares the timeouts (o2net_check_handshake()), needs the
        // peer reachable and the listener bound to this node's address.
        excludes: &["network-unreachable", "timeout-mismatch", "local-ip-missing"],
        meaning: "an o2net connection is up (the handshake compared the timeouts and they agreed)",
    },
    FactDef {
        id: "domain-joined",
        // This node's own join: `o2dlm: Joining domain %s` (current), or the
        // member list `__dlm_print_nodes()` prints (`o2dlm: Nodes in domain %s:`
        // in 2.6.39, `ocfs2_dlm: Nodes in domain ("%s"):` in OCFS2 1.2 / 2.6.20).
        // Old kernels print that list only on a node that is in the domain:
        // dlm_try_to_join_domain() prints it after its own join succeeded
        // (`if (!status) __dlm_print_nodes(dlm)`), dlm_assert_joined_handler()
        // and dlm_exit_domain_handler() when another member joins or leaves. A
        // peer's `Node %u joins domain` alone is not this node's join.
        establish: |e| {
            matches!(
                e,
                O2Event::DlmJoin { node: None, .. } | O2Event::DlmNodes { .. }
            )
        },
        // `o2dlm: Leaving domain %s` (current dlm_unregister_domain()). Old
        // kernels print nothing when this node leaves (dlm_unregister_domain()'s
        // `shutting down domain %s` is mlog(0), a debug message): there the
        // unmount that leaves it, `ocfs2: Unmounting device (%s) on (node %d)`
        // (super.c ocfs2_dismount_volume(), also after a failed mount), is the
        // only trace. Current kernels print both, in that order.
        undo: |e| {
            matches!(
                e,
                O2Event::DlmLeave { node: None, .. } | O2Event::FsUnmount { .. }
            )
        },
        // A DLM domain join needs a registered cluster with a local node and a live
        // heartbeat region (ocfs2_fill_super() -> ocfs2_dlm_init()).
        excludes: &["hostname-not-in-cluster-conf", "no-local-node", "cluster-offline", "o2cb-stack-not-loaded", "o2cb-config", "cluster-conf-invalid", "local-ip-missing"],
        meaning: "this node joined a DLM domain and has not left it: the cluster is registered with a local node and the heartbeat runs",
    },
];

/// A fact that holds on a node, with the line that shows it.
pub struct Holds<'a> {
    pub fact: &'static FactDef,
    pub line: &'a LogLine,
}

/// The facts that hold at the end of `events` (in log order).
pub fn holding(events: &[Located]) -> Vec<Holds<'_>> {
    let mut out = Vec::new();
    for fact in FACTS {
        let mut last: Option<&LogLine> = None;
        for e in events {
            if (fact.establish)(&e.event) {
                last = Some(&e.line);
            } else if (fact.undo)(&e.event) {
                last = None;
            }
        }
        if let Some(line) = last {
            out.push(Holds { fact, line });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn log(lines: &[&str]) -> Vec<Located> {
        let lines: Vec<LogLine> = lines
            .iter()
            .enumerate()
            .map(|(i, m)| LogLine {
                origin: "commands/dmesg".into(),
                line: i as u32 + 1,
                stamp: String::new(),
                message: m.to_string(),
            })
            .collect();
        crate::kernlog::node_events::events(&lines)
    }

    fn ids(l: &[Located]) -> Vec<&'static str> {
        holding(l).iter().map(|h| h.fact.id).collect()
    }

    #[test]
    fn only_the_current_state_counts() {
        let up = "o2net: Accepted connection from node n151.ocfs2.test (num 2) at 10.77.0.151:7777";
        let old = "o2net: connected to node node2 (num 1) at 10.10.10.2:7777";
        let joined = "o2dlm: Joining domain F47217E35EA246069E452DD9DC166B05 ";
        assert_eq!(
            ids(&log(&[up, joined])),
            ["o2net-connected", "domain-joined"]
        );
        assert_eq!(ids(&log(&[old])), ["o2net-connected"]);
        let gone = "o2net: No longer connected to node n151.ocfs2.test (num 2) at 10.77.0.151:7777";
        assert!(
            ids(&log(&[up, gone])).is_empty(),
            "a connection that went away is history"
        );
        assert!(ids(&log(&[
            joined,
            "o2dlm: Leaving domain F47217E35EA246069E452DD9DC166B05"
        ]))
        .is_empty());
        assert_eq!(ids(&log(&[gone, up])), ["o2net-connected"]);
    }

    /// OCFS2 1.2 (linux 2.6.20) prints no `Joining domain` and no `Leaving domain`:
    /// the member list is the join, the unmount is the leave. The real 2.6.20
    /// dmesg (fixtures/public) joined, failed the mount (-75) and unmounted.
    #[test]
    fn ocfs2_1_2_wording_joins_and_the_unmount_leaves() {
        let text = std::fs::read_to_string(format!(
            "{}/../fixtures/public/dmesg-2.6.20-feisty-ocfs2.txt",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap();
        let lines =
            crate::kernlog::lines::from_text(&crate::text::Text::new("command: dmesg", text));
        let events = crate::kernlog::node_events::events(&lines);
        let unmount = events
            .iter()
            .position(|e| matches!(e.event, O2Event::FsUnmount { .. }))
            .unwrap();
        let before = holding(&events[..unmount]);
        let joined = before
            .iter()
            .find(|h| h.fact.id == "domain-joined")
            .unwrap();
        assert!(joined
            .line
            .message
            .starts_with("ocfs2_dlm: Nodes in domain"));
        assert!(
            !ids(&events).contains(&"domain-joined"),
            "the unmount left the domain"
        );
        // A peer joining is not this node's join.
        assert!(ids(&log(&[
            "o2dlm: Node 2 joins domain F47217E35EA246069E452DD9DC166B05 ( 1 2 ) 2 nodes"
        ]))
        .is_empty());
        assert_eq!(
            ids(&log(&[
                "o2dlm: Nodes in domain 77D95EF51C0149D2823674FCC162CF8B: 0 1 "
            ])),
            ["domain-joined"]
        );
    }
}
