//! Which nodes to reach and how: from cluster.conf itself (the cluster's own list
//! of names and interconnect addresses), from a hostlist expression, or from an
//! Ansible inventory (see [`crate::ansible`]).

use crate::hostlist;
use o2check_checks::parse::{cluster_conf, cluster_conf_rules};

/// One node as the transport sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    /// The name reports use until the node tells its own hostname.
    pub name: String,
    /// Where to connect when it is not `name` (Ansible's `ansible_host`, or the
    /// cluster.conf `ip_address` with `--connect-by ip`).
    pub address: Option<String>,
    pub user: Option<String>,
    pub port: Option<u16>,
}

impl Node {
    pub fn named(name: impl Into<String>) -> Node {
        Node {
            name: name.into(),
            address: None,
            user: None,
            port: None,
        }
    }

    /// The ssh destination: the address when known, else the name (so that
    /// `~/.ssh/config` Host blocks written for the names apply).
    pub fn destination(&self) -> &str {
        self.address.as_deref().unwrap_or(&self.name)
    }
}

/// How to connect to the nodes cluster.conf lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConnectBy {
    /// The node name (resolved by ssh: ~/.ssh/config, /etc/hosts, DNS).
    Name,
    /// The node's cluster.conf `ip_address` (the interconnect).
    Ip,
}

/// The nodes of `cluster` (or of the only cluster) in cluster.conf `text`.
pub fn from_cluster_conf(
    origin: &str,
    text: &str,
    cluster: Option<&str>,
    connect: ConnectBy,
) -> Result<Vec<Node>, String> {
    let conf = cluster_conf::parse(origin, text).map_err(|e| e.to_string())?;
    let model = cluster_conf_rules::model(&conf);
    let name = match cluster {
        Some(c) => c.to_string(),
        None => match model.clusters.as_slice() {
            [only] => only.name.clone(),
            [] => return Err(format!("{origin} defines no cluster")),
            many => {
                let names: Vec<&str> = many.iter().map(|c| c.name.as_str()).collect();
                return Err(format!(
                    "{origin} defines clusters {}; say which with --cluster-name",
                    names.join(", ")
                ));
            }
        },
    };
    let nodes: Vec<Node> = model
        .nodes_of(&name)
        .map(|n| Node {
            name: n.name.clone(),
            address: (connect == ConnectBy::Ip).then(|| n.ip.to_string()),
            user: None,
            port: None,
        })
        .collect();
    if nodes.is_empty() {
        return Err(format!("{origin} lists no valid node of cluster {name}"));
    }
    // The names reach ssh (with --connect-by name): checked as hostlists are.
    for n in &nodes {
        hostlist::check_name(&n.name).map_err(|e| {
            format!(
                "{origin}: node {:?}: {e}; refusing to pass it to ssh",
                n.name
            )
        })?;
    }
    Ok(nodes)
}

/// Nodes named by a hostlist expression (`n[149-150].ocfs2.test`).
pub fn from_hostlist(expr: &str) -> Result<Vec<Node>, String> {
    hostlist::expand(expr)
        .map(|names| names.into_iter().map(Node::named).collect())
        .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(rel: &str) -> String {
        let path = format!("{}/../fixtures/{rel}", env!("CARGO_MANIFEST_DIR"));
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    #[test]
    fn the_lab_cluster_conf_names_both_nodes() {
        let text = fixture("bundles/lab-capture-healthy-node1/etc/ocfs2/cluster.conf");
        let by_name = from_cluster_conf("cluster.conf", &text, None, ConnectBy::Name).unwrap();
        let names: Vec<&str> = by_name.iter().map(|n| n.name.as_str()).collect();
        assert_eq!(names, ["n150.ocfs2.test", "n151.ocfs2.test"]);
        assert_eq!(by_name[0].destination(), "n150.ocfs2.test");
        let by_ip = from_cluster_conf("cluster.conf", &text, None, ConnectBy::Ip).unwrap();
        assert_eq!(by_ip[1].destination(), "10.77.0.151");
        let err = from_cluster_conf("cluster.conf", &text, Some("other"), ConnectBy::Name);
        assert!(err.unwrap_err().contains("no valid node of cluster other"));
    }

    #[test]
    fn node_names_with_shell_syntax_are_refused_before_ssh() {
        for bad in [
            "n1;reboot",
            "$(id)",
            "`id`",
            "-oProxyCommand=x",
            "n1\u{1b}[2J",
        ] {
            let text = format!(
                "cluster:\n\tnode_count = 1\n\tname = c\n\nnode:\n\tip_port = 7777\n\tip_address = 10.0.0.1\n\tnumber = 0\n\tname = {bad}\n\tcluster = c\n"
            );
            match from_cluster_conf("cluster.conf", &text, None, ConnectBy::Name) {
                Err(e) => assert!(
                    e.contains("refusing") || e.contains("no valid node"),
                    "{bad}: {e}"
                ),
                Ok(nodes) => panic!("{bad}: accepted {nodes:?}"),
            }
        }
    }

    #[test]
    fn a_broken_cluster_conf_is_an_error() {
        assert!(from_cluster_conf("c", "garbage\n\t= =\n", None, ConnectBy::Name).is_err());
        assert!(from_cluster_conf("c", "", None, ConnectBy::Name).is_err());
    }
}
