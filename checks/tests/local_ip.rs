//! `name-resolution` tells "this node's own cluster.conf address is on no
//! interface" (o2net cannot listen) apart from "a name resolves elsewhere", and
//! `why` rules local-ip-missing in on the first alone. Evidence: the real iSCSI
//! lab node 2 bundle, with its real `ip -o addr` less the interconnect line (what
//! `ip addr del 10.77.0.151/24 dev eth0` leaves), or its hosts file pointing the
//! node's own name elsewhere while the address stays up.

mod common;

use common::{fixtures, Case};
use o2check_checks::rules;
use o2check_checks::source::{Bundle, Source};
use o2check_checks::why::{diagnose, gather};
use o2check_checks::{CheckError, NodeCtx, Options, Verdict};
use o2check_reports::diagnosis::Confidence;
use o2check_reports::Status;

const BASE: &str = "lab-iscsi-healthy-node2";

fn name_resolution(case: &Case) -> Verdict {
    let bundle = Bundle::open(case.path()).unwrap();
    let check = rules::ALL
        .iter()
        .find(|c| c.id == "name-resolution")
        .unwrap();
    let options = Options::default();
    (check.run)(&NodeCtx::new(&bundle as &dyn Source, &options))
        .unwrap_or_else(CheckError::into_verdict)
}

fn without_interconnect() -> Case {
    let ip = std::fs::read_to_string(fixtures().join(BASE).join("commands/ip_-o_addr")).unwrap();
    let kept: String = ip
        .lines()
        .filter(|l| !l.contains("inet 10.77.0.151/"))
        .map(|l| format!("{l}\n"))
        .collect();
    assert_ne!(
        kept.len(),
        ip.len(),
        "the fixture has the interconnect address"
    );
    Case::from(BASE).write("commands/ip_-o_addr", &kept)
}

#[test]
fn the_healthy_node_passes() {
    let v = name_resolution(&Case::from(BASE));
    assert_eq!(v.status, Status::Pass, "{}", v.summary);
}

#[test]
fn the_local_address_on_no_interface_has_its_own_finding() {
    let v = name_resolution(&without_interconnect());
    assert_eq!(
        (v.status, v.code),
        (Status::Fail, Some("local-ip-missing")),
        "{}",
        v.summary
    );
    assert!(v.summary.contains("10.77.0.151"), "{}", v.summary);
}

#[test]
fn a_name_resolving_elsewhere_is_only_misresolved() {
    // getent answers from the bundle's recorded output: point it elsewhere.
    let case = Case::from(BASE).write(
        "commands/getent_ahostsv4_n151.ocfs2.test",
        "10.77.0.99      STREAM n151.ocfs2.test\n10.77.0.99      DGRAM  \n10.77.0.99      RAW    \n",
    );
    let v = name_resolution(&case);
    assert_eq!(
        (v.status, v.code),
        (Status::Fail, Some("misresolved")),
        "{}",
        v.summary
    );
}

#[test]
fn why_rules_local_ip_missing_in_on_the_finding() {
    let case = without_interconnect();
    let sources: Vec<Box<dyn Source>> = vec![Box::new(Bundle::open(case.path()).unwrap())];
    let (evidence, _) = gather(&sources, &Options::default());
    let d = diagnose(&evidence, None);
    let cause = d
        .causes
        .iter()
        .find(|c| c.cause == "local-ip-missing")
        .unwrap_or_else(|| {
            panic!(
                "not ranked: {:?}",
                d.causes.iter().map(|c| &c.cause).collect::<Vec<_>>()
            )
        });
    assert_eq!(cause.confidence, Confidence::Strong, "{cause:?}");
    // The healthy node does not get it.
    let sources: Vec<Box<dyn Source>> =
        vec![Box::new(Bundle::open(&fixtures().join(BASE)).unwrap())];
    let (evidence, _) = gather(&sources, &Options::default());
    assert!(!diagnose(&evidence, None)
        .causes
        .iter()
        .any(|c| c.cause == "local-ip-missing"));
}
