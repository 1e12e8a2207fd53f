//! Unpacking a tar archive nobody here vouches for (a node's `collect --out -`
//! stream, a customer's uploaded bundle) into a directory o2check created. Only
//! directories and regular files are made, each opened beneath the destination
//! with O_NOFOLLOW (files also O_EXCL), so an entry can neither leave it nor write
//! through something an earlier entry or another user put there; symlinks, hard
//! links, devices and FIFOs are refused (or skipped, when the caller prefers the
//! rest of the archive); modes are normalised to 0644 and 0755; every file, the
//! whole archive and the number of entries are capped, counted on the bytes
//! actually read, so a sparse 4 GiB entry in a 100 KB stream or an endless stream
//! stops at the cap with an error.

use o2check_checks::source::memory_tree::{Entry, MemoryTree};
use rustix::fs::{Mode, OFlags};
use rustix::io::Errno;
use std::io::{Read, Write};
use std::os::fd::OwnedFd;
use std::path::{Component, Path, PathBuf};

/// What to do with an entry that is not a directory or a regular file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Specials {
    /// Fail the whole archive: o2check's own streams never hold one.
    Refuse,
    /// Leave it out and name it in [`Summary::skipped`] (archives made by other tools).
    Skip,
}

/// Caps on what an archive may make.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Bytes in one file.
    pub max_file: u64,
    /// Bytes in all files together.
    pub max_total: u64,
    /// Entries of any kind.
    pub max_entries: u64,
    pub specials: Specials,
}

impl Default for Limits {
    /// A node's bundle: its logs are tails of at most 64 MiB, the rest is small.
    fn default() -> Self {
        Limits {
            max_file: 64 << 20,
            max_total: 1 << 30,
            max_entries: 100_000,
            specials: Specials::Refuse,
        }
    }
}

