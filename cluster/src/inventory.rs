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

/// Why a node list could not be made; each message names its origin (the file or
/// the expression) and, where there is one, what to do instead.
#[derive(Debug, thiserror::Error)]
pub enum InventoryError {
    /// cluster.conf does not load (o2cb's grammar, see the checks crate's parser).
    #[error("{0}")]
    ClusterConf(String),
    #[error("{origin} defines no cluster")]
    NoCluster { origin: String },
    #[error("{origin} defines clusters {}; say which with --cluster-name", names.join(", "))]
    SeveralClusters { origin: String, names: Vec<String> },
    #[error("{origin} lists no valid node of cluster {cluster}")]
    NoNodes { origin: String, cluster: String },
    /// A name that must not reach ssh (`-oProxyCommand=...`, `$(...)`).
    #[error("{origin}: node {name:?}: {reason}; refusing to pass it to ssh")]
    UnsafeName {
        origin: String,
        name: String,
        #[source]
        reason: hostlist::NotAHostName,
    },
    #[error(transparent)]
    Hostlist(#[from] hostlist::HostlistError),
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
) -> Result<Vec<Node>, InventoryError> {
    let conf = cluster_conf::parse(origin, text)
        .map_err(|e| InventoryError::ClusterConf(e.to_string()))?;
    let origin = origin.to_string();
    let model = cluster_conf_rules::model(&conf);
    let name = match cluster {
        Some(c) => c.to_string(),
        None => match model.clusters.as_slice() {
            [only] => only.name.clone(),
            [] => return Err(InventoryError::NoCluster { origin }),
            many => {
                let names = many.iter().map(|c| c.name.clone()).collect();
                return Err(InventoryError::SeveralClusters { origin, names });
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
        return Err(InventoryError::NoNodes {
            origin,
            cluster: name,
        });
    }
    // The names reach ssh (with --connect-by name): checked as hostlists are.
    for n in &nodes {
        hostlist::check_name(&n.name).map_err(|reason| InventoryError::UnsafeName {
            origin: origin.clone(),
            name: n.name.clone(),
            reason,
        })?;
    }
    Ok(nodes)
}

/// Nodes named by a hostlist expression (`n[149-150].ocfs2.test`).
pub fn from_hostlist(expr: &str) -> Result<Vec<Node>, InventoryError> {
    let names = hostlist::expand(expr)?;
    Ok(names.into_iter().map(Node::named).collect())
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
        assert!(matches!(err, Err(InventoryError::NoNodes { cluster, .. }) if cluster == "other"));
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
                    matches!(
                        e,
                        InventoryError::UnsafeName { .. } | InventoryError::NoNodes { .. }
                    ),
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
