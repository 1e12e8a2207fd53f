//! `write-read-checksum`: the leader writes a large file of deterministic
//! pseudo-random data (seeded by the run id), fsyncs it and records its SHA-256;
//! every other node reads it back, hashes it and compares each block with the data
//! regenerated from the seed, so a mismatch is found by offset. Throughput is
//! reported in MiB/s for the write (with fsync) and each read.

use crate::ctx::Ctx;
use crate::error::{io_error, ScenarioError};
use crate::records::crc32;
use crate::sync;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::time::Instant;

pub const FILE: &str = "data";
const WRITTEN: &str = "written";

/// xorshift64*: fast, deterministic, good enough to make every block distinct.
pub struct Stream(u64);

impl Stream {
    pub fn new(seed: &str) -> Stream {
        Stream(
            0x9E37_79B9_7F4A_7C15
                ^ u64::from(crc32(seed.as_bytes())).wrapping_mul(0x2545_F491_4F6C_DD1D)
                | 1,
        )
    }

    pub fn fill(&mut self, buf: &mut [u8]) {
        for chunk in buf.chunks_mut(8) {
            let mut x = self.0;
            x ^= x >> 12;
            x ^= x << 25;
            x ^= x >> 27;
            self.0 = x;
            let v = x.wrapping_mul(0x2545_F491_4F6C_DD1D).to_le_bytes();
            chunk.copy_from_slice(&v[..chunk.len()]);
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ChecksumReport {
    pub bytes: u64,
    pub sha256: String,
    /// Write with fsync (leader) or read (followers).
    pub millis: f64,
    /// Followers: blocks that differ from the regenerated data.
    #[serde(default)]
    pub mismatched_blocks: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_mismatch: Option<u64>,
}

fn sizes(ctx: &Ctx) -> (u64, usize) {
    let p = &ctx.preset.write_read_checksum;
    (p.size_mib * 1024 * 1024, (p.block_kib * 1024) as usize)
}

pub fn leader(ctx: &Ctx) -> Result<ChecksumReport, ScenarioError> {
    let (total, block) = sizes(ctx);
    sync::ready(ctx)?;
    let path = ctx.dir.join(FILE);
    let fail = |what: &str| io_error(format!("{what} {}", path.display()));
    let t = Instant::now();
    let mut f = OpenOptions::new()
        .create(true)
        .truncate(true)
        .write(true)
        .open(&path)
        .map_err(fail("cannot create"))?;
    let mut stream = Stream::new(&ctx.run_id);
    let mut hash = Sha256::new();
    let mut buf = vec![0u8; block];
    let mut done = 0u64;
    while done < total {
        ctx.check()?;
        let n = ((total - done) as usize).min(block);
        stream.fill(&mut buf[..n]);
        hash.update(&buf[..n]);
        f.write_all(&buf[..n]).map_err(fail("write"))?;
        done += n as u64;
        ctx.progress("write MiB", done >> 20, total >> 20);
    }
    f.sync_all().map_err(fail("fsync"))?;
    drop(f);
    let millis = t.elapsed().as_secs_f64() * 1000.0;
    let sha256 = hex(&hash.finalize());
    sync::mark(&ctx.dir, WRITTEN, &format!("{sha256}\n"))
        .map_err(io_error("cannot mark the file written"))?;
    sync::wait_done(ctx)?;
    Ok(ChecksumReport {
        bytes: done,
        sha256,
        millis,
        ..ChecksumReport::default()
    })
}

pub fn follower(ctx: &Ctx) -> Result<ChecksumReport, ScenarioError> {
    let (total, block) = sizes(ctx);
    sync::ready(ctx)?;
    ctx.progress("wait for the writer", 0, 1);
    sync::wait_marks(
        ctx,
        &[WRITTEN.to_string()],
        ctx.left(),
        "waiting for the leader's file",
    )?;
    let path = ctx.dir.join(FILE);
    let fail = |what: &str| io_error(format!("{what} {}", path.display()));
    let t = Instant::now();
    let mut f = File::open(&path).map_err(fail("cannot open"))?;
    let mut expected = Stream::new(&ctx.run_id);
    let mut hash = Sha256::new();
    let mut got = vec![0u8; block];
    let mut want = vec![0u8; block];
    let mut r = ChecksumReport::default();
    loop {
        ctx.check()?;
        let n = read_full(&mut f, &mut got).map_err(fail("read"))?;
        if n == 0 {
            break;
        }
        hash.update(&got[..n]);
        let cmp = ((total.saturating_sub(r.bytes)) as usize).min(n);
        expected.fill(&mut want[..cmp]);
        if n != cmp || got[..cmp] != want[..cmp] {
            r.mismatched_blocks += 1;
            let at = got[..cmp]
                .iter()
                .zip(&want[..cmp])
                .position(|(a, b)| a != b)
                .unwrap_or(cmp) as u64;
            r.first_mismatch.get_or_insert(r.bytes + at);
        }
        r.bytes += n as u64;
        ctx.progress("read MiB", r.bytes >> 20, total >> 20);
    }
    if r.bytes < total {
        r.mismatched_blocks += 1;
        r.first_mismatch.get_or_insert(r.bytes);
    }
    r.millis = t.elapsed().as_secs_f64() * 1000.0;
    r.sha256 = hex(&hash.finalize());
    Ok(r)
}

/// Read until `buf` is full or the end of the file.
fn read_full(f: &mut File, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match f.read(&mut buf[n..])? {
            0 => break,
            k => n += k,
        }
    }
    Ok(n)
}

/// What the reports say together.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ChecksumVerdict {
    pub expected_bytes: u64,
    /// Nodes whose copy differs: node, why.
    pub bad: Vec<(String, String)>,
}

pub fn verify(
    expected_bytes: u64,
    writer: &ChecksumReport,
    readers: &[(String, ChecksumReport)],
) -> ChecksumVerdict {
    let mut bad = Vec::new();
    if writer.bytes != expected_bytes {
        bad.push((
            "writer".into(),
            format!("wrote {} of {expected_bytes} bytes", writer.bytes),
        ));
    }
    for (node, r) in readers {
        if r.bytes != expected_bytes {
            bad.push((
                node.clone(),
                format!("read {} of {expected_bytes} bytes", r.bytes),
            ));
        } else if r.mismatched_blocks > 0 {
            bad.push((
                node.clone(),
                format!(
                    "{} blocks differ from what was written, the first at byte {}",
                    r.mismatched_blocks,
                    r.first_mismatch.unwrap_or(0)
                ),
            ));
        } else if r.sha256 != writer.sha256 {
            bad.push((
                node.clone(),
                format!(
                    "SHA-256 {} differs from the writer's {}",
                    r.sha256, writer.sha256
                ),
            ));
        }
    }
    ChecksumVerdict {
        expected_bytes,
        bad,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::preset::Preset;

    #[test]
    fn the_stream_is_deterministic_and_seeded() {
        let (mut a, mut b, mut c) = (Stream::new("r1"), Stream::new("r1"), Stream::new("r2"));
        let (mut x, mut y, mut z) = (vec![0u8; 1003], vec![0u8; 1003], vec![0u8; 1003]);
        a.fill(&mut x);
        b.fill(&mut y);
        c.fill(&mut z);
        assert_eq!(x, y);
        assert_ne!(x, z);
        assert!(
            x.iter().filter(|&&v| v == 0).count() < 30,
            "not a zero page"
        );
    }

    #[test]
    fn a_written_file_reads_back_and_a_flipped_byte_is_found() {
        let dir = tempfile::tempdir().unwrap();
        let mut preset = Preset::default();
        preset.write_read_checksum.size_mib = 1;
        preset.write_read_checksum.block_kib = 64;
        let nodes = ["w", "r"];
        let mk = Ctx::test_maker(dir.path(), &nodes, &preset);
        let (w, r) = std::thread::scope(|s| {
            let wctx = mk("w");
            let rctx = mk("r");
            let w = s.spawn(move || leader(&wctx).unwrap());
            let r = s.spawn(move || {
                let r = follower(&rctx).unwrap();
                sync::done(&rctx, "ok").unwrap();
                r
            });
            (w.join().unwrap(), r.join().unwrap())
        });
        assert_eq!(w.bytes, 1 << 20);
        let v = verify(1 << 20, &w, &[("r".into(), r.clone())]);
        assert!(v.bad.is_empty(), "{v:?}");
        assert_eq!(r.sha256, w.sha256);
        // Corrupt one byte at 70000 (block 1) and read again.
        let path = dir.path().join(FILE);
        let mut data = std::fs::read(&path).unwrap();
        data[70_000] ^= 0x55;
        std::fs::write(&path, &data).unwrap();
        std::fs::remove_file(dir.path().join("done-r")).unwrap();
        let bad = follower(&mk("r")).unwrap();
        assert_eq!(bad.mismatched_blocks, 1);
        assert_eq!(bad.first_mismatch, Some(70_000));
        let v = verify(1 << 20, &w, &[("r".into(), bad)]);
        assert_eq!(v.bad.len(), 1);
        assert!(v.bad[0].1.contains("byte 70000"), "{v:?}");
    }

    #[test]
    fn a_short_file_or_another_hash_is_a_mismatch() {
        let w = ChecksumReport {
            bytes: 100,
            sha256: "aa".into(),
            ..Default::default()
        };
        let short = ChecksumReport {
            bytes: 60,
            sha256: "aa".into(),
            ..Default::default()
        };
        let other = ChecksumReport {
            bytes: 100,
            sha256: "bb".into(),
            ..Default::default()
        };
        let v = verify(100, &w, &[("r1".into(), short), ("r2".into(), other)]);
        assert_eq!(v.bad.len(), 2, "{v:?}");
        assert!(v.bad[1].1.contains("SHA-256"));
    }
}
