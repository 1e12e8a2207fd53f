//! Putting evidence and the error text together: which causes have evidence, how
//! strong, which the error text rules out, most likely first.

use super::catalogue::{by_id, CauseDef, CAUSES};
use super::error_text::{classify, meaning, MountError};
use super::signatures::matching;
use crate::kernlog::lines::LogLine;
use o2check_reports::diagnosis::{Cause, Confidence, Diagnosis, Fix, RuledOut};
use o2check_reports::{CheckResult, Evidence, Status};
use std::collections::BTreeMap;

/// One node's evidence, as gathered by the binary.
pub struct NodeEvidence {
    pub node: String,
    pub results: Vec<CheckResult>,
    pub log: Vec<LogLine>,
    /// `Some(true)` Debian-like, `Some(false)` RHEL-like, `None` unknown.
    pub debian: Option<bool>,
}

/// Which cause a failing check shows directly.
fn cause_of_failure(r: &CheckResult) -> Option<&'static str> {
    Some(match r.check.as_str() {
        "hostname-in-cluster-conf" => "hostname-not-in-cluster-conf",
        "cluster-online" if r.summary.contains("no node has local") => "no-local-node",
        "cluster-online" => "cluster-offline",
        "cluster-conf-syntax" => "cluster-conf-invalid",
        "o2cb-config" => "o2cb-config",
        "o2cb-modules" => "o2cb-stack-not-loaded",
        "o2cb-filesystems" if r.summary.contains("configfs") => "o2cb-stack-not-loaded",
        "disk-cluster-stack" => "disk-cluster-mismatch",
        "multipath-paths" | "iscsi-sessions" => "storage-io",
        "disk-slots" => "too-few-slots",
        "stale-heartbeat-region" => "stale-heartbeat-region",
        "o2net-port" => "network-unreachable",
        "name-resolution" if r.summary.contains("no interface has that address") => {
            "local-ip-missing"
        }
        "o2cb-timeouts-identical" | "o2cb-timeouts-consistent" => "timeout-mismatch",
        "cluster-conf-identical" => "cluster-conf-differs",
        _ => return None,
    })
}

/// (cause, consequence, always): when the cause is found, the consequence's evidence
/// is its symptom; unless `always`, a consequence with its own failing check stays.
const EXPLAINS: &[(&str, &str, bool)] = &[
    ("hostname-not-in-cluster-conf", "no-local-node", true),
    ("timeout-mismatch", "network-unreachable", false),
    ("cluster-conf-differs", "network-unreachable", false),
    ("cluster-conf-invalid", "cluster-offline", true),
    ("o2cb-config", "cluster-offline", true),
    ("o2cb-stack-not-loaded", "cluster-offline", true),
    ("local-ip-missing", "cluster-offline", true),
];

#[derive(Default)]
struct Found {
    confidence: Option<Confidence>,
    nodes: Vec<String>,
    evidence: Vec<Evidence>,
}

impl Found {
    fn add(&mut self, c: Confidence, node: &str, ev: impl IntoIterator<Item = Evidence>) {
        self.confidence = self.confidence.max(Some(c));
        if !self.nodes.iter().any(|n| n == node) {
            self.nodes.push(node.to_string());
        }
        self.evidence.extend(ev);
    }
}

