//! `tail-follow`: the leader appends self-checking records to one file; every other
//! node follows it as `tail -f` does (poll the size, read the new bytes, keep a
//! partial last line until its end arrives) and acks each record it sees in its
//! own ack file. The leader measures, on its own clock, the round trip from
//! writing record i to seeing every follower's ack of i: one-way visibility is at
//! most that, and no cross-node clock comparison is needed.

use crate::ctx::Ctx;
use crate::error::{io_error, ScenarioError};
use crate::records::{parse_line, record};
use crate::stats::ms;
use crate::sync::{self, AckReader, AckWriter};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::time::{Duration, Instant};

pub const FILE: &str = "tail.log";
/// Records name their writer; the writer is always the leader role.
const WRITER: &str = "w";

/// What a follower saw, checked as it arrived.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StreamVerdict {
    pub expected: u64,
    /// Distinct records seen whole.
    pub intact: u64,
    pub lost: u64,
    pub torn: u64,
    pub duplicated: u64,
    pub out_of_order: u64,
    /// Reads that ended inside a line (the follower kept the part and waited).
    pub partial_reads: u64,
    /// The file got shorter under the follower (truncated or replaced).
    #[serde(default)]
    pub shrunk: u64,
}

impl StreamVerdict {
    pub fn is_perfect(&self) -> bool {
        self.lost + self.torn + self.duplicated + self.out_of_order + self.shrunk == 0
            && self.intact == self.expected
    }
}

/// Checks a byte stream of records as it arrives in arbitrary pieces.
pub struct StreamVerifier {
    expected: u64,
    partial: Vec<u8>,
    seen: BTreeMap<u64, u64>,
    last: Option<u64>,
    v: StreamVerdict,
}

impl StreamVerifier {
    pub fn new(expected: u64) -> StreamVerifier {
        StreamVerifier {
            expected,
            partial: Vec::new(),
            seen: BTreeMap::new(),
            last: None,
            v: StreamVerdict {
                expected,
                ..StreamVerdict::default()
            },
        }
    }

    /// Feed the next bytes of the file.
    pub fn feed(&mut self, bytes: &[u8]) {
        self.partial.extend_from_slice(bytes);
        let Some(end) = self.partial.iter().rposition(|&b| b == b'\n') else {
            if !bytes.is_empty() {
                self.v.partial_reads += 1;
            }
            return;
        };
        let complete: Vec<u8> = self.partial.drain(..=end).collect();
        if !self.partial.is_empty() {
            self.v.partial_reads += 1;
        }
        for line in complete[..complete.len() - 1].split(|&b| b == b'\n') {
            self.line(line);
        }
    }

    fn line(&mut self, line: &[u8]) {
        match parse_line(line) {
            Some((w, seq)) if w == WRITER && seq < self.expected => {
                let n = self.seen.entry(seq).or_default();
                *n += 1;
                if *n > 1 {
                    self.v.duplicated += 1;
                }
                if self.last.is_some_and(|l| seq <= l) {
                    self.v.out_of_order += 1;
                }
                self.last = Some(self.last.map_or(seq, |l| l.max(seq)));
            }
            _ => self.v.torn += 1,
        }
    }

    /// The highest record seen whole so far: what the follower acks.
    pub fn highest(&self) -> Option<u64> {
        self.last
    }

    pub fn shrunk(&mut self) {
        self.v.shrunk += 1;
    }

    /// The verdict; bytes left without their newline count as a torn record.
    pub fn finish(mut self) -> StreamVerdict {
        if !self.partial.is_empty() {
            self.v.torn += 1;
        }
        self.v.intact = self.seen.len() as u64;
        self.v.lost = self.expected - self.v.intact;
        self.v
    }
}

/// The writer's side.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TailWriterReport {
    pub written: u64,
    /// Round trip write -> every follower's ack, per acked record, ms.
    pub rtt_ms: Vec<f64>,
    /// Per follower: records it did not ack within give_up_ms.
    pub unacked: BTreeMap<String, u64>,
    pub millis: u64,
}

