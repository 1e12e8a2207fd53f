//! Streaming extraction of o2 lines from a kernel log of any size, at the speed
//! of reading it: the log is cut into chunks read with large positioned reads
//! (no mmap: the workspace forbids `unsafe`), every core scans chunks of its own
//! with one multi-keyword SIMD search (aho-corasick) over the chunk rather than a
//! regex per line, and the results are joined in log order ([`scan_chunk`]), so
//! the output is the same as one sequential pass, line numbers included. Memory
//! stays flat: one chunk per core plus a bounded number of finished chunks.
//!
//! [`scan_chunk`]: super::scan_chunk

use super::event::O2Event;
use super::lines::MAX_LINE;
pub use super::scan_chunk::Found;
use super::scan_chunk::{scan_chunk, ChunkOut, Merge};
use std::collections::BTreeMap;
use std::fs::File;
use std::io::Read;
use std::os::unix::fs::FileExt;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::sync_channel;
use std::sync::{Condvar, Mutex};

/// Bytes one core scans at a time: small enough to stay in its L2 cache while the
/// newline count and the keyword search pass over it, large enough that a read
/// costs little.
pub const CHUNK: usize = 1 << 20;
/// Finished chunks that may wait for an earlier one before workers pause.
const AHEAD: usize = 8;

/// What a scan found.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ScanStats {
    /// Bytes of log scanned (decompressed when the log was compressed).
    pub bytes: u64,
    /// Newlines in the log.
    pub newlines: u64,
    pub lines_with_keywords: u64,
    /// Lines handed out: keyword lines and node-list records.
    pub kept: u64,
    pub events: u64,
    pub unknown: u64,
}

impl ScanStats {
    fn count(&mut self, f: &Found) {
        self.kept += 1;
        if f.keyword {
            self.lines_with_keywords += 1;
        }
        if let Some(e) = &f.event {
            self.events += 1;
            if matches!(e, O2Event::Unknown { .. }) {
                self.unknown += 1;
            }
        }
    }
}

/// How many cores to scan with: all of them, at most 8 (past that the page cache
/// copy, not the scan, is the limit).
pub fn default_workers() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get().min(8))
}

/// Scan a regular file on all cores, handing every kept line to `each` in order.
pub fn scan_file(file: &File, each: impl FnMut(Found)) -> std::io::Result<ScanStats> {
    scan_file_with(file, default_workers(), CHUNK, each)
}

/// [`scan_file`] with a chosen number of workers and chunk size (tests place
/// chunk boundaries everywhere with tiny chunks).
pub fn scan_file_with(
    file: &File,
    workers: usize,
    chunk: usize,
    mut each: impl FnMut(Found),
) -> std::io::Result<ScanStats> {
    let chunk = chunk.max(1);
    let len = file.metadata()?.len();
    let chunks = usize::try_from(len.div_ceil(chunk as u64)).unwrap_or(usize::MAX);
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let delivered = (Mutex::new(0usize), Condvar::new());
    let (tx, rx) = sync_channel::<(usize, std::io::Result<ChunkOut>)>(AHEAD);
    let mut stats = ScanStats::default();
    let mut failure = None;
    std::thread::scope(|s| {
        for _ in 0..workers.clamp(1, chunks.max(1)) {
            let tx = tx.clone();
            let (next, stop, delivered) = (&next, &stop, &delivered);
            s.spawn(move || {
                let mut buf = Vec::new();
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= chunks {
                        return;
                    }
                    {
                        let (lock, ready) = delivered;
                        let mut done = lock.lock().unwrap_or_else(|p| p.into_inner());
                        while i >= *done + AHEAD && !stop.load(Ordering::Relaxed) {
                            done = ready.wait(done).unwrap_or_else(|p| p.into_inner());
                        }
                    }
                    if stop.load(Ordering::Relaxed) {
                        return;
                    }
                    let out = read_chunk(file, i as u64 * chunk as u64, chunk, len, &mut buf);
                    if tx.send((i, out)).is_err() {
                        return;
                    }
                }
            });
        }
        drop(tx);
        let mut merge = Merge::default();
        let mut waiting = BTreeMap::new();
        let mut want = 0usize;
        for (i, out) in rx.iter() {
            waiting.insert(i, out);
            while let Some(out) = waiting.remove(&want) {
                match out {
                    Ok(out) => {
                        stats.bytes += out.bytes;
                        stats.newlines += out.newlines;
                        merge.push(out, &mut |f| {
                            stats.count(&f);
                            each(f)
                        });
                    }
                    Err(e) => {
                        failure = Some(e);
                        stop.store(true, Ordering::Relaxed);
                    }
                }
                want += 1;
                let (lock, ready) = &delivered;
                *lock.lock().unwrap_or_else(|p| p.into_inner()) = want;
                ready.notify_all();
            }
            if failure.is_some() {
                break;
            }
        }
        // Wake workers still waiting so the scope can end.
        let (lock, ready) = &delivered;
        stop.store(true, Ordering::Relaxed);
        drop(lock.lock().unwrap_or_else(|p| p.into_inner()));
        ready.notify_all();
    });
    failure.map_or(Ok(stats), Err)
}

