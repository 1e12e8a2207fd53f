//! The reasoning: per node, a failing finding rules a cause in (strong), a kernel
//! log signature supports it, a passing finding or a fact that proves its layer
//! worked rules it out; the error text rules out the causes that cannot print
//! it. Causes are ranked by evidence strength, then lowest layer first. Nothing
//! here reads a summary: only check ids, finding codes and kernel lines decide.

use super::catalogue::{CauseDef, Collect, CAUSES};
use super::facts::holding;
use super::fixes::{self, Step};
use super::messages::{classify, meaning, Classified};
use super::names::{mount_from_error, Family, Names};
use super::signatures::signatures_of;
use crate::kernlog::node_events::Located;
use o2check_reports::diagnosis::{Cause, Confidence, Diagnosis, Fix, FixCommand, RuledOut};
use o2check_reports::{CheckResult, Evidence, Status};

/// One node's evidence, as gathered by the binary.
pub struct NodeEvidence {
    pub node: String,
    pub results: Vec<CheckResult>,
    /// The o2 events of the node's kernel-log lines that stand now (recognised
    /// once, by the facts layer; see [`super::gather::gather()`]).
    pub events: Vec<Located>,
    pub names: Names,
    /// The catalogue's collect items this node's evidence already holds.
    pub present: Vec<Collect>,
}

/// (cause, consequence): when the cause is ruled in, the consequence's log lines
/// are its symptoms; a consequence with its own failing finding stays unless
/// `always`.
const EXPLAINS: &[(&str, &str, bool)] = &[
    ("hostname-not-in-cluster-conf", "no-local-node", true),
    ("timeout-mismatch", "network-unreachable", false),
    ("cluster-conf-differs", "network-unreachable", false),
    ("cluster-conf-invalid", "cluster-offline", true),
    ("o2cb-config", "cluster-offline", true),
    ("o2cb-stack-not-loaded", "cluster-offline", true),
    ("local-ip-missing", "cluster-offline", true),
];

/// What one node says about one cause.
#[derive(Default)]
struct OnNode {
    strength: Option<Confidence>,
    evidence: Vec<Evidence>,
    findings: Vec<String>,
    out: Vec<String>,
}

fn finding_key(r: &CheckResult, node: &str) -> String {
    let code = match (&r.finding, r.status) {
        (Some(c), _) => c.as_str(),
        (None, Status::Pass) => "pass",
        (None, _) => "*",
    };
    format!("{}/{code}@{node}", r.check)
}

fn judge(def: &CauseDef, n: &NodeEvidence) -> OnNode {
    let mut on = OnNode::default();
    for r in &n.results {
        let code = r.finding.as_deref();
        match r.status {
            Status::Fail if def.ruled_in_by.iter().any(|f| f.matches(&r.check, code)) => {
                on.strength = Some(Confidence::Strong);
                on.findings.push(finding_key(r, &n.node));
                on.evidence.push(Evidence::note(
                    format!("check {}@{}", r.check, r.node),
                    r.summary.clone(),
                ));
                on.evidence.extend(r.evidence.iter().take(8).cloned());
            }
            Status::Fail if def.supported_by.iter().any(|f| f.matches(&r.check, code)) => {
                on.strength = on.strength.max(Some(Confidence::Supporting));
                on.findings.push(finding_key(r, &n.node));
                on.evidence.push(Evidence::note(
                    format!("check {}@{}", r.check, r.node),
                    r.summary.clone(),
                ));
                on.evidence.extend(r.evidence.iter().take(4).cloned());
            }
            // A pass rules out what its check's cause lists; a named finding of
            // any status can too (`cluster-online/no-local-node`: the cluster is registered).
            status
                if def.ruled_out_by.iter().any(|f| {
                    f.matches(&r.check, code) && (f.code.is_some() || status == Status::Pass)
                }) =>
            {
                on.out.push(finding_key(r, &n.node));
            }
            _ => {}
        }
    }
    let mut lines: Vec<Evidence> = Vec::new();
    for e in &n.events {
        let l = &e.line;
        for s in signatures_of(&e.event).filter(|s| s.cause == def.id) {
            let key = format!("log:{}@{}", s.name.replace(' ', "-"), n.node);
            if !on.findings.contains(&key) {
                on.findings.push(key);
            }
            lines.push(Evidence::new(
                l.origin.clone(),
                Some(l.line),
                format!("{} {}", l.stamp, l.message).trim().to_string(),
            ));
        }
    }
    if !lines.is_empty() {
        on.strength = on.strength.max(Some(Confidence::Supporting));
        // First and last few lines: the start of the problem and that it persists.
        if lines.len() > 6 {
            lines.drain(3..lines.len() - 3);
        }
        on.evidence.extend(lines);
    }
    for h in holding(&n.events)
        .iter()
        .filter(|h| h.fact.excludes.contains(&def.id))
    {
        on.out.push(format!(
            "fact:{}@{} ({}:{})",
            h.fact.id, n.node, h.line.origin, h.line.line
        ));
    }
    // A log line is history; a passing check or a current fact is today's state.
    // A failing check is today's state too, and stays in against them.
    if on.strength == Some(Confidence::Supporting) && !on.out.is_empty() {
        on.strength = None;
    }
    on
}

