//! How agents on different nodes meet, through files in their shared directory:
//! markers (`ready-<node>`, `done-<node>`), written whole by rename, and ack files,
//! each appended to by one node only, of fixed-width lines (`%015d\n`), so a reader
//! takes the last complete line at `size - 16` without parsing the file. Everything
//! polls: inotify does not see other nodes' changes.

use crate::ctx::Ctx;
use crate::error::{io_error, ScenarioError};
use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Bytes per ack line.
pub const ACK_LEN: u64 = 16;

/// Create the marker `name` in `dir` with `content`, atomically.
pub fn mark(dir: &Path, name: &str, content: &str) -> io::Result<()> {
    let tmp = dir.join(format!(".{name}.tmp"));
    std::fs::write(&tmp, content)?;
    std::fs::rename(&tmp, dir.join(name))
}

/// Wait until every marker in `names` exists, or `timeout`. The error names the
/// nodes that never showed up.
pub fn wait_marks(
    ctx: &Ctx,
    names: &[String],
    timeout: Duration,
    what: &'static str,
) -> Result<(), ScenarioError> {
    let end = Instant::now() + timeout;
    loop {
        let missing: Vec<&str> = names
            .iter()
            .filter(|n| !ctx.dir.join(n).exists())
            .map(String::as_str)
            .collect();
        if missing.is_empty() {
            return Ok(());
        }
        if Instant::now() >= end {
            return Err(ScenarioError::NotThere {
                what,
                missing: missing.join(", "),
                seconds: timeout.as_secs(),
            });
        }
        ctx.nap()?;
    }
}

/// The start barrier: say this node is ready, wait for every node.
pub fn ready(ctx: &Ctx) -> Result<(), ScenarioError> {
    mark(&ctx.dir, &format!("ready-{}", ctx.me), "ready\n")
        .map_err(io_error(format!("cannot write ready-{}", ctx.me)))?;
    let names: Vec<String> = ctx.nodes.iter().map(|n| format!("ready-{n}")).collect();
    let timeout = Duration::from_secs(ctx.preset.run.start_timeout_s);
    wait_marks(ctx, &names, timeout, "start barrier")
}

/// A follower is finished (also after an error: the leader need not wait for it).
pub fn done(ctx: &Ctx, outcome: &str) -> io::Result<()> {
    mark(&ctx.dir, &format!("done-{}", ctx.me), outcome)
}

/// The leader waits for every follower to be finished before it verifies.
pub fn wait_done(ctx: &Ctx) -> Result<(), ScenarioError> {
    ctx.progress("waiting for the others", 0, 1);
    let names: Vec<String> = ctx
        .followers()
        .iter()
        .map(|n| format!("done-{n}"))
        .collect();
    wait_marks(
        ctx,
        &names,
        ctx.left(),
        "waiting for the other nodes to finish",
    )
}

/// Open `path` for writing (appending with `append`), creating it when missing.
/// On OCFS2, two nodes creating one name at the same moment can make one
/// open(O_CREAT) fail with EEXIST (its lookup said "absent", the other node's
/// create won; seen in the qemu lab): the file exists then, so open it again.
pub fn open_or_create(path: &Path, append: bool) -> io::Result<File> {
    let mut opts = OpenOptions::new();
    if append {
        opts.append(true);
    } else {
        opts.write(true);
    }
    let mut last = None;
    for _ in 0..10 {
        match opts.clone().create(true).open(path) {
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                match opts.open(path) {
                    Ok(f) => return Ok(f),
                    // Removed again in between: try the create once more.
                    Err(e2) if e2.kind() == io::ErrorKind::NotFound => last = Some(e),
                    Err(e2) => return Err(e2),
                }
            }
            r => return r,
        }
    }
    Err(last.unwrap_or_else(|| io::Error::other("open_or_create gave up")))
}

pub fn ack_path(dir: &Path, node: &str) -> PathBuf {
    dir.join(format!("ack-{node}"))
}

/// A follower's acks: "I have seen change (or record) n".
pub struct AckWriter {
    file: File,
}

impl AckWriter {
    /// Create (empty) this node's ack file; done before the start barrier, so the
    /// leader finds it.
    pub fn create(dir: &Path, node: &str) -> io::Result<AckWriter> {
        let file = OpenOptions::new()
            .create(true)
            .truncate(true)
            .write(true)
            .open(ack_path(dir, node))?;
        drop(file);
        let file = OpenOptions::new().append(true).open(ack_path(dir, node))?;
        Ok(AckWriter { file })
    }

    pub fn ack(&mut self, n: u64) -> io::Result<()> {
        // One writer per file: its own O_APPEND is safe; one write(2) per line.
        self.file.write_all(format!("{n:015}\n").as_bytes())
    }
}

