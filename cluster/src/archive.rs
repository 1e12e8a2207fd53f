//! A bundle or a sosreport given as an archive file (`tar`, `tar.gz`, `tar.xz`,
//! as `o2check collect --out - > node.tar`, `tar czf`, or `sos report` leave
//! them), unpacked into a private directory o2check creates (0700) by
//! [`crate::untrusted_tar::unpack`] under its caps: the same rules as a node's
//! stream, except that symlinks and other special entries, which sosreports hold
//! (`sos_commands/...` links at the top), are left out rather than refusing the
//! whole archive. Compression is recognised by its magic bytes, not the name.

use crate::untrusted_tar::{self, Limits, Specials, Summary, UnpackError};
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

/// An unpacked archive; the directory is removed when this is dropped.
pub struct Unpacked {
    /// The bundle's root: the unpacked directory, or its only subdirectory
    /// (`sosreport-<host>-<date>/`, `node1/` of `tar czf node1.tar.gz node1`).
    pub root: PathBuf,
    pub summary: Summary,
    _dir: tempfile::TempDir,
}

/// Why an archive could not be unpacked; each message names the archive.
#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    #[error("cannot read {}: {source}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A FIFO, device or socket: refused before it is opened, so it cannot block.
    #[error("{} is neither a bundle directory nor an archive file", path.display())]
    NotAFile { path: PathBuf },
    #[error("cannot create a directory to unpack {}: {source}", path.display())]
    Scratch {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot unpack {}: {source}", path.display())]
    Unpack {
        path: PathBuf,
        #[source]
        source: UnpackError,
    },
    #[error("{} is not a tar archive with files in it", path.display())]
    NoFiles { path: PathBuf },
}

/// Compression of an archive, from its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    None,
    Gzip,
    Xz,
}

/// gzip (RFC 1952 ID1 ID2) and xz (the .xz file format's header magic).
pub fn compression(head: &[u8]) -> Compression {
    if head.starts_with(&[0x1f, 0x8b]) {
        Compression::Gzip
    } else if head.starts_with(&[0xfd, b'7', b'z', b'X', b'Z', 0x00]) {
        Compression::Xz
    } else {
        Compression::None
    }
}

/// The limits for archive input: a node's bundle caps, specials skipped.
pub fn limits() -> Limits {
    Limits {
        specials: Specials::Skip,
        ..Limits::default()
    }
}

/// Unpack the archive file at `path` (a regular file: a FIFO or device is refused
/// before it is opened, so it cannot block) within `limits`.
pub fn unpack(path: &Path, limits: &Limits) -> Result<Unpacked, ArchiveError> {
    let at = || path.to_path_buf();
    let read = |source| ArchiveError::Read { path: at(), source };
    let md = std::fs::metadata(path).map_err(read)?;
    if !md.is_file() {
        return Err(ArchiveError::NotAFile { path: at() });
    }
    let file = std::fs::File::open(path).map_err(read)?;
    let mut reader = BufReader::new(file);
    let head = reader.fill_buf().map_err(read)?.to_vec();
    let stream: Box<dyn Read> = match compression(&head) {
        Compression::Gzip => Box::new(flate2::read::MultiGzDecoder::new(reader)),
        Compression::Xz => Box::new(liblzma::read::XzDecoder::new_multi_decoder(reader)),
        Compression::None => Box::new(reader),
    };
    let dir = tempfile::Builder::new()
        .prefix("o2check-archive-")
        .tempdir()
        .map_err(|source| ArchiveError::Scratch { path: at(), source })?;
    let summary = untrusted_tar::unpack(stream, dir.path(), limits)
        .map_err(|source| ArchiveError::Unpack { path: at(), source })?;
    if summary.files == 0 {
        return Err(ArchiveError::NoFiles { path: at() });
    }
    let root = only_subdirectory(dir.path()).unwrap_or_else(|| dir.path().to_path_buf());
    Ok(Unpacked {
        root,
        summary,
        _dir: dir,
    })
}

