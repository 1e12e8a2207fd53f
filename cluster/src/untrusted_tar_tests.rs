//! Crafted archives against [`unpack`]: each attack of issue 9 on the
//! coordinator, and the bounds that keep a hostile stream small.

use super::*;
use std::os::unix::fs::{MetadataExt, PermissionsExt};

/// A raw ustar header for `path` (any bytes, unvalidated: the attacks need paths
/// tar::Builder refuses to write), of `kind` and `size`, checksummed.
fn header(path: &str, kind: tar::EntryType, size: u64, link: &str) -> tar::Header {
    let mut h = tar::Header::new_ustar();
    {
        let old = h.as_old_mut();
        old.name[..path.len()].copy_from_slice(path.as_bytes());
        old.linkname[..link.len()].copy_from_slice(link.as_bytes());
    }
    h.set_entry_type(kind);
    h.set_size(size);
    h.set_mode(0o777);
    h.set_cksum();
    h
}

fn archive(entries: &[(&str, tar::EntryType, &[u8], &str)]) -> Vec<u8> {
    let mut out = Vec::new();
    for (path, kind, data, link) in entries {
        let h = header(path, *kind, data.len() as u64, link);
        out.extend_from_slice(h.as_bytes());
        out.extend_from_slice(data);
        out.resize(out.len().div_ceil(512) * 512, 0);
    }
    out.extend_from_slice(&[0; 1024]);
    out
}

use tar::EntryType as T;

fn dest() -> (tempfile::TempDir, PathBuf) {
    let t = tempfile::tempdir().unwrap();
    let d = t.path().join("node");
    std::fs::create_dir(&d).unwrap();
    (t, d)
}

fn mode(p: &Path) -> u32 {
    std::fs::symlink_metadata(p).unwrap().permissions().mode() & 0o7777
}

#[test]
fn files_and_directories_are_unpacked_with_normal_modes() {
    let (_t, d) = dest();
    let tar = archive(&[
        ("./", T::Directory, b"", ""),
        ("./etc/", T::Directory, b"", ""),
        ("./etc/ocfs2/cluster.conf", T::Regular, b"cluster:\n", ""),
        ("./meta.json", T::Regular, b"{}", ""),
    ]);
    let s = unpack(&tar[..], &d, &Limits::default()).unwrap();
    assert_eq!((s.files, s.bytes), (2, 11));
    assert_eq!(
        std::fs::read(d.join("etc/ocfs2/cluster.conf")).unwrap(),
        b"cluster:\n"
    );
    // The archive said 0777 (and setuid would be kept by tar's own unpack).
    assert_eq!(mode(&d.join("meta.json")), 0o644);
    assert_eq!(mode(&d.join("etc")), 0o755);
    assert_eq!(mode(&d.join("etc/ocfs2")), 0o755);
}

#[test]
fn links_devices_and_fifos_are_refused_or_skipped() {
    for (kind, link) in [
        (T::Symlink, "/etc/shadow"),
        (T::Link, "/etc/shadow"),
        (T::Fifo, ""),
        (T::Char, ""),
        (T::Block, ""),
    ] {
        let tar = archive(&[("etc/ocfs2/cluster.conf", kind, b"", link)]);
        let (_t, d) = dest();
        let err = unpack(&tar[..], &d, &Limits::default()).unwrap_err();
        assert!(
            matches!(err, UnpackError::Refused { .. }),
            "{kind:?}: {err}"
        );
        let (_t, d) = dest();
        let skip = Limits {
            specials: Specials::Skip,
            ..Limits::default()
        };
        let s = unpack(&tar[..], &d, &skip).unwrap();
        assert_eq!(s.skipped.len(), 1, "{kind:?}");
        assert!(std::fs::symlink_metadata(d.join("etc/ocfs2/cluster.conf")).is_err());
    }
}

#[test]
fn paths_out_of_the_destination_are_refused() {
    for path in ["../escaped", "a/../../escaped", "/tmp/escaped"] {
        let (t, d) = dest();
        let tar = archive(&[(path, T::Regular, b"x", "")]);
        let err = unpack(&tar[..], &d, &Limits::default()).unwrap_err();
        assert!(matches!(err, UnpackError::Escapes { .. }), "{path}: {err}");
        assert!(!t.path().join("escaped").exists());
    }
}

