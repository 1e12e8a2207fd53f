//! `o2cb cluster-status [name]` and `o2cb list-cluster <name>` (ocfs2-tools o2cb_ctl/op_status.c and op_lists.c,
//! ocfs2-tools `o2cb_ctl/op_status.c`, `op_lists.c`).
//!
//! cluster-status prints `Cluster '<name>' is online|offline`, or a bare `offline`
//! when no cluster is registered; exit 0 means online, anything else offline. When
//! configfs or the modules are missing it first says `o2cb: Unable to access cluster
//! service while initializing the cluster` on stderr (seen on this build host).

use crate::text::Text;

/// What `o2cb cluster-status` said, with the 1-based stdout line it said it on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClusterStatus {
    Online {
        cluster: String,
        line: u32,
    },
    Offline {
        cluster: Option<String>,
        line: u32,
    },
    /// Neither sentence was found (empty output, a shell error, garbage).
    Unrecognised,
}

/// The reading of one `o2cb cluster-status` run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClusterStatusReport {
    pub status: ClusterStatus,
    /// stderr said the cluster service (configfs / modules) could not be opened.
    pub service_unavailable: bool,
    /// Text and exit code disagree (online text with rc != 0 or the reverse): the
    /// exit code is the tool's own verdict (`op_status.c` returns it), so trust neither.
    pub inconsistent: bool,
}

impl ClusterStatusReport {
    /// Online only when both the text and the exit code say so (rc unknown: text only).
    pub fn is_online(&self) -> bool {
        matches!(self.status, ClusterStatus::Online { .. }) && !self.inconsistent
    }
}

const SERVICE_UNAVAILABLE: &str = "Unable to access cluster service";

pub fn parse_cluster_status(
    stdout: &Text,
    stderr: &str,
    exit_code: Option<i32>,
) -> ClusterStatusReport {
    let mut status = ClusterStatus::Unrecognised;
    for (line, raw) in super::pasted::iter(stdout) {
        let l = raw.trim();
        if l == "offline" {
            status = ClusterStatus::Offline {
                cluster: None,
                line,
            };
        } else if let Some(rest) = l.strip_prefix("Cluster '") {
            // The name may itself hold no quote (configfs names are [A-Za-z0-9_-]).
            let Some((name, state)) = rest.rsplit_once("' is ") else {
                continue;
            };
            let cluster = name.to_string();
            status = match state {
                "online" => ClusterStatus::Online { cluster, line },
                "offline" => ClusterStatus::Offline {
                    cluster: Some(cluster),
                    line,
                },
                _ => continue,
            };
        }
    }
    let said_online = matches!(status, ClusterStatus::Online { .. });
    let inconsistent = match (exit_code, &status) {
        (_, ClusterStatus::Unrecognised) | (None, _) => false,
        (Some(rc), _) => (rc == 0) != said_online,
    };
    ClusterStatusReport {
        status,
        service_unavailable: stderr.contains(SERVICE_UNAVAILABLE)
            || stdout.content.contains(SERVICE_UNAVAILABLE),
        inconsistent,
    }
}

/// One `node:` stanza of `o2cb list-cluster`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListedNode {
    pub number: Option<u32>,
    pub name: String,
    pub ip_address: String,
    pub ip_port: Option<u16>,
    pub cluster: String,
    pub line: u32,
}

/// `o2cb list-cluster <name>`: heartbeat regions, nodes and the cluster stanza.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListedCluster {
    pub name: Option<String>,
    pub node_count: Option<u32>,
    pub heartbeat_mode: Option<String>,
    /// `heartbeat:` stanzas (global mode): region UUIDs.
    pub regions: Vec<String>,
    pub nodes: Vec<ListedNode>,
    /// Lines that fit no stanza (e.g. a trailing `list-clusters` name in a capture).
    pub stray_lines: Vec<u32>,
}

#[derive(Clone, Copy, PartialEq)]
enum Stanza {
    None,
    Heartbeat,
    Node,
    Cluster,
}

