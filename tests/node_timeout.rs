//! `--node-timeout` is the node's whole budget (collect and the clock samples
//! after it), and it holds even when the node's side leaves something holding the
//! stream open. A stand-in ssh makes each step slow, or leaves a child behind.

mod support;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

fn run(tmp: &Path, script_body: &str, timeout: &str) -> (serde_json::Value, Duration) {
    let fixture =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/bundles/lab-collect-healthy-node1");
    let ssh = tmp.join("ssh");
    // Not std::fs::write: see support/stand_in.rs (ETXTBSY under load).
    support::stand_in::write_executable(&ssh, &format!(
            "#!/bin/sh\nwhile [ \"$#\" -gt 0 ] && [ \"$1\" != -- ]; do [ \"$1\" = -O ] && exit 0; shift; done\nnode=$2; cmd=$3; F={}\n{script_body}\n",
            fixture.display()
        ));
    let out = tmp.join("reports");
    let started = Instant::now();
    let o = Command::new(env!("CARGO_BIN_EXE_o2check"))
        .args([
            "run", "--color", "never", "--deploy", "never", "--nodes", "slow",
        ])
        .args(["--node-timeout", timeout])
        .arg("--ssh-program")
        .arg(&ssh)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    let took = started.elapsed();
    let text = std::fs::read_to_string(out.join("results.json"))
        .unwrap_or_else(|_| panic!("{}", String::from_utf8_lossy(&o.stderr)));
    (serde_json::from_str(&text).unwrap(), took)
}

#[test]
fn the_node_timeout_is_the_total_of_every_step() {
    let tmp = tempfile::tempdir().unwrap();
    // Collect takes 2.5 s, each of the three clock samples 2.5 s: 10 s in steps.
    let (_, took) = run(
        tmp.path(),
        "sleep 2.5\ncase \"$cmd\" in *\" clock\"*) date +%s%N ;; *) tar -C $F -cf - . ;; esac",
        "4",
    );
    assert!(
        took < Duration::from_secs(7),
        "took {took:?} under --node-timeout 4"
    );
}

#[test]
fn a_child_left_holding_the_stream_does_not_outlive_the_node_timeout() {
    let tmp = tempfile::tempdir().unwrap();
    let (report, took) = run(
        tmp.path(),
        "case \"$cmd\" in *\" clock\"*) date +%s%N ;; *) tar -C $F -cf - . ; sleep 100 & ;; esac",
        "3",
    );
    assert!(
        took < Duration::from_secs(8),
        "took {took:?} under --node-timeout 3"
    );
    let reach = report["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["check"] == "node-reachable")
        .unwrap()
        .clone();
    assert_eq!(reach["status"], "error", "{reach}");
}
