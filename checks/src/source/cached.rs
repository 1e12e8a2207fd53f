//! Memoizes a source: several checks read the same cluster.conf and run the same
//! `o2cb cluster-status`; on a live node each command should run once per run.
//! It also holds the node's [`Facts`], so what is parsed from the evidence is
//! parsed once per run too.

use super::{CommandOutput, Source, TcpProbe};
use crate::error::EvidenceError;
use crate::facts::Facts;
use std::collections::HashMap;
use std::net::SocketAddrV4;
use std::sync::Mutex;
use std::time::Duration;

type Memo<T> = Mutex<HashMap<String, Result<T, EvidenceError>>>;

/// A [`Source`] that answers each question once.
pub struct Cached<S> {
    inner: S,
    files: Memo<Vec<u8>>,
    dirs: Memo<Vec<String>>,
    commands: Memo<CommandOutput>,
    probes: Memo<TcpProbe>,
    facts: Facts,
}

impl<S: Source> Cached<S> {
    pub fn new(inner: S) -> Self {
        Cached {
            inner,
            files: Mutex::default(),
            dirs: Mutex::default(),
            commands: Mutex::default(),
            probes: Mutex::default(),
            facts: Facts::default(),
        }
    }

    pub fn inner(&self) -> &S {
        &self.inner
    }
}

fn memo<T: Clone>(
    memo: &Memo<T>,
    key: String,
    compute: impl FnOnce() -> Result<T, EvidenceError>,
) -> Result<T, EvidenceError> {
    if let Some(hit) = memo.lock().unwrap_or_else(|p| p.into_inner()).get(&key) {
        return hit.clone();
    }
    // Computed outside the lock: two checks racing for the same command may both run
    // it once, which is harmless; holding the lock would serialize every check.
    let value = compute();
    memo.lock()
        .unwrap_or_else(|p| p.into_inner())
        .insert(key, value.clone());
    value
}

impl<S: Source> Source for Cached<S> {
    fn node(&self) -> &str {
        self.inner.node()
    }
    fn describe(&self) -> String {
        self.inner.describe()
    }
    fn is_live(&self) -> bool {
        self.inner.is_live()
    }
    fn read_file(&self, path: &str) -> Result<Vec<u8>, EvidenceError> {
        memo(&self.files, path.to_string(), || self.inner.read_file(path))
    }
    fn open_log(&self, path: &str) -> Option<Result<std::fs::File, EvidenceError>> {
        // Not memoised: the facts memo reads each log once per run.
        self.inner.open_log(path)
    }
    fn open_command_log(&self, argv: &[&str]) -> Option<Result<std::fs::File, EvidenceError>> {
        // Not memoised either: the facts memo scans it once per run.
        self.inner.open_command_log(argv)
    }
    fn list_dir(&self, path: &str) -> Result<Vec<String>, EvidenceError> {
        memo(&self.dirs, path.to_string(), || self.inner.list_dir(path))
    }
    fn command(&self, argv: &[&str]) -> Result<CommandOutput, EvidenceError> {
        memo(&self.commands, argv.join("\u{1f}"), || {
            self.inner.command(argv)
        })
    }
    fn clock(&self) -> Option<super::ClockRecord> {
        self.inner.clock()
    }
    fn taken_at(&self) -> Option<chrono::DateTime<chrono::Utc>> {
        self.inner.taken_at()
    }
    fn command_taken_at(&self, argv: &[&str]) -> Option<chrono::DateTime<chrono::Utc>> {
        self.inner.command_taken_at(argv)
    }
    fn facts(&self) -> Option<&Facts> {
        Some(&self.facts)
    }

    fn tcp_probe(&self, addr: SocketAddrV4, timeout: Duration) -> Result<TcpProbe, EvidenceError> {
        memo(&self.probes, addr.to_string(), || {
            self.inner.tcp_probe(addr, timeout)
        })
    }

    fn tcp_probe_from(
        &self,
        from: std::net::Ipv4Addr,
        addr: SocketAddrV4,
        timeout: Duration,
    ) -> Result<TcpProbe, EvidenceError> {
        memo(&self.probes, format!("{from}->{addr}"), || {
            self.inner.tcp_probe_from(from, addr, timeout)
        })
    }
}
