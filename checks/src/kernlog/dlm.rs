//! o2dlm domain membership from the kernel log (linux fs/ocfs2/dlm/dlmdomain.c,
//! dlm_join_domain() and __dlm_print_nodes()). 6.x kernels print
//! `o2dlm: Joining domain UUID ( 0 1 ) 2 nodes`, `Node N joins/leaves domain UUID (
//! ... ) K nodes`; busybox dmesg splits the node list into separate records (`(`,
//! `1`, `2`, `) 2 nodes`). 2.6.39 prints `o2dlm: Nodes in domain UUID: 0 1` after a
//! join or leave instead, and 2.6.1x/2.6.2x (linux fs/ocfs2/dlm/dlmdomain.c,
//! `__dlm_print_nodes`, OCFS2 1.2) `ocfs2_dlm: Nodes in domain ("UUID"): 0 1` with
//! `ocfs2_dlm: Node N joins domain UUID`.
//!
//! The lines themselves are recognised once, by [`super::event::recognize`]
//! (through [`super::node_events::events`], which also joins a node list dmesg
//! split over records): memberships are read from those events, not parsed again.

use super::event::{recognize, O2Event};
use super::history::{standing, Standing, Window};
use super::node_events::{Located, NodeEvents};
use o2check_reports::Evidence;
use std::collections::BTreeMap;

/// The membership a domain had after one log line, with that line as evidence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Membership {
    pub domain: String,
    /// `None` after this node left the domain (`Leaving domain`).
    pub nodes: Option<Vec<u32>>,
    pub evidence: Evidence,
    /// Where the line is among its source's events (to judge it now versus
    /// history, [`super::history::standing`]).
    pub index: usize,
}

/// A join or leave line whose node list is not on it: busybox dmesg prints the
/// list as the following records (or 2.6.39 prints `Nodes in domain` next).
pub fn opens_node_list(message: &str) -> bool {
    // Most o2 lines are not about domains: no regex for them.
    memchr::memmem::find(message.as_bytes(), b" domain ").is_some()
        && matches!(
            recognize(message.trim_end()),
            Some(O2Event::DlmJoin { nodes, .. } | O2Event::DlmLeave { node: Some(_), nodes, .. })
                if nodes.is_empty()
        )
}

/// One record of a node list split over several records: `(` or a node number.
pub fn continues_node_list(message: &str) -> bool {
    let next = message.trim();
    next == "(" || next.parse::<u32>().is_ok()
}

/// Every membership change among one log source's events, in order. A join or
/// leave without its list (2.6.39 prints `Nodes in domain` next) is no change yet.
pub fn memberships(events: &[Located]) -> Vec<Membership> {
    let mut out = Vec::new();
    for (index, e) in events.iter().enumerate() {
        let (domain, nodes) = match &e.event {
            O2Event::DlmJoin { domain, nodes, .. }
            | O2Event::DlmLeave {
                domain,
                node: Some(_),
                nodes,
            }
            | O2Event::DlmNodes { domain, nodes }
                if !nodes.is_empty() =>
            {
                (domain, Some(nodes.clone()))
            }
            O2Event::DlmLeave {
                domain, node: None, ..
            } => (domain, None),
            _ => continue,
        };
        out.push(Membership {
            domain: domain.clone(),
            nodes,
            evidence: e.evidence(),
            index,
        });
    }
    out
}

/// The last known membership of each domain among one log source's events.
pub fn latest(events: &[Located]) -> BTreeMap<String, Membership> {
    memberships(events)
        .into_iter()
        .map(|m| (m.domain.clone(), m))
        .collect()
}

/// The last membership of `domain` that stands now, from the first source that
/// has one (dmesg, then the journal, then syslog files), and evidence for the
/// later sources' or earlier boots' lines that are history: a membership
/// printed before the node's last boot (or outside `--since`) says nothing
/// about the domain today.
pub fn current(
    sources: &[std::sync::Arc<NodeEvents>],
    domain: &str,
    window: &Window,
) -> (Option<Membership>, Vec<Evidence>) {
    let mut earlier = Vec::new();
    for source in sources {
        let Some(m) = latest(&source.events).remove(domain) else {
            continue;
        };
        match standing(&source.events, m.index, source.boot.as_ref(), window) {
            Standing::Current => return (Some(m), earlier),
            Standing::History(why) => {
                earlier.push(super::history::earlier(&source.events[m.index], &why));
            }
        }
    }
    (None, earlier)
}

