//! The collector and the checks cannot drift apart: every check and cluster check
//! runs over every fixture bundle (alone and in the lab pairs) through a source
//! that records each read, and everything read must be something `collect`
//! captures. A check reading a file collect never copies passes live and skips
//! offline (as `o2cb-modules` did with /proc/filesystems).

mod common;

use common::fixtures;
use o2check_checks::collect::plan::{covers, Read};
use o2check_checks::runner::run_all;
use o2check_checks::source::{Bundle, ClockRecord, CommandOutput, Source, TcpProbe};
use o2check_checks::{EvidenceError, Options};
use std::net::SocketAddrV4;
use std::sync::{Arc, Mutex};
use std::time::Duration;

type Log = Arc<Mutex<Vec<String>>>;

struct Recording {
    inner: Bundle,
    uncovered: Log,
}

impl Recording {
    fn note(&self, read: Read) {
        if !covers(read) {
            self.uncovered.lock().unwrap().push(format!("{read:?}"));
        }
    }
}

impl Source for Recording {
    fn node(&self) -> &str {
        self.inner.node()
    }
    fn describe(&self) -> String {
        self.inner.describe()
    }
    fn read_file(&self, path: &str) -> Result<Vec<u8>, EvidenceError> {
        self.note(Read::File(path));
        self.inner.read_file(path)
    }
    fn list_dir(&self, path: &str) -> Result<Vec<String>, EvidenceError> {
        self.note(Read::Dir(path));
        self.inner.list_dir(path)
    }
    fn command(&self, argv: &[&str]) -> Result<CommandOutput, EvidenceError> {
        self.note(Read::Command(argv));
        self.inner.command(argv)
    }
    fn tcp_probe(&self, addr: SocketAddrV4, t: Duration) -> Result<TcpProbe, EvidenceError> {
        self.inner.tcp_probe(addr, t)
    }
    fn clock(&self) -> Option<ClockRecord> {
        self.inner.clock()
    }
    fn taken_at(&self) -> Option<chrono::DateTime<chrono::Utc>> {
        self.inner.taken_at()
    }
}

fn run(dirs: &[&std::path::Path], log: &Log) {
    let sources: Vec<Box<dyn Source>> = dirs
        .iter()
        .map(|d| {
            Box::new(Recording {
                inner: Bundle::open(d).unwrap(),
                uncovered: Arc::clone(log),
            }) as Box<dyn Source>
        })
        .collect();
    run_all(&sources, &Options::default());
}

#[test]
fn every_read_of_every_check_is_collected() {
    let log: Log = Arc::default();
    for dir in common::bundle_dirs() {
        run(&[&dir], &log);
    }
    for (a, b) in [
        ("lab-capture-healthy-node1", "lab-capture-healthy-node2"),
        (
            "lab-cluster-port-blocked-n150",
            "lab-cluster-port-blocked-n151",
        ),
    ] {
        run(&[&fixtures().join(a), &fixtures().join(b)], &log);
    }
    let mut uncovered = log.lock().unwrap().clone();
    uncovered.sort();
    uncovered.dedup();
    assert!(
        uncovered.is_empty(),
        "checks read what `o2check collect` does not capture:\n{}",
        uncovered.join("\n")
    );
}

#[test]
fn the_recorder_sees_what_the_plan_misses() {
    assert!(!covers(Read::File("/etc/o2check-never-collected")));
    assert!(!covers(Read::Command(&["o2cb", "heartbeat-status"])));
    assert!(covers(Read::File("/proc/filesystems")));
    assert!(covers(Read::File(
        "/sys/kernel/config/cluster/o2lab/node/n1/local"
    )));
    assert!(covers(Read::File("/var/log/messages.2.gz")));
    assert!(covers(Read::Command(&[
        "debugfs.ocfs2",
        "-R",
        "stats",
        "/dev/vda"
    ])));
}
