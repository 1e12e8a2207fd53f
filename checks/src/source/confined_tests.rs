//! The attacks of issue 9 on bundle reading, each against [`Confined`]: symlinks
//! out of the tree (file and directory), FIFOs and devices, huge sparse files.

use super::*;
use std::os::unix::fs::symlink;

fn tree() -> (tempfile::TempDir, Confined) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("bundle");
    std::fs::create_dir_all(root.join("etc/ocfs2")).unwrap();
    std::fs::write(root.join("etc/ocfs2/cluster.conf"), "cluster:\n").unwrap();
    std::fs::write(dir.path().join("secret"), "root:$6$hash:19000::::::\n").unwrap();
    let c = Confined::open(&root).unwrap();
    (dir, c)
}

#[test]
fn reads_plain_files_and_lists_directories() {
    let (_d, c) = tree();
    assert_eq!(c.read("/etc/ocfs2/cluster.conf").unwrap(), b"cluster:\n");
    assert_eq!(c.list_dir("etc").unwrap(), ["ocfs2"]);
    assert_eq!(c.kind("etc"), Some(Kind::Dir));
    assert!(matches!(
        c.read("etc/hosts"),
        Err(ConfinedError::Missing { .. })
    ));
}

#[test]
fn a_file_symlink_out_of_the_tree_is_refused() {
    let (d, c) = tree();
    let link = c.root().join("etc/shadow-link");
    symlink(d.path().join("secret"), &link).unwrap();
    symlink("../../../secret", c.root().join("etc/relative-link")).unwrap();
    for rel in ["etc/shadow-link", "etc/relative-link"] {
        let err = c.read(rel).unwrap_err();
        assert!(
            matches!(
                err,
                ConfinedError::Escapes { .. } | ConfinedError::Symlink { .. }
            ),
            "{rel}: {err}"
        );
        assert!(!err.to_string().contains("$6$"));
        assert!(c.read_tail(rel).is_err());
    }
}

#[test]
fn a_directory_symlink_out_of_the_tree_is_refused() {
    let (d, c) = tree();
    std::fs::create_dir(d.path().join("outside")).unwrap();
    std::fs::write(d.path().join("outside/cluster.conf"), "stolen\n").unwrap();
    std::fs::remove_dir_all(c.root().join("etc/ocfs2")).unwrap();
    symlink(d.path().join("outside"), c.root().join("etc/ocfs2")).unwrap();
    assert!(c.read("etc/ocfs2/cluster.conf").is_err());
    assert!(c.list_dir("etc/ocfs2").is_err());
}

#[test]
fn a_symlink_that_stays_inside_is_followed() {
    // sosreports link their top-level names into sos_commands/.
    let (_d, c) = tree();
    symlink("ocfs2/cluster.conf", c.root().join("etc/cc")).unwrap();
    assert_eq!(c.read("etc/cc").unwrap(), b"cluster:\n");
}

#[test]
fn without_openat2_every_symlink_is_refused() {
    let (_d, c) = tree();
    symlink("ocfs2/cluster.conf", c.root().join("etc/cc")).unwrap();
    assert!(c.force_walk("etc/ocfs2/cluster.conf").is_ok());
    assert!(matches!(
        c.force_walk("etc/cc"),
        Err(ConfinedError::Symlink { .. })
    ));
    std::fs::create_dir(c.root().join("real")).unwrap();
    symlink("real", c.root().join("linked")).unwrap();
    std::fs::write(c.root().join("real/f"), "x").unwrap();
    assert!(matches!(
        c.force_walk("linked/f"),
        Err(ConfinedError::Symlink { .. })
    ));
}

#[test]
fn a_fifo_is_refused_without_blocking() {
    let (_d, c) = tree();
    let fifo = c.root().join("etc/ocfs2/fifo");
    nix::unistd::mkfifo(&fifo, nix::sys::stat::Mode::from_bits_truncate(0o644)).unwrap();
    // Opening a FIFO for reading would block until a writer came: it must not be opened.
    let (tx, rx) = std::sync::mpsc::channel();
    let root = c.root().to_path_buf();
    std::thread::spawn(move || {
        let c = Confined::open(&root).unwrap();
        let _ = tx.send((
            c.read("etc/ocfs2/fifo").err(),
            c.read_tail("etc/ocfs2/fifo").err(),
        ));
    });
    let (a, b) = rx
        .recv_timeout(std::time::Duration::from_secs(5))
        .expect("reading a FIFO hung");
    for err in [a.unwrap(), b.unwrap()] {
        assert!(err.to_string().contains("FIFO"), "{err}");
    }
}

#[test]
fn devices_and_links_to_them_are_refused() {
    let (_d, c) = tree();
    // A link to a device outside is an escape; a device node inside is refused.
    symlink("/dev/zero", c.root().join("etc/zero")).unwrap();
    assert!(c.read("etc/zero").is_err());
    if nix::unistd::geteuid().is_root() {
        nix::sys::stat::mknod(
            &c.root().join("etc/null"),
            nix::sys::stat::SFlag::S_IFCHR,
            nix::sys::stat::Mode::from_bits_truncate(0o666),
            nix::sys::stat::makedev(1, 3),
        )
        .unwrap();
        let err = c.read("etc/null").unwrap_err();
        assert!(err.to_string().contains("character device"), "{err}");
    }
}

#[test]
fn a_huge_sparse_log_keeps_only_its_tail_and_other_files_are_refused() {
    let (_d, c) = tree();
    let c = c.with_max_file(1024 * 1024);
    let log = c.root().join("kern.log");
    let f = std::fs::File::create(&log).unwrap();
    f.set_len(4 << 30).unwrap(); // 4 GiB of holes
    drop(f);
    {
        use std::io::Write;
        let mut f = std::fs::OpenOptions::new().append(true).open(&log).unwrap();
        f.write_all(b"\nlast line\n").unwrap();
    }
    let tail = c.read_tail("kern.log").unwrap();
    assert!(tail.len() <= 1024 * 1024);
    assert!(tail.ends_with(b"last line\n"));
    let err = c.read("kern.log").unwrap_err();
    assert!(matches!(err, ConfinedError::TooLarge { .. }), "{err}");
}

#[test]
fn dot_dot_is_refused() {
    let (_d, c) = tree();
    assert!(matches!(
        c.read("/../secret"),
        Err(ConfinedError::Escapes { .. })
    ));
}
