//! `why` on the OCFS2 1.2 (linux 2.6.20) case: its `ocfs2_dlm: Nodes in domain`
//! line is this node's DLM join (dlmdomain.c dlm_try_to_join_domain() prints the
//! member list only after the join succeeded), so the o2cb stack ran and no
//! failing check may name it "not loaded". Until the facts read kernlog/event.rs's
//! events, that wording gave no fact and `why` ranked o2cb-stack-not-loaded #1
//! on a node whose kernel had joined the domain. The case is hand-made around a
//! real dmesg (fixtures/cases/old-kernel-2.6.20-dlm-membership/PROVENANCE).

mod common;

use common::Case;
use o2check_checks::source::{Bundle, Source};
use o2check_checks::why::{diagnose, gather};
use o2check_checks::Options;
use o2check_reports::diagnosis::Diagnosis;
use std::path::{Path, PathBuf};

/// The case's node, relative to the fixture bundles.
const TERRA: &str = "../cases/old-kernel-2.6.20-dlm-membership/terra";

fn case() -> PathBuf {
    common::fixtures().join(TERRA)
}

fn why(dir: &Path) -> Diagnosis {
    let sources: Vec<Box<dyn Source>> = vec![Box::new(Bundle::open(dir).unwrap())];
    let (evidence, _) = gather(&sources, &Options::default());
    diagnose(&evidence, None)
}

fn ruled_out_by_join(d: &Diagnosis, cause: &str) -> bool {
    d.ruled_out.iter().any(|r| {
        r.cause == cause
            && r.findings
                .iter()
                .any(|f| f.starts_with("fact:domain-joined@TERRA"))
    })
}

#[test]
fn the_1_2_member_list_is_a_join_and_rules_out_the_stack_not_loaded() {
    let d = why(&case());
    assert!(
        !d.causes.iter().any(|c| c.cause == "o2cb-stack-not-loaded"),
        "{:?}",
        d.causes.iter().map(|c| &c.cause).collect::<Vec<_>>()
    );
    for cause in ["o2cb-stack-not-loaded", "cluster-offline", "no-local-node"] {
        assert!(ruled_out_by_join(&d, cause), "{cause}: {:?}", d.ruled_out);
    }
}

#[test]
fn the_1_2_unmount_leaves_the_domain() {
    // The whole real dmesg, with the `ocfs2: Unmounting device` line the case
    // dropped: the node left the domain (1.2 prints no `Leaving domain`).
    let real = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../fixtures/public/dmesg-2.6.20-feisty-ocfs2.txt"),
    )
    .unwrap();
    let whole = Case::from(TERRA).write("commands/dmesg", &real);
    let d = why(whole.path());
    let all: Vec<&String> = d.ruled_out.iter().flat_map(|r| &r.findings).collect();
    assert!(
        !all.iter().any(|f| f.starts_with("fact:domain-joined")),
        "{all:?}"
    );
    assert!(d.causes.iter().any(|c| c.cause == "o2cb-stack-not-loaded"));
}
