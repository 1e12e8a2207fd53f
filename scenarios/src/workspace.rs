//! The only place a scenario writes: `<mount>/.o2check-<run id>/`, created after
//! checking that the mount really is OCFS2 and removed when the guard is dropped,
//! which also happens after Ctrl-C (the writers watch [`stopping`] and stop).
//! An agent started by `scenario run` also stops when its stdin closes
//! ([`request_stop`]): that is how a Ctrl-C on the coordinator reaches the nodes.
//!
//! Root writes there, on a mount other users may write to, so the directory is
//! trusted only as made here: created with mkdir (failing if it exists) with mode
//! 0700 by the coordinator's `scenario prepare --create`, then verified by every
//! agent before use ([`Workspace::join`]: a real directory, not a symlink, ours,
//! 0700, in a parent nobody else can rename it from), so nothing another user
//! planted (a directory, a symlink) is written into or removed. Run ids are
//! random (128 bits), so none can be planted in advance.

use crate::error::{io_error, WorkspaceError};
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
pub fn check_run_id(run_id: &str) -> Result<(), WorkspaceError> {
    let ok = !run_id.is_empty()
        && run_id.len() <= 100
        && run_id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if ok {
        Ok(())
    } else {
        Err(WorkspaceError::BadRunId {
            run_id: run_id.to_string(),
        })
    }
}

/// `<mount>/.o2check-<run id>`.
pub fn dir_of(mount: &Path, run_id: &str) -> PathBuf {
    mount.join(format!(".o2check-{run_id}"))
}

/// A fresh run id: the time, for people, and 128 random bits, so no other user
/// can know it before the run creates its directory.
pub fn new_run_id(now: &str) -> Result<String, WorkspaceError> {
    let mut bytes = [0u8; 16];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut bytes))
        .map_err(WorkspaceError::NoRandom)?;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    Ok(format!("{now}-{hex}"))
}