#[cfg(test)]
mod tests {
    use super::super::lines::from_text;
    use super::super::node_events::events;
    use super::*;
    use crate::text::Text;

    fn log(name: &str) -> Vec<Located> {
        let path = format!("{}/../fixtures/captures/{name}", env!("CARGO_MANIFEST_DIR"));
        events(&from_text(&Text::new(
            name,
            std::fs::read_to_string(path).unwrap(),
        )))
    }

    fn parsed(name: &str, text: &str) -> Vec<Located> {
        events(&from_text(&Text::new(name, text)))
    }

    #[test]
    fn split_lines_of_the_lab_dmesg() {
        let m = memberships(&log("dmesg-node1-end.txt"));
        let lists: Vec<_> = m.iter().map(|m| m.nodes.clone()).collect();
        assert_eq!(lists[0], Some(vec![1]));
        assert_eq!(lists[1], Some(vec![1, 2]));
        assert_eq!(lists[2], Some(vec![1]), "node 2 left");
        assert_eq!(m[0].domain, "F47217E35EA246069E452DD9DC166B05");
        assert_eq!(m[0].evidence.line, Some(370));
    }

    #[test]
    fn one_line_6x_form_of_the_seed_and_2_6_39_form() {
        let seed = parsed("messages", "Nov 16 13:47:43 n149 kernel: o2dlm: Joining domain 55663D9EA9B0466D80626459E2B6AE9B ( 1 ) 1 nodes\nNov 16 13:48:22 n149 kernel: o2dlm: Node 0 joins domain 55663D9EA9B0466D80626459E2B6AE9B ( 0 1 ) 2 nodes\n");
        let l = latest(&seed);
        assert_eq!(
            l["55663D9EA9B0466D80626459E2B6AE9B"].nodes,
            Some(vec![0, 1])
        );
        // 2.6.39 wording, built from the 2.6.39 format strings of linux fs/ocfs2/dlm/dlmdomain.c.
        let old = parsed("k", "[  100.1] o2dlm: Nodes in domain 77D95EF51C0149D2823674FCC162CF8B: 0 1 \n[  200.2] o2dlm: Node 1 leaves domain 77D95EF51C0149D2823674FCC162CF8B\n[  200.3] o2dlm: Nodes in domain 77D95EF51C0149D2823674FCC162CF8B: 0 \n");
        assert_eq!(
            latest(&old)["77D95EF51C0149D2823674FCC162CF8B"].nodes,
            Some(vec![0])
        );
        let left = parsed(
            "k",
            "[ 1.0] o2dlm: Leaving domain 77D95EF51C0149D2823674FCC162CF8B\n",
        );
        assert_eq!(
            latest(&left)["77D95EF51C0149D2823674FCC162CF8B"].nodes,
            None
        );
    }

    #[test]
    fn ocfs2_1_2_wording_of_a_real_2_6_20_dmesg() {
        let path = format!(
            "{}/../fixtures/public/dmesg-2.6.20-feisty-ocfs2.txt",
            env!("CARGO_MANIFEST_DIR")
        );
        let log = parsed("dmesg", &std::fs::read_to_string(path).unwrap());
        let l = latest(&log);
        let m = &l["EF45FD5C600A4BB7933406E5FD408F73"];
        assert_eq!(
            (m.nodes.clone(), m.evidence.line),
            (Some(vec![0, 1]), Some(4))
        );
        let joined = parsed("k", "[ 1.0] ocfs2_dlm: Node 1 joins domain EF45FD5C600A4BB7933406E5FD408F73\n[ 1.1] ocfs2_dlm: Nodes in domain (\"EF45FD5C600A4BB7933406E5FD408F73\"): 0 1 \n");
        assert_eq!(
            memberships(&joined).len(),
            1,
            "the join itself carries no list"
        );
    }
}