/// What was unpacked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    pub files: u64,
    pub dirs: u64,
    pub bytes: u64,
    /// Entries left out under [`Specials::Skip`], as `path (kind)`.
    pub skipped: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum UnpackError {
    #[error("entry {path:?} would land outside the destination (absolute, or with ..)")]
    Escapes { path: String },
    #[error("entry {path:?} is a {kind}; only directories and regular files are unpacked")]
    Refused { path: String, kind: &'static str },
    #[error("entry {path:?} is larger than the limit of {limit} bytes per file")]
    FileTooLarge { path: String, limit: u64 },
    #[error("the archive holds more than the limit of {limit} bytes in all")]
    TotalTooLarge { limit: u64 },
    #[error("the archive holds more than the limit of {limit} entries")]
    TooManyEntries { limit: u64 },
    #[error("entry {path:?} comes twice, or where a directory or file already is")]
    Duplicate { path: String },
    #[error("the destination {path:?} is not a directory o2check can use: {source}")]
    Destination {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("reading the archive: {0}")]
    Read(#[source] std::io::Error),
    #[error("writing {path:?}: {source}")]
    Write {
        path: String,
        #[source]
        source: std::io::Error,
    },
}

/// How much of an archive [`unpack_held`] keeps in memory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hold {
    /// Files up to this size are held (larger ones go to disk).
    pub max_file: u64,
    /// Bytes held in all; once reached, every further file goes to disk.
    pub max_total: u64,
}

impl Default for Hold {
    /// A node's bundle is about 250 KiB in 56 files; its big logs go to disk.
    fn default() -> Self {
        Hold {
            max_file: 1 << 20,
            max_total: 8 << 20,
        }
    }
}

/// Unpack `reader` into the existing directory `dest` (not a symlink), within `limits`.
pub fn unpack<R: Read>(reader: R, dest: &Path, limits: &Limits) -> Result<Summary, UnpackError> {
    unpack_into(reader, dest, limits, None)
}

/// [`unpack`] with the small files (`hold`) kept in a [`MemoryTree`] instead of
/// written to `dest`: the same checks on every entry (paths, kinds, caps, an
/// entry twice), and only the files over `hold` are created beneath `dest`
/// (recorded in the tree as [`Entry::OnDisk`]). Read the result with
/// `Confined::open(dest)?.over_memory(tree)`.
pub fn unpack_held<R: Read>(
    reader: R,
    dest: &Path,
    limits: &Limits,
    hold: &Hold,
) -> Result<(Summary, MemoryTree), UnpackError> {
    let mut tree = MemoryTree::new();
    let summary = unpack_into(reader, dest, limits, Some((&mut tree, hold)))?;
    Ok((summary, tree))
}

fn unpack_into<R: Read>(
    reader: R,
    dest: &Path,
    limits: &Limits,
    mut memory: Option<(&mut MemoryTree, &Hold)>,
) -> Result<Summary, UnpackError> {
    let root = open_dir_at(None, dest.as_os_str()).map_err(|e| UnpackError::Destination {
        path: dest.to_path_buf(),
        source: e.into(),
    })?;
    let mut archive = tar::Archive::new(reader);
    let mut summary = Summary::default();
    let mut entries_seen = 0u64;
    for entry in archive.entries().map_err(UnpackError::Read)? {
        let mut entry = entry.map_err(UnpackError::Read)?;
        entries_seen += 1;
        if entries_seen > limits.max_entries {
            return Err(UnpackError::TooManyEntries {
                limit: limits.max_entries,
            });
        }
        let raw = entry.path().map_err(UnpackError::Read)?.into_owned();
        let shown = raw.display().to_string();
        let parts = relative_parts(&raw).ok_or_else(|| UnpackError::Escapes {
            path: shown.clone(),
        })?;
        use tar::EntryType as T;
        let kind = match entry.header().entry_type() {
            T::Regular | T::Continuous | T::GNUSparse => None,
            T::Directory => {
                match &mut memory {
                    _ if parts.is_empty() => {}
                    Some((tree, _)) => {
                        tree.add_dir(&parts).map_err(|_| UnpackError::Duplicate {
                            path: shown.clone(),
                        })?;
                    }
                    None => {
                        make_dirs(&root, &parts, &shown, &mut summary)?;
                    }
                }
                continue;
            }
            // Metadata the tar crate applies itself.
            T::XGlobalHeader | T::XHeader | T::GNULongName | T::GNULongLink => continue,
            T::Symlink => Some("symlink"),
            T::Link => Some("hard link"),
            T::Char => Some("character device"),
            T::Block => Some("block device"),
            T::Fifo => Some("FIFO"),
            _ => Some("special entry"),
        };
        if let Some(kind) = kind {
            match limits.specials {
                Specials::Refuse => return Err(UnpackError::Refused { path: shown, kind }),
                Specials::Skip => {
                    summary.skipped.push(format!("{shown} ({kind})"));
                    continue;
                }
            }
        }
        if parts.is_empty() {
            return Err(UnpackError::Duplicate { path: shown });
        }
        let room = limits
            .max_file
            .min(limits.max_total.saturating_sub(summary.bytes));
        let copied = match &mut memory {
            None => write_file(&root, &parts, &shown, &[], &mut entry, room, &mut summary)?,
            Some((tree, hold)) => {
                let held_room = if tree.held_bytes() + hold.max_file <= hold.max_total {
                    hold.max_file.min(room)
                } else {
                    0
                };
                // Read one byte past what may be held, to know it does not fit.
                let mut bytes = Vec::new();
                entry
                    .by_ref()
                    .take(held_room + 1)
                    .read_to_end(&mut bytes)
                    .map_err(UnpackError::Read)?;
                let occupied = |_| UnpackError::Duplicate {
                    path: shown.clone(),
                };
                if bytes.len() as u64 <= held_room {
                    let n = bytes.len() as u64;
                    tree.add_file(&parts, Entry::File(bytes))
                        .map_err(occupied)?;
                    n
                } else if bytes.len() as u64 > room {
                    bytes.len() as u64
                } else {
                    tree.add_file(&parts, Entry::OnDisk).map_err(occupied)?;
                    write_file(
                        &root,
                        &parts,
                        &shown,
                        &bytes,
                        &mut entry,
                        room,
                        &mut summary,
                    )?
                }
            }
        };
        if copied > room {
            return Err(if room < limits.max_file {
                UnpackError::TotalTooLarge {
                    limit: limits.max_total,
                }
            } else {
                UnpackError::FileTooLarge {
                    path: shown,
                    limit: limits.max_file,
                }
            });
        }
        summary.files += 1;
        summary.bytes += copied;
    }
    // Read the zero padding after the end marker (tar writes whole 10 KiB records),
    // so the writer finishes instead of dying of SIGPIPE; a little, not for ever.
    let _ = std::io::copy(
        &mut archive.into_inner().take(TRAILER_SLACK),
        &mut std::io::sink(),
    );
    Ok(summary)
}

/// Create the file `parts` beneath `root` (its directories as needed, O_EXCL,
/// never through a symlink, mode 0644) with `start` and then what `rest` holds,
/// up to `room` bytes in all; returns the bytes seen, `room + 1` when over it.
fn write_file(
    root: &OwnedFd,
    parts: &[String],
    shown: &str,
    start: &[u8],
    rest: &mut impl Read,
    room: u64,
    summary: &mut Summary,
) -> Result<u64, UnpackError> {
    let Some((name, dirs)) = parts.split_last() else {
        return Err(UnpackError::Duplicate {
            path: shown.to_string(),
        });
    };
    let parent = make_dirs(root, dirs, shown, summary)?;
    let fd = rustix::fs::openat(
        &parent,
        name.as_str(),
        OFlags::WRONLY | OFlags::CREATE | OFlags::EXCL | OFlags::NOFOLLOW | OFlags::CLOEXEC,
        Mode::from_raw_mode(0o600),
    )
    .map_err(|e| match e {
        Errno::EXIST | Errno::ISDIR | Errno::LOOP => UnpackError::Duplicate {
            path: shown.to_string(),
        },
        other => write_error(shown, other.into()),
    })?;
    rustix::fs::fchmod(&fd, Mode::from_raw_mode(0o644))
        .map_err(|e| write_error(shown, e.into()))?;
    let mut file = std::fs::File::from(fd);
    file.write_all(start).map_err(|e| write_error(shown, e))?;
    let copied = copy_at_most(rest, &mut file, room - start.len() as u64).map_err(|e| match e {
        CopyError::Read(e) => UnpackError::Read(e),
        CopyError::Write(e) => write_error(shown, e),
    })?;
    Ok(start.len() as u64 + copied)
}

/// How much of what follows the end-of-archive marker is read and dropped.
const TRAILER_SLACK: u64 = 1 << 20;

/// The entry's path as plain names; `None` when it is absolute or climbs out.
fn relative_parts(path: &Path) -> Option<Vec<String>> {
    let mut parts = Vec::new();
    for c in path.components() {
        match c {
            Component::Normal(n) => parts.push(n.to_str()?.to_string()),
            Component::CurDir => {}
            _ => return None,
        }
    }
    Some(parts)
}

/// Open (creating as needed, 0755) each directory of `parts` beneath `root`.
fn make_dirs(
    root: &OwnedFd,
    parts: &[String],
    shown: &str,
    summary: &mut Summary,
) -> Result<OwnedFd, UnpackError> {
    let mut dir = rustix::io::dup(root).map_err(|e| write_error(shown, e.into()))?;
    for part in parts {
        match rustix::fs::mkdirat(&dir, part.as_str(), Mode::from_raw_mode(0o700)) {
            Ok(()) => {
                let fd = open_dir_at(Some(&dir), part.as_ref())
                    .map_err(|e| write_error(shown, e.into()))?;
                rustix::fs::fchmod(&fd, Mode::from_raw_mode(0o755))
                    .map_err(|e| write_error(shown, e.into()))?;
                summary.dirs += 1;
                dir = fd;
            }
            Err(Errno::EXIST) => {
                dir = open_dir_at(Some(&dir), part.as_ref()).map_err(|e| match e {
                    Errno::NOTDIR | Errno::LOOP => UnpackError::Duplicate {
                        path: shown.to_string(),
                    },
                    other => write_error(shown, other.into()),
                })?;
            }
            Err(e) => return Err(write_error(shown, e.into())),
        }
    }
    Ok(dir)
}

/// A directory, never through a symlink.
fn open_dir_at(at: Option<&OwnedFd>, name: &std::ffi::OsStr) -> Result<OwnedFd, Errno> {
    let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC;
    match at {
        Some(dir) => rustix::fs::openat(dir, name, flags, Mode::empty()),
        None => rustix::fs::open(name, flags, Mode::empty()),
    }
}

fn write_error(path: &str, source: std::io::Error) -> UnpackError {
    UnpackError::Write {
        path: path.to_string(),
        source,
    }
}

enum CopyError {
    Read(std::io::Error),
    Write(std::io::Error),
}

/// Copy up to `limit + 1` bytes, so the caller sees that the limit was passed
/// without reading (or writing) a byte more.
fn copy_at_most(from: &mut impl Read, to: &mut impl Write, limit: u64) -> Result<u64, CopyError> {
    let mut buf = vec![0u8; 64 * 1024];
    let mut total = 0u64;
    let mut limited = from.take(limit + 1);
    loop {
        let n = match limited.read(&mut buf) {
            Ok(0) => return Ok(total),
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(CopyError::Read(e)),
        };
        total += n as u64;
        if total > limit {
            return Ok(total);
        }
        to.write_all(&buf[..n]).map_err(CopyError::Write)?;
    }
}

/// Replace `name` in the directory `dir` (not through a symlink) with `bytes`:
/// written to a new file (O_EXCL, O_NOFOLLOW, 0644) beside it, then renamed over
/// it, so a `name` that is a symlink planted by the archive is replaced, never
/// written through.
pub fn replace_file(dir: &Path, name: &str, bytes: &[u8]) -> std::io::Result<()> {
    let dirfd = open_dir_at(None, dir.as_os_str())?;
    let tmp = format!(".{name}.o2check-{}", std::process::id());
    let _ = rustix::fs::unlinkat(&dirfd, tmp.as_str(), rustix::fs::AtFlags::empty());
    let fd = rustix::fs::openat(
        &dirfd,
        tmp.as_str(),
        OFlags::WRONLY | OFlags::CREATE | OFlags::EXCL | OFlags::NOFOLLOW | OFlags::CLOEXEC,
        Mode::from_raw_mode(0o644),
    )?;
    rustix::fs::fchmod(&fd, Mode::from_raw_mode(0o644))?;
    let mut file = std::fs::File::from(fd);
    let written = file.write_all(bytes).and_then(|()| file.sync_all());
    let renamed = written.and_then(|()| {
        rustix::fs::renameat(&dirfd, tmp.as_str(), &dirfd, name).map_err(Into::into)
    });
    if renamed.is_err() {
        let _ = rustix::fs::unlinkat(&dirfd, tmp.as_str(), rustix::fs::AtFlags::empty());
    }
    renamed
}

#[cfg(test)]
#[path = "untrusted_tar_tests.rs"]
mod tests;
