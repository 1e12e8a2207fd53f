//! Cross-node checks and cross-node blame, on the real two-node lab captures
//! (healthy), and on copies with one fault injected (each case says what).

mod common;

use common::Case;
use o2check_checks::runner::run_all;
use o2check_checks::source::{Bundle, Cached, Source};
use o2check_checks::Options;
use o2check_reports::{CheckResult, Status};

fn healthy_pair() -> (Case, Case) {
    (
        Case::from("lab-capture-healthy-node1"),
        Case::from("lab-capture-healthy-node2"),
    )
}

fn run(cases: &[&Case]) -> Vec<CheckResult> {
    let sources: Vec<Box<dyn Source>> = cases
        .iter()
        .map(|c| Box::new(Cached::new(Bundle::open(c.path()).unwrap())) as Box<dyn Source>)
        .collect();
    run_all(&sources, &Options::default())
}

fn status(results: &[CheckResult], check: &str, node: &str) -> (Status, String) {
    let r = results
        .iter()
        .find(|r| r.check == check && r.node == node)
        .unwrap_or_else(|| panic!("no {check}@{node}"));
    (r.status, r.summary.clone())
}

fn assert_status(results: &[CheckResult], check: &str, node: &str, want: Status) -> String {
    let (got, summary) = status(results, check, node);
    assert_eq!(got, want, "{check}@{node}: {summary}");
    summary
}