pub fn parse_list_cluster(text: &Text) -> ListedCluster {
    let mut out = ListedCluster::default();
    let mut stanza = Stanza::None;
    for (line, raw) in super::pasted::iter(text) {
        let l = raw.trim_end_matches('\r');
        if l.trim().is_empty() {
            stanza = Stanza::None;
            continue;
        }
        match l.trim() {
            "heartbeat:" => stanza = Stanza::Heartbeat,
            "node:" => {
                stanza = Stanza::Node;
                out.nodes.push(ListedNode {
                    line,
                    ..ListedNode::default()
                });
            }
            "cluster:" => stanza = Stanza::Cluster,
            body => {
                let kv = body
                    .split_once('=')
                    .map(|(k, v)| (k.trim(), v.trim().to_string()));
                match (stanza, kv) {
                    (Stanza::Heartbeat, Some(("region", v))) => out.regions.push(v),
                    (Stanza::Node, Some((key, v))) => {
                        if let Some(n) = out.nodes.last_mut() {
                            match key {
                                "number" => n.number = v.parse().ok(),
                                "name" => n.name = v,
                                "ip_address" => n.ip_address = v,
                                "ip_port" => n.ip_port = v.parse().ok(),
                                "cluster" => n.cluster = v,
                                _ => {}
                            }
                        }
                    }
                    (Stanza::Cluster, Some(("name", v))) => out.name = Some(v),
                    (Stanza::Cluster, Some(("node_count", v))) => out.node_count = v.parse().ok(),
                    (Stanza::Cluster, Some(("heartbeat_mode", v))) => out.heartbeat_mode = Some(v),
                    (Stanza::Heartbeat | Stanza::Cluster, Some(_)) => {}
                    _ => out.stray_lines.push(line),
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const NODE1: &str = include_str!("../../../fixtures/captures/o2cb-cluster-status-node1.txt");

    fn t(s: &str) -> Text {
        Text::new("test", s)
    }

    #[test]
    fn real_online_capture_first_line() {
        let r = parse_cluster_status(&t(NODE1.lines().next().unwrap_or("")), "", Some(0));
        assert_eq!(
            r.status,
            ClusterStatus::Online {
                cluster: "o2lab".into(),
                line: 1
            }
        );
        assert!(r.is_online());
    }

    #[test]
    fn real_offline_from_hostname_mismatch_bundle() {
        let out = include_str!(
            "../../../fixtures/bundles/lab-collect-hostname-mismatch-node2/commands/o2cb_cluster-status"
        );
        let r = parse_cluster_status(&t(out), "", Some(1));
        assert_eq!(
            r.status,
            ClusterStatus::Offline {
                cluster: Some("o2lab".into()),
                line: 1
            }
        );
        assert!(!r.is_online() && !r.inconsistent);
    }

    #[test]
    fn real_bare_offline_without_configfs() {
        let out = include_str!("../../../fixtures/runtime/cluster-status-host-no-configfs.stdout");
        let err = include_str!("../../../fixtures/runtime/cluster-status-host-no-configfs.stderr");
        let r = parse_cluster_status(&t(out), err, Some(1));
        assert_eq!(
            r.status,
            ClusterStatus::Offline {
                cluster: None,
                line: 1
            }
        );
        assert!(r.service_unavailable);
    }

    #[test]
    fn online_text_with_failing_rc_is_not_online() {
        let r = parse_cluster_status(&t("Cluster 'x' is online\r\n"), "", Some(1));
        assert!(r.inconsistent && !r.is_online());
    }

    #[test]
    fn garbage_empty_and_binary_are_unrecognised() {
        for s in [
            "",
            "bash: o2cb: command not found",
            "Cluster 'x is online",
            "\u{fffd}\0\u{1}",
        ] {
            assert_eq!(
                parse_cluster_status(&t(s), "", Some(127)).status,
                ClusterStatus::Unrecognised
            );
        }
        let huge = "Cluster '".to_string() + &"a".repeat(1 << 20);
        assert_eq!(
            parse_cluster_status(&t(&huge), "", None).status,
            ClusterStatus::Unrecognised
        );
    }

    #[test]
    fn real_list_cluster_capture() {
        // The capture holds cluster-status, `rc=0`, list-cluster, then list-clusters.
        let body: String = NODE1.lines().skip(2).map(|l| format!("{l}\n")).collect();
        let c = parse_list_cluster(&t(&body));
        assert_eq!(c.name.as_deref(), Some("o2lab"));
        assert_eq!(c.node_count, Some(2));
        assert_eq!(c.heartbeat_mode.as_deref(), Some("local"));
        let names: Vec<_> = c
            .nodes
            .iter()
            .map(|n| (n.number, n.name.as_str()))
            .collect();
        assert_eq!(
            names,
            [(Some(1), "n150.ocfs2.test"), (Some(2), "n151.ocfs2.test")]
        );
        assert_eq!(c.nodes[1].ip_port, Some(7777));
        assert_eq!(c.nodes[1].ip_address, "10.77.0.151");
        // the trailing `o2lab` from list-clusters is not part of any stanza
        assert_eq!(c.stray_lines.len(), 1);
    }

    #[test]
    fn global_heartbeat_stanzas_and_crlf() {
        // FORMATS §2.2 format strings (op_lists.c), CRLF as if copied from a ticket.
        let s =
            "heartbeat:\r\n\tregion = 77D95EF51C0149D2823DE7C3C5C6F5E6\r\n\tcluster = c\r\n\r\n\
                 cluster:\r\n\tnode_count = 3\r\n\theartbeat_mode = global\r\n\tname = c\r\n";
        let c = parse_list_cluster(&t(s));
        assert_eq!(c.regions, ["77D95EF51C0149D2823DE7C3C5C6F5E6"]);
        assert_eq!(c.heartbeat_mode.as_deref(), Some("global"));
        assert_eq!(c.node_count, Some(3));
    }

    #[test]
    fn real_unknown_cluster_lists_nothing() {
        let out = include_str!("../../../fixtures/runtime/list-cluster-unknown.stdout");
        assert_eq!(parse_list_cluster(&t(out)), ListedCluster::default());
        let c = parse_list_cluster(&t("node:\n\tnumber = x\n\tname\n"));
        assert_eq!(c.nodes.len(), 1);
        assert_eq!(c.nodes[0].number, None);
    }
}
