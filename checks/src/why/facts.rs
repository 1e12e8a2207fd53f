//! Kernel log facts that prove a layer worked on a node, and the causes each
//! rules out there. A fact counts only while it is today's state: the latest of
//! its kind in the log, not undone by a later line (a disconnect, leaving the
//! domain). An old connection is history and rules nothing out.
//!
//! Formats: kernel fs/ocfs2/cluster/tcp.c (`o2net: Connected to node %s (num %u)
//! at %pI4:%u`, `o2net: Accepted connection from node ...`, `o2net: No longer
//! connected to node ...`, `Connection to node ... shutdown`), dlm/dlmdomain.c
//! (`o2dlm: Joining domain %s`, 2.6.39 `o2dlm: Nodes in domain %s:`, `o2dlm:
//! Leaving domain %s`), both wordings matched case-insensitively.

use crate::kernlog::lines::LogLine;
use regex::Regex;
use std::sync::OnceLock;

pub struct FactDef {
    pub id: &'static str,
    /// The line that establishes the fact.
    establish: &'static str,
    /// A later line that undoes it.
    undo: &'static str,
    /// Causes this fact rules out on the node where it holds.
    pub excludes: &'static [&'static str],
    pub meaning: &'static str,
}

pub const FACTS: &[FactDef] = &[
    FactDef {
        id: "o2net-connected",
        establish: r"o2net: (connected to|accepted connection from) node",
        undo: r"o2net: no longer connected to node|connection to node .* shutdown|no connection established with node|but we use \d+ ms locally",
        // The handshake compares the timeouts (o2net_check_handshake()), needs the
        // peer reachable and the listener bound to this node's address.
        excludes: &["network-unreachable", "timeout-mismatch", "local-ip-missing"],
        meaning: "an o2net connection is up (the handshake compared the timeouts and they agreed)",
    },
    FactDef {
        id: "domain-joined",
        establish: r"o2dlm: (joining domain|nodes in domain) ",
        undo: r"o2dlm: leaving domain",
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

fn compiled() -> &'static Vec<(Regex, Regex)> {
    static RE: OnceLock<Vec<(Regex, Regex)>> = OnceLock::new();
    RE.get_or_init(|| {
        FACTS
            .iter()
            .map(|f| {
                (
                    Regex::new(&format!("(?i){}", f.establish)).expect("valid"),
                    Regex::new(&format!("(?i){}", f.undo)).expect("valid"),
                )
            })
            .collect()
    })
}

/// The facts that hold at the end of `log` (in file order).
pub fn holding(log: &[LogLine]) -> Vec<Holds<'_>> {
    let mut out = Vec::new();
    for (fact, (establish, undo)) in FACTS.iter().zip(compiled()) {
        let mut last: Option<&LogLine> = None;
        for l in log {
            if establish.is_match(&l.message) {
                last = Some(l);
            } else if undo.is_match(&l.message) {
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

    fn log(lines: &[&str]) -> Vec<LogLine> {
        lines
            .iter()
            .enumerate()
            .map(|(i, m)| LogLine {
                origin: "commands/dmesg".into(),
                line: i as u32 + 1,
                stamp: String::new(),
                message: m.to_string(),
            })
            .collect()
    }

    fn ids(l: &[LogLine]) -> Vec<&'static str> {
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
}