#[test]
fn nothing_is_written_through_a_symlink_already_in_the_destination() {
    let (t, d) = dest();
    let outside = t.path().join("outside");
    std::fs::create_dir(&outside).unwrap();
    std::os::unix::fs::symlink(&outside, d.join("etc")).unwrap();
    std::os::unix::fs::symlink(outside.join("f"), d.join("meta.json")).unwrap();
    for path in ["etc/cluster.conf", "meta.json"] {
        let tar = archive(&[(path, T::Regular, b"x", "")]);
        let err = unpack(&tar[..], &d, &Limits::default()).unwrap_err();
        assert!(
            matches!(err, UnpackError::Duplicate { .. }),
            "{path}: {err}"
        );
    }
    assert_eq!(std::fs::read_dir(&outside).unwrap().count(), 0);
}

#[test]
fn a_file_twice_is_refused() {
    let (_t, d) = dest();
    let tar = archive(&[("a", T::Regular, b"1", ""), ("a", T::Regular, b"2", "")]);
    let err = unpack(&tar[..], &d, &Limits::default()).unwrap_err();
    assert!(matches!(err, UnpackError::Duplicate { .. }), "{err}");
}

#[test]
fn a_sparse_4_gib_entry_stops_at_the_file_cap() {
    // A real GNU tar --sparse archive: about 10 KB holding a 4 GiB file of holes.
    let (t, d) = dest();
    let big = t.path().join("kern.log");
    std::fs::File::create(&big)
        .unwrap()
        .set_len(4 << 30)
        .unwrap();
    let tar_path = t.path().join("sparse.tar");
    let st = std::process::Command::new("tar")
        .arg("--sparse")
        .arg("-cf")
        .arg(&tar_path)
        .arg("-C")
        .arg(t.path())
        .arg("kern.log")
        .status()
        .unwrap();
    assert!(st.success());
    let small = std::fs::metadata(&tar_path).unwrap().len();
    assert!(small < 1 << 20, "the archive is {small} bytes");
    let limits = Limits {
        max_file: 8 << 20,
        ..Limits::default()
    };
    let started = std::time::Instant::now();
    let err = unpack(std::fs::File::open(&tar_path).unwrap(), &d, &limits).unwrap_err();
    assert!(matches!(err, UnpackError::FileTooLarge { .. }), "{err}");
    let written = std::fs::metadata(d.join("kern.log"))
        .map(|m| m.blocks() * 512)
        .unwrap_or(0);
    assert!(written <= 8 << 20, "wrote {written} bytes");
    assert!(started.elapsed() < std::time::Duration::from_secs(20));
}

/// An endless stream of 1 MiB entries, as a hostile node could send.
struct Endless {
    entry: u64,
    pending: Vec<u8>,
}

impl Read for Endless {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.pending.is_empty() {
            let name = format!("f{}", self.entry);
            self.entry += 1;
            self.pending = header(&name, T::Regular, 1 << 20, "").as_bytes().to_vec();
            self.pending.resize(512 + (1 << 20), b'x');
        }
        let n = buf.len().min(self.pending.len());
        buf[..n].copy_from_slice(&self.pending[..n]);
        self.pending.drain(..n);
        Ok(n)
    }
}

#[test]
fn an_endless_stream_stops_at_the_total_cap_or_the_entry_cap() {
    let (_t, d) = dest();
    let limits = Limits {
        max_total: 8 << 20,
        ..Limits::default()
    };
    let err = unpack(
        Endless {
            entry: 0,
            pending: Vec::new(),
        },
        &d,
        &limits,
    )
    .unwrap_err();
    assert!(matches!(err, UnpackError::TotalTooLarge { .. }), "{err}");
    let (_t, d) = dest();
    let limits = Limits {
        max_entries: 5,
        ..Limits::default()
    };
    let err = unpack(
        Endless {
            entry: 0,
            pending: Vec::new(),
        },
        &d,
        &limits,
    )
    .unwrap_err();
    assert!(matches!(err, UnpackError::TooManyEntries { .. }), "{err}");
}

#[test]
fn replace_file_replaces_a_planted_symlink_instead_of_writing_through_it() {
    let (t, d) = dest();
    let victim = t.path().join("victim.json");
    std::fs::write(&victim, "precious").unwrap();
    std::os::unix::fs::symlink(&victim, d.join("meta.json")).unwrap();
    replace_file(&d, "meta.json", b"{\"host\":\"n1\"}").unwrap();
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
    assert!(std::fs::symlink_metadata(d.join("meta.json"))
        .unwrap()
        .is_file());
    assert_eq!(mode(&d.join("meta.json")), 0o644);
}

