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
