//! Reading a directory tree someone else wrote (a customer's bundle, a sosreport,
//! a node's unpacked stream) as root without being led out of it: every path is
//! resolved beneath the root by the kernel (openat2 RESOLVE_BENEATH, so a symlink
//! inside the tree works and one that leaves it is refused), FIFOs, sockets and
//! devices are refused from an O_PATH handle without ever being opened (opening
//! /dev/watchdog or a FIFO has effects or blocks), and no file is read past a size
//! cap: logs and command outputs keep their last bytes, anything else over the
//! cap is refused. On kernels without openat2 (< 5.6) the walk is done here one
//! component at a time with O_NOFOLLOW and any symlink is refused.

use super::memory_tree::{Entry, MemoryTree};
use crate::error::EvidenceError;
use rustix::fs::{FileType, Mode, OFlags, ResolveFlags, Stat};
use rustix::io::Errno;
use std::io::{Read, Seek, SeekFrom};
use std::os::fd::OwnedFd;
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;

/// The per-file cap when nobody set one (`--max-file-mib`): a whole dmesg or
/// cluster.conf is far below it, a kern.log keeps its last 64 MiB.
pub const DEFAULT_MAX_FILE: u64 = 64 * 1024 * 1024;

static MAX_FILE: AtomicU64 = AtomicU64::new(DEFAULT_MAX_FILE);
/// Cleared the first time openat2 is not available (ENOSYS, or a seccomp filter).
static HAVE_OPENAT2: AtomicBool = AtomicBool::new(true);

/// Set the per-file cap for every [`Confined`] opened from now on (the CLI's
/// `--max-file-mib`).
pub fn set_max_file(bytes: u64) {
    MAX_FILE.store(bytes.max(1), Ordering::Relaxed);
}

/// The per-file cap now in force.
pub fn max_file() -> u64 {
    MAX_FILE.load(Ordering::Relaxed)
}

/// Why a path in the tree cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum ConfinedError {
    #[error("{path} is not there")]
    Missing { path: String },
    #[error("{path} is a symlink that leads out of {root}; refused")]
    Escapes { path: String, root: String },
    #[error("{path} is a symlink; refused (this kernel cannot resolve it inside the bundle)")]
    Symlink { path: String },
    #[error("{path} is a {kind}, not a regular file; refused without opening it")]
    NotRegular { path: String, kind: &'static str },
    #[error("{path} is {size} bytes, over the limit of {limit} bytes per file (--max-file-mib)")]
    TooLarge { path: String, size: u64, limit: u64 },
    #[error("{path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
}

impl ConfinedError {
    /// As evidence: absent is missing, anything else an unreadable `what`.
    pub fn into_evidence(self, what: &str) -> EvidenceError {
        match self {
            ConfinedError::Missing { .. } => EvidenceError::NotCollected {
                what: what.to_string(),
                collect: format!("{what} (not in this bundle)"),
            },
            other => EvidenceError::Io {
                what: what.to_string(),
                error: other.to_string(),
            },
        }
    }
}

/// What an entry is, without opening it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    File,
    Dir,
    Other(&'static str),
}

/// A directory tree, read only beneath its root.
pub struct Confined {
    root: OwnedFd,
    shown: PathBuf,
    max_file: u64,
    /// When set, the tree is this (a node's unpacked stream) and only its
    /// [`Entry::OnDisk`] files are read beneath `root`.
    memory: Option<Arc<MemoryTree>>,
}

impl Confined {
    /// Open `root` (itself may be reached through a symlink: the caller named it).
    pub fn open(root: &Path) -> std::io::Result<Confined> {
        let fd = rustix::fs::open(
            root,
            OFlags::PATH | OFlags::DIRECTORY | OFlags::CLOEXEC,
            Mode::empty(),
        )?;
        Ok(Confined {
            root: fd,
            shown: root.to_path_buf(),
            max_file: max_file(),
            memory: None,
        })
    }

    /// The tree is `tree`, held in memory; the files it holds as
    /// [`Entry::OnDisk`] are read beneath this root as usual.
    pub fn over_memory(mut self, tree: Arc<MemoryTree>) -> Confined {
        self.memory = Some(tree);
        self
    }

