//! A `collect` that fails at its last step (the rename into place) leaves no
//! staging directory behind (issue 9's low finding).

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
