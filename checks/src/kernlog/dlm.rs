//! o2dlm domain membership from the kernel log (FORMATS.md §5.4). 6.x kernels print
//! `o2dlm: Joining domain UUID ( 0 1 ) 2 nodes`, `Node N joins/leaves domain UUID (
//! ... ) K nodes`; busybox dmesg splits the node list into separate records (`(`,
//! `1`, `2`, `) 2 nodes`). 2.6.39 prints `o2dlm: Nodes in domain UUID: 0 1` after a
//! join or leave instead, and 2.6.1x/2.6.2x (linux fs/ocfs2/dlm/dlmdomain.c,
//! `__dlm_print_nodes`, OCFS2 1.2) `ocfs2_dlm: Nodes in domain ("UUID"): 0 1` with
//! `ocfs2_dlm: Node N joins domain UUID`.

use super::lines::LogLine;
use o2check_reports::Evidence;
use regex::Regex;
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// The membership a domain had after one log line, with that line as evidence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Membership {
    pub domain: String,
    /// `None` after this node left the domain (`Leaving domain`).
    pub nodes: Option<Vec<u32>>,
    pub evidence: Evidence,
}

fn head() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"^(?:o2dlm|ocfs2_dlm): (?:Joining domain|Node \d+ (?:joins|leaves) domain) ([0-9A-F]{32})\s*(?:\(([\d ]*)\)\s*\d+ nodes)?\s*$").expect("valid regex")
    })
}

fn nodes_in() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(
            r#"^(?:o2dlm|ocfs2_dlm): Nodes in domain \(?"?([0-9A-Fa-f]{32})"?\)?: ([\d ]*)$"#,
        )
        .expect("valid regex")
    })
}

fn numbers(s: &str) -> Vec<u32> {
    s.split_whitespace()
        .filter_map(|n| n.parse().ok())
        .collect()
}

/// A join or leave line whose node list is not on it: busybox dmesg prints the
/// list as the following records (or 2.6.39 prints `Nodes in domain` next).
pub fn opens_node_list(message: &str) -> bool {
    // Most o2 lines are not about domains: no regex for them.
    memchr::memmem::find(message.as_bytes(), b" domain ").is_some()
        && head()
            .captures(message.trim_end())
            .is_some_and(|c| c.get(2).is_none())
}

/// One record of a node list split over several records: `(` or a node number.
pub fn continues_node_list(message: &str) -> bool {
    let next = message.trim();
    next == "(" || next.parse::<u32>().is_ok()
}

/// Every membership change in one log source, in order.
pub fn memberships(log: &[LogLine]) -> Vec<Membership> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < log.len() {
        let l = &log[i];
        let msg = l.message.trim_end();
        let ev = Evidence::new(
            l.origin.clone(),
            Some(l.line),
            format!("{} {}", l.stamp, l.message.trim_end())
                .trim()
                .to_string(),
        );
        if let Some(c) = head().captures(msg) {
            let domain = c[1].to_string();
            let nodes = match c.get(2) {
                Some(list) => Some(numbers(list.as_str())),
                None => {
                    // The node list continues on the following records.
                    let mut list = Vec::new();
                    let mut j = i + 1;
                    while let Some(next) = log.get(j).map(|n| n.message.trim()) {
                        if continues_node_list(next) {
                            list.extend(numbers(next));
                            j += 1;
                        } else {
                            if next.starts_with(')') && next.ends_with("nodes") {
                                j += 1;
                            }
                            break;
                        }
                    }
                    if j > i + 1 {
                        i = j - 1;
                        Some(list)
                    } else {
                        None // 2.6.39: the "Nodes in domain" line follows
                    }
                }
            };
            if let Some(nodes) = nodes {
                out.push(Membership {
                    domain,
                    nodes: Some(nodes),
                    evidence: ev,
                });
            }
        } else if let Some(c) = nodes_in().captures(msg) {
            out.push(Membership {
                domain: c[1].to_uppercase(),
                nodes: Some(numbers(&c[2])),
                evidence: ev,
            });
        } else if let Some(d) = msg
            .strip_prefix("o2dlm: Leaving domain ")
            .or_else(|| msg.strip_prefix("ocfs2_dlm: Leaving domain "))
        {
            out.push(Membership {
                domain: d.trim().to_string(),
                nodes: None,
                evidence: ev,
            });
        }
        i += 1;
    }
    out
}

/// The last known membership of each domain in one log source.
pub fn latest(log: &[LogLine]) -> BTreeMap<String, Membership> {
    memberships(log)
        .into_iter()
        .map(|m| (m.domain.clone(), m))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::lines::from_text;
    use super::*;
    use crate::text::Text;

    fn log(name: &str) -> Vec<LogLine> {
        let path = format!("{}/../fixtures/captures/{name}", env!("CARGO_MANIFEST_DIR"));
        from_text(&Text::new(name, std::fs::read_to_string(path).unwrap()))
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
        let seed = from_text(&Text::new("messages", "Nov 16 13:47:43 n149 kernel: o2dlm: Joining domain 55663D9EA9B0466D80626459E2B6AE9B ( 1 ) 1 nodes\nNov 16 13:48:22 n149 kernel: o2dlm: Node 0 joins domain 55663D9EA9B0466D80626459E2B6AE9B ( 0 1 ) 2 nodes\n"));
        let l = latest(&seed);
        assert_eq!(
            l["55663D9EA9B0466D80626459E2B6AE9B"].nodes,
            Some(vec![0, 1])
        );
        // 2.6.39 wording, built from the format strings in FORMATS.md §5.4.
        let old = from_text(&Text::new("k", "[  100.1] o2dlm: Nodes in domain 77D95EF51C0149D2823674FCC162CF8B: 0 1 \n[  200.2] o2dlm: Node 1 leaves domain 77D95EF51C0149D2823674FCC162CF8B\n[  200.3] o2dlm: Nodes in domain 77D95EF51C0149D2823674FCC162CF8B: 0 \n"));
        assert_eq!(
            latest(&old)["77D95EF51C0149D2823674FCC162CF8B"].nodes,
            Some(vec![0])
        );
        let left = from_text(&Text::new(
            "k",
            "[ 1.0] o2dlm: Leaving domain 77D95EF51C0149D2823674FCC162CF8B\n",
        ));
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
        let log = from_text(&Text::new("dmesg", std::fs::read_to_string(path).unwrap()));
        let l = latest(&log);
        let m = &l["EF45FD5C600A4BB7933406E5FD408F73"];
        assert_eq!(
            (m.nodes.clone(), m.evidence.line),
            (Some(vec![0, 1]), Some(4))
        );
        let joined = from_text(&Text::new("k", "[ 1.0] ocfs2_dlm: Node 1 joins domain EF45FD5C600A4BB7933406E5FD408F73\n[ 1.1] ocfs2_dlm: Nodes in domain (\"EF45FD5C600A4BB7933406E5FD408F73\"): 0 1 \n"));
        assert_eq!(
            memberships(&joined).len(),
            1,
            "the join itself carries no list"
        );
    }
}
