//! A pass needs the evidence behind it: every check, on every real fixture where
//! it passes, is run again with its evidence taken away (not collected, or
//! unreadable) and must then not pass; with unreadable evidence it must not fail
//! either, and say it could not decide.

mod common;

use o2check_checks::rules;
use o2check_checks::runner::node_ctx;
use o2check_checks::source::{Bundle, ClockRecord, CommandOutput, Source, TcpProbe};
use o2check_checks::{CheckError, EvidenceError, Options};
use o2check_reports::Status;
use std::net::SocketAddrV4;
use std::time::Duration;

/// How the evidence is taken away.
#[derive(Clone, Copy, Debug)]
enum Gag {
    NotCollected,
    Unreadable,
}

/// A bundle whose every answer for which `hit` holds is replaced by `gag`.
struct Gagged {
    inner: Bundle,
    gag: Gag,
    hit: fn(&str) -> bool,
}

impl Gagged {
    fn refuse<T>(
        &self,
        what: &str,
        real: impl FnOnce() -> Result<T, EvidenceError>,
    ) -> Result<T, EvidenceError> {
        if !(self.hit)(what) {
            return real();
        }
        Err(match self.gag {
            Gag::NotCollected => EvidenceError::NotCollected {
                what: what.into(),
                collect: what.into(),
            },
            Gag::Unreadable => EvidenceError::Timeout {
                what: what.into(),
                seconds: 5,
            },
        })
    }
}

impl Source for Gagged {
    fn node(&self) -> &str {
        self.inner.node()
    }
    fn describe(&self) -> String {
        self.inner.describe()
    }
    fn read_file(&self, path: &str) -> Result<Vec<u8>, EvidenceError> {
        self.refuse(path, || self.inner.read_file(path))
    }
    fn list_dir(&self, path: &str) -> Result<Vec<String>, EvidenceError> {
        self.refuse(path, || self.inner.list_dir(path))
    }
    fn command(&self, argv: &[&str]) -> Result<CommandOutput, EvidenceError> {
        self.refuse(&argv.join(" "), || self.inner.command(argv))
    }
    fn tcp_probe(&self, addr: SocketAddrV4, t: Duration) -> Result<TcpProbe, EvidenceError> {
        self.refuse(&format!("tcp {addr}"), || self.inner.tcp_probe(addr, t))
    }
    fn clock(&self) -> Option<ClockRecord> {
        if (self.hit)("clock") {
            None
        } else {
            self.inner.clock()
        }
    }
}

fn everything(_: &str) -> bool {
    true
}

fn kernel_log(what: &str) -> bool {
    what.starts_with("dmesg") || what.starts_with("journalctl") || what.starts_with("/var/log")
}

fn gagged(dir: &std::path::Path, gag: Gag, hit: fn(&str) -> bool) -> Box<dyn Source> {
    Box::new(Gagged {
        inner: Bundle::open(dir).unwrap(),
        gag,
        hit,
    })
}

/// Status of check `id` on node 0 of `sources`.
fn status(sources: &[Box<dyn Source>], check: &o2check_checks::Check) -> (Status, String) {
    let options = Options::default();
    let ctx = node_ctx(sources, 0, &options);
    let v = (check.run)(&ctx).unwrap_or_else(CheckError::into_verdict);
    (v.status, v.summary)
}

#[test]
fn no_check_passes_or_fails_without_its_evidence() {
    let mut passes_seen = 0;
    let mut wrong = Vec::new();
    for dir in common::bundle_dirs() {
        for check in rules::ALL {
            let real: Vec<Box<dyn Source>> = vec![Box::new(Bundle::open(&dir).unwrap())];
            if status(&real, check).0 != Status::Pass {
                continue;
            }
            passes_seen += 1;
            let name = format!(
                "{}@{}",
                check.id,
                dir.file_name().unwrap().to_string_lossy()
            );
            let none = vec![gagged(&dir, Gag::NotCollected, everything)];
            let (st, why) = status(&none, check);
            if st != Status::Skip {
                wrong.push(format!("{name} with nothing collected: {st:?}: {why}"));
            }
            let hung = vec![gagged(&dir, Gag::Unreadable, everything)];
            let (st, why) = status(&hung, check);
            if st != Status::Error {
                wrong.push(format!("{name} with everything unreadable: {st:?}: {why}"));
            }
        }
    }
    wrong.dedup();
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    assert!(
        passes_seen > 40,
        "only {passes_seen} passes to take evidence from"
    );
}

