//! Cluster mode's pipelining: each node's per-node checks run in the node's
//! fetch worker as soon as its bundle is in, while slower nodes still collect.
//! The peers are not in yet, so the checks see stand-ins for them; a check that
//! never asks a stand-in anything has its final verdict already (its result
//! depends on its own node's evidence alone), the others run again once every
//! node is in. The results are the same as running everything at the end.
//! The node's memoised facts (its parsed cluster.conf, kernel log...) are warmed
//! by the early run either way; they come from the node's own evidence only.

use crate::trials::{record, Meta};
use o2check_checks::check::Check;
use o2check_checks::source::{ClockRecord, CommandOutput, Source, TcpProbe};
use o2check_checks::{EvidenceError, NodeCtx, Options};
use o2check_reports::CheckResult;
use std::collections::HashMap;
use std::net::{Ipv4Addr, SocketAddrV4};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// One node's per-node check results, computed as its bundle arrived while
/// other nodes were still collecting.
#[derive(Clone)]
pub struct Early {
    /// How many peers the checks were shown; the results stand only if the
    /// node ends up with that many (a peer unreachable, or a duplicate, changes it).
    peers: usize,
    /// By check id: the checks that never looked at a peer, whose verdict is
    /// therefore what it will be with the real peers.
    results: HashMap<&'static str, CheckResult>,
}

impl Early {
    /// How many peers the checks were run against.
    pub fn peers(&self) -> usize {
        self.peers
    }

    /// `check`'s result, if it was final when the node arrived.
    pub fn result(&self, check: &str) -> Option<&CheckResult> {
        self.results.get(check)
    }
}

/// Run the `wanted` per-node checks of `source` now, with `peers` stand-ins for
/// the other nodes; keep each result whose check did not touch a stand-in.
pub fn early(
    source: &dyn Source,
    options: &Options,
    checks: &[&'static Check],
    peers: usize,
    wanted: &dyn Fn(&str) -> bool,
) -> Early {
    let absent = PeerNotYetIn::default();
    let stand_ins: Vec<&dyn Source> = vec![&absent; peers];
    let ctx = NodeCtx::new(source, options).with_peers(stand_ins);
    let mut results = HashMap::new();
    for &check in checks {
        if !wanted(&format!("{}@{}", check.id, source.node())) {
            continue;
        }
        absent.looked_at.store(false, Ordering::SeqCst);
        let result = record(Meta::of(check), source.node(), || (check.run)(&ctx));
        if !absent.looked_at.load(Ordering::SeqCst) {
            results.insert(check.id, result);
        }
    }
    Early { peers, results }
}

/// A peer whose evidence is not in yet: any question to it marks the check as
/// one that depends on its peers (and answers "not collected", unused).
#[derive(Default)]
struct PeerNotYetIn {
    looked_at: AtomicBool,
}

impl PeerNotYetIn {
    fn missing<T>(&self) -> Result<T, EvidenceError> {
        self.looked_at.store(true, Ordering::SeqCst);
        Err(EvidenceError::Unsupported {
            what: "a peer's evidence".into(),
            why: "the peer's bundle is not in yet".into(),
        })
    }
}

impl Source for PeerNotYetIn {
    fn node(&self) -> &str {
        self.looked_at.store(true, Ordering::SeqCst);
        ""
    }
    fn describe(&self) -> String {
        self.looked_at.store(true, Ordering::SeqCst);
        String::new()
    }
    fn is_live(&self) -> bool {
        self.looked_at.store(true, Ordering::SeqCst);
        false
    }
    fn read_file(&self, _path: &str) -> Result<Vec<u8>, EvidenceError> {
        self.missing()
    }
    fn read_tail(&self, _path: &str, _max: usize) -> Result<(Vec<u8>, u64), EvidenceError> {
        self.missing()
    }
    fn list_dir(&self, _path: &str) -> Result<Vec<String>, EvidenceError> {
        self.missing()
    }
    fn command(&self, _argv: &[&str]) -> Result<CommandOutput, EvidenceError> {
        self.missing()
    }
    fn tcp_probe(
        &self,
        _addr: SocketAddrV4,
        _timeout: Duration,
    ) -> Result<TcpProbe, EvidenceError> {
        self.missing()
    }
    fn tcp_probe_from(
        &self,
        _from: Ipv4Addr,
        _addr: SocketAddrV4,
        _timeout: Duration,
    ) -> Result<TcpProbe, EvidenceError> {
        self.missing()
    }
    fn clock(&self) -> Option<ClockRecord> {
        self.looked_at.store(true, Ordering::SeqCst);
        None
    }
    fn taken_at(&self) -> Option<chrono::DateTime<chrono::Utc>> {
        self.looked_at.store(true, Ordering::SeqCst);
        None
    }
    fn command_taken_at(&self, _argv: &[&str]) -> Option<chrono::DateTime<chrono::Utc>> {
        self.looked_at.store(true, Ordering::SeqCst);
        None
    }
    fn open_log(&self, _path: &str) -> Option<Result<std::fs::File, EvidenceError>> {
        Some(self.missing())
    }
    fn facts(&self) -> Option<&o2check_checks::facts::Facts> {
        self.looked_at.store(true, Ordering::SeqCst);
        None
    }
}