/// Every entry under `dir`, by lstat: only directories 0755 and files 0644.
fn only_plain(dir: &Path) -> Result<(), String> {
    for entry in std::fs::read_dir(dir).map_err(|e| e.to_string())? {
        let path = entry.map_err(|e| e.to_string())?.path();
        let md = std::fs::symlink_metadata(&path).map_err(|e| e.to_string())?;
        let m = md.permissions().mode() & 0o7777;
        if md.is_dir() && m == 0o755 {
            only_plain(&path)?;
        } else if !(md.is_file() && m == 0o644) {
            return Err(format!(
                "{} is {:?} mode {m:o}",
                path.display(),
                md.file_type()
            ));
        }
    }
    Ok(())
}

#[test]
fn mutated_real_bundle_streams_never_panic_escape_or_make_anything_but_plain_files() {
    let fixture =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/bundles/lab-collect-healthy-node1");
    let mut b = tar::Builder::new(Vec::new());
    b.append_dir_all(".", &fixture).unwrap();
    let base = b.into_inner().unwrap();
    let iterations: usize = std::env::var("O2CHECK_FUZZ_ITERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .map_or(100, |n: usize| n / 20);
    let mut x: u64 = 0x2545_F491_4F6C_DD1D;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let limits = Limits {
        max_file: 1 << 20,
        max_total: 8 << 20,
        max_entries: 1000,
        ..Limits::default()
    };
    for i in 0..iterations {
        let mut bytes = base.clone();
        for _ in 0..1 + next() % 16 {
            // Mostly in headers (the first 512 bytes of a block), where it matters.
            let block = (next() as usize % (bytes.len() / 512)) * 512;
            let at = block + next() as usize % 512;
            bytes[at] = next() as u8;
        }
        if i % 7 == 0 {
            bytes.truncate(next() as usize % bytes.len());
        }
        let (t, d) = dest();
        let _ = unpack(&bytes[..], &d, &limits);
        let outside: Vec<_> = std::fs::read_dir(t.path()).unwrap().collect();
        assert_eq!(
            outside.len(),
            1,
            "iteration {i} wrote beside the destination"
        );
        only_plain(&d).unwrap_or_else(|e| panic!("iteration {i}: {e}"));
    }
}

// unpack_held: the same rules with the small files kept in memory.

/// Every file beneath `dir`, as paths relative to it.
fn files_under(dir: &Path, rel: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir.join(rel)).unwrap() {
        let entry = entry.unwrap();
        let name = rel.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            files_under(dir, &name, out);
        } else {
            out.push(name);
        }
    }
}

#[test]
fn held_unpacking_refuses_every_attack_the_disk_unpacking_refuses() {
    let attacks: Vec<Vec<u8>> = vec![
        archive(&[("../escaped", T::Regular, b"x", "")]),
        archive(&[("a/../../escaped", T::Regular, b"x", "")]),
        archive(&[("/tmp/escaped", T::Regular, b"x", "")]),
        archive(&[("etc/ocfs2/cluster.conf", T::Symlink, b"", "/etc/shadow")]),
        archive(&[("etc/ocfs2/cluster.conf", T::Link, b"", "/etc/shadow")]),
        archive(&[("fifo", T::Fifo, b"", "")]),
        archive(&[("a", T::Regular, b"1", ""), ("a", T::Regular, b"2", "")]),
        archive(&[("a", T::Regular, b"1", ""), ("a/b", T::Regular, b"2", "")]),
        archive(&[("a/b", T::Regular, b"1", ""), ("a", T::Regular, b"2", "")]),
        archive(&[("a", T::Regular, b"1", ""), ("a/", T::Directory, b"", "")]),
    ];
    let hold = Hold::default();
    for (i, tar) in attacks.iter().enumerate() {
        let (t, d) = dest();
        let on_disk = unpack(&tar[..], &d, &Limits::default()).unwrap_err();
        let (t2, d2) = dest();
        let held = unpack_held(&tar[..], &d2, &Limits::default(), &hold).unwrap_err();
        assert_eq!(
            std::mem::discriminant(&on_disk),
            std::mem::discriminant(&held),
            "attack {i}: on disk {on_disk}, held {held}"
        );
        for root in [t.path(), t2.path()] {
            assert!(!root.join("escaped").exists(), "attack {i}");
        }
    }
}

