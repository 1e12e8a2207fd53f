//! Fences now versus history, and the 24 h fence count, on the real lab capture
//! of node 2 fencing itself (fixtures/captures/lab-iscsi/fence-fenced: its
//! console through `ocfs2 is very sorry to be fencing this system`) and the
//! bundles `o2check collect` took of it before the fence and after the reboot.
//! The syslog the rebooted node keeps is made from those real lines: each
//! `[seconds since boot]` placed at its boot's time (the bundle's collection
//! time minus its /proc/uptime) in rsyslog's `Mon DD HH:MM:SS host kernel:`
//! prefix, the fenced boot first, then the current one.

mod common;

use chrono::{DateTime, Utc};
use common::{fixtures, Case};
use o2check_checks::kernlog::history::Since;
use o2check_checks::measure::measure;
use o2check_checks::rules;
use o2check_checks::source::{Bundle, Source};
use o2check_checks::{CheckError, NodeCtx, Options, Verdict};
use o2check_reports::Status;
use std::path::Path;

fn console() -> String {
    let path = fixtures().join("../captures/lab-iscsi/fence-fenced/node2/console.log");
    std::fs::read_to_string(path).unwrap()
}

/// When the boot a bundle was collected in began.
fn boot_of(bundle: &str) -> DateTime<Utc> {
    let b = Bundle::open(&fixtures().join(bundle)).unwrap();
    let uptime: f64 = std::fs::read_to_string(fixtures().join(bundle).join("proc/uptime"))
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .parse()
        .unwrap();
    b.taken_at().unwrap() - chrono::Duration::milliseconds((uptime * 1000.0) as i64)
}

/// dmesg lines as rsyslog writes them to kern.log.
fn syslog(dmesg: &str, boot: DateTime<Utc>) -> String {
    dmesg
        .lines()
        .filter_map(|l| {
            let (stamp, msg) = l.strip_prefix('[')?.split_once(']')?;
            let secs: f64 = stamp.trim().parse().ok()?;
            let at = boot + chrono::Duration::milliseconds((secs * 1000.0) as i64);
            Some(format!(
                "{} n151 kernel: [{stamp}]{msg}\n",
                at.format("%b %e %H:%M:%S")
            ))
        })
        .collect()
}

/// The rebooted node's bundle with a kern.log spanning the fenced boot and this one.
fn rebooted() -> Case {
    let now =
        std::fs::read_to_string(fixtures().join("lab-iscsi-fence-rebooted-node2/commands/dmesg"))
            .unwrap();
    let kern_log = format!(
        "{}{}",
        syslog(&console(), boot_of("lab-iscsi-fence-before-node2")),
        syslog(&now, boot_of("lab-iscsi-fence-rebooted-node2"))
    );
    Case::from("lab-iscsi-fence-rebooted-node2").write("var/log/kern.log", &kern_log)
}

fn run(dir: &Path, id: &str, options: &Options) -> Verdict {
    let bundle = Bundle::open(dir).unwrap();
    let check = rules::ALL.iter().find(|c| c.id == id).unwrap();
    (check.run)(&NodeCtx::new(&bundle as &dyn Source, options))
        .unwrap_or_else(CheckError::into_verdict)
}

fn fences_24h(dir: &Path) -> Option<u32> {
    let bundle = Bundle::open(dir).unwrap();
    let options = Options::default();
    let facts = measure(&NodeCtx::new(&bundle as &dyn Source, &options));
    facts.fences_24h()
}

#[test]
fn a_fence_in_the_current_boot_fails() {
    // The fenced boot's own log, as its console kept it to the end.
    let case = Case::from("lab-iscsi-fence-before-node2").write("commands/dmesg", &console());
    let v = run(case.path(), "fencing-events", &Options::default());
    assert_eq!(
        (v.status, v.code),
        (Status::Fail, Some("fenced")),
        "{}",
        v.summary
    );
}

