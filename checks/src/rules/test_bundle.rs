//! Small hand-made bundles for the rules' own tests: the files a judgement reads,
//! nothing else, so each test shows which evidence earns which verdict.

use crate::check::{CheckError, Verdict};
use crate::context::{NodeCtx, Options};
use crate::source::{Bundle, Source};

/// Runs `rule` on a bundle holding only `files` (bundle paths such as
/// `etc/fstab` for the host's /etc/fstab); errors become the runner's verdicts.
pub fn judge(rule: fn(&NodeCtx) -> Result<Verdict, CheckError>, files: &[(&str, &str)]) -> Verdict {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("meta.json"), r#"{"host":"n1"}"#).unwrap();
    for (path, text) in files {
        let p = dir.path().join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    let bundle = Bundle::open(dir.path()).unwrap();
    let options = Options::default();
    rule(&NodeCtx::new(&bundle as &dyn Source, &options)).unwrap_or_else(CheckError::into_verdict)
}

/// Copies the directory tree `from` into `to` (a real fixture bundle into a
/// tempdir, to edit one file of it).
pub fn copy_tree(from: &std::path::Path, to: &std::path::Path) {
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let t = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            std::fs::create_dir_all(&t).unwrap();
            copy_tree(&e.path(), &t);
        } else {
            std::fs::copy(e.path(), t).unwrap();
        }
    }
}

/// A fixture of the repository's fixtures/ directory (`bundles/lab-...`).
pub fn fixture(rel: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fixtures")
        .join(rel)
}

/// A copy of the fixture bundle `rel` in a tempdir, for a test that edits it.
pub fn fixture_copy(rel: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&fixture(rel), dir.path());
    dir
}

/// Replaces `from` by `to` in the bundle file `path`. Panics when `from` is not
/// there, so a regenerated fixture cannot silently turn the edit into a no-op.
pub fn edit(bundle: &std::path::Path, path: &str, from: &str, to: &str) {
    let p = bundle.join(path);
    let text = std::fs::read_to_string(&p).unwrap();
    assert!(text.contains(from), "{path} has no `{from}`");
    std::fs::write(&p, text.replace(from, to)).unwrap();
}

/// Opens bundle directories as sources.
fn open(bundles: &[&std::path::Path]) -> Vec<Box<dyn Source>> {
    bundles
        .iter()
        .map(|b| Box::new(Bundle::open(b).unwrap()) as Box<dyn Source>)
        .collect()
}

/// Runs the per-node `rule` on the first bundle with the others as its peers, as
/// a cluster run (`run --cluster`, several `--bundle`) does.
pub fn judge_node(
    rule: fn(&NodeCtx) -> Result<Verdict, CheckError>,
    bundles: &[&std::path::Path],
) -> Verdict {
    let sources = open(bundles);
    let options = Options::default();
    rule(&crate::runner::node_ctx(&sources, 0, &options)).unwrap_or_else(CheckError::into_verdict)
}

/// Runs the cross-node `rule` on the bundles, one node each.
pub fn judge_cluster(
    rule: fn(&[NodeCtx]) -> Result<Verdict, CheckError>,
    bundles: &[&std::path::Path],
) -> Verdict {
    let sources = open(bundles);
    let options = Options::default();
    let ctxs: Vec<NodeCtx> = (0..sources.len())
        .map(|i| crate::runner::node_ctx(&sources, i, &options))
        .collect();
    rule(&ctxs).unwrap_or_else(CheckError::into_verdict)
}
