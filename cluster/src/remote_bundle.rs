//! Collecting a node's bundle over the transport: the node runs `o2check collect
//! --out -`, which streams the bundle as a tar archive, unpacked here as it
//! arrives by [`crate::untrusted_tar`] (regular files and directories only, capped
//! in size: the node is not trusted with this host), with no temporary copy on
//! the node; in a run that does not save the bundles, its small files stay in
//! memory and only its big logs are written here. Then the node's clock
//! is sampled against ours and recorded in the bundle's meta.json, so clock skew
//! can be judged later, offline too.

use crate::inventory::Node;
use crate::transport::{Transport, TransportError};
use crate::untrusted_tar::{self, Hold, Limits};
use o2check_checks::source::exec::wait_or_kill;
use o2check_checks::source::memory_tree::{Entry, MemoryTree};
use o2check_checks::source::{BundleMeta, ClockRecord};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

#[derive(Debug, Clone)]
pub struct FetchSettings {
    /// The o2check to call on the node (see [`crate::deploy`]).
    pub program: String,
    /// Passed to `collect` (`--command-timeout 20`...).
    pub collect_args: Vec<String>,
    /// For the whole collection and the clock samples after it.
    pub timeout: Duration,
    /// Caps on the node's stream.
    pub limits: Limits,
    /// This host's name, recorded as the clock reference.
    pub reference: String,
    /// Keep the bundle's small files in memory (see [`untrusted_tar::unpack_held`]);
    /// `None` writes every file to the destination (`--save-bundles`).
    pub hold: Option<Hold>,
}

/// A bundle now on this host.
#[derive(Debug, Clone)]
pub struct Fetched {
    pub dir: PathBuf,
    pub millis: u64,
    pub clock: Option<ClockRecord>,
    /// The files held in memory, when [`FetchSettings::hold`] asked for it:
    /// read the bundle with `Confined::open(&dir)?.over_memory(tree)`.
    pub tree: Option<Arc<MemoryTree>>,
}

/// Collect `node`'s evidence into the new directory `dest`.
pub fn fetch(
    t: &dyn Transport,
    node: &Node,
    s: &FetchSettings,
    dest: &Path,
) -> Result<Fetched, TransportError> {
    let started = Instant::now();
    let local = |what: &str, e: &dyn std::fmt::Display| TransportError::Local {
        what: format!("{what} {}", dest.display()),
        detail: e.to_string(),
    };
    let deadline = started + s.timeout;
    {
        use std::os::unix::fs::DirBuilderExt;
        std::fs::DirBuilder::new()
            .mode(0o755)
            .create(dest)
            .map_err(|e| local("cannot create", &e))?;
    }
    let mut argv = vec![
        s.program.clone(),
        "collect".into(),
        "--out".into(),
        "-".into(),
    ];
    argv.extend(s.collect_args.iter().cloned());
    let mut child = t.spawn(node, &argv)?;
    drop(child.stdin.take()); // collect reads nothing
    let stdout = child.stdout.take();
    let stderr = child.stderr.take();
    let target = dest.to_path_buf();
    let limits = s.limits.clone();
    let hold = s.hold.clone();
    let cancelled = Arc::new(AtomicBool::new(false));
    let reader_cancelled = cancelled.clone();
    let (done, unpacked) = std::sync::mpsc::channel();
    // The stream is dropped as soon as unpacking stops (at a cap, say), so the
    // node's side gets EPIPE instead of filling a pipe nobody reads.
    std::thread::spawn(move || {
        let r = match stdout {
            Some(out) => {
                let stream = Cancellable {
                    inner: out,
                    cancelled: reader_cancelled,
                };
                match &hold {
                    Some(hold) => untrusted_tar::unpack_held(stream, &target, &limits, hold)
                        .map(|(_, tree)| Some(tree)),
                    None => untrusted_tar::unpack(stream, &target, &limits).map(|_| None),
                }
            }
            None => Ok(None),
        };
        let _ = done.send(r);
    });
    let (err_done, err_reader) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut buf = Vec::new();
        if let Some(mut e) = stderr {
            let _ = e.by_ref().take(1 << 20).read_to_end(&mut buf);
        }
        let _ = err_done.send(buf);
    });
    let timeout = || TransportError::Timeout {
        node: node.name.clone(),
        what: "o2check collect".into(),
        seconds: s.timeout.as_secs(),
    };
    let status = wait_or_kill(&mut child, left(deadline)).map_err(|e| local("waiting for", &e))?;
    // Past the deadline nothing more is read, even when something on the node's
    // side still holds the stream open.
    let unpacked = unpacked.recv_timeout(left(deadline).max(Duration::from_millis(200)));
    cancelled.store(true, Ordering::Relaxed);
    let stderr = err_reader
        .recv_timeout(left(deadline).max(Duration::from_millis(200)))
        .unwrap_or_default();
    let (Some(status), Ok(unpacked)) = (status, unpacked) else {
        return Err(timeout());
    };
    if let Some(e) = t.transport_failure(node, status.code(), &stderr) {
        return Err(e);
    }
    let complaint = || String::from_utf8_lossy(&stderr).trim().to_string();
    let mut tree = match unpacked {
        Ok(tree) => tree,
        Err(e) => {
            return Err(TransportError::Failed {
                node: node.name.clone(),
                what: "receiving the bundle".into(),
                detail: e.to_string(),
            })
        }
    };
    if !status.success() {
        return Err(TransportError::Failed {
            node: node.name.clone(),
            what: "o2check collect".into(),
            detail: format!("exit {:?}: {}", status.code(), complaint()),
        });
    }
    let meta_bytes = match tree.as_ref().and_then(|t| t.get("meta.json")) {
        Some(Entry::File(bytes)) => Some(bytes.clone()),
        _ => o2check_checks::source::confined::Confined::open(dest)
            .ok()
            .and_then(|c| c.read("meta.json").ok()),
    };
    let mut meta: BundleMeta = meta_bytes
        .and_then(|b| serde_json::from_slice(&b).ok())
        .ok_or_else(|| TransportError::Failed {
            node: node.name.clone(),
            what: "receiving the bundle".into(),
            detail: "it has no readable meta.json".into(),
        })?;
    let clock = crate::clock::sample(t, node, &s.program, &s.reference, deadline);
    meta.clock = clock.clone();
    let json = serde_json::to_vec_pretty(&meta).map_err(|e| local("cannot encode", &e))?;
    match &mut tree {
        Some(tree) => tree.replace_file("meta.json", json),
        None => untrusted_tar::replace_file(dest, "meta.json", &json)
            .map_err(|e| local("cannot write meta.json in", &e))?,
    }
    Ok(Fetched {
        dir: dest.to_path_buf(),
        millis: started.elapsed().as_millis() as u64,
        clock,
        tree: tree.map(Arc::new),
    })
}

/// What is left until `deadline` (zero once past it).
fn left(deadline: Instant) -> Duration {
    deadline.saturating_duration_since(Instant::now())
}

/// The node's stream, which stops yielding once the fetch gave up on it.
struct Cancellable<R> {
    inner: R,
    cancelled: Arc<AtomicBool>,
}

impl<R: Read> Read for Cancellable<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.cancelled.load(Ordering::Relaxed) {
            return Err(std::io::Error::other("the node's time is up"));
        }
        self.inner.read(buf)
    }
}