pub fn leader(ctx: &Ctx) -> Result<TailWriterReport, ScenarioError> {
    let p = ctx.preset.tail_follow.clone();
    let path = ctx.dir.join(FILE);
    File::create(&path).map_err(io_error(format!("cannot create {}", path.display())))?;
    sync::ready(ctx)?;
    let started = Instant::now();
    let mut file = OpenOptions::new()
        .append(true)
        .open(&path)
        .map_err(io_error(format!("cannot open {}", path.display())))?;
    let mut readers: Vec<AckReader> = ctx
        .followers()
        .iter()
        .map(|f| AckReader::new(&ctx.dir, f))
        .collect();
    let give_up = Duration::from_millis(p.give_up_ms);
    let mut written_at: Vec<Instant> = Vec::with_capacity(p.records as usize);
    let mut report = TailWriterReport::default();
    // Records 0..acked have been acked by every follower (or given up on).
    let mut acked: u64 = 0;
    for i in 0..p.records {
        ctx.check()?;
        settle(
            ctx,
            &mut acked,
            &written_at,
            &mut readers,
            &mut report,
            p.window,
            give_up,
        )?;
        if !report.unacked.is_empty() {
            break; // a follower stopped acking: waiting give_up_ms per record helps nobody
        }
        let line = record(WRITER, i, p.payload);
        let bytes = line.as_bytes();
        let fail = || io_error(format!("append to {} failed", path.display()));
        if p.split {
            let half = bytes.len() / 2;
            file.write_all(&bytes[..half]).map_err(fail())?;
            std::thread::sleep(ctx.poll());
            file.write_all(&bytes[half..]).map_err(fail())?;
        } else {
            file.write_all(bytes).map_err(fail())?;
        }
        written_at.push(Instant::now());
        report.written += 1;
        ctx.progress("write", i + 1, p.records);
    }
    // Drain: every record acked (or given up on).
    settle(
        ctx,
        &mut acked,
        &written_at,
        &mut readers,
        &mut report,
        1,
        give_up,
    )?;
    report.millis = started.elapsed().as_millis() as u64;
    sync::wait_done(ctx)?;
    Ok(report)
}

/// Wait until fewer than `window` written records are not yet acked by everyone;
/// record each round trip, or the followers that did not ack within `give_up`.
fn settle(
    ctx: &Ctx,
    acked: &mut u64,
    written_at: &[Instant],
    readers: &mut [AckReader],
    report: &mut TailWriterReport,
    window: u64,
    give_up: Duration,
) -> Result<(), ScenarioError> {
    while (written_at.len() as u64) - *acked >= window.max(1) {
        let i = *acked;
        let since = written_at[i as usize];
        let left = if report.unacked.is_empty() {
            give_up.saturating_sub(since.elapsed())
        } else {
            Duration::ZERO // one give-up is enough
        };
        let (_, missing) = sync::wait_acks(ctx, readers, i, Instant::now(), left)?;
        if missing.is_empty() {
            report.rtt_ms.push(ms(since.elapsed()));
        } else {
            for m in missing {
                *report.unacked.entry(m).or_default() += 1;
            }
        }
        *acked += 1;
    }
    Ok(())
}