#[test]
fn after_the_reboot_the_fence_is_history_shown_with_its_time() {
    let case = rebooted();
    let v = run(case.path(), "fencing-events", &Options::default());
    assert_eq!(v.status, Status::Pass, "{}: {:#?}", v.summary, v.evidence);
    assert!(
        v.summary.contains("1 earlier fencing message"),
        "{}",
        v.summary
    );
    let earlier: Vec<_> = v
        .evidence
        .iter()
        .filter(|e| e.text.starts_with("earlier, before the last boot"))
        .collect();
    assert!(
        earlier
            .iter()
            .any(|e| e.text.contains("very sorry to be fencing")
                && e.source == "/var/log/kern.log"
                && e.line.is_some()),
        "{:#?}",
        v.evidence
    );
    // `--since boot` keeps it history; a time before the fence widens to it.
    let boot = Options {
        since: Some(Since::Boot),
        ..Options::default()
    };
    assert_eq!(
        run(case.path(), "fencing-events", &boot).status,
        Status::Pass
    );
    let wide = Options {
        since: Some("2026-12-01 09:30".parse().unwrap()),
        ..Options::default()
    };
    let v = run(case.path(), "fencing-events", &wide);
    assert_eq!(
        (v.status, v.code),
        (Status::Fail, Some("fenced")),
        "{}",
        v.summary
    );
}

#[test]
fn the_fence_count_is_a_24_hour_window_ending_when_the_evidence_was_taken() {
    let case = rebooted();
    assert_eq!(fences_24h(case.path()), Some(1));
    // The same evidence collected 25 h later: the fence is out of the window.
    let meta = std::fs::read_to_string(case.path().join("meta.json")).unwrap();
    let later = Case::from("lab-iscsi-fence-rebooted-node2")
        .write(
            "var/log/kern.log",
            &std::fs::read_to_string(case.path().join("var/log/kern.log")).unwrap(),
        )
        .write(
            "meta.json",
            &meta.replace("2026-12-01T09:45:01", "2026-12-02T10:45:01"),
        );
    assert_eq!(fences_24h(later.path()), Some(0));
    // No fence in a healthy node's logs: a real zero.
    assert_eq!(
        fences_24h(&fixtures().join("lab-iscsi-healthy-node2")),
        Some(0)
    );
}

#[test]
fn a_fence_that_cannot_be_placed_in_time_gives_no_number() {
    // The fenced boot's console kept as a file: its `[seconds since boot]`
    // count from a boot before the current one, whose time nothing gives.
    let case = Case::from("lab-iscsi-fence-rebooted-node2").write(
        "var/log/kern.log",
        &format!(
            "{}{}",
            console(),
            std::fs::read_to_string(
                fixtures().join("lab-iscsi-fence-rebooted-node2/commands/dmesg")
            )
            .unwrap()
        ),
    );
    assert_eq!(fences_24h(case.path()), None);
    // The verdict still sees it as history (before the last boot of that file).
    assert_eq!(
        run(case.path(), "fencing-events", &Options::default()).status,
        Status::Pass
    );
}

#[test]
fn heartbeat_age_is_measured_on_a_bundle_against_when_the_slot_was_read() {
    // Node 2 (local in configfs) read its own slot: seq 0x6b0e97bd is
    // 2026-12-01T09:47:41Z, dead time 14000 ms. The bundle predates
    // `started_at`, so its collection time (09:47:29, before the dump was
    // taken) is a lower bound: age 0.
    let dir = fixtures().join("lab-iscsi-healthy-node2");
    let options = Options::default();
    let ages = |d: &Path| {
        let b = Bundle::open(d).unwrap();
        measure(&NodeCtx::new(&b as &dyn Source, &options)).heartbeat
    };
    let h = ages(&dir);
    assert_eq!(h.len(), 1, "{h:?}");
    assert_eq!(
        (
            h[0].slot_node,
            h[0].age_ms,
            h[0].dead_ms,
            h[0].device.as_str()
        ),
        (2, 0, 14000, "/dev/mapper/o2lab_shared")
    );
    // With the time collect started the dump recorded, the age is exact.
    let meta = std::fs::read_to_string(dir.join("meta.json")).unwrap();
    let key = "\"debugfs.ocfs2_-R_hb_%2Fdev%2Fmapper%2Fo2lab_shared\": {";
    let case = Case::from("lab-iscsi-healthy-node2").write(
        "meta.json",
        &meta.replace(
            key,
            &format!("{key}\n      \"started_at\": \"2026-12-01T09:47:45+00:00\","),
        ),
    );
    let h = ages(case.path());
    assert_eq!(h[0].age_ms, 4000, "{h:?}");
    // Without any collection time (a sosreport, a hand-made bundle): no number.
    let case = Case::from("lab-iscsi-healthy-node2").remove("meta.json");
    assert!(ages(case.path()).is_empty());
}

