//! What o2cb and the kernel demand of cluster.conf's content (ocfs2-tools o2cb_ctl/o2cb_config.c, o2cb_config_load();
//! libo2cb/o2cb_abi.c, o2cb_validate_cluster_name(); linux fs/ocfs2/cluster/nodemanager.c),
//! beyond its grammar: typed clusters and nodes, and every problem with its line.

use super::cluster_conf::{ClusterConf, Stanza};
use std::collections::{HashMap, HashSet};
use std::net::Ipv4Addr;

/// A `cluster:` stanza.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cluster {
    pub name: String,
    pub heartbeat_mode: String,
    pub node_count: Option<u32>,
    pub line: u32,
}

/// A `node:` stanza whose required attributes are all valid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    pub name: String,
    pub cluster: String,
    pub number: u32,
    pub ip: Ipv4Addr,
    pub port: u16,
    pub line: u32,
}

/// A problem and the line to quote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub line: u32,
    pub message: String,
}

/// The clusters, valid nodes, and every problem found.
#[derive(Debug, Clone, Default)]
pub struct Model {
    pub clusters: Vec<Cluster>,
    pub nodes: Vec<Node>,
    pub problems: Vec<Problem>,
}

impl Model {
    /// The nodes of cluster `name` (o2cb matches the `cluster` attribute exactly).
    pub fn nodes_of<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Node> + 'a {
        self.nodes.iter().filter(move |n| n.cluster == name)
    }
}

/// Linear in the file: every lookup across stanzas goes through a hash map, as a
/// hostile or generated file can hold any number of stanzas (timed by `o2check
/// bench --cluster-conf-nodes`).
pub fn model(conf: &ClusterConf) -> Model {
    let mut m = Model::default();
    let mut names = HashSet::new();
    for s in conf.of_kind("cluster") {
        cluster(s, &mut m, &mut names);
    }
    for s in conf.of_kind("node") {
        node(s, &mut m);
    }
    relations(&mut m);
    m
}

fn problem(m: &mut Model, line: u32, message: String) {
    m.problems.push(Problem { line, message });
}

fn cluster(s: &Stanza, m: &mut Model, names: &mut HashSet<String>) {
    let Some(name) = s.get("name").filter(|a| !a.value.is_empty()) else {
        // ocfs2-tools dereferences NULL here (o2cb_config.c): expect a crash, not an error.
        return problem(
            m,
            s.line,
            "cluster stanza has no `name` (o2cb crashes loading this file)".into(),
        );
    };
    if name.value.len() > 16 || !name.value.chars().all(|c| c.is_ascii_alphanumeric()) {
        problem(
            m,
            name.line,
            format!(
                "cluster name `{}` must be 1-16 letters or digits (o2cb: Cluster name is invalid)",
                name.value
            ),
        );
    }
    let mode = s
        .get("heartbeat_mode")
        .map(|a| a.value.to_lowercase())
        .unwrap_or_else(|| "local".into());
    if mode != "local" && mode != "global" {
        problem(
            m,
            s.get("heartbeat_mode").map_or(s.line, |a| a.line),
            format!("heartbeat_mode `{mode}` is neither local nor global"),
        );
    }
    let node_count = match s.get("node_count") {
        None => {
            problem(
                m,
                s.line,
                "cluster stanza has no `node_count` (required)".into(),
            );
            None
        }
        Some(a) => a
            .value
            .parse::<u32>()
            .map_err(|_| {
                problem(
                    m,
                    a.line,
                    format!("node_count `{}` is not a number", a.value),
                )
            })
            .ok(),
    };
    if !names.insert(name.value.clone()) {
        problem(
            m,
            name.line,
            format!("cluster `{}` is defined twice", name.value),
        );
    }
    m.clusters.push(Cluster {
        name: name.value.clone(),
        heartbeat_mode: mode,
        node_count,
        line: s.line,
    });
}

fn node(s: &Stanza, m: &mut Model) {
    let mut missing = Vec::new();
    let mut get = |key: &'static str| {
        let a = s.get(key).filter(|a| !a.value.is_empty());
        if a.is_none() {
            missing.push(key);
        }
        a.cloned()
    };
    let (name, cluster, number, ip, port) = (
        get("name"),
        get("cluster"),
        get("number"),
        get("ip_address"),
        get("ip_port"),
    );
    if !missing.is_empty() {
        return problem(
            m,
            s.line,
            format!("node stanza lacks required {}", missing.join(", ")),
        );
    }
    let (Some(name), Some(cluster), Some(number), Some(ip), Some(port)) =
        (name, cluster, number, ip, port)
    else {
        return;
    };
    let num = number.value.parse::<u32>().ok().filter(|n| *n <= 254);
    if num.is_none() {
        problem(
            m,
            number.line,
            format!("node number `{}` must be 0-254", number.value),
        );
    }
    let addr = ip.value.parse::<Ipv4Addr>().ok();
    if addr.is_none() {
        problem(
            m,
            ip.line,
            format!(
                "ip_address `{}` is not an IPv4 address (o2net is IPv4 only)",
                ip.value
            ),
        );
    }
    let p = port
        .value
        .parse::<u16>()
        .ok()
        .filter(|p| (1..=65534).contains(p));
    if p.is_none() {
        problem(
            m,
            port.line,
            format!("ip_port `{}` must be 1-65534", port.value),
        );
    }
    if name.value.len() > 64 {
        problem(
            m,
            name.line,
            format!("node name `{}` is longer than 64 characters", name.value),
        );
    }
    if let (Some(number), Some(ip), Some(port)) = (num, addr, p) {
        m.nodes.push(Node {
            name: name.value,
            cluster: cluster.value,
            number,
            ip,
            port,
            line: s.line,
        });
    }
}

