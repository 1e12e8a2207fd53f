//! A source held by several owners at once: a fleet run hands each node's
//! evidence both to its cluster's early check (as soon as the cluster's nodes
//! are in) and to the final partition, without reading it twice.

use super::{ClockRecord, CommandOutput, Source, TcpProbe};
use crate::error::EvidenceError;
use std::net::{Ipv4Addr, SocketAddrV4};
use std::sync::Arc;
use std::time::Duration;

/// Every question goes to the shared source itself, memo and facts included.
impl<S: Source + ?Sized> Source for Arc<S> {
    fn node(&self) -> &str {
        (**self).node()
    }
    fn describe(&self) -> String {
        (**self).describe()
    }
    fn is_live(&self) -> bool {
        (**self).is_live()
    }
    fn read_file(&self, path: &str) -> Result<Vec<u8>, EvidenceError> {
        (**self).read_file(path)
    }
    fn read_tail(&self, path: &str, max: usize) -> Result<(Vec<u8>, u64), EvidenceError> {
        (**self).read_tail(path, max)
    }
    fn list_dir(&self, path: &str) -> Result<Vec<String>, EvidenceError> {
        (**self).list_dir(path)
    }
    fn command(&self, argv: &[&str]) -> Result<CommandOutput, EvidenceError> {
        (**self).command(argv)
    }
    fn tcp_probe(&self, addr: SocketAddrV4, timeout: Duration) -> Result<TcpProbe, EvidenceError> {
        (**self).tcp_probe(addr, timeout)
    }
    fn tcp_probe_from(
        &self,
        from: Ipv4Addr,
        addr: SocketAddrV4,
        timeout: Duration,
    ) -> Result<TcpProbe, EvidenceError> {
        (**self).tcp_probe_from(from, addr, timeout)
    }
    fn clock(&self) -> Option<ClockRecord> {
        (**self).clock()
    }
    fn taken_at(&self) -> Option<chrono::DateTime<chrono::Utc>> {
        (**self).taken_at()
    }
    fn command_taken_at(&self, argv: &[&str]) -> Option<chrono::DateTime<chrono::Utc>> {
        (**self).command_taken_at(argv)
    }
    fn open_log(&self, path: &str) -> Option<Result<std::fs::File, EvidenceError>> {
        (**self).open_log(path)
    }
    fn open_command_log(&self, argv: &[&str]) -> Option<Result<std::fs::File, EvidenceError>> {
        (**self).open_command_log(argv)
    }
    fn facts(&self) -> Option<&crate::facts::Facts> {
        (**self).facts()
    }
}