pub fn follower(ctx: &Ctx) -> Result<StreamVerdict, ScenarioError> {
    let p = ctx.preset.tail_follow.clone();
    let mut acks =
        AckWriter::create(&ctx.dir, &ctx.me).map_err(io_error("cannot create ack file"))?;
    sync::ready(ctx)?;
    let path = ctx.dir.join(FILE);
    let mut file =
        File::open(&path).map_err(io_error(format!("cannot open {}", path.display())))?;
    let mut v = StreamVerifier::new(p.records);
    let mut offset: u64 = 0;
    let mut quiet_since = Instant::now();
    let give_up = Duration::from_millis(p.give_up_ms);
    let mut buf = vec![0u8; 64 * 1024];
    let last = p.records - 1;
    while v.highest() != Some(last) {
        ctx.check()?;
        // As tail -f: fstat for the size, then read what is new.
        let size = file
            .metadata()
            .map_err(io_error(format!("fstat {}", path.display())))?
            .len();
        if size < offset {
            v.shrunk();
            return Ok(v.finish());
        }
        if size == offset {
            if quiet_since.elapsed() >= give_up {
                break;
            }
            std::thread::sleep(ctx.poll());
            continue;
        }
        let before = v.highest();
        while offset < size {
            let want = ((size - offset) as usize).min(buf.len());
            let n = file
                .read(&mut buf[..want])
                .map_err(io_error(format!("read {}", path.display())))?;
            if n == 0 {
                break;
            }
            offset += n as u64;
            v.feed(&buf[..n]);
        }
        quiet_since = Instant::now();
        if let Some(h) = v.highest().filter(|&h| Some(h) != before) {
            acks.ack(h).map_err(io_error("cannot write ack"))?;
            ctx.progress("follow", h + 1, p.records);
        }
    }
    Ok(v.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stream(seqs: &[u64]) -> Vec<u8> {
        seqs.iter()
            .flat_map(|&s| record(WRITER, s, 30).into_bytes())
            .collect()
    }

    #[test]
    fn pieces_of_any_size_make_a_perfect_stream() {
        let bytes = stream(&[0, 1, 2, 3, 4]);
        for piece in [1, 7, 40, bytes.len()] {
            let mut v = StreamVerifier::new(5);
            for chunk in bytes.chunks(piece) {
                v.feed(chunk);
            }
            let highest = v.highest();
            let verdict = v.finish();
            assert!(verdict.is_perfect(), "piece {piece}: {verdict:?}");
            assert_eq!(highest, Some(4));
            assert_eq!(
                verdict.partial_reads > 0,
                piece < bytes.len(),
                "piece {piece}"
            );
        }
    }

    #[test]
    fn lost_duplicated_reordered_and_torn_records_are_counted() {
        let mut v = StreamVerifier::new(6);
        v.feed(&stream(&[0, 2, 1, 2]));
        let mut cut = record(WRITER, 3, 30).into_bytes();
        cut.truncate(12);
        cut.push(b'\n');
        v.feed(&cut);
        v.feed(b"o2c garbage\n");
        v.feed(&record(WRITER, 4, 30).into_bytes()[..10]); // never completed
        let verdict = v.finish();
        assert_eq!(verdict.intact, 3, "{verdict:?}");
        assert_eq!(verdict.lost, 3, "3, 4 and 5 never arrived whole");
        assert_eq!(verdict.duplicated, 1);
        assert_eq!(verdict.out_of_order, 2, "1 after 2, then 2 again");
        assert_eq!(
            verdict.torn, 3,
            "the cut line, the garbage, the unfinished tail"
        );
        assert!(!verdict.is_perfect());
    }

    #[test]
    fn another_writers_record_is_not_ours() {
        let mut v = StreamVerifier::new(1);
        v.feed(record("intruder", 0, 30).as_bytes());
        let verdict = v.finish();
        assert_eq!((verdict.torn, verdict.lost), (1, 1));
    }

    #[test]
    fn a_writer_and_two_followers_locally() {
        let dir = tempfile::tempdir().unwrap();
        let mut preset = crate::preset::Preset::default();
        preset.tail_follow.records = 30;
        preset.tail_follow.window = 2;
        let nodes = ["w", "f1", "f2"];
        let mk = Ctx::test_maker(dir.path(), &nodes, &preset);
        let (w, fs) = std::thread::scope(|s| {
            let wctx = mk("w");
            let w = s.spawn(move || leader(&wctx).unwrap());
            let fs: Vec<_> = ["f1", "f2"]
                .into_iter()
                .map(|me| {
                    let ctx = mk(me);
                    s.spawn(move || {
                        let v = follower(&ctx).unwrap();
                        sync::done(&ctx, "ok").unwrap();
                        v
                    })
                })
                .collect();
            let fs: Vec<StreamVerdict> = fs.into_iter().map(|h| h.join().unwrap()).collect();
            (w.join().unwrap(), fs)
        });
        assert_eq!(w.written, 30);
        assert_eq!(w.rtt_ms.len(), 30, "every record acked by both: {w:?}");
        assert!(w.unacked.is_empty());
        for v in fs {
            assert!(v.is_perfect(), "{v:?}");
        }
    }

    #[test]
    fn a_shrinking_file_is_not_perfect() {
        let mut v = StreamVerifier::new(1);
        v.feed(&stream(&[0]));
        v.shrunk();
        assert!(!v.finish().is_perfect());
    }
}
