//! Now versus history on the real lab captures. Node 2 booted with a 10000 ms
//! idle timeout against node 1's 30000 ms; its log holds the rejected handshakes
//! and the failed mount (`ocfs2_dlm_init = -107`). The repaired case appends to
//! that real log the real lines of node 2's healthy start (`o2hb: Heartbeat mode
//! set to local` = `o2cb online`, `o2net: Connected`, `ocfs2: Mounting device`),
//! 100 s later, as the repair (fix the value, `o2cb offline; o2cb online`,
//! mount) writes them; /proc/mounts and configfs are the healthy node's.

mod common;

use common::{fixtures, Case};
use o2check_checks::kernlog::history::Since;
use o2check_checks::rules;
use o2check_checks::source::{Bundle, Source};
use o2check_checks::{CheckError, NodeCtx, Options, Verdict};
use o2check_reports::Status;

const LOG_CHECKS: [&str; 3] = [
    "o2net-stability",
    "ocfs2-errors",
    "o2cb-timeouts-consistent",
];

fn run(case: &Case, id: &str, options: &Options) -> Verdict {
    let bundle = Bundle::open(case.path()).unwrap();
    let check = rules::ALL.iter().find(|c| c.id == id).unwrap();
    (check.run)(&NodeCtx::new(&bundle as &dyn Source, options))
        .unwrap_or_else(CheckError::into_verdict)
}

/// Healthy node 2's kernel lines from its cluster registration on, 100 s later.
fn repair_lines() -> String {
    let healthy =
        std::fs::read_to_string(fixtures().join("lab-capture-healthy-node2/commands/dmesg"))
            .unwrap();
    let from = healthy.find("o2hb: Heartbeat mode set to local").unwrap();
    let start = healthy[..from].rfind('\n').map_or(0, |i| i + 1);
    healthy[start..]
        .lines()
        .map(|l| {
            let (stamp, rest) = l.trim_start_matches('[').split_once(']').unwrap();
            format!(
                "[{:>12.6}]{rest}\n",
                stamp.trim().parse::<f64>().unwrap() + 100.0
            )
        })
        .collect()
}

fn repaired() -> Case {
    let faulty =
        std::fs::read_to_string(fixtures().join("lab-capture-idle-timeout-node2/commands/dmesg"))
            .unwrap();
    let healthy = fixtures().join("lab-capture-healthy-node2");
    let mut case = Case::from("lab-capture-idle-timeout-node2")
        .write("commands/dmesg", &format!("{faulty}{}", repair_lines()))
        .write(
            "proc/mounts",
            &std::fs::read_to_string(healthy.join("proc/mounts")).unwrap(),
        )
        .edit(
            "etc/default/o2cb",
            "O2CB_IDLE_TIMEOUT_MS=10000",
            "O2CB_IDLE_TIMEOUT_MS=30000",
        );
    // configfs as the healthy node has it after `o2cb online`.
    case = case.copy_tree_from(&healthy, "sys/kernel/config");
    case
}

#[test]
fn the_fault_fails_while_it_stands() {
    let case = Case::from("lab-capture-idle-timeout-node2");
    for id in ["o2net-stability", "ocfs2-errors"] {
        let v = run(&case, id, &Options::default());
        assert_eq!(v.status, Status::Fail, "{id}: {}", v.summary);
    }
}

#[test]
fn after_the_repair_the_fault_is_history_shown_with_its_time() {
    let case = repaired();
    for id in LOG_CHECKS {
        let v = run(&case, id, &Options::default());
        assert_eq!(
            v.status,
            Status::Pass,
            "{id}: {}\n{:#?}",
            v.summary,
            v.evidence
        );
        let earlier: Vec<_> = v
            .evidence
            .iter()
            .filter(|e| e.text.starts_with("earlier"))
            .collect();
        assert!(
            !earlier.is_empty(),
            "{id}: no earlier events shown: {:#?}",
            v.evidence
        );
        // Each earlier event keeps its line and its time.
        assert!(
            earlier
                .iter()
                .all(|e| e.line.is_some() && e.text.contains('[')),
            "{earlier:#?}"
        );
    }
    let v = run(&case, "ocfs2-errors", &Options::default());
    assert!(
        v.summary.contains("3 earlier ERROR line(s)"),
        "{}",
        v.summary
    );
}

#[test]
fn since_boot_widens_the_window_back_to_the_fault() {
    let case = repaired();
    let options = Options {
        since: Some(Since::Boot),
        ..Options::default()
    };
    for id in ["o2net-stability", "ocfs2-errors"] {
        let v = run(&case, id, &options);
        assert_eq!(v.status, Status::Fail, "{id} --since boot: {}", v.summary);
    }
}

#[test]
fn since_a_time_says_when_it_cannot_place_the_events() {
    // The capture has no proc/uptime: its `[seconds since boot]` stamps cannot be
    // compared with a time, so they stay current and the verdict says so.
    let case = Case::from("lab-capture-idle-timeout-node2");
    let options = Options {
        since: Some("2100-01-01 00:00".parse().unwrap()),
        ..Options::default()
    };
    let v = run(&case, "ocfs2-errors", &options);
    assert_eq!(v.status, Status::Fail, "{}", v.summary);
    assert!(
        v.evidence
            .iter()
            .any(|e| e.source == "--since" && e.text.contains("could not be placed")),
        "{:#?}",
        v.evidence
    );
}
