//! Streaming extraction of o2 events from a log of any size: the file is read in
//! fixed-size chunks, candidate lines are found with a SIMD substring search
//! (memchr) over the whole chunk, and only those lines are decoded and parsed.
//! Memory stays flat: one chunk plus the carried-over partial line, which is
//! capped so a line of megabytes cannot grow it.

use super::event::{recognize, O2Event};
use memchr::memmem::Finder;
use std::io::Read;

const CHUNK: usize = 4 << 20;
/// A partial line longer than this is dropped rather than carried over.
const MAX_CARRY: usize = 1 << 20;

/// What a scan found.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ScanStats {
    pub bytes: u64,
    pub lines_with_keywords: u64,
    pub events: u64,
    pub unknown: u64,
}

/// Scan `input`, handing every recognised event to `each`.
pub fn scan(mut input: impl Read, mut each: impl FnMut(O2Event)) -> std::io::Result<ScanStats> {
    let finders = [
        Finder::new("o2"),
        Finder::new("ocfs2"),
        Finder::new("OCFS2"),
    ];
    let mut stats = ScanStats::default();
    let mut buf = vec![0u8; CHUNK + MAX_CARRY];
    let mut carry = 0usize;
    loop {
        let n = input.read(&mut buf[carry..carry + CHUNK])?;
        let end = carry + n;
        stats.bytes += n as u64;
        // Lines complete in this buffer: up to the last newline (or all at EOF).
        let complete = if n == 0 {
            end
        } else {
            memchr::memrchr(b'\n', &buf[..end]).map_or(0, |i| i + 1)
        };
        let mut from = 0;
        let region = &buf[..complete];
        // Each finder's next hit, searched again only once `from` passes it, so a
        // keyword that never occurs costs one pass over the chunk, not one per line.
        let mut next: [Option<usize>; 3] = [Some(0); 3];
        let mut stale = [true; 3];
        while from < complete {
            for (k, f) in finders.iter().enumerate() {
                if stale[k] || next[k].is_some_and(|p| p < from) {
                    next[k] = f.find(&region[from..]).map(|h| from + h);
                    stale[k] = false;
                }
            }
            let Some(at) = next.iter().flatten().copied().min() else {
                break;
            };
            let start = memchr::memrchr(b'\n', &region[..at]).map_or(0, |i| i + 1);
            let stop = memchr::memchr(b'\n', &region[at..]).map_or(complete, |i| at + i);
            stats.lines_with_keywords += 1;
            // The message patterns are unanchored, so the stamp and host prefix
            // can stay on the line.
            let line = String::from_utf8_lossy(&region[start..stop]);
            if let Some(e) = recognize(&line) {
                stats.events += 1;
                if matches!(e, O2Event::Unknown { .. }) {
                    stats.unknown += 1;
                }
                each(e);
            }
            from = stop + 1;
        }
        if n == 0 {
            return Ok(stats);
        }
        let rest = end - complete;
        if rest > MAX_CARRY {
            carry = 0; // a monster line: drop its head, keep scanning
        } else {
            buf.copy_within(complete..end, 0);
            carry = rest;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_events_across_chunk_boundaries_and_survives_monster_lines() {
        let mut log = Vec::new();
        let filler = b"Nov 24 19:51:49 n1 sshd[1]: Accepted publickey for root from 10.0.0.9 port 2222 ssh2\n";
        for i in 0..200_000 {
            log.extend_from_slice(filler);
            if i % 1000 == 0 {
                log.extend_from_slice(b"Nov 24 19:51:50 n1 kernel: [  13.853340] o2net: Connected to node n2 (num 2) at 10.0.0.2:7777\n");
            }
        }
        log.extend(std::iter::repeat_n(b'x', 3 << 20));
        log.extend_from_slice(b"\n[ 1.0] o2dlm: Leaving domain F47217E35EA246069E452DD9DC166B05\n");
        let mut connected = 0;
        let stats = scan(&log[..], |e| {
            if matches!(e, O2Event::NetConnected { .. }) {
                connected += 1;
            }
        })
        .unwrap();
        assert_eq!(connected, 200);
        assert_eq!(stats.events, 201);
        assert_eq!(stats.bytes, log.len() as u64);
    }
}
