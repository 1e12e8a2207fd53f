//! The benchmarks' compiled ssh stand-in (`o2check-bench` as `sim-ssh`) against a
//! real `o2check run --cluster`, as the cluster benchmark starts it: if the
//! stand-in misread o2check's ssh argv or its collect/clock commands, the
//! benchmark would time failures instead of checks.

use o2check_bench::cluster::{install_stand_in, write_node_tar};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The o2check binary beside this package's binary: cargo builds every binary of
/// the workspace into one directory (`cargo test --workspace` builds o2check;
/// `cargo test -p o2check-bench` alone needs `cargo build -p o2check` first).
fn o2check() -> PathBuf {
    let exe = Path::new(env!("CARGO_BIN_EXE_o2check-bench")).with_file_name("o2check");
    assert!(
        exe.is_file(),
        "{} missing: build it first (cargo build -p o2check)",
        exe.display()
    );
    exe
}

#[test]
fn o2check_sees_every_simulated_node_through_the_compiled_stand_in() {
    let tmp = tempfile::tempdir().unwrap();
    let bundle =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/bundles/lab-capture-healthy-node1");
    let nodes = ["sim0", "sim1", "sim2"];
    for node in nodes {
        write_node_tar(&bundle, tmp.path(), node, &[]).unwrap();
    }
    let ssh = install_stand_in(
        Path::new(env!("CARGO_BIN_EXE_o2check-bench")),
        tmp.path(),
        "sim0",
    )
    .unwrap();
    let out = tmp.path().join("reports");
    let run = Command::new(o2check())
        .args(["run", "-q", "--color", "never", "--deploy", "never"])
        .args(["--nodes", "sim[0-2]", "--parallel", "3", "--ssh-program"])
        .arg(&ssh)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        matches!(run.status.code(), Some(0 | 1)),
        "o2check failed to run: {stderr}"
    );
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("results.json")).unwrap()).unwrap();
    assert_eq!(report["meta"]["mode"], "cluster");
    let results = report["results"].as_array().unwrap();
    let status = |check: &str, node: &str| {
        results
            .iter()
            .find(|r| r["check"] == check && r["node"] == node)
            .map(|r| r["status"].clone())
    };
    for node in nodes {
        // Reached, its tar read (the node is named by its bundle's meta.json) and checked.
        assert_eq!(
            status("node-reachable", node),
            Some("pass".into()),
            "{node}: {stderr}"
        );
        let checked = results
            .iter()
            .filter(|r| r["node"] == node && r["check"] != "node-reachable")
            .count();
        assert!(checked > 10, "{node}: only {checked} per-node results");
    }
    // Every node answered its clock session: the coordinator compared the clocks.
    assert_eq!(status("clock-skew", "cluster"), Some("pass".into()));
}