#[test]
fn held_files_read_back_as_the_unpacked_directory_and_only_big_ones_touch_the_disk() {
    let fixture =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/bundles/lab-collect-healthy-node1");
    let mut b = tar::Builder::new(Vec::new());
    b.append_dir_all(".", &fixture).unwrap();
    let tar = b.into_inner().unwrap();
    let (_t, on_disk) = dest();
    unpack(&tar[..], &on_disk, &Limits::default()).unwrap();
    let (_t2, d) = dest();
    let hold = Hold {
        max_file: 4096,
        max_total: 1 << 20,
    };
    let (summary, tree) = unpack_held(&tar[..], &d, &Limits::default(), &hold).unwrap();
    let mut all = Vec::new();
    files_under(&on_disk, Path::new(""), &mut all);
    assert_eq!(summary.files as usize, all.len());
    let mut spilled = Vec::new();
    files_under(&d, Path::new(""), &mut spilled);
    let big: Vec<_> = all
        .iter()
        .filter(|p| std::fs::metadata(on_disk.join(p)).unwrap().len() > 4096)
        .cloned()
        .collect();
    spilled.sort();
    let mut big_sorted = big.clone();
    big_sorted.sort();
    assert_eq!(
        spilled, big_sorted,
        "only files over 4096 bytes are on disk"
    );
    assert!(!big.is_empty() && big.len() < all.len(), "{big:?}");
    let held = o2check_checks::source::confined::Confined::open(&d)
        .unwrap()
        .over_memory(std::sync::Arc::new(tree));
    let plain = o2check_checks::source::confined::Confined::open(&on_disk).unwrap();
    for p in &all {
        let rel = p.to_string_lossy();
        assert_eq!(held.read(&rel).unwrap(), plain.read(&rel).unwrap(), "{rel}");
        assert_eq!(
            held.read_tail(&rel).unwrap(),
            plain.read_tail(&rel).unwrap(),
            "{rel}"
        );
        let (mut f, len) = held.open_regular(&rel).unwrap();
        let mut bytes = Vec::new();
        f.read_to_end(&mut bytes).unwrap();
        assert_eq!(
            (bytes.len() as u64, bytes),
            (len, plain.read(&rel).unwrap()),
            "{rel}"
        );
        let parent = p.parent().unwrap().to_string_lossy().into_owned();
        assert_eq!(
            held.list_dir(&parent).unwrap(),
            plain.list_dir(&parent).unwrap(),
            "{parent}"
        );
    }
    assert!(held.read("../etc/passwd").is_err());
    assert!(held.read("nowhere").is_err());
}

#[test]
fn an_endless_stream_held_stops_at_the_caps_with_memory_bounded() {
    let (_t, d) = dest();
    let limits = Limits {
        max_total: 24 << 20,
        ..Limits::default()
    };
    let hold = Hold {
        max_file: 2 << 20,
        max_total: 4 << 20,
    };
    let err = unpack_held(
        Endless {
            entry: 0,
            pending: Vec::new(),
        },
        &d,
        &limits,
        &hold,
    )
    .unwrap_err();
    assert!(matches!(err, UnpackError::TotalTooLarge { .. }), "{err}");
    // 1 MiB entries are held while a 2 MiB file still fits in the 4 MiB: 3 of
    // them; the other 21 of the 24 MiB cap went to disk, the 25th nowhere.
    let mut spilled = Vec::new();
    files_under(&d, Path::new(""), &mut spilled);
    assert_eq!(spilled.len(), 21);
}

#[test]
fn mutated_real_bundle_streams_held_never_panic_or_make_anything_but_plain_files() {
    let fixture =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/bundles/lab-collect-healthy-node1");
    let mut b = tar::Builder::new(Vec::new());
    b.append_dir_all(".", &fixture).unwrap();
    let base = b.into_inner().unwrap();
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let hold = Hold {
        max_file: 2048,
        max_total: 64 << 10,
    };
    for i in 0..50 {
        let mut bytes = base.clone();
        for _ in 0..1 + next() % 16 {
            let block = (next() as usize % (bytes.len() / 512)) * 512;
            bytes[block + next() as usize % 512] = next() as u8;
        }
        let (t, d) = dest();
        let _ = unpack_held(&bytes[..], &d, &Limits::default(), &hold);
        assert_eq!(
            std::fs::read_dir(t.path()).unwrap().count(),
            1,
            "iteration {i}"
        );
        only_plain(&d).unwrap_or_else(|e| panic!("iteration {i}: {e}"));
    }
}
