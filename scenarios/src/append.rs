//! The `concurrent-append` scenario's two halves: a writer run on every node at
//! the same time, and a verifier run once they are done. `--flock` serialises the
//! appends with a cluster-wide flock(2) on a lock file (OCFS2 on o2cb makes flock
//! cluster-wide); without it plain O_APPEND is used, which on OCFS2 is not atomic
//! across nodes (the lab lost lines in 6 of 6 runs).

use crate::ctx::Ctx;
use crate::error::{io_error, ScenarioError};
use crate::records::{record, verify, AppendVerdict};
use crate::sync;
use crate::workspace::stopping;
use nix::fcntl::{Flock, FlockArg};
use o2check_checks::source::exec::with_timeout;
use std::fs::OpenOptions;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

pub const FILE: &str = "append.log";
const LOCK: &str = "append.lock";

/// What a writer did.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct WriterReport {
    pub writer: String,
    pub written: u64,
    pub millis: u64,
    pub interrupted: bool,
}

/// Append `records` records as `writer` to `<dir>/append.log`.
pub fn write(
    dir: &Path,
    writer: &str,
    records: u64,
    payload: usize,
    use_flock: bool,
    pause: Duration,
) -> std::io::Result<WriterReport> {
    write_with(dir, writer, records, payload, use_flock, pause, &mut |_| {
        true
    })
}

/// [`write()`], asking `keep_going(records written so far)` before each record.
pub fn write_with(
    dir: &Path,
    writer: &str,
    records: u64,
    payload: usize,
    use_flock: bool,
    pause: Duration,
    keep_going: &mut dyn FnMut(u64) -> bool,
) -> std::io::Result<WriterReport> {
    let start = Instant::now();
    let mut file = sync::open_or_create(&dir.join(FILE), true)?;
    let lock_path = dir.join(LOCK);
    let mut written = 0;
    for seq in 0..records {
        if stopping() || !keep_going(seq) {
            break;
        }
        let line = record(writer, seq, payload);
        if use_flock {
            let lock = sync::open_or_create(&lock_path, false)?;
            let guard = Flock::lock(lock, FlockArg::LockExclusive)
                .map_err(|(_, e)| std::io::Error::from(e))?;
            // Reopen under the lock: O_APPEND takes the end of file from the
            // node's cached size, and flock alone does not refresh it; open does
            // (in the lab, a descriptor opened before locking still lost records).
            let mut fresh = OpenOptions::new().append(true).open(dir.join(FILE))?;
            fresh.write_all(line.as_bytes())?;
            drop(fresh);
            drop(guard);
        } else {
            file.write_all(line.as_bytes())?;
        }
        written += 1;
        if !pause.is_zero() {
            std::thread::sleep(pause);
        }
    }
    Ok(WriterReport {
        writer: writer.into(),
        written,
        millis: start.elapsed().as_millis() as u64,
        interrupted: stopping(),
    })
}

/// What one node's concurrent-append agent reports; the leader adds the verdict.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct AppendReport {
    pub written: u64,
    pub millis: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verdict: Option<AppendVerdict>,
}

/// The agent: every node appends at once after the start barrier; the leader
/// waits for the others and verifies the file.
pub fn agent(ctx: &Ctx, use_flock: bool) -> Result<AppendReport, ScenarioError> {
    let p = ctx.preset.concurrent_append.clone();
    if ctx.is_leader() {
        // Created before the others start, so no two nodes race to create them.
        for name in [FILE, LOCK] {
            sync::open_or_create(&ctx.dir.join(name), false)
                .map_err(io_error(format!("cannot create {name}")))?;
        }
    }
    sync::ready(ctx)?;
    let mut stopped = None;
    let r = write_with(
        &ctx.dir,
        &ctx.me,
        p.records,
        p.payload,
        use_flock,
        Duration::from_millis(p.pause_ms),
        &mut |done| {
            ctx.progress("append", done, p.records);
            match ctx.check() {
                Ok(()) => true,
                Err(e) => {
                    stopped = Some(e);
                    false
                }
            }
        },
    )
    .map_err(io_error(format!(
        "append to {} failed",
        ctx.dir.join(FILE).display()
    )))?;
    ctx.progress("append", r.written, p.records);
    if r.written < p.records {
        return Err(stopped.unwrap_or(ScenarioError::Interrupted));
    }
    let mut report = AppendReport {
        written: r.written,
        millis: r.millis,
        verdict: None,
    };
    if ctx.is_leader() {
        sync::wait_done(ctx)?;
        ctx.progress("verify", 0, 1);
        report.verdict = Some(check(&ctx.dir, &ctx.nodes, p.records)?);
    }
    Ok(report)
}

/// Read `<dir>/append.log` (with a timeout: it is on the cluster mount) and verify it.
pub fn check(dir: &Path, writers: &[String], records: u64) -> Result<AppendVerdict, ScenarioError> {
    let path: PathBuf = dir.join(FILE);
    let bytes = with_timeout("read append.log", Duration::from_secs(60), move || {
        std::fs::read(path)
    })
    .map_err(ScenarioError::Stuck)?
    .map_err(io_error("read append.log"))?;
    Ok(verify(&bytes, writers, records))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn concurrent_local_writers_with_and_without_flock() {
        for use_flock in [false, true] {
            let dir = tempfile::tempdir().unwrap();
            let writers: Vec<String> = (0..3).map(|i| format!("w{i}")).collect();
            std::thread::scope(|s| {
                for w in &writers {
                    let d = dir.path();
                    s.spawn(move || write(d, w, 300, 60, use_flock, Duration::ZERO).unwrap());
                }
            });
            // A local filesystem makes O_APPEND atomic: nothing may be lost here.
            let v = check(dir.path(), &writers, 300).unwrap();
            assert!(v.is_perfect(), "flock={use_flock}: {v:?}");
        }
    }
}
