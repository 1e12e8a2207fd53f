//! `collect` records what it tried in manifest.json, and an offline run of the
//! bundle it wrote tells absent (the node has none) from not collected (nobody
//! looked) from unreadable (the read failed): the source here is the real healthy
//! lab bundle standing in for a live node, with one unreadable file and one hung
//! command.

mod common;

use common::fixtures;
use o2check_checks::collect::collect;
use o2check_checks::runner::run_all;
use o2check_checks::source::{Bundle, ClockRecord, CommandOutput, Source, TcpProbe};
use o2check_checks::{EvidenceError, Options};
use o2check_reports::Status;
use std::net::SocketAddrV4;
use std::time::Duration;

/// A node as the live source would show it: what the bundle lacks is ENOENT.
struct Node {
    inner: Bundle,
}

fn as_live(r: Result<Vec<u8>, EvidenceError>) -> Result<Vec<u8>, EvidenceError> {
    r.map_err(|e| match e {
        EvidenceError::NotCollected { what, .. } => EvidenceError::Absent { what },
        e => e,
    })
}

impl Source for Node {
    fn node(&self) -> &str {
        self.inner.node()
    }
    fn describe(&self) -> String {
        "test node".into()
    }
    fn read_file(&self, path: &str) -> Result<Vec<u8>, EvidenceError> {
        if path == "/etc/fstab" {
            return Err(EvidenceError::Io {
                what: path.into(),
                error: "Permission denied (os error 13)".into(),
            });
        }
        as_live(self.inner.read_file(path))
    }
    fn list_dir(&self, path: &str) -> Result<Vec<String>, EvidenceError> {
        self.inner.list_dir(path).map_err(|e| match e {
            EvidenceError::NotCollected { what, .. } => EvidenceError::Absent { what },
            e => e,
        })
    }
    fn command(&self, argv: &[&str]) -> Result<CommandOutput, EvidenceError> {
        if argv == ["multipath", "-ll"] {
            return Err(EvidenceError::Timeout {
                what: "command `multipath -ll`".into(),
                seconds: 10,
            });
        }
        self.inner.command(argv).map_err(|e| match e {
            EvidenceError::NotCollected { what, .. } => EvidenceError::Absent { what },
            e => e,
        })
    }
    fn tcp_probe(&self, addr: SocketAddrV4, t: Duration) -> Result<TcpProbe, EvidenceError> {
        self.inner.tcp_probe(addr, t)
    }
    fn clock(&self) -> Option<ClockRecord> {
        None
    }
}

#[test]
fn the_manifest_keeps_absent_unreadable_and_uncollected_apart() {
    let node = Node {
        inner: Bundle::open(&fixtures().join("lab-capture-healthy-node1")).unwrap(),
    };
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("b");
    let summary = collect(&node, &out, Duration::from_millis(100)).unwrap();
    assert!(summary.absent > 0);
    assert!(
        summary.failed.iter().any(|f| f.contains("/etc/fstab")),
        "{:?}",
        summary.failed
    );
    assert_eq!(summary.timed_out, ["multipath -ll"]);

    let b = Bundle::open(&out).unwrap();
    let m = b.manifest().expect("collect writes manifest.json");
    assert!(m.files.contains_key("/etc/ocfs2/cluster.conf"));
    // Each command says when it started (a heartbeat slot's age is measured
    // against it, not against the start of a long collection).
    let meta: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("meta.json")).unwrap()).unwrap();
    let started = meta["commands"]["uname_-n"]["started_at"].as_str().unwrap();
    assert_eq!(
        b.command_taken_at(&["uname", "-n"]).map(|t| t.to_rfc3339()),
        chrono::DateTime::parse_from_rfc3339(started)
            .ok()
            .map(|t| t.with_timezone(&chrono::Utc).to_rfc3339())
    );
    // Named by cluster.conf's cluster stanza, read by disk-slots without it.
    assert!(b.command(&["o2cb", "list-cluster", "o2lab"]).is_ok());
    // The lab node is Debian: no /etc/sysconfig/o2cb there, and the bundle knows.
    assert!(b.read_file("/etc/sysconfig/o2cb").unwrap_err().is_absent());
    assert!(b.read_file("/etc/fstab").unwrap_err().is_unreadable());
    let hung = b.command(&["multipath", "-ll"]).unwrap_err();
    assert!(matches!(hung, EvidenceError::Timeout { .. }), "{hung}");
    // Inside the walked configfs tree, a missing attribute was not on the node.
    assert!(b
        .read_file("/sys/kernel/config/cluster/o2lab/node/nosuch/local")
        .unwrap_err()
        .is_absent());
    // Never tried by collect: not collected, with what to collect.
    let never = b.read_file("/etc/o2check-never-read").unwrap_err();
    assert!(
        matches!(never, EvidenceError::NotCollected { .. }),
        "{never}"
    );
    assert!(never.to_string().contains("/etc/o2check-never-read"));

    // Offline verdicts follow: unreadable is an error, hung is an error.
    let sources: Vec<Box<dyn Source>> = vec![Box::new(b)];
    let results = run_all(&sources, &Options::default());
    let status = |id: &str| {
        let r = results.iter().find(|r| r.check == id).unwrap();
        (r.status, r.finding.clone(), r.summary.clone())
    };
    for (id, code) in [("fstab", "unreadable"), ("multipath-paths", "timed-out")] {
        let (st, finding, summary) = status(id);
        assert_eq!(
            (st, finding.as_deref()),
            (Status::Error, Some(code)),
            "{id}: {summary}"
        );
    }
    // And the healthy node's checks still pass offline.
    for id in [
        "hostname-in-cluster-conf",
        "cluster-conf-syntax",
        "cluster-online",
        "o2cb-config",
    ] {
        assert_eq!(status(id).0, Status::Pass, "{id}: {}", status(id).2);
    }
}

#[test]
fn an_empty_bundle_fails_nothing() {
    let empty = tempfile::tempdir().unwrap();
    let sources: Vec<Box<dyn Source>> = vec![Box::new(Bundle::open(empty.path()).unwrap())];
    let results = run_all(&sources, &Options::default());
    assert_eq!(results.len(), o2check_checks::rules::ALL.len());
    for r in &results {
        assert_ne!(r.status, Status::Fail, "{}: {}", r.check, r.summary);
        assert_ne!(
            r.status,
            Status::Pass,
            "{} passed with no evidence: {}",
            r.check,
            r.summary
        );
    }
}