/// meta.json of a capture bundle with TCP probes and a clock record set.
fn meta(host: &str, probes: &[(&str, bool)], clock: Option<(f64, f64)>) -> String {
    let probes: Vec<String> = probes
        .iter()
        .map(|(addr, ok)| {
            let error = if *ok {
                "null"
            } else {
                "\"Connection timed out (os error 110)\""
            };
            format!(r#"{{"addr":"{addr}","connected":{ok},"error":{error},"millis":2}}"#)
        })
        .collect();
    let clock = clock
        .map(|(off, rtt)| {
            format!(r#","clock":{{"reference":"coord","offset_ms":{off},"rtt_ms":{rtt}}}"#)
        })
        .unwrap_or_default();
    format!(
        r#"{{"host":"{host}","tcp_probes":[{}]{clock}}}"#,
        probes.join(",")
    )
}

/// The cross-node checks a healthy cluster passes from any two nodes' evidence.
const AGREEING_CLUSTER_CHECKS: [&str; 5] = [
    "cluster-conf-identical",
    "o2cb-timeouts-identical",
    "versions-consistent",
    "same-volume-uuid",
    "dlm-domains-agree",
];

#[test]
fn the_healthy_lab_pair_agrees_on_everything_it_can_compare() {
    let (a, b) = healthy_pair();
    let r = run(&[&a, &b]);
    for check in AGREEING_CLUSTER_CHECKS {
        assert_status(&r, check, "cluster", Status::Pass);
    }
    let s = assert_status(&r, "clock-skew", "cluster", Status::Skip);
    assert!(s.contains("clock measurement"), "{s}");
}

#[test]
fn a_kernel_mismatch_fails_versions_consistent() {
    let (a, b) = healthy_pair();
    let b = b.write("commands/uname_-r", "6.1.0-99-amd64\n");
    let s = assert_status(
        &run(&[&a, &b]),
        "versions-consistent",
        "cluster",
        Status::Fail,
    );
    assert!(s.contains("6.1.0-99-amd64 on n151.ocfs2.test"), "{s}");
}

#[test]
fn clock_skew_is_judged_from_the_measured_offsets() {
    let (a, b) = healthy_pair();
    let a = a.write(
        "meta.json",
        &meta("n150.ocfs2.test", &[], Some((12.0, 4.0))),
    );
    let b = b.write(
        "meta.json",
        &meta("n151.ocfs2.test", &[], Some((-30.0, 6.0))),
    );
    let s = assert_status(&run(&[&a, &b]), "clock-skew", "cluster", Status::Pass);
    assert!(s.contains("42.0 ms"), "{s}");
    // 2.5 s apart: well past the 1 s default even allowing for the round trips.
    let b = b.write(
        "meta.json",
        &meta("n151.ocfs2.test", &[], Some((-2488.0, 6.0))),
    );
    let s = assert_status(&run(&[&a, &b]), "clock-skew", "cluster", Status::Fail);
    assert!(
        s.contains("n150.ocfs2.test ahead of n151.ocfs2.test"),
        "{s}"
    );
}

#[test]
fn a_node_with_its_own_volume_fails_same_volume_uuid() {
    let (a, b) = healthy_pair();
    // Node 2 mounted another LUN at the same place: its superblock says another UUID.
    let b = b.edit(
        "commands/debugfs.ocfs2_-R_stats_%2Fdev%2Fvda",
        "F47217E35EA246069E452DD9DC166B05",
        "0123456789ABCDEF0123456789ABCDEF",
    );
    let s = assert_status(&run(&[&a, &b]), "same-volume-uuid", "cluster", Status::Fail);
    assert!(s.contains("holds different volumes"), "{s}");
    // Node 2 has it in fstab but not mounted.
    let (a, b) = healthy_pair();
    let b = b.write("proc/mounts", "proc /proc proc rw 0 0\n");
    let s = assert_status(&run(&[&a, &b]), "same-volume-uuid", "cluster", Status::Fail);
    assert!(s.contains("not mounted on n151.ocfs2.test"), "{s}");
}

#[test]
fn same_volume_uuid_does_not_pass_on_unknown_uuids() {
    let (a, b) = healthy_pair();
    assert_status(&run(&[&a, &b]), "same-volume-uuid", "cluster", Status::Pass);
    // Neither superblock nor `mounted.ocfs2 -d` on node 2: its UUID is unknown,
    // so nothing says both nodes mount the same volume.
    let b = b
        .remove("commands/debugfs.ocfs2_-R_stats_%2Fdev%2Fvda")
        .remove("commands/mounted.ocfs2_-d");
    let s = assert_status(&run(&[&a, &b]), "same-volume-uuid", "cluster", Status::Skip);
    assert!(s.contains("debugfs.ocfs2 -R stats"), "{s}");
}

#[test]
fn a_node_missing_from_anothers_domain_fails_dlm_domains_agree() {
    let (a, b) = healthy_pair();
    // Node 1's log ends with node 2 leaving, while node 2 still has it mounted.
    let left = "[  99.000000] o2dlm: Node 2 leaves domain F47217E35EA246069E452DD9DC166B05 ( 1 ) 1 nodes\n";
    let dmesg = std::fs::read_to_string(a.path().join("commands/dmesg")).unwrap();
    let a = a.write("commands/dmesg", &format!("{dmesg}{left}"));
    let s = assert_status(
        &run(&[&a, &b]),
        "dlm-domains-agree",
        "cluster",
        Status::Fail,
    );
    assert!(s.contains("n150.ocfs2.test sees domain"), "{s}");
    assert!(s.contains("without n151.ocfs2.test (node 2)"), "{s}");
}

#[test]
fn a_port_blocked_on_one_node_fails_that_node_only() {
    // o2net connects from the higher-numbered node (n151) to the lower's port:
    // n151's probe of n150 fails, and n150's own rules drop the port.
    let (a, b) = healthy_pair();
    let a = a
        .write("meta.json", &meta("n150.ocfs2.test", &[], None))
        .write(
            "commands/iptables-save",
            "*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -p tcp -m tcp --dport 7777 -j DROP\nCOMMIT\n",
        );
    let b = b.write(
        "meta.json",
        &meta("n151.ocfs2.test", &[("10.77.0.150:7777", false)], None),
    );
    let r = run(&[&a, &b]);
    let s = assert_status(&r, "o2net-port", "n151.ocfs2.test", Status::Pass);
    assert!(
        s.contains("because of their own side: n150.ocfs2.test"),
        "{s}"
    );
    let s = assert_status(&r, "o2net-port", "n150.ocfs2.test", Status::Fail);
    assert!(s.contains("iptables rule drops TCP 7777"), "{s}");
    assert!(
        s.contains("n151.ocfs2.test cannot reach this node's 10.77.0.150:7777"),
        "{s}"
    );
}

#[test]
fn an_unexplained_failure_fails_both_ends() {
    let (a, b) = healthy_pair();
    // A link down: n151 cannot reach n150 and no rule on either explains it.
    let a = a.write("meta.json", &meta("n150.ocfs2.test", &[], None));
    let b = b.write(
        "meta.json",
        &meta("n151.ocfs2.test", &[("10.77.0.150:7777", false)], None),
    );
    let r = run(&[&a, &b]);
    assert_status(&r, "o2net-port", "n150.ocfs2.test", Status::Fail);
    assert_status(&r, "o2net-port", "n151.ocfs2.test", Status::Fail);
}

/// Bundles fetched by `run --cluster --save-bundles` from the qemu lab: real probes
/// and real clock samples.
fn lab_cluster(case: &str) -> (Case, Case) {
    (
        Case::from(&format!("lab-cluster-{case}-n150")),
        Case::from(&format!("lab-cluster-{case}-n151")),
    )
}

#[test]
fn the_real_cluster_mode_bundles_of_the_healthy_lab_pass_every_cross_node_check() {
    let (a, b) = lab_cluster("healthy");
    let r = run(&[&a, &b]);
    for check in AGREEING_CLUSTER_CHECKS {
        assert_status(&r, check, "cluster", Status::Pass);
    }
    // Measured over ssh to TCG guests: round trips of ~200 ms, offsets within a second.
    let s = assert_status(&r, "clock-skew", "cluster", Status::Pass);
    assert!(s.contains("measured to within"), "{s}");
    for node in ["n150.ocfs2.test", "n151.ocfs2.test"] {
        assert_status(&r, "o2net-port", node, Status::Pass);
    }
}

#[test]
fn the_real_port_blocked_lab_fails_o2net_port_on_the_blocking_node_only() {
    // lab fault port-blocked: node 1 (n150) drops TCP 7777; node 2's mount failed.
    let (a, b) = lab_cluster("port-blocked");
    let r = run(&[&a, &b]);
    let s = assert_status(&r, "o2net-port", "n150.ocfs2.test", Status::Fail);
    assert!(
        s.contains("-A INPUT -p tcp -m tcp --dport 7777 -j DROP"),
        "{s}"
    );
    assert!(
        s.contains("n151.ocfs2.test cannot reach this node's 10.77.0.150:7777"),
        "{s}"
    );
    let s = assert_status(&r, "o2net-port", "n151.ocfs2.test", Status::Pass);
    assert!(
        s.contains("because of their own side: n150.ocfs2.test"),
        "{s}"
    );
    // Alone, node 2's evidence cannot say whose fault it is: it fails.
    let alone = run(&[&b]);
    assert_status(&alone, "o2net-port", "n151.ocfs2.test", Status::Fail);
}

#[test]
fn logged_timeout_mismatches_that_no_longer_hold_are_not_current_faults() {
    // Node 1's log still has the lab's earlier idle-timeout and threshold faults of
    // node 2; node 2 has since been set back. Alone, node 1 cannot know that.
    let (a, b) = lab_cluster("port-blocked");
    let alone = run(&[&a]);
    let s = assert_status(
        &alone,
        "o2cb-timeouts-consistent",
        "n150.ocfs2.test",
        Status::Fail,
    );
    assert!(s.contains("IdleTimeout 6000 ms, this node 5000 ms"), "{s}");
    // With node 2's configfs (threshold 7, idle 5000 ms, as node 1) they are over.
    let r = run(&[&a, &b]);
    let s = assert_status(
        &r,
        "o2cb-timeouts-consistent",
        "n150.ocfs2.test",
        Status::Pass,
    );
    assert!(s.contains("since resolved"), "{s}");
    // A peer that still runs the other value keeps the fault current.
    let b = b.write("sys/kernel/config/cluster/o2lab/idle_timeout_ms", "6000\n");
    let r = run(&[&a, &b]);
    let s = assert_status(
        &r,
        "o2cb-timeouts-consistent",
        "n150.ocfs2.test",
        Status::Fail,
    );
    assert!(s.contains("IdleTimeout 6000 ms"), "{s}");
    assert!(
        !s.contains("HeartbeatTimeout"),
        "the threshold is back in line: {s}"
    );
}

#[test]
fn a_later_connection_to_the_same_peer_ends_a_logged_mismatch() {
    // The real idle-timeout capture, then the connection that follows once the
    // timeouts agree (the line as the healthy capture logs it).
    let c = Case::from("lab-capture-idle-timeout-node2");
    let dmesg = std::fs::read_to_string(c.path().join("commands/dmesg")).unwrap();
    let c = c.write(
        "commands/dmesg",
        &format!("{dmesg}[  400.000000] o2net: Connected to node n150.ocfs2.test (num 1) at 10.77.0.150:7777\n"),
    );
    let s = assert_status(
        &run(&[&c]),
        "o2cb-timeouts-consistent",
        "n151.ocfs2.test",
        Status::Pass,
    );
    assert!(s.contains("since resolved"), "{s}");
}
