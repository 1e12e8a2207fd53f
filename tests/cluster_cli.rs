//! `o2check run --cluster` end to end, with a stand-in for ssh that serves the
//! real lab bundles as the nodes' `o2check collect --out -` would, and refuses
//! one node as ssh does when a host is down (exit 255). The real ssh transport
//! against real sshd's is exercised by tests/netns_cluster.rs.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The stand-in ssh: `-O exit` succeeds; the destination after `--` picks a
/// fixture bundle; `down*` nodes are refused like an unreachable host.
fn fake_ssh(dir: &Path) -> PathBuf {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/bundles");
    let body = format!(
        r#"case "$node" in
  n150) bundle=lab-collect-healthy-node1 ;;
  n151) bundle=lab-collect-hostname-mismatch-node2 ;;
  p150) bundle=lab-cluster-port-blocked-n150 ;;
  p151) bundle=lab-cluster-port-blocked-n151 ;;
  *) echo "ssh: connect to host $node port 22: Connection refused" >&2; exit 255 ;;
esac
case "$cmd" in
  *--version*) echo "o2check {version}" ;;
  *" clock"*) date +%s%N ;;
  *" collect "*) tar -C "{fixtures}/$bundle" -cf - . ;;
  *) echo "unexpected: $cmd" >&2; exit 127 ;;
esac
"#,
        version = env!("CARGO_PKG_VERSION"),
        fixtures = fixtures.display()
    );
    let path = dir.join("ssh");
    // Not std::fs::write: see support/stand_in.rs (ETXTBSY under load).
    support::stand_in::write_ssh(&path, &body);
    path
}

fn run_cluster(nodes: &str, out: &Path, ssh: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_o2check"))
        .args([
            "run", "--color", "never", "--deploy", "never", "--nodes", nodes,
        ])
        .arg("--ssh-program")
        .arg(ssh)
        .arg("--out")
        .arg(out)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("o2check runs")
}

fn result<'a>(report: &'a serde_json::Value, check: &str, node: &str) -> &'a serde_json::Value {
    report["results"]
        .as_array()
        .expect("results")
        .iter()
        .find(|r| r["check"] == check && r["node"] == node)
        .unwrap_or_else(|| {
            // Say what was there instead: a node named by its ssh destination
            // carries the error that kept its bundle from being read.
            let seen: Vec<String> = report["results"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|r| r["check"] == check)
                .map(|r| format!("{}: {} {}", r["node"], r["status"], r["summary"]))
                .collect();
            panic!("no {check}@{node}; {check} results: {seen:#?}")
        })
}

/// What a result says, without its timing: check, node, status, finding,
/// summary, evidence and fix.
fn said(report: &serde_json::Value, skip: &[&str]) -> Vec<String> {
    report["results"]
        .as_array()
        .expect("results")
        .iter()
        .filter(|r| !skip.iter().any(|c| r["check"] == *c))
        .map(|r| {
            let mut r = r.clone();
            r.as_object_mut().unwrap().remove("duration_ms");
            r.to_string()
        })
        .collect()
}