/// `dir` is ours to use: a directory (not a symlink) owned by us with mode 0700,
/// and its parent not writable by others unless sticky (else they could rename
/// ours away and put their own in its place).
pub fn verify(dir: &Path) -> Result<(), WorkspaceError> {
    use std::os::unix::fs::MetadataExt;
    let shown = dir.display();
    let d = dir.to_path_buf();
    let md = with_timeout("lstat", FS_TIMEOUT, move || std::fs::symlink_metadata(&d))?
        .map_err(io_error(format!("cannot use {shown}")))?;
    let me = nix::unistd::geteuid().as_raw();
    if md.file_type().is_symlink() || !md.is_dir() {
        return Err(WorkspaceError::NotPlainDirectory {
            dir: dir.to_path_buf(),
        });
    }
    if md.uid() != me || md.mode() & 0o7777 != 0o700 {
        return Err(WorkspaceError::NotOurs {
            dir: dir.to_path_buf(),
            uid: md.uid(),
            mode: md.mode() & 0o7777,
            me,
        });
    }
    let parent = dir.parent().unwrap_or(Path::new("/")).to_path_buf();
    let pm = with_timeout("stat", FS_TIMEOUT, move || std::fs::metadata(&parent))?
        .map_err(io_error("cannot stat the mount"))?;
    if pm.mode() & 0o022 != 0 && pm.mode() & 0o1000 == 0 {
        return Err(WorkspaceError::Swappable {
            parent: dir.parent().unwrap_or(Path::new("/")).to_path_buf(),
            mode: pm.mode() & 0o7777,
        });
    }
    Ok(())
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
        return fail(true, e.to_string());
    }
    let ocfs2 = match is_ocfs2(mount) {
        Ok(o) => o,
        Err(e) => return fail(false, e.to_string()),
    };
    if !ocfs2 && !allow_non_ocfs2 {
        return fail(true, not_ocfs2(mount).to_string());
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

fn not_ocfs2(mount: &Path) -> WorkspaceError {
    WorkspaceError::NotOcfs2 {
        mount: mount.to_path_buf(),
    }
}

/// Remove `<mount>/.o2check-<run id>` and everything in it, with a timeout.
/// Ok(false) when it was not there. A directory this run did not make (another
/// owner, a symlink: see [`verify`]) is left alone and is an error.
pub fn remove(mount: &Path, run_id: &str, timeout: Duration) -> Result<bool, WorkspaceError> {
    check_run_id(run_id)?;
    let dir = dir_of(mount, run_id);
    let shown = dir.display().to_string();
    let d = dir.clone();
    let there = with_timeout("lstat", FS_TIMEOUT, move || {
        std::fs::symlink_metadata(&d).is_ok()
    })?;
    if !there {
        return Ok(false);
    }
    verify(&dir)?;
    with_timeout(&format!("removing {shown}"), timeout, move || {
        // remove_dir_all never follows a symlink inside (it works with openat).
        std::fs::remove_dir_all(&dir).map(|_| true)
    })?
    .map_err(|e| io_error(format!("cannot remove {shown}"))(e).into())
}

/// Is `path` on an OCFS2 filesystem? Errors (and a statfs that hangs) are errors.
pub fn is_ocfs2(path: &Path) -> Result<bool, WorkspaceError> {
    let p = path.to_path_buf();
    let r = with_timeout(
        &format!("statfs {}", path.display()),
        FS_TIMEOUT,
        move || nix::sys::statfs::statfs(&p),
    )?;
    let st = r.map_err(|e| io_error(format!("statfs {}", path.display()))(e.into()))?;
    Ok(st.filesystem_type().0 as i64 == OCFS2_MAGIC)
}

/// The scenario directory; removed (with everything in it) on drop.
pub struct Workspace {
    dir: PathBuf,
    keep: bool,
}

impl Workspace {
    /// Create `<mount>/.o2check-<run_id>/`, or join it when this user made it
    /// (a second local writer): [`Workspace::create`], else [`Workspace::join`].
    pub fn open(
        mount: &Path,
        run_id: &str,
        allow_non_ocfs2: bool,
    ) -> Result<Workspace, WorkspaceError> {
        match Self::create(mount, run_id, allow_non_ocfs2) {
            Err(WorkspaceError::Exists { .. }) => Self::join(mount, run_id, allow_non_ocfs2),
            other => other,
        }
    }

    /// Create `<mount>/.o2check-<run_id>/` with mkdir, mode 0700: failing if
    /// anything is there already.
    pub fn create(
        mount: &Path,
        run_id: &str,
        allow_non_ocfs2: bool,
    ) -> Result<Workspace, WorkspaceError> {
        let _ = flag(); // install the Ctrl-C handler before anything is written
        Self::check_mount(mount, run_id, allow_non_ocfs2)?;
        let dir = dir_of(mount, run_id);
        let d = dir.clone();
        with_timeout("mkdir", FS_TIMEOUT, move || {
            use std::os::unix::fs::DirBuilderExt;
            std::fs::DirBuilder::new().mode(0o700).create(&d)
        })?
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::AlreadyExists => WorkspaceError::Exists { dir: dir.clone() },
            _ => io_error(format!("cannot create {}", dir.display()))(e).into(),
        })?;
        // mkdir's mode is cut by the umask; 0700 exactly is what verify expects.
        let d = dir.clone();
        with_timeout("chmod", FS_TIMEOUT, move || {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&d, std::fs::Permissions::from_mode(0o700))
        })?
        .map_err(io_error(format!("cannot chmod {}", dir.display())))?;
        verify(&dir)?;
        Ok(Workspace { dir, keep: false })
    }

    /// Use the run directory the coordinator created, once [`verify`] says it is.
    pub fn join(
        mount: &Path,
        run_id: &str,
        allow_non_ocfs2: bool,
    ) -> Result<Workspace, WorkspaceError> {
        let _ = flag();
        Self::check_mount(mount, run_id, allow_non_ocfs2)?;
        let dir = dir_of(mount, run_id);
        verify(&dir)?;
        // Not ours to remove on drop unless kept: the coordinator cleans up.
        Ok(Workspace { dir, keep: false })
    }

    fn check_mount(
        mount: &Path,
        run_id: &str,
        allow_non_ocfs2: bool,
    ) -> Result<(), WorkspaceError> {
        check_run_id(run_id)?;
        if !is_ocfs2(mount)? && !allow_non_ocfs2 {
            return Err(not_ocfs2(mount));
        }
        Ok(())
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
        let err = Workspace::open(tmp.path(), "r1", false)
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("not an OCFS2 filesystem"), "{err}");
        let ws = Workspace::open(tmp.path(), "r1", true).unwrap();
        std::fs::write(ws.path().join("f"), "x").unwrap();
        let dir = ws.path().to_path_buf();
        drop(ws);
        assert!(!dir.exists(), "removed on drop");
        assert!(Workspace::open(tmp.path(), "../x", true).is_err());
    }

    #[test]
    fn create_fails_on_anything_already_there_and_join_verifies() {
        use std::os::unix::fs::PermissionsExt;
        let tmp = tempfile::tempdir().unwrap();
        let ws = Workspace::create(tmp.path(), "r3", true).unwrap();
        let md = std::fs::symlink_metadata(ws.path()).unwrap();
        assert_eq!(md.permissions().mode() & 0o7777, 0o700);
        let err = Workspace::create(tmp.path(), "r3", true)
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("exists already"), "{err}");
        assert!(Workspace::join(tmp.path(), "r3", true).is_ok());
        drop(ws);
        // A symlink where the run directory should be: never joined, never removed through.
        let elsewhere = tmp.path().join("elsewhere");
        std::fs::create_dir(&elsewhere).unwrap();
        std::fs::write(elsewhere.join("precious"), "x").unwrap();
        std::os::unix::fs::symlink(&elsewhere, dir_of(tmp.path(), "r4")).unwrap();
        for err in [
            Workspace::create(tmp.path(), "r4", true).err().unwrap(),
            Workspace::join(tmp.path(), "r4", true).err().unwrap(),
            Workspace::open(tmp.path(), "r4", true).err().unwrap(),
            remove(tmp.path(), "r4", FS_TIMEOUT).unwrap_err(),
        ] {
            let err = err.to_string();
            assert!(
                err.contains("refusing") || err.contains("exists already"),
                "{err}"
            );
        }
        assert!(elsewhere.join("precious").exists());
        // A directory with another mode: not this run's.
        std::fs::create_dir(dir_of(tmp.path(), "r5")).unwrap();
        std::fs::set_permissions(
            dir_of(tmp.path(), "r5"),
            std::fs::Permissions::from_mode(0o777),
        )
        .unwrap();
        assert!(Workspace::join(tmp.path(), "r5", true)
            .err()
            .unwrap()
            .to_string()
            .contains("refusing"));
        // A mount others can write to without the sticky bit: the directory could be swapped.
        let open = tmp.path().join("open");
        std::fs::create_dir(&open).unwrap();
        std::fs::set_permissions(&open, std::fs::Permissions::from_mode(0o777)).unwrap();
        let err = Workspace::create(&open, "r6", true).err().unwrap();
        assert!(err.to_string().contains("not sticky"), "{err}");
    }

    #[test]
    fn run_ids_are_random() {
        let a = new_run_id("t").unwrap();
        let b = new_run_id("t").unwrap();
        assert_ne!(a, b);
        assert_eq!(a.len(), "t-".len() + 32);
        assert!(check_run_id(&a).is_ok());
    }

    #[test]
    fn probe_and_remove() {
        let tmp = tempfile::tempdir().unwrap();
        let p = probe(tmp.path(), "r2", false);
        assert!(!p.ok && p.refused, "{p:?}");
        let p = probe(tmp.path(), "r2", true);
        assert!(p.ok && !p.ocfs2 && !p.exists, "{p:?}");
        Workspace::create(tmp.path(), "r2", true).unwrap().keep();
        std::fs::create_dir_all(dir_of(tmp.path(), "r2").join("x/y")).unwrap();
        assert!(probe(tmp.path(), "r2", true).exists);
        assert!(remove(tmp.path(), "r2", FS_TIMEOUT).unwrap());
        assert!(!remove(tmp.path(), "r2", FS_TIMEOUT).unwrap());
        assert!(probe(tmp.path(), "a/b", true).refused);
        let missing = probe(&tmp.path().join("nope"), "r2", true);
        assert!(!missing.ok && !missing.refused, "{missing:?}");
    }
}
