//! Where evidence comes from. A live host, a bundle directory captured earlier and a
//! sosreport all answer the same questions, so every check runs unchanged on each.

mod bundle;
mod cached;
pub mod confined;
pub mod exec;
mod live;
pub mod manifest;
pub mod memory_tree;
mod names;
mod shared;
pub mod sosreport;

pub use bundle::{Bundle, BundleMeta, ClockRecord, CommandRecord, TcpProbeRecord};
pub use cached::Cached;
pub use live::Live;
pub use names::command_file_name;

use crate::error::EvidenceError;
use std::net::SocketAddrV4;
use std::time::Duration;

/// What a command printed and how it ended.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CommandOutput {
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    /// `None` when unknown (a hand-made bundle without meta.json) or killed by a signal.
    pub exit_code: Option<i32>,
}

/// The result of trying to open a TCP connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TcpProbe {
    pub addr: SocketAddrV4,
    pub connected: bool,
    /// The OS error when not connected (`Connection refused`, `timed out`).
    pub error: Option<String>,
    pub millis: u64,
}

/// Evidence about one node. Paths are host paths (`/etc/ocfs2/cluster.conf`);
/// commands are argv vectors (`["o2cb", "cluster-status"]`).
pub trait Source: Send + Sync {
    /// The node's name as reports show it (its hostname when known).
    fn node(&self) -> &str;
    /// `live`, `bundle:<dir>` or `sosreport:<dir>`, for reports.
    fn describe(&self) -> String;
    /// True for the live host, where probes and timing-sensitive reads are real.
    fn is_live(&self) -> bool {
        false
    }
    fn read_file(&self, path: &str) -> Result<Vec<u8>, EvidenceError>;
    /// The end of a file, at most `max` bytes from a line start (a log's tail),
    /// and the file's whole size: the live host reads only that much, whatever
    /// the file's size.
    fn read_tail(&self, path: &str, max: usize) -> Result<(Vec<u8>, u64), EvidenceError> {
        let mut bytes = self.read_file(path)?;
        let total = bytes.len() as u64;
        if bytes.len() > max {
            bytes.drain(..bytes.len() - max);
            if let Some(nl) = memchr::memchr(b'\n', &bytes) {
                bytes.drain(..=nl);
            }
        }
        Ok((bytes, total))
    }
    /// Names of the entries of a directory (configfs, /sys), sorted.
    fn list_dir(&self, path: &str) -> Result<Vec<String>, EvidenceError>;
    fn command(&self, argv: &[&str]) -> Result<CommandOutput, EvidenceError>;
    /// Try a TCP connection from this node. Bundles answer from probes recorded at
    /// collection time, or say the probe is unsupported.
    fn tcp_probe(&self, addr: SocketAddrV4, timeout: Duration) -> Result<TcpProbe, EvidenceError>;
    /// [`Source::tcp_probe`] from the local address `from`, as o2net connects: the
    /// accepting node tells peers apart by source address, so a probe from another
    /// address is not the connection o2net would make.
    fn tcp_probe_from(
        &self,
        _from: std::net::Ipv4Addr,
        addr: SocketAddrV4,
        timeout: Duration,
    ) -> Result<TcpProbe, EvidenceError> {
        self.tcp_probe(addr, timeout)
    }
    /// The node's clock against the collecting host, when it was measured
    /// (bundles fetched by `o2check run --cluster`).
    fn clock(&self) -> Option<ClockRecord> {
        None
    }
    /// When this evidence was taken: now for the live host, the collection time
    /// of a bundle (its meta.json), `None` when unknown.
    fn taken_at(&self) -> Option<chrono::DateTime<chrono::Utc>> {
        None
    }
    /// When the output of `argv` was taken: a bundle records when collect
    /// started each command (a collection takes a while, and a heartbeat
    /// slot's age is only right against the time it was read); otherwise
    /// [`Source::taken_at`].
    fn command_taken_at(&self, _argv: &[&str]) -> Option<chrono::DateTime<chrono::Utc>> {
        self.taken_at()
    }
    /// A log file opened for streaming (the kernel-log scanner reads it in chunks
    /// on all cores, decompressing a rotated one on the way, in flat memory), or
    /// `None` when this source can only hand whole files ([`Source::read_file`]).
    fn open_log(&self, _path: &str) -> Option<Result<std::fs::File, EvidenceError>> {
        None
    }
    /// The saved output of a kernel-log command (`dmesg`, `journalctl -k`) opened
    /// for the same streaming scan as [`Source::open_log`], or `None` when this
    /// source can only run it or hand it whole ([`Source::command`]).
    fn open_command_log(&self, _argv: &[&str]) -> Option<Result<std::fs::File, EvidenceError>> {
        None
    }
    /// The node's facts memo (see [`crate::facts`]): one parse per run. Only a
    /// [`Cached`] source keeps one; others parse on every call.
    fn facts(&self) -> Option<&crate::facts::Facts> {
        None
    }
}
