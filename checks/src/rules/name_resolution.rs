//! `name-resolution`: every node name in cluster.conf resolves to its configured
//! ip_address, and the local node's address is on a local interface.

use super::common::{boot_cluster, cluster_conf, local_nodes};
use crate::check::{Check, CheckError, Verdict};
use crate::context::NodeCtx;
use crate::needs::{self, Need, Needs};
use crate::parse::net;
use o2check_reports::{Evidence, Layer, Severity};

pub const CHECK: Check = Check {
    id: "name-resolution",
    layer: Layer::Network,
    severity: Severity::Critical,
    title:
        "node names resolve to their cluster.conf addresses; the local address is on an interface",
    rationale: "o2net binds its listener to the local node's configured ip_address (a missing \
                address gives `o2net: Error -99 while binding socket` and registration fails), and \
                names that resolve elsewhere send administrators and tools to the wrong host",
    needs: NEEDS,
    run,
};

/// The evidence it reads: `collect` gathers it (see [`crate::needs`]).
const NEEDS: Needs = &[
    needs::CLUSTER_CONF,
    needs::O2CB_SETTINGS,
    needs::HOSTNAME,
    needs::ADDRESSES,
    &[
        Need::File("/etc/hosts"),
        Need::PerNode(&["getent", "ahostsv4"]),
    ],
];

