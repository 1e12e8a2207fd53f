//! Gathering what the reasoning needs from each node: the check results (run
//! here), the kernel log lines and the distribution family.

use super::rank::NodeEvidence;
use crate::kernlog::lines;
use crate::runner::run_all;
use crate::source::Source;
use crate::{NodeCtx, Options};
use o2check_reports::CheckResult;

/// Run every check and read every node's logs; returns the evidence per node and
/// all check results (for the reports).
pub fn gather(
    sources: &[Box<dyn Source>],
    options: &Options,
) -> (Vec<NodeEvidence>, Vec<CheckResult>) {
    let results = run_all(sources, options);
    let evidence = sources
        .iter()
        .map(|s| {
            let ctx = NodeCtx::new(s.as_ref(), options);
            let os = ctx
                .file("/etc/os-release")
                .map(|t| t.content.to_lowercase())
                .ok();
            NodeEvidence {
                node: s.node().to_string(),
                results: results
                    .iter()
                    .filter(|r| r.node == s.node() || r.node == "cluster")
                    .cloned()
                    .collect(),
                log: lines::node_log(&ctx).into_iter().flatten().collect(),
                debian: os.map(|o| o.contains("debian") || o.contains("ubuntu")),
            }
        })
        .collect();
    (evidence, results)
}
