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
