//! Collect and the live reads it relies on: a `collect` that fails at its last step
//! (the rename into place) leaves no staging directory behind, and a huge log is
//! read as its tail (issue 9).

use o2check_checks::collect::collect;
use o2check_checks::source::Bundle;
use std::path::Path;
use std::time::Duration;

#[test]
fn a_failed_collect_removes_its_staging_directory() {
    let fixture =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/bundles/lab-collect-healthy-node1");
    let source = Bundle::open(&fixture).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    // A dangling symlink: not "existing", but no directory can be renamed over it.
    let out = tmp.path().join("out");
    std::os::unix::fs::symlink(tmp.path().join("nowhere"), &out).unwrap();
    assert!(collect(&source, &out, Duration::from_millis(50)).is_err());
    let left: Vec<String> = std::fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(left, ["out"], "left behind: {left:?}");
}

#[test]
fn the_live_host_reads_a_huge_log_as_its_tail_only() {
    use o2check_checks::source::{Live, Source};
    let tmp = tempfile::tempdir().unwrap();
    let log = tmp.path().join("kern.log");
    let f = std::fs::File::create(&log).unwrap();
    f.set_len(8 << 30).unwrap(); // 8 GiB of holes: reading it whole would exhaust memory
    drop(f);
    use std::io::Write;
    let mut f = std::fs::OpenOptions::new().append(true).open(&log).unwrap();
    f.write_all(b"\nDec  1 09:00:00 n1 kernel: the last line\n")
        .unwrap();
    let live = Live::new(Duration::from_secs(5));
    let (tail, total) = live.read_tail(log.to_str().unwrap(), 1 << 20).unwrap();
    assert!(total > 8 << 30);
    assert!(tail.len() <= 1 << 20);
    assert!(tail.ends_with(b"the last line\n"));
}
