//! Which o2cb cluster each node of a fleet belongs to, from its own evidence:
//! the cluster.conf it runs with (and `O2CB_BOOTCLUSTER` when that file defines
//! several clusters), never the inventory group alone, since one inventory often
//! mixes clusters. Pure logic: the caller reads the files.
//!
//! Two groups of nodes may use the same cluster name (o2cb's default is `ocfs2`,
//! so a fleet often has many clusters called that): nodes are one cluster when
//! they share the name and their cluster.conf files list a common node, so
//! disjoint node lists under one name stay separate clusters (labelled
//! `ocfs2@<first node>`), while nodes of one cluster whose cluster.conf files
//! merely differ stay together for `cluster-conf-identical` to judge.

use o2check_checks::parse::{cluster_conf, cluster_conf_rules};
use o2check_checks::rules::o2cb_node_is_local;
use std::collections::BTreeMap;

/// What one node's evidence says about its cluster.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evidence<'a> {
    /// The node's hostname (what o2cb matches node names against).
    pub hostname: &'a str,
    /// Its cluster.conf, when the evidence has one.
    pub cluster_conf: Option<&'a str>,
    /// `O2CB_BOOTCLUSTER` from /etc/default/o2cb or /etc/sysconfig/o2cb.
    pub boot_cluster: Option<&'a str>,
}

/// Where one node goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Placement {
    /// In cluster `name`, whose stanzas in this node's cluster.conf list `members`.
    Cluster { name: String, members: Vec<String> },
    /// In no cluster, and why.
    NoCluster(String),
    /// Listed in several clusters with no boot cluster choosing one.
    Several(Vec<String>),
}

/// Place one node by o2cb's own rules: the cluster of its cluster.conf with a
/// node stanza that is local to its hostname (ocfs2-tools
/// o2cb_ctl/op_register.c, node_is_local()); among several, the boot cluster;
/// listed in none, the cluster it boots (`O2CB_BOOTCLUSTER`, or the only one).
pub fn place(e: &Evidence) -> Placement {
    let Some(text) = e.cluster_conf else {
        return Placement::NoCluster("its evidence has no /etc/ocfs2/cluster.conf".into());
    };
    let conf = match cluster_conf::parse("/etc/ocfs2/cluster.conf", text) {
        Ok(c) => c,
        Err(err) => return Placement::NoCluster(format!("its cluster.conf does not load: {err}")),
    };
    let model = cluster_conf_rules::model(&conf);
    let mut listing: Vec<&str> = model
        .clusters
        .iter()
        .map(|c| c.name.as_str())
        .filter(|c| {
            model
                .nodes_of(c)
                .any(|n| o2cb_node_is_local(&n.name, e.hostname))
        })
        .collect();
    listing.dedup();
    let all: Vec<&str> = model.clusters.iter().map(|c| c.name.as_str()).collect();
    let boot = e.boot_cluster.filter(|b| all.contains(b));
    let chosen = match (listing.as_slice(), boot) {
        // Listed nowhere, yet it runs this cluster (its only or boot cluster): it
        // is checked with that cluster, where `hostname-in-cluster-conf` says why
        // o2cb will not see it as a node.
        ([], Some(b)) => b,
        ([], None) if all.len() == 1 => all[0],
        ([], None) => {
            return Placement::NoCluster(if all.is_empty() {
                "its cluster.conf defines no cluster".into()
            } else {
                format!(
                    "hostname `{}` is no node of cluster {} in its cluster.conf and no O2CB_BOOTCLUSTER says which it runs",
                    e.hostname,
                    all.join(", ")
                )
            });
        }
        ([one], _) => *one,
        (many, Some(b)) if many.contains(&b) => b,
        (many, _) => return Placement::Several(many.iter().map(|s| s.to_string()).collect()),
    };
    let mut members: Vec<String> = model.nodes_of(chosen).map(|n| n.name.clone()).collect();
    members.sort();
    members.dedup();
    Placement::Cluster {
        name: chosen.to_string(),
        members,
    }
}