struct Candidate {
    def: &'static CauseDef,
    strength: Confidence,
    nodes: Vec<usize>,
    evidence: Vec<Evidence>,
    findings: Vec<String>,
}

pub fn diagnose(nodes: &[NodeEvidence], error_text: Option<&str>) -> Diagnosis {
    let message: Option<Classified> = error_text.and_then(classify);
    let produces = |def: &CauseDef| {
        message
            .as_ref()
            .is_none_or(|m| def.produces.contains(&m.id))
    };
    let message_key = message.as_ref().map(|m| format!("message:{}", m.id));
    let mut candidates: Vec<Candidate> = Vec::new();
    let mut ruled_out: Vec<RuledOut> = Vec::new();
    let mut compatible: Vec<&'static CauseDef> = Vec::new();
    for def in CAUSES {
        let per_node: Vec<OnNode> = nodes.iter().map(|n| judge(def, n)).collect();
        let in_nodes: Vec<usize> = (0..nodes.len())
            .filter(|i| per_node[*i].strength.is_some())
            .collect();
        if !in_nodes.is_empty() {
            let found: Vec<String> = in_nodes
                .iter()
                .flat_map(|i| per_node[*i].findings.clone())
                .collect();
            if !produces(def) {
                ruled_out.push(RuledOut {
                    cause: def.id.into(),
                    reason: format!(
                        "found ({}), but it does not produce `{}`",
                        found.join(", "),
                        error_text.unwrap_or_default().trim()
                    ),
                    findings: found.into_iter().chain(message_key.clone()).collect(),
                });
                continue;
            }
            candidates.push(Candidate {
                def,
                strength: in_nodes
                    .iter()
                    .filter_map(|i| per_node[*i].strength)
                    .max()
                    .unwrap_or(Confidence::Supporting),
                evidence: in_nodes
                    .iter()
                    .flat_map(|i| per_node[*i].evidence.clone())
                    .collect(),
                nodes: in_nodes,
                findings: found,
            });
            continue;
        }
        let all_out = !nodes.is_empty() && per_node.iter().all(|o| !o.out.is_empty());
        if all_out {
            let by: Vec<String> = per_node.iter().flat_map(|o| o.out.clone()).collect();
            ruled_out.push(RuledOut {
                cause: def.id.into(),
                reason: format!("excluded on every node by {}", by.join(", ")),
                findings: by,
            });
        } else if produces(def) {
            compatible.push(def);
        }
    }
    for (winner, loser, always) in EXPLAINS {
        if !candidates.iter().any(|c| c.def.id == *winner) {
            continue;
        }
        if let Some(pos) = candidates
            .iter()
            .position(|c| c.def.id == *loser && (*always || c.strength < Confidence::Strong))
        {
            let c = candidates.remove(pos);
            ruled_out.push(RuledOut {
                cause: loser.to_string(),
                reason: format!("its symptoms are explained by `{winner}`"),
                findings: c.findings,
            });
        }
    }
    candidates.sort_by(|a, b| {
        b.strength
            .cmp(&a.strength)
            .then(a.def.layer.cmp(&b.def.layer))
    });
    let undetermined = candidates.is_empty();
    let mount = error_text.and_then(mount_from_error);
    let causes: Vec<Cause> = candidates
        .into_iter()
        .map(|c| cause(c, nodes, mount.as_ref(), message_key.as_deref()))
        .collect();
    Diagnosis {
        error_text: error_text.map(|t| t.trim().to_string()),
        message: message.as_ref().map(|m| m.id.to_string()),
        error_meaning: error_text.map(|_| match &message {
            Some(m) => meaning(m),
            None => "not a mount.ocfs2, o2cb or kernel message o2check knows; causes are ranked on the other evidence alone".into(),
        }),
        causes,
        ruled_out,
        also_possible: compatible.iter().map(|d| d.id.to_string()).collect(),
        undetermined,
        collect: if undetermined {
            collect_list(&compatible, nodes, error_text.is_some())
        } else {
            Vec::new()
        },
    }
}

