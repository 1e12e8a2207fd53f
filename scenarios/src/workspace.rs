//! The only place a scenario writes: `<mount>/.o2check-<run id>/`, created after
//! checking that the mount really is OCFS2 and removed when the guard is dropped,
//! which also happens after Ctrl-C (the writers watch [`stopping`] and stop).
//! An agent started by `scenario run` also stops when its stdin closes
//! ([`request_stop`]): that is how a Ctrl-C on the coordinator reaches the nodes.

use o2check_checks::source::exec::with_timeout;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

/// OCFS2_SUPER_MAGIC (fs/ocfs2/ocfs2_fs.h), as statfs reports it.
const OCFS2_MAGIC: i64 = 0x7461_636f;

/// A hung cluster mount must not hang the harness.
const FS_TIMEOUT: Duration = Duration::from_secs(10);

fn flag() -> &'static Arc<AtomicBool> {
    static FLAG: OnceLock<Arc<AtomicBool>> = OnceLock::new();
    FLAG.get_or_init(|| {
        let f = Arc::new(AtomicBool::new(false));
        for sig in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
            // The first signal asks for a clean stop; a second one ends the process.
            let _ = signal_hook::flag::register_conditional_shutdown(sig, 1, Arc::clone(&f));
            let _ = signal_hook::flag::register(sig, Arc::clone(&f));
        }
        f
    })
}

/// True once SIGINT or SIGTERM arrived: stop writing and clean up.
pub fn interrupted() -> bool {
    flag().load(Ordering::Relaxed)
}

static STOP: AtomicBool = AtomicBool::new(false);

/// Ask every scenario loop of this process to stop (an agent's stdin closed).
pub fn request_stop() {
    STOP.store(true, Ordering::Relaxed);
}

/// True when this process should stop: a signal came, or [`request_stop`].
pub fn stopping() -> bool {
    interrupted() || STOP.load(Ordering::Relaxed)
}

/// Install the SIGINT/SIGTERM handler now (the coordinator, before it starts agents).
pub fn watch_signals() {
    let _ = flag();
}

/// `run_id` must be a plain name: it becomes part of a path on the cluster mount.
pub fn check_run_id(run_id: &str) -> Result<(), String> {
    let ok = !run_id.is_empty()
        && run_id.len() <= 100
        && run_id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if ok {
        Ok(())
    } else {
        Err(format!("run id `{run_id}` must be letters, digits, - or _"))
    }
}

/// `<mount>/.o2check-<run id>`.
pub fn dir_of(mount: &Path, run_id: &str) -> PathBuf {
    mount.join(format!(".o2check-{run_id}"))
}

/// What `scenario prepare` found on one node.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Probe {
    pub ok: bool,
    /// The path is not OCFS2 and that was not allowed: a usage error, not a fault.
    #[serde(default)]
    pub refused: bool,
    #[serde(default)]
    pub ocfs2: bool,
    /// `<mount>/.o2check-<run id>` exists already (a run id used twice).
    #[serde(default)]
    pub exists: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// Check, without writing anything, that a run can use `mount` on this node.
pub fn probe(mount: &Path, run_id: &str, allow_non_ocfs2: bool) -> Probe {
    let fail = |refused: bool, error: String| Probe {
        ok: false,
        refused,
        ocfs2: false,
        exists: false,
        error: Some(error),
    };
    if let Err(e) = check_run_id(run_id) {
        return fail(true, e);
    }
    let ocfs2 = match is_ocfs2(mount) {
        Ok(o) => o,
        Err(e) => return fail(false, e),
    };
    if !ocfs2 && !allow_non_ocfs2 {
        return fail(true, refusal(mount));
    }
    let dir = dir_of(mount, run_id);
    let exists = match with_timeout("stat", FS_TIMEOUT, move || dir.exists()) {
        Ok(e) => e,
        Err(e) => return fail(false, e.to_string()),
    };
    Probe {
        ok: true,
        refused: false,
        ocfs2,
        exists,
        error: None,
    }
}

fn refusal(mount: &Path) -> String {
    format!("{} is not an OCFS2 filesystem; refusing to write there (use --allow-non-ocfs2 to test another filesystem)", mount.display())
}