/// A fleet split into clusters.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Partition {
    /// Cluster label -> indices of its nodes (in input order).
    pub clusters: BTreeMap<String, Vec<usize>>,
    /// Nodes in no cluster or in several: index and placement.
    pub unplaced: Vec<(usize, Placement)>,
}

/// Nodes of one cluster name found to be one cluster so far: their indices, and
/// the union of the members their cluster.conf files list.
type Group<'a> = (Vec<usize>, Vec<&'a str>);

/// Group placed nodes into clusters (see the module comment for same-named
/// clusters); unplaced ones are kept with their reason.
pub fn partition(placements: &[Placement]) -> Partition {
    let mut out = Partition::default();
    let mut by_name: BTreeMap<&str, Vec<Group>> = BTreeMap::new();
    for (i, p) in placements.iter().enumerate() {
        let Placement::Cluster { name, members } = p else {
            out.unplaced.push((i, p.clone()));
            continue;
        };
        let groups = by_name.entry(name.as_str()).or_default();
        let mine: Vec<&str> = members.iter().map(String::as_str).collect();
        // Merge every group that shares a member with this node into one.
        let (mut joined, rest): (Vec<_>, Vec<_>) = std::mem::take(groups)
            .into_iter()
            .partition(|(_, listed)| listed.iter().any(|m| mine.contains(m)));
        let mut merged = (vec![i], mine);
        for (idx, listed) in joined.drain(..) {
            merged.0.extend(idx);
            merged.1.extend(listed);
        }
        merged.0.sort_unstable();
        merged.1.sort_unstable();
        merged.1.dedup();
        *groups = rest;
        groups.push(merged);
    }
    for (name, mut groups) in by_name {
        groups.sort_by(|a, b| a.1.first().cmp(&b.1.first()));
        let several = groups.len() > 1;
        for (nodes, listed) in groups {
            let label = match (several, listed.first()) {
                (true, Some(first)) => format!("{name}@{first}"),
                _ => name.to_string(),
            };
            out.clusters.insert(label, nodes);
        }
    }
    out
}