    /// The in-memory entry for `rel`: `None` when the tree is on disk here
    /// (no memory tree, or the tree says [`Entry::OnDisk`]).
    fn memory_entry(&self, rel: &str) -> Option<Result<&Entry, ConfinedError>> {
        let tree = self.memory.as_ref()?;
        let path = Path::new(rel.trim_start_matches('/'));
        let mut key = Vec::new();
        for c in path.components() {
            match c {
                Component::Normal(n) => key.push(n.to_string_lossy()),
                Component::CurDir => {}
                _ => return Some(Err(self.escapes(rel))),
            }
        }
        match tree.get(&key.join("/")) {
            None => Some(Err(ConfinedError::Missing {
                path: rel.to_string(),
            })),
            Some(Entry::OnDisk) => None,
            Some(entry) => Some(Ok(entry)),
        }
    }

    /// An in-memory file's bytes, or why `rel` is not one.
    fn memory_file<'a>(&self, rel: &str, entry: &'a Entry) -> Result<&'a [u8], ConfinedError> {
        match entry {
            Entry::File(bytes) => Ok(bytes),
            _ => Err(ConfinedError::NotRegular {
                path: rel.to_string(),
                kind: "directory",
            }),
        }
    }

    /// This tree with another per-file cap.
    pub fn with_max_file(mut self, bytes: u64) -> Confined {
        self.max_file = bytes.max(1);
        self
    }

    pub fn root(&self) -> &Path {
        &self.shown
    }

    /// What `rel` is, `None` when absent or unreachable.
    pub fn kind(&self, rel: &str) -> Option<Kind> {
        if let Some(entry) = self.memory_entry(rel) {
            return match entry.ok()? {
                Entry::Dir => Some(Kind::Dir),
                _ => Some(Kind::File),
            };
        }
        let fd = self.resolve(rel, OFlags::PATH).ok()?;
        rustix::fs::fstat(&fd).ok().map(|st| kind_of(&st))
    }

    /// The whole of the regular file `rel`; over the cap it is [`ConfinedError::TooLarge`].
    pub fn read(&self, rel: &str) -> Result<Vec<u8>, ConfinedError> {
        if let Some(entry) = self.memory_entry(rel) {
            let bytes = self.memory_file(rel, entry?)?;
            if bytes.len() as u64 > self.max_file {
                return Err(ConfinedError::TooLarge {
                    path: rel.to_string(),
                    size: bytes.len() as u64,
                    limit: self.max_file,
                });
            }
            return Ok(bytes.to_vec());
        }
        let (mut file, size) = self.open_regular(rel)?;
        if size > self.max_file {
            return Err(ConfinedError::TooLarge {
                path: rel.to_string(),
                size,
                limit: self.max_file,
            });
        }
        let mut buf = Vec::with_capacity(size as usize);
        file.by_ref()
            .take(self.max_file + 1)
            .read_to_end(&mut buf)
            .map_err(|e| self.io(rel, e))?;
        if buf.len() as u64 > self.max_file {
            return Err(ConfinedError::TooLarge {
                path: rel.to_string(),
                size: buf.len() as u64,
                limit: self.max_file,
            });
        }
        Ok(buf)
    }

    /// The regular file `rel`, or its last lines up to the cap when it is larger
    /// (a log: today's end of it is what matters). Memory stays at the cap.
    pub fn read_tail(&self, rel: &str) -> Result<Vec<u8>, ConfinedError> {
        if let Some(entry) = self.memory_entry(rel) {
            let bytes = self.memory_file(rel, entry?)?;
            return Ok(tail_of_bytes(bytes, self.max_file).to_vec());
        }
        let (mut file, size) = self.open_regular(rel)?;
        tail_of(&mut file, size, self.max_file).map_err(|e| self.io(rel, e))
    }

    /// The names in directory `rel`, sorted.
    pub fn list_dir(&self, rel: &str) -> Result<Vec<String>, ConfinedError> {
        if let Some(entry) = self.memory_entry(rel) {
            entry?;
            let key = rel.trim_start_matches('/').trim_end_matches('/');
            let key: Vec<&str> = key
                .split('/')
                .filter(|c| !c.is_empty() && *c != ".")
                .collect();
            return self
                .memory
                .as_ref()
                .and_then(|t| t.list(&key.join("/")))
                .ok_or_else(|| ConfinedError::NotRegular {
                    path: rel.to_string(),
                    kind: "non-directory",
                });
        }
        let probe = self.resolve(rel, OFlags::PATH)?;
        let st = rustix::fs::fstat(&probe).map_err(|e| self.io(rel, e.into()))?;
        if kind_of(&st) != Kind::Dir {
            return Err(ConfinedError::NotRegular {
                path: rel.to_string(),
                kind: "non-directory",
            });
        }
        let fd = self.resolve(rel, OFlags::RDONLY | OFlags::DIRECTORY)?;
        let dir = rustix::fs::Dir::read_from(&fd).map_err(|e| self.io(rel, e.into()))?;
        let mut names = Vec::new();
        for entry in dir {
            let entry = entry.map_err(|e| self.io(rel, e.into()))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if name != "." && name != ".." {
                names.push(name);
            }
        }
        names.sort();
        Ok(names)
    }

    /// Open `rel` for reading only once an O_PATH handle showed it is a regular
    /// file, and only if what was opened is that same file.
    pub fn open_regular(&self, rel: &str) -> Result<(std::fs::File, u64), ConfinedError> {
        if let Some(entry) = self.memory_entry(rel) {
            // A file only in memory, handed out as an anonymous one (memfd) so
            // callers that stream a log read it as they read any other.
            let bytes = self.memory_file(rel, entry?)?;
            return memory_file_handle(bytes)
                .map(|f| (f, bytes.len() as u64))
                .map_err(|e| self.io(rel, e));
        }
        let probe = self.resolve(rel, OFlags::PATH)?;
        let before = rustix::fs::fstat(&probe).map_err(|e| self.io(rel, e.into()))?;
        let kind = match kind_of(&before) {
            Kind::File => None,
            Kind::Dir => Some("directory"),
            Kind::Other(kind) => Some(kind),
        };
        if let Some(kind) = kind {
            return Err(ConfinedError::NotRegular {
                path: rel.to_string(),
                kind,
            });
        }
        let fd = self.resolve(rel, OFlags::RDONLY | OFlags::NONBLOCK | OFlags::NOCTTY)?;
        let after = rustix::fs::fstat(&fd).map_err(|e| self.io(rel, e.into()))?;
        if kind_of(&after) != Kind::File
            || (after.st_dev, after.st_ino) != (before.st_dev, before.st_ino)
        {
            return Err(ConfinedError::NotRegular {
                path: rel.to_string(),
                kind: "file that changed while being opened",
            });
        }
        Ok((std::fs::File::from(fd), after.st_size.max(0) as u64))
    }

    /// `rel` (a host-style path, `/etc/x` or `etc/x`) resolved beneath the root.
    fn resolve(&self, rel: &str, flags: OFlags) -> Result<OwnedFd, ConfinedError> {
        let path = Path::new(rel.trim_start_matches('/'));
        if path
            .components()
            .any(|c| !matches!(c, Component::Normal(_) | Component::CurDir))
        {
            return Err(self.escapes(rel));
        }
        let path = if path.as_os_str().is_empty() {
            Path::new(".")
        } else {
            path
        };
        if HAVE_OPENAT2.load(Ordering::Relaxed) {
            match rustix::fs::openat2(
                &self.root,
                path,
                flags | OFlags::CLOEXEC,
                Mode::empty(),
                ResolveFlags::BENEATH | ResolveFlags::NO_MAGICLINKS,
            ) {
                Ok(fd) => return Ok(fd),
                Err(Errno::NOSYS) | Err(Errno::PERM) => {
                    HAVE_OPENAT2.store(false, Ordering::Relaxed)
                }
                Err(e) => return Err(self.resolve_error(rel, e)),
            }
        }
        self.walk(rel, path, flags)
    }

    /// Without openat2: one component at a time, never following a symlink.
    fn walk(&self, rel: &str, path: &Path, flags: OFlags) -> Result<OwnedFd, ConfinedError> {
        let parts: Vec<_> = path
            .components()
            .filter(|c| matches!(c, Component::Normal(_)))
            .collect();
        let mut dir = rustix::fs::openat(
            &self.root,
            ".",
            OFlags::PATH | OFlags::DIRECTORY | OFlags::CLOEXEC,
            Mode::empty(),
        )
        .map_err(|e| self.io(rel, e.into()))?;
        let Some((last, middle)) = parts.split_last() else {
            return rustix::fs::openat(&self.root, ".", flags | OFlags::CLOEXEC, Mode::empty())
                .map_err(|e| self.resolve_error(rel, e));
        };
        for part in middle {
            let st = rustix::fs::statat(
                &dir,
                part.as_os_str(),
                rustix::fs::AtFlags::SYMLINK_NOFOLLOW,
            )
            .map_err(|e| self.resolve_error(rel, e))?;
            if FileType::from_raw_mode(st.st_mode) == FileType::Symlink {
                return Err(ConfinedError::Symlink {
                    path: rel.to_string(),
                });
            }
            dir = rustix::fs::openat(
                &dir,
                part.as_os_str(),
                OFlags::PATH | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC,
                Mode::empty(),
            )
            .map_err(|e| self.resolve_error(rel, e))?;
        }
        let st = rustix::fs::statat(
            &dir,
            last.as_os_str(),
            rustix::fs::AtFlags::SYMLINK_NOFOLLOW,
        )
        .map_err(|e| self.resolve_error(rel, e))?;
        if FileType::from_raw_mode(st.st_mode) == FileType::Symlink {
            return Err(ConfinedError::Symlink {
                path: rel.to_string(),
            });
        }
        rustix::fs::openat(
            &dir,
            last.as_os_str(),
            flags | OFlags::NOFOLLOW | OFlags::CLOEXEC,
            Mode::empty(),
        )
        .map_err(|e| self.resolve_error(rel, e))
    }

    fn resolve_error(&self, rel: &str, e: Errno) -> ConfinedError {
        match e {
            Errno::NOENT | Errno::NOTDIR => ConfinedError::Missing {
                path: rel.to_string(),
            },
            Errno::XDEV => self.escapes(rel),
            Errno::LOOP => ConfinedError::Symlink {
                path: rel.to_string(),
            },
            other => self.io(rel, other.into()),
        }
    }

    fn escapes(&self, rel: &str) -> ConfinedError {
        ConfinedError::Escapes {
            path: rel.to_string(),
            root: self.shown.display().to_string(),
        }
    }

    fn io(&self, rel: &str, source: std::io::Error) -> ConfinedError {
        ConfinedError::Io {
            path: rel.to_string(),
            source,
        }
    }

    /// For tests: resolve as a kernel without openat2 would.
    #[cfg(test)]
    fn force_walk(&self, rel: &str) -> Result<OwnedFd, ConfinedError> {
        let path = Path::new(rel.trim_start_matches('/'));
        self.walk(rel, path, OFlags::PATH)
    }
}

