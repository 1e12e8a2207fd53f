//! The measurements monitoring wants besides verdicts, per node, as the checks
//! crate takes them ([`o2check_checks::measure`]): this file only gathers them
//! over the run's sources.

use crate::trials::Inputs;
use o2check_checks::NodeCtx;
use o2check_reports::facts::Facts;

pub fn gather(inputs: &Inputs) -> Facts {
    let mut facts = Facts::default();
    for source in &inputs.sources {
        let node =
            o2check_checks::measure::measure(&NodeCtx::new(source.as_ref(), &inputs.options));
        facts.multipath.extend(node.multipath);
        facts.heartbeat.extend(node.heartbeat);
        facts.fences.extend(node.fences);
    }
    facts
}