fn relations(m: &mut Model) {
    let mut found = Vec::new();
    let mut by_cluster: HashMap<&str, Vec<&Node>> = m
        .clusters
        .iter()
        .map(|c| (c.name.as_str(), Vec::new()))
        .collect();
    for n in &m.nodes {
        match by_cluster.get_mut(n.cluster.as_str()) {
            Some(nodes) => nodes.push(n),
            None => found.push((n.line, format!("node `{}` names cluster `{}`, which has no cluster stanza: o2cb silently ignores this node", n.name, n.cluster))),
        }
    }
    let none = Vec::new();
    for c in &m.clusters {
        let nodes = by_cluster.get(c.name.as_str()).unwrap_or(&none);
        duplicates(nodes, |n| n.name.to_lowercase(), "name", &mut found);
        duplicates(nodes, |n| n.number.to_string(), "number", &mut found);
        duplicates(nodes, |n| n.ip.to_string(), "ip_address", &mut found);
        if let Some(count) = c.node_count {
            if (count as usize) < nodes.len() {
                found.push((
                    c.line,
                    format!(
                        "node_count = {count} but cluster `{}` has {} node stanzas",
                        c.name,
                        nodes.len()
                    ),
                ));
            }
        }
    }
    for (line, message) in found {
        problem(m, line, message);
    }
}

fn duplicates(
    nodes: &[&Node],
    key: impl Fn(&Node) -> String,
    what: &str,
    found: &mut Vec<(u32, String)>,
) {
    let mut seen: HashMap<String, &Node> = HashMap::new();
    for n in nodes {
        if let Some(first) = seen.insert(key(n), n) {
            found.push((
                n.line,
                format!(
                    "nodes `{}` and `{}` have the same {what} `{}`",
                    first.name,
                    n.name,
                    key(n)
                ),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::cluster_conf::parse;
    use super::*;

    fn problems(text: &str) -> Vec<String> {
        model(&parse("f", text).unwrap())
            .problems
            .into_iter()
            .map(|p| format!("{}: {}", p.line, p.message))
            .collect()
    }

    #[test]
    fn lab_and_seed_files_have_no_problems() {
        let lab = include_str!(
            "../../../fixtures/bundles/lab-capture-healthy-node1/etc/ocfs2/cluster.conf"
        );
        let m = model(&parse("lab", lab).unwrap());
        assert!(m.problems.is_empty(), "{:?}", m.problems);
        assert_eq!(
            m.nodes_of("o2lab").map(|n| n.number).collect::<Vec<_>>(),
            [1, 2]
        );
        let seed = include_str!(
            "../../../fixtures/bundles/seed-hostname-mismatch-n150/etc/ocfs2/cluster.conf"
        );
        let m = model(&parse("seed", seed).unwrap());
        assert!(m.problems.is_empty(), "{:?}", m.problems);
        assert_eq!(m.nodes[0].port, 11111);
    }

    #[test]
    fn finds_semantic_problems_with_lines() {
        let text = "cluster:\n\tname = bad-name\n\tnode_count = 1\n\nnode:\n\tname = a\n\tcluster = bad-name\n\tnumber = 1\n\tip_address = 10.0.0.1\n\tip_port = 7777\n\nnode:\n\tname = b\n\tcluster = bad-name\n\tnumber = 1\n\tip_address = 10.0.0.300\n\tip_port = 0\n\nnode:\n\tname = c\n\tcluster = other\n\tnumber = 3\n\tip_address = 10.0.0.3\n\tip_port = 7777\n";
        let p = problems(text);
        assert!(p.contains(&"2: cluster name `bad-name` must be 1-16 letters or digits (o2cb: Cluster name is invalid)".to_string()), "{p:?}");
        assert!(
            p.iter()
                .any(|x| x.starts_with("16: ip_address `10.0.0.300`")),
            "{p:?}"
        );
        assert!(p.iter().any(|x| x.starts_with("17: ip_port `0`")), "{p:?}");
        assert!(
            p.iter()
                .any(|x| x.starts_with("19: node `c` names cluster `other`")),
            "{p:?}"
        );
    }

    #[test]
    fn duplicate_numbers_and_short_node_count() {
        let text = "cluster:\n\tname = x\n\tnode_count = 1\n\nnode:\n\tname = a\n\tcluster = x\n\tnumber = 1\n\tip_address = 10.0.0.1\n\tip_port = 7777\n\nnode:\n\tname = b\n\tcluster = x\n\tnumber = 1\n\tip_address = 10.0.0.2\n\tip_port = 7777\n";
        let p = problems(text);
        assert!(
            p.contains(&"12: nodes `a` and `b` have the same number `1`".to_string()),
            "{p:?}"
        );
        assert!(
            p.contains(&"1: node_count = 1 but cluster `x` has 2 node stanzas".to_string()),
            "{p:?}"
        );
    }

    #[test]
    fn missing_required_attributes() {
        let p = problems("cluster:\n\tname = x\n\nnode:\n\tname = a\n\tcluster = x\n");
        assert!(
            p.contains(&"1: cluster stanza has no `node_count` (required)".to_string()),
            "{p:?}"
        );
        assert!(
            p.contains(&"4: node stanza lacks required number, ip_address, ip_port".to_string()),
            "{p:?}"
        );
    }
}