/// Remove `<mount>/.o2check-<run id>` and everything in it, with a timeout.
/// Ok(false) when it was not there.
pub fn remove(mount: &Path, run_id: &str, timeout: Duration) -> Result<bool, String> {
    check_run_id(run_id)?;
    let dir = dir_of(mount, run_id);
    let shown = dir.display().to_string();
    with_timeout(&format!("removing {shown}"), timeout, move || {
        if !dir.exists() {
            return Ok(false);
        }
        std::fs::remove_dir_all(&dir).map(|_| true)
    })
    .map_err(|e| e.to_string())?
    .map_err(|e| format!("cannot remove {shown}: {e}"))
}

/// Is `path` on an OCFS2 filesystem? Errors (and a statfs that hangs) are errors.
pub fn is_ocfs2(path: &Path) -> Result<bool, String> {
    let p = path.to_path_buf();
    let r = with_timeout(
        &format!("statfs {}", path.display()),
        FS_TIMEOUT,
        move || nix::sys::statfs::statfs(&p),
    )
    .map_err(|e| e.to_string())?;
    let st = r.map_err(|e| format!("statfs {}: {e}", path.display()))?;
    Ok(st.filesystem_type().0 as i64 == OCFS2_MAGIC)
}

/// The scenario directory; removed (with everything in it) on drop.
pub struct Workspace {
    dir: PathBuf,
    keep: bool,
}

impl Workspace {
    /// Create (or join, for a second node) `<mount>/.o2check-<run_id>/`.
    pub fn open(mount: &Path, run_id: &str, allow_non_ocfs2: bool) -> Result<Workspace, String> {
        let _ = flag(); // install the Ctrl-C handler before anything is written
        check_run_id(run_id)?;
        if !is_ocfs2(mount)? && !allow_non_ocfs2 {
            return Err(refusal(mount));
        }
        let dir = dir_of(mount, run_id);
        let d = dir.clone();
        with_timeout("mkdir", FS_TIMEOUT, move || std::fs::create_dir_all(&d))
            .map_err(|e| e.to_string())?
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        Ok(Workspace { dir, keep: false })
    }

    pub fn path(&self) -> &Path {
        &self.dir
    }

    /// Leave the directory for another process (a second writer, the verifier).
    pub fn keep(mut self) -> PathBuf {
        self.keep = true;
        self.dir.clone()
    }
}

impl Drop for Workspace {
    fn drop(&mut self) {
        if !self.keep || stopping() {
            let d = self.dir.clone();
            let _ = with_timeout("cleanup", FS_TIMEOUT, move || std::fs::remove_dir_all(d));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_non_ocfs2_unless_allowed_and_cleans_up() {
        let tmp = tempfile::tempdir().unwrap();
        assert!(!is_ocfs2(tmp.path()).unwrap());
        let err = Workspace::open(tmp.path(), "r1", false).err().unwrap();
        assert!(err.contains("not an OCFS2 filesystem"), "{err}");
        let ws = Workspace::open(tmp.path(), "r1", true).unwrap();
        std::fs::write(ws.path().join("f"), "x").unwrap();
        let dir = ws.path().to_path_buf();
        drop(ws);
        assert!(!dir.exists(), "removed on drop");
        assert!(Workspace::open(tmp.path(), "../x", true).is_err());
    }

    #[test]
    fn probe_and_remove() {
        let tmp = tempfile::tempdir().unwrap();
        let p = probe(tmp.path(), "r2", false);
        assert!(!p.ok && p.refused, "{p:?}");
        let p = probe(tmp.path(), "r2", true);
        assert!(p.ok && !p.ocfs2 && !p.exists, "{p:?}");
        std::fs::create_dir_all(dir_of(tmp.path(), "r2").join("x/y")).unwrap();
        assert!(probe(tmp.path(), "r2", true).exists);
        assert_eq!(remove(tmp.path(), "r2", FS_TIMEOUT), Ok(true));
        assert_eq!(remove(tmp.path(), "r2", FS_TIMEOUT), Ok(false));
        assert!(probe(tmp.path(), "a/b", true).refused);
        let missing = probe(&tmp.path().join("nope"), "r2", true);
        assert!(!missing.ok && !missing.refused, "{missing:?}");
    }
}
