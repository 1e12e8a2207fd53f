//! Evidence several checks share, read and parsed the same way everywhere.

use crate::check::CheckError;
use crate::context::NodeCtx;
use crate::error::EvidenceError;
use crate::parse::cluster_conf_rules::{Cluster, Model, Node};
use crate::parse::mount_table::{self, MountEntry};
use crate::parse::o2cb_sysconfig::{self, O2cbConfig};
use crate::parse::{cluster_conf, configfs};
use crate::text::Text;

pub const CLUSTER_CONF: &str = "/etc/ocfs2/cluster.conf";
/// RHEL/SUSE first, as the init script looks (ocfs2-tools vendor/common/o2cb.init.sh).
pub const O2CB_SYSCONFIG: [&str; 2] = ["/etc/sysconfig/o2cb", "/etc/default/o2cb"];

/// cluster.conf as text and model. A file that does not parse is a parse error,
/// which `cluster-conf-syntax` reports; other checks then say they cannot decide.
pub fn cluster_conf(ctx: &NodeCtx) -> Result<(Text, Model), CheckError> {
    ctx.fact(
        |f| &f.cluster_conf,
        || {
            let text = ctx.file(CLUSTER_CONF)?;
            let conf = cluster_conf::parse(&text.origin, &text.content)?;
            Ok((text, crate::parse::cluster_conf_rules::model(&conf)))
        },
    )
}

/// The o2cb settings file, if there is one.
pub fn o2cb_config(ctx: &NodeCtx) -> Result<(Text, O2cbConfig), EvidenceError> {
    ctx.fact(
        |f| &f.o2cb_config,
        || {
            let text = ctx.first_file(&O2CB_SYSCONFIG)?;
            let config = o2cb_sysconfig::parse(&text);
            Ok((text, config))
        },
    )
}

/// The cluster this node brings online: O2CB_BOOTCLUSTER, else the only cluster.
pub fn boot_cluster<'m>(ctx: &NodeCtx, model: &'m Model) -> Option<&'m Cluster> {
    let wanted = o2cb_config(ctx)
        .ok()
        .and_then(|(_, c)| c.boot_cluster.map(|s| s.value));
    match wanted {
        Some(name) => model.clusters.iter().find(|c| c.name == name),
        None if model.clusters.len() == 1 => model.clusters.first(),
        None => None,
    }
}

/// o2cb's rule for "this node is me" (ocfs2-tools `op_register.c:node_is_local`,
/// ocfs2-tools o2cb_ctl/op_register.c, node_is_local()): the node name is a case-insensitive prefix of the hostname
/// that ends at the hostname's end or at a `.`.
pub fn o2cb_node_is_local(node_name: &str, hostname: &str) -> bool {
    let (n, h) = (node_name.as_bytes(), hostname.as_bytes());
    if h.len() < n.len() || n.is_empty() {
        return false;
    }
    h[..n.len()].eq_ignore_ascii_case(n) && (h.len() == n.len() || h[n.len()] == b'.')
}

/// Every node name that [`o2cb_node_is_local`] matches to `hostname`, lower-cased
/// (the match ignores ASCII case): the hostname up to each `.`, and whole.
pub fn local_node_names(hostname: &str) -> Vec<String> {
    let lower = hostname.to_ascii_lowercase();
    lower
        .match_indices('.')
        .map(|(i, _)| i)
        .chain([lower.len()])
        .filter(|&end| end > 0)
        .map(|end| lower[..end].to_string())
        .collect()
}

/// Nodes of `cluster` that o2cb would mark local for `hostname`.
pub fn local_nodes<'m>(model: &'m Model, cluster: &str, hostname: &str) -> Vec<&'m Node> {
    model
        .nodes
        .iter()
        .filter(|n| n.cluster == cluster && o2cb_node_is_local(&n.name, hostname))
        .collect()
}

/// /proc/mounts entries.
pub fn mounts(ctx: &NodeCtx) -> Result<(Text, Vec<MountEntry>), EvidenceError> {
    ctx.fact(
        |f| &f.mounts,
        || {
            let text = ctx.file("/proc/mounts")?;
            let entries = mount_table::parse(&text);
            Ok((text, entries))
        },
    )
}