/// Node 2 before the fence (volume mounted), its current boot's dmesg without
/// any o2dlm line (the rebooted node's real one), and a kern.log holding the
/// fenced boot's memberships: those lines are not today's domain.
fn memberships_only_from_an_earlier_boot() -> Case {
    let now =
        std::fs::read_to_string(fixtures().join("lab-iscsi-fence-rebooted-node2/commands/dmesg"))
            .unwrap();
    let kern_log = format!(
        "{}{}",
        syslog(&console(), boot_of("lab-iscsi-fence-before-node2")),
        syslog(&now, boot_of("lab-iscsi-fence-rebooted-node2"))
    );
    Case::from("lab-iscsi-fence-before-node2")
        .write("commands/dmesg", &now)
        .write("var/log/kern.log", &kern_log)
}

#[test]
fn dlm_membership_judges_only_a_membership_that_stands_now() {
    // The bundle's dmesg kept none of the boot's o2dlm lines (it skips); its
    // console has them, and this boot's own join lines are judged.
    let current = Case::from("lab-iscsi-fence-before-node2").write("commands/dmesg", &console());
    let v = run(current.path(), "dlm-membership", &Options::default());
    assert!(
        matches!(v.status, Status::Pass | Status::Fail),
        "{:?} {}",
        v.status,
        v.summary
    );
    assert!(
        v.evidence.iter().all(|e| !e.text.starts_with("earlier")),
        "{:#?}",
        v.evidence
    );
    // Only an earlier boot's lines: not judged, shown as history.
    let case = memberships_only_from_an_earlier_boot();
    let v = run(case.path(), "dlm-membership", &Options::default());
    assert_eq!(
        (v.status, v.code),
        (Status::Skip, Some("no-membership-lines")),
        "{}",
        v.summary
    );
    assert!(v.summary.contains("history"), "{}", v.summary);
    assert!(
        v.evidence
            .iter()
            .any(|e| e.text.starts_with("earlier, before the last boot")
                && e.text.contains("o2dlm")
                && e.source == "/var/log/kern.log"),
        "{:#?}",
        v.evidence
    );
    // `--since` a time before that boot widens the window back to them.
    let wide = Options {
        since: Some("2026-12-01 09:30".parse().unwrap()),
        ..Options::default()
    };
    let v = run(case.path(), "dlm-membership", &wide);
    assert_ne!(v.status, Status::Skip, "{}", v.summary);
}

/// `why`'s causes on one bundle, with `--since` as given.
fn why_causes(dir: &Path, options: &Options) -> Vec<String> {
    let sources: Vec<Box<dyn Source>> = vec![Box::new(Bundle::open(dir).unwrap())];
    let (evidence, _) = o2check_checks::why::gather(&sources, options);
    o2check_checks::why::diagnose(&evidence, None)
        .causes
        .into_iter()
        .map(|c| c.cause)
        .collect()
}

#[test]
fn why_takes_the_fenced_boots_storage_stall_as_history() {
    // In the fenced boot the heartbeat write timeout points at the storage.
    let fenced = Case::from("lab-iscsi-fence-before-node2").write("commands/dmesg", &console());
    let causes = why_causes(fenced.path(), &Options::default());
    assert!(causes.iter().any(|c| c == "storage-io"), "{causes:?}");
    // After the reboot the same lines, kept in kern.log, are history.
    let case = rebooted();
    let causes = why_causes(case.path(), &Options::default());
    assert!(!causes.iter().any(|c| c == "storage-io"), "{causes:?}");
    // Unless --since widens the window back to them.
    let wide = Options {
        since: Some("2026-12-01 09:30".parse().unwrap()),
        ..Options::default()
    };
    let causes = why_causes(case.path(), &wide);
    assert!(causes.iter().any(|c| c == "storage-io"), "{causes:?}");
}