fn cause(
    c: Candidate,
    nodes: &[NodeEvidence],
    mount: Option<&(String, String)>,
    message_key: Option<&str>,
) -> Cause {
    let first = &nodes[c.nodes[0]];
    let mut names = first.names.clone();
    if let Some(m) = mount {
        names.mount = Some(m.clone());
    }
    let family_steps = |fam: Family| (c.def.fix)(&names, fam);
    let mut fix = Fix::default();
    let others: Vec<&str> = c.nodes[1..]
        .iter()
        .map(|i| nodes[*i].node.as_str())
        .collect();
    let repeat = |mut lines: Vec<String>| {
        if !others.is_empty() {
            lines.push(format!("# the same on {}", others.join(", ")));
        }
        lines
    };
    match names.family {
        Some(fam) => {
            let steps = family_steps(fam);
            let lines = repeat(fixes::lines(&steps));
            if fixes::runnable(&steps) {
                fix.commands = steps
                    .iter()
                    .filter_map(|s| match s {
                        Step::Run(cmd) => Some(FixCommand {
                            node: first.node.clone(),
                            run: cmd.clone(),
                        }),
                        Step::On(node, cmd) => Some(FixCommand {
                            node: node.clone(),
                            run: cmd.clone(),
                        }),
                        Step::Note(_) => None,
                    })
                    .collect();
            }
            match fam {
                Family::Debian => fix.debian = lines,
                Family::Rhel => fix.rhel = lines,
            }
        }
        None => {
            fix.rhel = repeat(fixes::lines(&family_steps(Family::Rhel)));
            fix.debian = repeat(fixes::lines(&family_steps(Family::Debian)));
        }
    }
    Cause {
        cause: c.def.id.into(),
        layer: c.def.layer,
        confidence: c.strength,
        nodes: c.nodes.iter().map(|i| nodes[*i].node.clone()).collect(),
        title: c.def.title.into(),
        explanation: c.def.explanation.into(),
        evidence: c.evidence,
        findings: c
            .findings
            .into_iter()
            .chain(message_key.map(str::to_string))
            .collect(),
        confirm: c.def.confirm.iter().map(|s| s.to_string()).collect(),
        rule_out: c
            .def
            .ruled_out_by
            .iter()
            .map(|f| format!("check `{}` passes", f.key()))
            .collect(),
        fix,
    }
}

/// What to gather when nothing rules a cause in: what decides each cause still
/// possible, minus what every node's evidence already holds.
fn collect_list(possible: &[&CauseDef], nodes: &[NodeEvidence], text_given: bool) -> Vec<String> {
    let defs: Vec<&CauseDef> = if possible.is_empty() {
        CAUSES.iter().collect()
    } else {
        possible.to_vec()
    };
    let mut items: Vec<Collect> = Vec::new();
    if !text_given {
        items.push(Collect::Ask(
            "the exact error: `mount -v -t ocfs2 DEVICE MOUNTPOINT` (then `o2check why 'mount.ocfs2: ...'`)",
        ));
    }
    for c in defs.iter().flat_map(|d| d.collect) {
        let held = !nodes.is_empty() && nodes.iter().all(|n| n.present.contains(c));
        if !held && !items.contains(c) {
            items.push(*c);
        }
    }
    let mut out: Vec<String> = items
        .iter()
        .map(|c| match c {
            Collect::File(p) => format!("{p} (file or tree)"),
            Collect::Command(argv) => argv.join(" "),
            Collect::Ask(t) => t.to_string(),
        })
        .collect();
    if !out.is_empty() {
        out.push("all of these at once: `o2check collect --out /tmp/o2check-$(hostname)` on every node, right after the failed mount, then `o2check why --bundle DIR ...` with every bundle".into());
    }
    out
}

/// Whether a bundle or host already holds a collect item.
pub fn holds(source: &dyn crate::source::Source, c: &Collect) -> bool {
    match c {
        // A tree the plan walks (configfs) is there when it lists; a file when it reads.
        Collect::File(p) if crate::collect::plan::sys_trees().contains(p) => {
            source.list_dir(p).is_ok()
        }
        Collect::File(p) => source.read_file(p).is_ok(),
        Collect::Command(argv) => source.command(argv).is_ok(),
        Collect::Ask(_) => false,
    }
}

/// Every collect item of the catalogue, once.
pub fn all_collect_items() -> Vec<Collect> {
    let mut v: Vec<Collect> = Vec::new();
    for c in CAUSES.iter().flat_map(|d| d.collect) {
        if !v.contains(c) {
            v.push(*c);
        }
    }
    v
}