fn report_of(path: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

/// Cluster mode runs each node's checks as its bundle arrives (before its peers
/// are in); the report must be what running every check at the end gives:
/// `run --bundle` of the same bundles. The port-blocked pair is the case where
/// a per-node check (o2net-port) consults its peers' evidence; with an
/// unreachable third node the peers are fewer than expected and the early
/// results must give way too.
#[test]
fn a_pipelined_cluster_run_reports_what_checking_at_the_end_does() {
    let tmp = tempfile::tempdir().unwrap();
    let ssh = fake_ssh(tmp.path());
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/bundles");
    let at_end = tmp.path().join("at-end.json");
    let o = Command::new(env!("CARGO_BIN_EXE_o2check"))
        .args(["run", "-q", "--no-reports", "--json"])
        .arg(&at_end)
        .arg("--bundle")
        .arg(fixtures.join("lab-cluster-port-blocked-n150"))
        .arg("--bundle")
        .arg(fixtures.join("lab-cluster-port-blocked-n151"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "the port-blocked pair fails");
    let at_end = report_of(&at_end);
    // node-reachable and clock-skew exist only in cluster mode (the clock is
    // measured by the coordinator); everything else must be the same.
    let cluster_only = ["node-reachable", "clock-skew"];
    let expected = said(&at_end, &cluster_only);
    assert!(
        expected
            .iter()
            .any(|r| r.contains("\"check\":\"o2net-port\"") && r.contains("\"fail\"")),
        "the case needs a peer-dependent failure: {expected:#?}"
    );
    for nodes in ["p[150-151]", "p[150-151],down1"] {
        let out = tmp.path().join(nodes);
        let o = run_cluster(nodes, &out, &ssh);
        assert_eq!(
            o.status.code(),
            Some(1),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
        let pipelined = said(&report_of(&out.join("results.json")), &cluster_only);
        let differ: Vec<&String> = pipelined.iter().filter(|r| !expected.contains(r)).collect();
        assert!(
            differ.is_empty(),
            "{nodes}: differs from the run at the end: {differ:#?}"
        );
        assert_eq!(pipelined, expected, "{nodes}: same results, same order");
    }
}

#[test]
fn every_node_is_checked_and_an_unreachable_one_is_an_error_of_its_own() {
    let tmp = tempfile::tempdir().unwrap();
    let ssh = fake_ssh(tmp.path());
    let out = tmp.path().join("reports");
    let o = run_cluster("n[150-151],down1", &out, &ssh);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{stderr}");
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("results.json")).unwrap()).unwrap();
    assert_eq!(report["meta"]["mode"], "cluster");
    // Nodes are named by the hostnames their bundles report.
    assert_eq!(
        result(&report, "node-reachable", "n150.ocfs2.test")["status"],
        "pass"
    );
    assert_eq!(
        result(&report, "node-reachable", "n151.test.com")["status"],
        "pass"
    );
    let down = result(&report, "node-reachable", "down1");
    assert_eq!(down["status"], "error");
    assert!(
        down["summary"]
            .as_str()
            .unwrap()
            .contains("Connection refused"),
        "{down}"
    );
    let per_node_of_down = report["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["node"] == "down1")
        .count();
    assert_eq!(
        per_node_of_down, 1,
        "only node-reachable for an unreachable node"
    );
    // The node booted with the wrong hostname fails as it does offline.
    assert_eq!(
        result(&report, "hostname-in-cluster-conf", "n151.test.com")["status"],
        "fail"
    );
    assert_eq!(
        result(&report, "hostname-in-cluster-conf", "n150.ocfs2.test")["status"],
        "pass"
    );
    // The coordinator measured both clocks (the same host here): no skew.
    assert_eq!(result(&report, "clock-skew", "cluster")["status"], "pass");
    let junit = std::fs::read_to_string(out.join("junit.xml")).unwrap();
    for suite in [
        "o2check.n150.ocfs2.test",
        "o2check.n151.test.com",
        "o2check.down1",
        "o2check.cluster",
    ] {
        assert!(
            junit.contains(&format!("name=\"{suite}\"")),
            "suite {suite} missing"
        );
    }
}

#[test]
fn no_nodes_and_no_cluster_conf_is_a_usage_error() {
    let tmp = tempfile::tempdir().unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_o2check"))
        .args(["run", "--cluster", "--cluster-conf"])
        .arg(tmp.path().join("missing.conf"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(stderr.contains("--nodes or --inventory"), "{stderr}");
    let o = Command::new(env!("CARGO_BIN_EXE_o2check"))
        .args(["run", "--nodes", "n[3-1]"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("runs backwards"));
}

#[test]
fn collect_to_stdout_is_a_tar_of_a_bundle() {
    let o = Command::new(env!("CARGO_BIN_EXE_o2check"))
        .args([
            "collect",
            "--out",
            "-",
            "--command-timeout",
            "5",
            "--tcp-timeout-ms",
            "200",
        ])
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let mut archive = tar::Archive::new(o.stdout.as_slice());
    let names: Vec<String> = archive
        .entries()
        .unwrap()
        .map(|e| e.unwrap().path().unwrap().display().to_string())
        .collect();
    assert!(names.iter().any(|n| n.ends_with("meta.json")), "{names:?}");
    assert!(
        names.iter().any(|n| n.contains("commands/uname_-n")),
        "{names:?}"
    );
}

fn run_with_payload(payload: &Path, out: &Path, ssh: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_o2check"))
        .args(["run", "--color", "never", "--nodes", "n150"])
        .arg("--payload")
        .arg(payload)
        .arg("--ssh-program")
        .arg(ssh)
        .arg("--out")
        .arg(out)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("o2check runs")
}

#[test]
fn a_payload_that_is_not_an_executable_is_refused_before_any_node_is_touched() {
    let tmp = tempfile::tempdir().unwrap();
    let ssh = fake_ssh(tmp.path());
    let script = tmp.path().join("not-a-binary");
    std::fs::write(&script, "#!/bin/sh\necho o2check\n").unwrap();
    let o = run_with_payload(&script, &tmp.path().join("reports"), &ssh);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("not an x86_64 ELF executable"), "{stderr}");
}

#[test]
fn a_host_only_payload_is_named_in_a_warning_line() {
    // The test build links the host's glibc: deploying it must say so.
    let tmp = tempfile::tempdir().unwrap();
    let ssh = fake_ssh(tmp.path());
    let exe = Path::new(env!("CARGO_BIN_EXE_o2check"));
    let o = run_with_payload(exe, &tmp.path().join("reports"), &ssh);
    let stderr = String::from_utf8_lossy(&o.stderr);
    let warning: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("o2check: warning: --payload"))
        .collect();
    assert_eq!(warning.len(), 1, "{stderr}");
    assert!(warning[0].contains("needs glibc 2."), "{stderr}");
    // The run itself goes on (whatever the stand-in ssh makes of the deploy).
    assert_ne!(o.status.code(), Some(2), "{stderr}");
}