fn run(ctx: &NodeCtx) -> Result<Verdict, CheckError> {
    let (text, model) = cluster_conf(ctx)?;
    let Some(cluster) = boot_cluster(ctx, &model) else {
        return Ok(Verdict::skip("no boot cluster (see o2cb-config)").code("no-boot-cluster"));
    };
    let hosts = ctx.file("/etc/hosts").ok();
    let mut problems = Vec::new();
    let mut evidence: Vec<Evidence> = Vec::new();
    let mut resolved_any = false;
    for node in model.nodes_of(&cluster.name) {
        // The resolver (getent: hosts file, DNS, per nsswitch.conf) first; the
        // hosts file alone when the bundle has no getent output.
        let via_getent = ctx
            .command(&["getent", "ahostsv4", &node.name])
            .ok()
            .map(|o| (net::getent_addresses(&o.stdout), o));
        let (addrs, origin): (Vec<std::net::Ipv4Addr>, Option<Evidence>) = match &via_getent {
            Some((a, o)) if o.exit_code == Some(0) || !a.is_empty() => (
                a.clone(),
                o.stdout
                    .numbered_lines()
                    .next()
                    .map(|(l, _)| o.stdout.evidence_at(l)),
            ),
            Some((_, o)) if o.exit_code.is_some() => (
                Vec::new(),
                Some(Evidence::note(
                    o.stdout.origin.clone(),
                    format!("exit {} (not found)", o.exit_code.unwrap_or(-1)),
                )),
            ),
            _ => match &hosts {
                Some(h) => {
                    let found = net::hosts_lookup(h, &node.name);
                    (
                        found.iter().map(|f| f.0).collect(),
                        found.first().map(|f| h.evidence_at(f.1)),
                    )
                }
                None => continue,
            },
        };
        resolved_any = true;
        evidence.extend(origin);
        if addrs.is_empty() {
            problems.push(format!("`{}` does not resolve", node.name));
        } else if addrs[0] != node.ip {
            problems.push(format!(
                "`{}` resolves to {} but cluster.conf says {}",
                node.name, addrs[0], node.ip
            ));
            evidence.push(text.evidence_at(node.line));
        }
    }
    let local = ctx
        .hostname()
        .ok()
        .map(|h| {
            local_nodes(&model, &cluster.name, &h.content)
                .into_iter()
                .cloned()
                .collect::<Vec<_>>()
        })
        .unwrap_or_default();
    let mut checked_interfaces = false;
    // This node's own cluster.conf address on no interface: o2net cannot bind
    // its listener (linux fs/ocfs2/cluster/tcp.c, o2net_open_listening_sock()),
    // a distinct finding so `why` can rule in local-ip-missing on it alone.
    let mut local_ip_missing = false;
    if let (Some(me), Ok(ip)) = (local.first(), ctx.command(&["ip", "-o", "addr"])) {
        let addrs = net::local_addresses(&ip.stdout);
        if !addrs.is_empty() {
            checked_interfaces = true;
            match addrs.iter().find(|a| a.0 == me.ip) {
                Some(a) => evidence.push(ip.stdout.evidence_at(a.1)),
                None => {
                    local_ip_missing = true;
                    problems.push(format!("the local node `{}` is configured with {} but no interface has that address: o2net cannot listen", me.name, me.ip));
                }
            }
        }
    }
    if !resolved_any && !checked_interfaces {
        return Ok(Verdict::skip(
            "neither getent output, /etc/hosts nor `ip -o addr` is available",
        )
        .code("no-resolver-evidence"));
    }
    if problems.is_empty() {
        return Ok(Verdict::pass(format!(
            "{} node name(s) resolve to their configured addresses{}",
            model.nodes_of(&cluster.name).count(),
            if checked_interfaces {
                "; local address is up"
            } else {
                ""
            }
        ))
        .with(evidence));
    }
    Ok(Verdict::fail(
        problems.join("; "),
        "make /etc/hosts (or DNS) map every node name to its cluster.conf ip_address on all nodes, and configure the interconnect address on this node's interface",
    ).code(if local_ip_missing { "local-ip-missing" } else { "misresolved" })
    .with(evidence))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_bundle::{edit, fixture, fixture_copy, judge_node};
    use o2check_reports::Status;

    /// The lab cluster run's n150 bundle: getent for both names and `ip -o addr`.
    fn n150_edited(edit_it: impl FnOnce(&std::path::Path)) -> Verdict {
        let b = fixture_copy("bundles/lab-cluster-healthy-n150");
        edit_it(b.path());
        judge_node(run, &[b.path()])
    }

    #[test]
    fn the_lab_names_resolve_and_the_local_address_is_up() {
        let v = n150_edited(|_| {});
        assert_eq!(v.status, Status::Pass, "{}", v.summary);
        assert_eq!(
            v.summary,
            "2 node name(s) resolve to their configured addresses; local address is up"
        );
        assert!(v
            .evidence
            .iter()
            .any(|e| e.text.contains("inet 10.77.0.150/24")));
    }

    #[test]
    fn a_name_resolving_elsewhere_fails() {
        let v = n150_edited(|b| {
            edit(
                b,
                "commands/getent_ahostsv4_n151.ocfs2.test",
                "10.77.0.151",
                "10.77.0.99",
            )
        });
        assert_eq!(v.status, Status::Fail, "{}", v.summary);
        assert_eq!(v.code, Some("misresolved"));
        assert_eq!(
            v.summary,
            "`n151.ocfs2.test` resolves to 10.77.0.99 but cluster.conf says 10.77.0.151"
        );
    }

    /// o2net binds to the local node's ip_address: not on an interface, it
    /// cannot listen (`Error -99 while binding socket`).
    #[test]
    fn the_local_address_missing_from_the_interfaces_fails() {
        let v = n150_edited(|b| edit(b, "commands/ip_-o_addr", "10.77.0.150/24", "10.77.0.160/24"));
        assert_eq!(v.status, Status::Fail, "{}", v.summary);
        assert!(
            v.summary.contains("`n150.ocfs2.test` is configured with 10.77.0.150 but no interface has that address"),
            "{}",
            v.summary
        );
    }

    /// The lab captures have no getent output: /etc/hosts speaks.
    #[test]
    fn the_hosts_file_is_read_without_getent() {
        let v = judge_node(run, &[&fixture("bundles/lab-capture-healthy-node1")]);
        assert_eq!(v.status, Status::Pass, "{}", v.summary);
        assert_eq!(
            v.summary,
            "2 node name(s) resolve to their configured addresses"
        );
        let b = fixture_copy("bundles/lab-capture-healthy-node1");
        edit(
            b.path(),
            "etc/hosts",
            "10.77.0.151 n151",
            "10.77.1.151 n151",
        );
        let v = judge_node(run, &[b.path()]);
        assert_eq!(v.code, Some("misresolved"), "{}", v.summary);
    }

    #[test]
    fn no_resolver_evidence_skips() {
        let b = fixture_copy("bundles/lab-capture-healthy-node1");
        std::fs::remove_file(b.path().join("etc/hosts")).unwrap();
        let v = judge_node(run, &[b.path()]);
        assert_eq!(v.status, Status::Skip, "{}", v.summary);
        assert_eq!(v.code, Some("no-resolver-evidence"));
        // The lab's sosreport has no cluster.conf: nothing to resolve.
        let v = judge_node(run, &[&fixture("bundles/sos-hostname-mismatch-node2")]);
        assert_eq!(v.status, Status::Skip, "{}", v.summary);
    }
}