/// The last `cap` bytes of `file` (`size` long), from the first whole line in
/// them; only `cap` bytes are ever read or held.
pub(crate) fn tail_of(file: &mut std::fs::File, size: u64, cap: u64) -> std::io::Result<Vec<u8>> {
    let start = size.saturating_sub(cap);
    if start > 0 {
        file.seek(SeekFrom::Start(start))?;
    }
    let mut buf = Vec::with_capacity(size.min(cap) as usize);
    file.take(cap).read_to_end(&mut buf)?;
    if start > 0 {
        // Begin at a whole line; a cut first line would parse as garbage.
        if let Some(nl) = memchr::memchr(b'\n', &buf) {
            buf.drain(..=nl);
        }
    }
    Ok(buf)
}

/// [`tail_of`] for bytes in memory: the last `cap`, from the first whole line in them.
fn tail_of_bytes(bytes: &[u8], cap: u64) -> &[u8] {
    let start = bytes
        .len()
        .saturating_sub(usize::try_from(cap).unwrap_or(usize::MAX));
    let tail = &bytes[start..];
    if start == 0 {
        return tail;
    }
    match memchr::memchr(b'\n', tail) {
        Some(nl) => &tail[nl + 1..],
        None => tail,
    }
}

/// A read-only-by-use anonymous file holding `bytes`, positioned at its start.
fn memory_file_handle(bytes: &[u8]) -> std::io::Result<std::fs::File> {
    use std::io::Write;
    let fd = rustix::fs::memfd_create("o2check-bundle-file", rustix::fs::MemfdFlags::CLOEXEC)?;
    let mut file = std::fs::File::from(fd);
    file.write_all(bytes)?;
    file.seek(SeekFrom::Start(0))?;
    Ok(file)
}

fn kind_of(st: &Stat) -> Kind {
    match FileType::from_raw_mode(st.st_mode) {
        FileType::RegularFile => Kind::File,
        FileType::Directory => Kind::Dir,
        FileType::Fifo => Kind::Other("FIFO"),
        FileType::Socket => Kind::Other("socket"),
        FileType::CharacterDevice => Kind::Other("character device"),
        FileType::BlockDevice => Kind::Other("block device"),
        FileType::Symlink => Kind::Other("symlink"),
        FileType::Unknown => Kind::Other("special file"),
    }
}

#[cfg(test)]
#[path = "confined_tests.rs"]
mod tests;