/// The leader's view of one follower's acks.
pub struct AckReader {
    pub node: String,
    path: PathBuf,
    file: Option<File>,
    latest: Option<u64>,
}

impl AckReader {
    pub fn new(dir: &Path, node: &str) -> AckReader {
        AckReader {
            node: node.to_string(),
            path: ack_path(dir, node),
            file: None,
            latest: None,
        }
    }

    /// The highest number acked so far (acks only grow).
    pub fn latest(&mut self) -> io::Result<Option<u64>> {
        if self.file.is_none() {
            match File::open(&self.path) {
                Ok(f) => self.file = Some(f),
                Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(self.latest),
                Err(e) => return Err(e),
            }
        }
        let Some(file) = &self.file else {
            return Ok(self.latest);
        };
        // fstat asks the cluster for the current size, as `tail -f` does.
        let size = file.metadata()?.len();
        let lines = size / ACK_LEN;
        if lines == 0 {
            return Ok(self.latest);
        }
        let mut buf = [0u8; ACK_LEN as usize];
        file.read_exact_at(&mut buf, (lines - 1) * ACK_LEN)?;
        if let Some(n) = parse_ack(&buf) {
            self.latest = Some(self.latest.map_or(n, |l| l.max(n)));
        }
        Ok(self.latest)
    }

    /// True when `n` has been acked.
    pub fn has(&mut self, n: u64) -> io::Result<bool> {
        Ok(self.latest()?.is_some_and(|l| l >= n))
    }
}

fn parse_ack(line: &[u8]) -> Option<u64> {
    let text = std::str::from_utf8(line).ok()?.strip_suffix('\n')?;
    (text.len() == 15).then_some(())?;
    text.parse().ok()
}

/// Wait until every reader has acked `n`, or `give_up`. Returns how long it took
/// (on this node's clock, from `since`) and the nodes that did not ack in time.
pub fn wait_acks(
    ctx: &Ctx,
    readers: &mut [AckReader],
    n: u64,
    since: Instant,
    give_up: Duration,
) -> Result<(Duration, Vec<String>), ScenarioError> {
    loop {
        let mut missing = Vec::new();
        for r in readers.iter_mut() {
            if !r
                .has(n)
                .map_err(io_error(format!("reading {}'s acks", r.node)))?
            {
                missing.push(r.node.clone());
            }
        }
        let waited = since.elapsed();
        if missing.is_empty() || waited >= give_up {
            return Ok((waited, missing));
        }
        ctx.nap()?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::preset::Preset;

    #[test]
    fn open_or_create_creates_then_opens_without_truncating() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("f");
        open_or_create(&p, true).unwrap().write_all(b"a").unwrap();
        open_or_create(&p, true).unwrap().write_all(b"b").unwrap();
        open_or_create(&p, false).unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"ab");
        assert!(open_or_create(&dir.path().join("no/such"), false).is_err());
    }

    #[test]
    fn acks_are_read_back_and_only_grow() {
        let dir = tempfile::tempdir().unwrap();
        let mut r = AckReader::new(dir.path(), "n2");
        assert_eq!(r.latest().unwrap(), None, "no file yet is no ack");
        let mut w = AckWriter::create(dir.path(), "n2").unwrap();
        assert_eq!(r.latest().unwrap(), None);
        w.ack(0).unwrap();
        w.ack(41).unwrap();
        assert_eq!(r.latest().unwrap(), Some(41));
        assert!(r.has(41).unwrap() && !r.has(42).unwrap());
        // A partial last line (a write in progress) is not read as an ack.
        std::fs::OpenOptions::new()
            .append(true)
            .open(ack_path(dir.path(), "n2"))
            .unwrap()
            .write_all(b"0000000")
            .unwrap();
        assert_eq!(r.latest().unwrap(), Some(41));
        assert_eq!(
            parse_ack(b"00000000000007\n"),
            None,
            "14 digits is not an ack"
        );
        assert_eq!(parse_ack(b"000000000000007\n"), Some(7));
    }

    #[test]
    fn barrier_names_the_node_that_never_came() {
        let dir = tempfile::tempdir().unwrap();
        let mut preset = Preset::default();
        preset.run.start_timeout_s = 1;
        let ctx = Ctx::for_test(
            dir.path(),
            "n1",
            &["n1", "n2", "n3"],
            preset,
            Duration::from_secs(30),
        );
        mark(dir.path(), "ready-n3", "ready\n").unwrap();
        let err = ready(&ctx).unwrap_err().to_string();
        assert!(err.contains("no ready-n2") && !err.contains("n3"), "{err}");
        mark(dir.path(), "ready-n2", "ready\n").unwrap();
        ready(&ctx).unwrap();
    }
}
