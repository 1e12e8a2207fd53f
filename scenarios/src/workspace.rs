//! The only place a scenario writes: `<mount>/.o2check-<run id>/`, created after
//! checking that the mount really is OCFS2 and removed when the guard is dropped,
//! which also happens after Ctrl-C (the writers watch [`interrupted`] and stop).

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
        if !run_id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            || run_id.is_empty()
        {
            return Err(format!("run id `{run_id}` must be letters, digits, - or _"));
        }
        if !is_ocfs2(mount)? && !allow_non_ocfs2 {
            return Err(format!("{} is not an OCFS2 filesystem; refusing to write there (use --allow-non-ocfs2 to test another filesystem)", mount.display()));
        }
        let dir = mount.join(format!(".o2check-{run_id}"));
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
        if !self.keep || interrupted() {
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
}