pub fn diagnose(nodes: &[NodeEvidence], error_text: Option<&str>) -> Diagnosis {
    let error = error_text.map(classify);
    let mut found: BTreeMap<&'static str, Found> = BTreeMap::new();
    for n in nodes {
        for r in n.results.iter().filter(|r| r.status == Status::Fail) {
            if let Some(cause) = cause_of_failure(r) {
                let ev = std::iter::once(Evidence::note(
                    format!("check {}@{}", r.check, r.node),
                    r.summary.clone(),
                ))
                .chain(r.evidence.iter().take(8).cloned());
                found
                    .entry(cause)
                    .or_default()
                    .add(Confidence::Strong, &n.node, ev);
            }
        }
        let mut per_cause: BTreeMap<&'static str, Vec<Evidence>> = BTreeMap::new();
        for l in &n.log {
            for s in matching(&l.message) {
                let ev = Evidence::new(
                    l.origin.clone(),
                    Some(l.line),
                    format!("{} {}", l.stamp, l.message).trim().to_string(),
                );
                per_cause.entry(s.cause).or_default().push(ev);
            }
        }
        for (cause, evs) in per_cause {
            if by_id(cause).is_none() {
                continue;
            }
            // First and last few lines: the start of the problem and that it persists.
            let keep: Vec<Evidence> = if evs.len() > 6 {
                evs[..3]
                    .iter()
                    .chain(&evs[evs.len() - 3..])
                    .cloned()
                    .collect()
            } else {
                evs
            };
            found
                .entry(cause)
                .or_default()
                .add(Confidence::Supporting, &n.node, keep);
        }
    }
    let mut ruled_out = Vec::new();
    let compatible = |def: &CauseDef| {
        error
            .as_ref()
            .is_none_or(|e| matches!(e, MountError::Other) || (def.produces)(e))
    };
    // The error text first: a cause that cannot print it is out, whatever points at it.
    for def in CAUSES.iter().filter(|d| !compatible(d)) {
        if found.remove(def.id).is_some() {
            ruled_out.push(RuledOut {
                cause: def.id.into(),
                reason: format!(
                    "evidence points at it, but it does not produce `{}`",
                    error_text.unwrap_or_default().trim()
                ),
            });
        }
    }
    for (winner, loser, always) in EXPLAINS {
        if found.contains_key(winner)
            && found
                .get(loser)
                .is_some_and(|f| *always || f.confidence < Some(Confidence::Strong))
        {
            found.remove(loser);
            ruled_out.push(RuledOut {
                cause: loser.to_string(),
                reason: format!("its symptoms are explained by `{winner}`"),
            });
        }
    }
    let text_given = error
        .as_ref()
        .is_some_and(|e| !matches!(e, MountError::Other));
    let mut causes: Vec<Cause> = Vec::new();
    for def in CAUSES {
        match found.remove(def.id) {
            Some(f) => causes.push(cause(def, f, nodes)),
            None if text_given
                && compatible(def)
                && !ruled_out.iter().any(|r| r.cause == def.id) =>
            {
                causes.push(cause(
                    def,
                    Found {
                        confidence: Some(Confidence::Compatible),
                        ..Found::default()
                    },
                    nodes,
                ))
            }
            None => {}
        }
    }
    causes.sort_by(|a, b| b.confidence.cmp(&a.confidence).then(a.layer.cmp(&b.layer)));
    let undetermined = !causes.iter().any(|c| c.confidence > Confidence::Compatible);
    // With evidence for some causes, the merely compatible ones are only pointers.
    let also_possible = if undetermined {
        Vec::new()
    } else {
        let (kept, rest): (Vec<Cause>, Vec<Cause>) = causes
            .into_iter()
            .partition(|c| c.confidence > Confidence::Compatible);
        causes = kept;
        rest.into_iter().map(|c| c.cause).collect()
    };
    Diagnosis {
        error_text: error_text.map(|t| t.trim().to_string()),
        error_meaning: error.as_ref().map(meaning),
        causes,
        ruled_out,
        also_possible,
        undetermined,
        collect: if undetermined {
            collect_list()
        } else {
            Vec::new()
        },
    }
}

fn cause(def: &CauseDef, f: Found, nodes: &[NodeEvidence]) -> Cause {
    let debian: Vec<Option<bool>> = nodes
        .iter()
        .filter(|n| f.nodes.contains(&n.node))
        .map(|n| n.debian)
        .collect();
    let all = |v: Option<bool>| !debian.is_empty() && debian.iter().all(|d| *d == v);
    let lines = |l: &[&str]| l.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let fix = Fix {
        rhel: if all(Some(true)) {
            Vec::new()
        } else {
            lines(def.fix_rhel)
        },
        debian: if all(Some(false)) {
            Vec::new()
        } else {
            lines(def.fix_debian)
        },
    };
    Cause {
        cause: def.id.into(),
        layer: def.layer,
        confidence: f.confidence.unwrap_or(Confidence::Compatible),
        nodes: f.nodes,
        title: def.title.into(),
        explanation: def.explanation.into(),
        evidence: f.evidence,
        confirm: lines(def.confirm),
        rule_out: lines(def.rule_out),
        fix,
    }
}

/// What to gather on every node when the evidence is not enough.
fn collect_list() -> Vec<String> {
    [
        "o2check collect --out /tmp/o2check-$(hostname)   (on every node; then `o2check why --bundle ...` with all bundles)",
        "the exact mount error: mount -v -t ocfs2 <device> <mountpoint>",
        "dmesg | grep -E 'o2net|o2hb|o2dlm|o2cb|ocfs2'   (on every node, right after the failed mount)",
        "o2cb cluster-status; cat /sys/kernel/config/cluster/*/node/*/local",
        "multipath -ll; iscsiadm -m session",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}
