//! `o2check diff OLD.json NEW.json`: what changed between two runs, keyed by
//! check and node: new failures (failed or could not decide now, not before),
//! fixed ones (failed before, pass now), failures whose evidence or finding
//! changed, and checks that failed before and are no longer checked (skipped or
//! absent: not "fixed", the evidence to say so is missing).

use crate::model::{CheckResult, RunReport, Status};
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt::Write;

#[derive(Serialize, Debug, Default, PartialEq)]
pub struct Diff {
    pub old_run: String,
    pub new_run: String,
    pub new_failures: Vec<Change>,
    pub fixed: Vec<Change>,
    pub changed_evidence: Vec<Change>,
    pub no_longer_checked: Vec<Change>,
}

#[derive(Serialize, Debug, PartialEq)]
pub struct Change {
    pub check: String,
    pub node: String,
    /// `pass`, `fail`, `skip`, `error`, or `absent`.
    pub before: String,
    pub after: String,
    pub summary: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub evidence_removed: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub evidence_added: Vec<String>,
}

fn bad(s: Status) -> bool {
    matches!(s, Status::Fail | Status::Error)
}

fn lines(r: &CheckResult) -> Vec<String> {
    r.evidence
        .iter()
        .map(|e| match e.line {
            Some(l) => format!("{}:{}: {}", e.source, l, e.text),
            None => format!("{}: {}", e.source, e.text),
        })
        .collect()
}

pub fn diff(old: &RunReport, new: &RunReport) -> Diff {
    let key = |r: &CheckResult| (r.check.clone(), r.node.clone());
    let before: BTreeMap<_, &CheckResult> = old.results.iter().map(|r| (key(r), r)).collect();
    let after: BTreeMap<_, &CheckResult> = new.results.iter().map(|r| (key(r), r)).collect();
    let mut d = Diff {
        old_run: old.meta.run_id.clone(),
        new_run: new.meta.run_id.clone(),
        ..Diff::default()
    };
    let change = |o: Option<&CheckResult>, n: Option<&CheckResult>| {
        let name = |r: Option<&CheckResult>| r.map_or("absent", |r| r.status.name()).to_string();
        let any = n.or(o).expect("one side exists");
        let (ol, nl) = (
            o.map(lines).unwrap_or_default(),
            n.map(lines).unwrap_or_default(),
        );
        Change {
            check: any.check.clone(),
            node: any.node.clone(),
            before: name(o),
            after: name(n),
            summary: any.summary.clone(),
            evidence_removed: ol.iter().filter(|l| !nl.contains(l)).cloned().collect(),
            evidence_added: nl.iter().filter(|l| !ol.contains(l)).cloned().collect(),
        }
    };
    for (k, n) in &after {
        let o = before.get(k).copied();
        match o {
            Some(o) if bad(o.status) && bad(n.status) => {
                let same =
                    o.evidence == n.evidence && o.finding == n.finding && o.status == n.status;
                if !same {
                    d.changed_evidence.push(change(Some(o), Some(n)));
                }
            }
            _ if bad(n.status) => d.new_failures.push(change(o, Some(n))),
            Some(o) if bad(o.status) && n.status == Status::Pass => {
                d.fixed.push(change(Some(o), Some(n)))
            }
            Some(o) if bad(o.status) => d.no_longer_checked.push(change(Some(o), Some(n))),
            _ => {}
        }
    }
    for (k, o) in &before {
        if bad(o.status) && !after.contains_key(k) {
            d.no_longer_checked.push(change(Some(o), None));
        }
    }
    d
}

impl Diff {
    /// 1 when something fails now that did not before (what a nightly job gates on).
    pub fn exit_code(&self) -> u8 {
        u8::from(!self.new_failures.is_empty())
    }

    pub fn to_json(&self) -> Vec<u8> {
        let mut bytes = serde_json::to_vec_pretty(self).unwrap_or_default();
        bytes.push(b'\n');
        bytes
    }

    pub fn to_text(&self) -> String {
        let mut t = String::new();
        let _ = writeln!(t, "o2check diff {} -> {}", self.old_run, self.new_run);
        for (title, list) in [
            ("New failures", &self.new_failures),
            ("Fixed", &self.fixed),
            ("Still failing, evidence changed", &self.changed_evidence),
            ("Failed before, not checked now", &self.no_longer_checked),
        ] {
            if list.is_empty() {
                continue;
            }
            let _ = writeln!(t, "\n{title}:");
            for c in list {
                let _ = writeln!(
                    t,
                    "  {} @ {} ({} -> {}): {}",
                    c.check, c.node, c.before, c.after, c.summary
                );
                for l in &c.evidence_removed {
                    let _ = writeln!(t, "      - {l}");
                }
                for l in &c.evidence_added {
                    let _ = writeln!(t, "      + {l}");
                }
            }
        }
        let _ = writeln!(
            t,
            "\n{} new failures, {} fixed, {} with changed evidence, {} no longer checked",
            self.new_failures.len(),
            self.fixed.len(),
            self.changed_evidence.len(),
            self.no_longer_checked.len()
        );
        t
    }
}