/// Checks that judge the kernel log: an unreadable log is an error, never a pass.
const LOG_CHECKS: &[&str] = &[
    "o2net-stability",
    "o2cb-timeouts-consistent",
    "ocfs2-errors",
    "fencing-events",
    "dlm-membership",
];

#[test]
fn log_checks_do_not_pass_on_an_unreadable_kernel_log() {
    let mut judged = 0;
    let mut wrong = Vec::new();
    for dir in common::bundle_dirs() {
        for check in rules::ALL.iter().filter(|c| LOG_CHECKS.contains(&c.id)) {
            let real: Vec<Box<dyn Source>> = vec![Box::new(Bundle::open(&dir).unwrap())];
            if status(&real, check).0 != Status::Pass {
                continue;
            }
            judged += 1;
            let name = format!(
                "{}@{}",
                check.id,
                dir.file_name().unwrap().to_string_lossy()
            );
            let hung = vec![gagged(&dir, Gag::Unreadable, kernel_log)];
            let (st, why) = status(&hung, check);
            if st != Status::Error {
                wrong.push(format!(
                    "{name} with the kernel log unreadable: {st:?}: {why}"
                ));
            }
            let none = vec![gagged(&dir, Gag::NotCollected, kernel_log)];
            let (st, why) = status(&none, check);
            if st == Status::Pass {
                wrong.push(format!("{name} with no kernel log collected: {why}"));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    assert!(judged >= 5, "only {judged} log-check passes");
}

#[test]
fn no_cluster_check_passes_or_fails_without_its_evidence() {
    let pairs = [
        ("lab-capture-healthy-node1", "lab-capture-healthy-node2"),
        ("lab-cluster-healthy-n150", "lab-cluster-healthy-n151"),
        (
            "lab-cluster-port-blocked-n150",
            "lab-cluster-port-blocked-n151",
        ),
    ];
    let options = Options::default();
    let mut wrong = Vec::new();
    let mut passes = 0;
    for (a, b) in pairs {
        let (a, b) = (common::fixtures().join(a), common::fixtures().join(b));
        for check in rules::CLUSTER {
            let real: Vec<Box<dyn Source>> = vec![
                Box::new(Bundle::open(&a).unwrap()),
                Box::new(Bundle::open(&b).unwrap()),
            ];
            let ctxs: Vec<_> = (0..2).map(|i| node_ctx(&real, i, &options)).collect();
            let v = (check.run)(&ctxs).unwrap_or_else(CheckError::into_verdict);
            if v.status != Status::Pass {
                continue;
            }
            passes += 1;
            for gag in [Gag::NotCollected, Gag::Unreadable] {
                let gagged_pair = vec![gagged(&a, gag, everything), gagged(&b, gag, everything)];
                let ctxs: Vec<_> = (0..2)
                    .map(|i| node_ctx(&gagged_pair, i, &options))
                    .collect();
                let v = (check.run)(&ctxs).unwrap_or_else(CheckError::into_verdict);
                let allowed = match gag {
                    Gag::NotCollected => v.status == Status::Skip,
                    Gag::Unreadable => matches!(v.status, Status::Skip | Status::Error),
                };
                if !allowed {
                    wrong.push(format!(
                        "{} with {gag:?}: {:?}: {}",
                        check.id, v.status, v.summary
                    ));
                }
            }
        }
    }
    wrong.dedup();
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    assert!(passes >= 6, "only {passes} cluster passes");
}