/// The cluster (label) whose cluster.conf lists `node` (an unreachable node's
/// inventory name), so its `node-reachable` error lands in that cluster's report.
pub fn cluster_listing<'a>(
    node: &str,
    placements: &[Placement],
    partition: &'a Partition,
) -> Option<&'a str> {
    partition.clusters.iter().find_map(|(label, idx)| {
        idx.iter()
            .any(|&i| match &placements[i] {
                Placement::Cluster { members, .. } => {
                    members.iter().any(|m| o2cb_node_is_local(m, node))
                }
                _ => false,
            })
            .then_some(label.as_str())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// cluster.conf in o2cb's layout (ocfs2-tools o2cb_ctl/o2cb_config.c,
    /// o2cb_config_store()): one cluster stanza per cluster, tab-indented.
    fn conf(clusters: &[(&str, &[&str])]) -> String {
        let mut s = String::new();
        let mut number = 0;
        for (name, nodes) in clusters {
            s.push_str(&format!(
                "cluster:\n\tnode_count = {}\n\tname = {name}\n\n",
                nodes.len()
            ));
            for n in nodes.iter() {
                number += 1;
                s.push_str(&format!("node:\n\tip_port = 7777\n\tip_address = 10.0.0.{number}\n\tnumber = {number}\n\tname = {n}\n\tcluster = {name}\n\n"));
            }
        }
        s
    }

    fn at<'a>(host: &'a str, text: &'a str) -> Evidence<'a> {
        Evidence {
            hostname: host,
            cluster_conf: Some(text),
            boot_cluster: None,
        }
    }

    #[test]
    fn a_node_is_placed_by_its_own_cluster_conf_with_o2cbs_name_rule() {
        let a = conf(&[("alpha", &["n1", "n2"])]);
        assert_eq!(
            place(&at("n1.example.com", &a)),
            Placement::Cluster {
                name: "alpha".into(),
                members: vec!["n1".into(), "n2".into()]
            }
        );
        // `n1` is not a prefix of `n10` ending at a dot: not listed, yet it runs
        // the file's only cluster, so it is checked with alpha (and fails there).
        assert!(
            matches!(place(&at("n10", &a)), Placement::Cluster { name, .. } if name == "alpha")
        );
        let two = conf(&[("alpha", &["n1"]), ("beta", &["n2"])]);
        assert!(
            matches!(place(&at("n10", &two)), Placement::NoCluster(r) if r.contains("`n10` is no node of cluster alpha, beta"))
        );
        let boots_beta = Evidence {
            boot_cluster: Some("beta"),
            ..at("n10", &two)
        };
        assert!(matches!(place(&boots_beta), Placement::Cluster { name, .. } if name == "beta"));
        let missing = Evidence {
            cluster_conf: None,
            ..at("n1", "")
        };
        assert!(
            matches!(place(&missing), Placement::NoCluster(r) if r.contains("no /etc/ocfs2/cluster.conf"))
        );
        assert!(matches!(
            place(&at("n1", "node:\n\tname n1\n")),
            Placement::NoCluster(_)
        ));
    }

    #[test]
    fn two_clusters_listing_the_node_need_the_boot_cluster() {
        let both = conf(&[("alpha", &["n1", "n2"]), ("beta", &["n1", "n3"])]);
        assert_eq!(
            place(&at("n1", &both)),
            Placement::Several(vec!["alpha".into(), "beta".into()])
        );
        let booted = Evidence {
            boot_cluster: Some("beta"),
            ..at("n1", &both)
        };
        assert!(matches!(place(&booted), Placement::Cluster { name, .. } if name == "beta"));
        // Only listed in one: that one, whatever else the file defines.
        assert!(
            matches!(place(&at("n2", &both)), Placement::Cluster { name, .. } if name == "alpha")
        );
    }

    #[test]
    fn same_named_clusters_with_disjoint_nodes_are_kept_apart() {
        let one = conf(&[("ocfs2", &["a1", "a2"])]);
        let other = conf(&[("ocfs2", &["b1", "b2"])]);
        // a2's cluster.conf differs (a3 added) but shares a1, a2: same cluster.
        let drifted = conf(&[("ocfs2", &["a1", "a2", "a3"])]);
        let beta = conf(&[("beta", &["c1"])]);
        let two = conf(&[("beta", &["c1"]), ("delta", &["d1"])]);
        let placements: Vec<Placement> = [
            at("a1", &one),
            at("b1", &other),
            at("a2", &drifted),
            at("b2", &other),
            at("c1", &beta),
            at("x9", &two),
        ]
        .iter()
        .map(place)
        .collect();
        let p = partition(&placements);
        let got: Vec<(&str, &[usize])> = p
            .clusters
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_slice()))
            .collect();
        assert_eq!(
            got,
            [
                ("beta", &[4][..]),
                ("ocfs2@a1", &[0, 2][..]),
                ("ocfs2@b1", &[1, 3][..])
            ]
        );
        assert_eq!(p.unplaced.len(), 1);
        assert_eq!(p.unplaced[0].0, 5);
        assert_eq!(cluster_listing("b2.lan", &placements, &p), Some("ocfs2@b1"));
        assert_eq!(cluster_listing("zz", &placements, &p), None);
    }

    #[test]
    fn a_node_joining_two_groups_merges_them() {
        let left = conf(&[("c", &["n1", "n2"])]);
        let right = conf(&[("c", &["n3", "n4"])]);
        let bridge = conf(&[("c", &["n2", "n3"])]);
        let placements: Vec<Placement> = [at("n1", &left), at("n4", &right), at("n2", &bridge)]
            .iter()
            .map(place)
            .collect();
        let p = partition(&placements);
        assert_eq!(p.clusters.len(), 1);
        assert_eq!(p.clusters["c"], vec![0, 1, 2]);
    }
}