/// The registered cluster in configfs, if any (`Ok(None)`: configfs present, none registered).
pub fn configfs_cluster(ctx: &NodeCtx) -> Result<Option<configfs::ConfigfsCluster>, EvidenceError> {
    let clusters = ctx.fact(|f| &f.configfs, || configfs::read(ctx.source))?;
    Ok(clusters.into_iter().next())
}

/// Fix text for both distribution families, chosen from /etc/os-release when known.
pub fn distro_fix(ctx: &NodeCtx, rhel: &str, debian: &str) -> String {
    let id = ctx
        .file("/etc/os-release")
        .map(|t| t.content.to_lowercase())
        .unwrap_or_default();
    let debian_like = id.contains("debian") || id.contains("ubuntu");
    let rhel_like = ["rhel", "centos", "ol", "fedora", "suse", "rocky", "alma"]
        .iter()
        .any(|d| {
            id.contains(&format!("id=\"{d}\""))
                || id.contains(&format!("id={d}\n"))
                || id.contains(&format!("id_like=\"{d}"))
        });
    match (debian_like, rhel_like) {
        (true, false) => debian.to_string(),
        (false, true) => rhel.to_string(),
        _ => format!("RHEL/Oracle Linux: {rhel}\nDebian/Ubuntu: {debian}"),
    }
}

/// This node's o2cb node number: configfs's `local` node when online, else the
/// cluster.conf stanza o2cb would pick for its hostname.
pub fn node_number(ctx: &NodeCtx) -> Option<u32> {
    if let Some(num) = configfs_cluster(ctx)
        .ok()
        .flatten()
        .and_then(|c| c.local_node().and_then(|n| n.num))
    {
        return Some(num);
    }
    let (_, model) = cluster_conf(ctx).ok()?;
    let cluster = boot_cluster(ctx, &model)?;
    let host = ctx.hostname().ok()?.content;
    match local_nodes(&model, &cluster.name, &host).as_slice() {
        [only] => Some(only.number),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn o2cb_local_rule_matches_formats_examples() {
        let cases = [
            ("node1", "node1", true),
            ("node1", "node1.example.com", true),
            ("NODE1", "node1", true),
            ("node1.example.com", "node1", false),
            ("node1", "node10", false),
            ("node1.example.com", "node1.example.com", true),
            ("n149.ocfs2.test", "n149.test.com", false),
            ("n149", "n149.test.com", true),
            ("", "x", false),
        ];
        for (node, host, want) in cases {
            assert_eq!(o2cb_node_is_local(node, host), want, "{node} vs {host}");
        }
    }

    /// The names listed for a hostname are exactly those the o2cb rule matches:
    /// every prefix of every hostname here, in both cases, is tried on every
    /// hostname (so names that are no prefix of it are tried too).
    #[test]
    fn local_node_names_are_exactly_the_names_o2cb_matches() {
        let hosts = [
            "node1",
            "Node1.Example.com",
            "a..b.",
            ".lead",
            "",
            "h\u{e9}te.x",
            "n150.ocfs2.test",
            "N151",
            "a.b.c",
            ".odd",
            "x.",
        ];
        let candidates: Vec<String> = hosts
            .iter()
            .flat_map(|host| {
                (0..=host.len())
                    .filter(|&i| host.is_char_boundary(i))
                    .flat_map(|i| [host[..i].to_string(), host[..i].to_ascii_uppercase()])
            })
            .collect();
        for host in hosts {
            let listed = local_node_names(host);
            for name in &candidates {
                assert_eq!(
                    listed.contains(&name.to_ascii_lowercase()),
                    o2cb_node_is_local(name, host),
                    "{name:?} on {host:?}: {listed:?}"
                );
            }
        }
        assert_eq!(
            local_node_names("n150.ocfs2.test"),
            ["n150", "n150.ocfs2", "n150.ocfs2.test"]
        );
    }
}
