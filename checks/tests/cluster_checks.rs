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

#[test]
fn the_healthy_lab_pair_agrees_on_everything_it_can_compare() {
    let (a, b) = healthy_pair();
    let r = run(&[&a, &b]);
    for check in [
        "cluster-conf-identical",
        "o2cb-timeouts-identical",
        "versions-consistent",
        "same-volume-uuid",
        "dlm-domains-agree",
    ] {
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
    let (a, b) = healthy_pair();
    // Node 1 cannot reach node 2's port; node 2's own rules drop it.
    let a = a.write(
        "meta.json",
        &meta("n150.ocfs2.test", &[("10.77.0.151:7777", false)], None),
    );
    let b = b
        .write(
            "meta.json",
            &meta("n151.ocfs2.test", &[("10.77.0.150:7777", true)], None),
        )
        .write(
            "commands/iptables-save",
            "*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -p tcp -m tcp --dport 7777 -j DROP\nCOMMIT\n",
        );
    let r = run(&[&a, &b]);
    let s = assert_status(&r, "o2net-port", "n150.ocfs2.test", Status::Pass);
    assert!(
        s.contains("because of their own side: n151.ocfs2.test"),
        "{s}"
    );
    let s = assert_status(&r, "o2net-port", "n151.ocfs2.test", Status::Fail);
    assert!(s.contains("iptables rule drops TCP 7777"), "{s}");
    assert!(
        s.contains("n150.ocfs2.test cannot reach this node's 10.77.0.151:7777"),
        "{s}"
    );
}

#[test]
fn an_unexplained_failure_fails_both_ends() {
    let (a, b) = healthy_pair();
    // A link down: neither reaches the other and neither has a rule that explains it.
    let a = a.write(
        "meta.json",
        &meta("n150.ocfs2.test", &[("10.77.0.151:7777", false)], None),
    );
    let b = b.write(
        "meta.json",
        &meta("n151.ocfs2.test", &[("10.77.0.150:7777", false)], None),
    );
    let r = run(&[&a, &b]);
    assert_status(&r, "o2net-port", "n150.ocfs2.test", Status::Fail);
    assert_status(&r, "o2net-port", "n151.ocfs2.test", Status::Fail);
}
