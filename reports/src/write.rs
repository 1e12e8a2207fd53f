//! Writing report files so that a reader never sees half a file: write to a
//! temporary file in the same directory, fsync, then rename over the target.
//! Reports are made readable by all (0644, whatever the umask): a CI uploader or
//! monitoring agent running as another user must be able to read them, and they
//! hold only what the run printed anyway.

use std::io::{self, Write};
use std::path::Path;

/// Write `bytes` to `path` atomically, creating the parent directory if needed.
pub fn atomic_write(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(dir)?;
    // The temporary file must be on the same filesystem as the target, or the
    // rename would not be atomic; tempfile in `dir` guarantees that.
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    {
        use std::os::unix::fs::PermissionsExt;
        tmp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o644))?;
    }
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_existing_file_and_creates_parents() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("a/b/report.xml");
        atomic_write(&target, b"first").unwrap();
        atomic_write(&target, b"second").unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), b"second");
        // No temporary files are left behind next to the report.
        let names: Vec<_> = std::fs::read_dir(target.parent().unwrap())
            .unwrap()
            .collect();
        assert_eq!(names.len(), 1);
    }

    #[test]
    fn reports_are_readable_by_other_users() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("results.json");
        atomic_write(&target, b"{}").unwrap();
        let mode = std::fs::metadata(&target).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o644);
    }
}