/// Read chunk `[start, start + chunk)` with the byte before it and up to
/// [`MAX_LINE`] bytes after it, and scan it. A file that shrank under us reads
/// short and is scanned as far as it goes.
fn read_chunk(
    file: &File,
    start: u64,
    chunk: usize,
    len: u64,
    buf: &mut Vec<u8>,
) -> std::io::Result<ChunkOut> {
    let from = start.saturating_sub(1);
    let end = (start + chunk as u64).min(len);
    let to = (end + MAX_LINE as u64).min(len);
    buf.resize((to - from) as usize, 0);
    let mut got = 0;
    while got < buf.len() {
        match file.read_at(&mut buf[got..], from + got as u64) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    buf.truncate(got);
    let own_start = ((start - from) as usize).min(got);
    let own_end = ((end - from) as usize).min(got);
    let mut out = scan_chunk(buf, (own_start, own_end));
    out.bytes = (own_end - own_start) as u64;
    Ok(out)
}

/// Scan a stream (a pipe, a decompressor) in one pass, with the same result as
/// [`scan_file`] would give on the same bytes.
pub fn scan_reader(input: impl Read, each: impl FnMut(Found)) -> std::io::Result<ScanStats> {
    scan_reader_with(input, CHUNK, each)
}

/// [`scan_reader`] with a chosen chunk size.
pub fn scan_reader_with(
    mut input: impl Read,
    chunk: usize,
    mut each: impl FnMut(Found),
) -> std::io::Result<ScanStats> {
    let chunk = chunk.max(1);
    let mut stats = ScanStats::default();
    let mut merge = Merge::default();
    // The window: the byte before the chunk (after the first), the chunk, and
    // MAX_LINE bytes of look-ahead to finish its last line.
    let mut window: Vec<u8> = Vec::with_capacity(chunk + MAX_LINE + 1);
    let mut own_start = 0;
    loop {
        let want = own_start + chunk + MAX_LINE;
        let mut eof = false;
        while window.len() < want {
            let had = window.len();
            window.resize(want, 0);
            match input.read(&mut window[had..]) {
                Ok(0) => {
                    window.truncate(had);
                    eof = true;
                    break;
                }
                Ok(n) => window.truncate(had + n),
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => window.truncate(had),
                Err(e) => return Err(e),
            }
        }
        let own_end = if eof { window.len() } else { own_start + chunk };
        let out = scan_chunk(&window, (own_start, own_end));
        stats.bytes += (own_end - own_start) as u64;
        stats.newlines += out.newlines;
        merge.push(out, &mut |f| {
            stats.count(&f);
            each(f)
        });
        if eof {
            return Ok(stats);
        }
        window.drain(..own_end - 1);
        own_start = 1;
    }
}

#[cfg(test)]
#[path = "scan_tests.rs"]
mod tests;