/// The one directory `dir` holds when it holds nothing else.
fn only_subdirectory(dir: &Path) -> Option<PathBuf> {
    let mut entries = std::fs::read_dir(dir).ok()?;
    let first = entries.next()?.ok()?;
    if entries.next().is_some() || !first.file_type().ok()?.is_dir() {
        return None;
    }
    Some(first.path())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    /// A tar of `files` under `prefix`, plus a symlink entry (as sosreports have).
    fn tar_bytes(prefix: &str, files: &[(&str, &str)]) -> Vec<u8> {
        let mut b = tar::Builder::new(Vec::new());
        for (name, content) in files {
            let mut h = tar::Header::new_gnu();
            h.set_size(content.len() as u64);
            h.set_mode(0o600);
            h.set_cksum();
            b.append_data(&mut h, format!("{prefix}{name}"), content.as_bytes())
                .unwrap();
        }
        let mut link = tar::Header::new_gnu();
        link.set_entry_type(tar::EntryType::Symlink);
        link.set_size(0);
        b.append_link(&mut link, format!("{prefix}hostname"), "/etc/shadow")
            .unwrap();
        b.into_inner().unwrap()
    }

    fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
        let p = dir.join(name);
        std::fs::write(&p, bytes).unwrap();
        p
    }

    #[test]
    fn plain_gzip_and_xz_archives_unpack_to_the_same_tree() {
        let tmp = tempfile::tempdir().unwrap();
        let tar = tar_bytes(
            "sosreport-n1-2026/",
            &[
                ("etc/hostname", "n1\n"),
                ("sos_commands/host/hostname", "n1\n"),
            ],
        );
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(&tar).unwrap();
        let gz = gz.finish().unwrap();
        let mut xz = liblzma::write::XzEncoder::new(Vec::new(), 1);
        xz.write_all(&tar).unwrap();
        let xz = xz.finish().unwrap();
        for (name, bytes, kind) in [
            ("a.tar", &tar, Compression::None),
            ("a.tar.gz", &gz, Compression::Gzip),
            ("a.tar.xz", &xz, Compression::Xz),
        ] {
            assert_eq!(compression(bytes), kind);
            let u = unpack(&write(tmp.path(), name, bytes), &limits()).unwrap();
            assert!(
                u.root.ends_with("sosreport-n1-2026"),
                "{name}: {:?}",
                u.root
            );
            assert_eq!(
                std::fs::read_to_string(u.root.join("etc/hostname")).unwrap(),
                "n1\n"
            );
            // The symlink is left out, never followed or made.
            assert!(
                !u.root.join("hostname").exists()
                    && u.root.join("hostname").symlink_metadata().is_err()
            );
            assert_eq!(u.summary.skipped.len(), 1, "{name}");
        }
    }

    #[test]
    fn an_archive_that_escapes_or_is_not_an_archive_is_refused() {
        let tmp = tempfile::tempdir().unwrap();
        // A raw header naming ../ (tar::Builder refuses to write one).
        let mut h = tar::Header::new_old();
        h.as_old_mut().name[..11].copy_from_slice(b"../evil.txt");
        h.set_size(1);
        h.set_mode(0o644);
        h.set_cksum();
        let mut evil = h.as_bytes().to_vec();
        evil.extend_from_slice(&[b'x'; 512]);
        evil.extend_from_slice(&[0; 1024]);
        let e = unpack(&write(tmp.path(), "evil.tar", &evil), &limits())
            .err()
            .unwrap()
            .to_string();
        assert!(e.contains("outside the destination"), "{e}");
        assert!(!tmp.path().join("evil.txt").exists());
        let e = unpack(&write(tmp.path(), "notes.txt", b"just text\n"), &limits())
            .err()
            .unwrap();
        assert!(
            matches!(
                e,
                ArchiveError::Unpack { .. } | ArchiveError::NoFiles { .. }
            ),
            "{e}"
        );
        let e = unpack(tmp.path(), &limits()).err().unwrap();
        assert!(matches!(e, ArchiveError::NotAFile { .. }), "{e}");
        assert!(
            e.to_string()
                .contains("neither a bundle directory nor an archive"),
            "{e}"
        );
        // A per-file cap holds on decompressed bytes.
        let big = tar_bytes("", &[("var/log/messages", &"x".repeat(4096))]);
        let tight = Limits {
            max_file: 1000,
            ..limits()
        };
        let e = unpack(&write(tmp.path(), "big.tar", &big), &tight)
            .err()
            .unwrap()
            .to_string();
        assert!(e.contains("larger than the limit"), "{e}");
    }
}
