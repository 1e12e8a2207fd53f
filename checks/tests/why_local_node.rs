//! `o2check why` for the two causes of "the kernel has no local node" that the
//! lab does not inject on its own: `no-local-node` (registered while the
//! hostname matched no stanza, hostname fixed since, cluster not re-registered)
//! and `local-ip-missing` (the stanza's address is on no interface, so o2net
//! cannot bind its listener). Both start from the lab's real hostname-mismatch
//! capture of node2, whose configfs has every node at local = 0.

mod common;

use common::Case;
use o2check_checks::source::{Bundle, Source};
use o2check_checks::why::{diagnose, gather};
use o2check_checks::Options;
use o2check_reports::diagnosis::{Confidence, Diagnosis};

const JOIN: &str = "mount.ocfs2: Internal logic failure while trying to join the group";

fn why(case: &Case, error: &str) -> Diagnosis {
    let sources: Vec<Box<dyn Source>> = vec![Box::new(Bundle::open(case.path()).unwrap())];
    let (evidence, _) = gather(&sources, &Options::default());
    diagnose(&evidence, Some(error))
}

fn first(d: &Diagnosis) -> (&str, Confidence) {
    let c = d.causes.first().expect("a cause");
    (c.cause.as_str(), c.confidence)
}

/// Node2 as the lab captured it, hostname set back to its stanza's name: o2cb
/// now would mark it local, but the kernel still has the registration of before.
fn hostname_fixed_not_reregistered(base: &str) -> Case {
    Case::from(base)
        .write("commands/uname_-n", "n151.ocfs2.test\n")
        .write("etc/hostname", "n151.ocfs2.test\n")
}

#[test]
fn a_registration_without_a_local_node_is_no_local_node() {
    let d = why(
        &hostname_fixed_not_reregistered("lab-capture-hostname-mismatch-node2"),
        JOIN,
    );
    assert_eq!(first(&d), ("no-local-node", Confidence::Strong), "{d:#?}");
    let c = &d.causes[0];
    assert!(
        c.evidence.iter().any(|e| e.source.ends_with("/local")),
        "{:?}",
        c.evidence
    );
    // The hostname matches a stanza now: that cause is out.
    assert!(
        !d.causes
            .iter()
            .any(|c| c.cause == "hostname-not-in-cluster-conf"),
        "{d:#?}"
    );
}

/// The same node with its interconnect address gone from `ip -o addr` and
/// o2net's bind failure in dmesg (linux fs/ocfs2/cluster/tcp.c,
/// o2net_open_listening_sock(): "o2net: Error %d while binding socket at
/// %pI4:%u"; -99 is EADDRNOTAVAIL).
fn address_missing() -> Case {
    let case = hostname_fixed_not_reregistered("lab-collect-hostname-mismatch-node2").edit(
        "commands/ip_-o_addr",
        "10.77.0.151/24",
        "10.77.0.161/24",
    );
    let dmesg = case.path().join("commands/dmesg");
    let mut log = std::fs::read_to_string(&dmesg).unwrap();
    log.push_str("[  300.000000] o2net: Error -99 while binding socket at 10.77.0.151:7777\n");
    std::fs::write(&dmesg, log).unwrap();
    case
}

#[test]
fn a_bind_failure_on_a_missing_address_names_local_ip_missing_with_the_kernel_line() {
    let d = why(&address_missing(), JOIN);
    let c = d
        .causes
        .iter()
        .find(|c| c.cause == "local-ip-missing")
        .unwrap_or_else(|| panic!("{d:#?}"));
    assert!(c.confidence >= Confidence::Supporting, "{c:#?}");
    assert!(
        c.evidence
            .iter()
            .any(|e| e.text.contains("while binding socket at 10.77.0.151:7777")),
        "{:?}",
        c.evidence
    );
}

/// The missing address is why the kernel has no local node, so it should come
/// first. Today it is only `supporting` (name-resolution has no finding of its
/// own for it: issue 10 item 5, the evidence branch) and `no-local-node`, its
/// consequence, is named first.
#[test]
#[ignore = "known defect: local-ip-missing ranks below the no-local-node it causes (issue 10 item 5)"]
fn local_ip_missing_ranks_above_the_no_local_node_it_causes() {
    let d = why(&address_missing(), JOIN);
    assert_eq!(first(&d).0, "local-ip-missing", "{d:#?}");
}
