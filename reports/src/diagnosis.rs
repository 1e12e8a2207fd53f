//! The root-cause report's schema (`o2check why`): ranked causes, each with its
//! evidence, what would confirm or rule it out, and fixes per distribution family.
//! Part of the JSON contract, like [`crate::model`].

use crate::model::{CheckResult, Evidence, Layer, Status};
use serde::{Deserialize, Serialize};

/// How directly the evidence shows a cause.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[serde(rename_all = "lowercase")]
pub enum Confidence {
    /// Only the error text fits it.
    Compatible,
    /// Kernel log lines point at it.
    Supporting,
    /// A failing check shows it directly.
    Strong,
}

impl Confidence {
    pub fn name(self) -> &'static str {
        match self {
            Confidence::Compatible => "compatible",
            Confidence::Supporting => "supporting",
            Confidence::Strong => "strong",
        }
    }
}

/// Fix commands for each distribution family, as lines a person reads (`# ...`
/// for a step only a person can do, `on NODE: ...` for another node). A family
/// the node is known not to be is left empty.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq)]
pub struct Fix {
    /// RHEL, Oracle Linux, CentOS, SUSE: /etc/sysconfig/o2cb, /sbin/o2cb.init.
    pub rhel: Vec<String>,
    /// Debian, Ubuntu: /etc/default/o2cb, /etc/init.d/o2cb.
    pub debian: Vec<String>,
    /// The exact commands for the node's family, in order, when its family and
    /// every name are known (empty otherwise): what automation may run.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub commands: Vec<FixCommand>,
}

/// One command of a fix and the node (cluster.conf name, or the bundle's node) to run it on.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct FixCommand {
    pub node: String,
    pub run: String,
}

/// One candidate cause.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Cause {
    /// Stable kebab-case id (`hostname-not-in-cluster-conf`).
    pub cause: String,
    pub layer: Layer,
    pub confidence: Confidence,
    /// Nodes the evidence comes from.
    pub nodes: Vec<String>,
    pub title: String,
    /// The mechanism, from the configuration to the message the user saw.
    pub explanation: String,
    pub evidence: Vec<Evidence>,
    /// What decided it: finding codes (`check/code@node`), kernel-log signatures
    /// (`log:<name>@node`) and the error text (`message:<id>`).
    #[serde(default)]
    pub findings: Vec<String>,
    pub confirm: Vec<String>,
    pub rule_out: Vec<String>,
    pub fix: Fix,
}

/// A cause set aside, and why.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct RuledOut {
    pub cause: String,
    pub reason: String,
    /// What ruled it out (`check/code@node`, `fact:<id>@node`, `message:<id>`).
    #[serde(default)]
    pub findings: Vec<String>,
}

/// The answer to "the mount failed, why?".
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
pub struct Diagnosis {
    /// The error text the user gave, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_text: Option<String>,
    /// The catalogue id of that text (`join-internal-failure`), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// What the error text says about where the mount failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_meaning: Option<String>,
    /// Most likely first.
    pub causes: Vec<Cause>,
    pub ruled_out: Vec<RuledOut>,
    /// Causes that could produce the error text but have no evidence here; listed
    /// so a person can check them if the named causes turn out wrong.
    #[serde(default)]
    pub also_possible: Vec<String>,
    /// True when no cause has more than the error text behind it.
    pub undetermined: bool,
    /// What to collect when undetermined (or to confirm).
    pub collect: Vec<String>,
}

impl Diagnosis {
    /// The causes as check results, so the JSON and JUnit reports carry them
    /// (check id `why-<cause>`, a failure per cause found).
    pub fn to_results(&self) -> Vec<CheckResult> {
        let mut out: Vec<CheckResult> = self
            .causes
            .iter()
            .enumerate()
            .map(|(rank, c)| CheckResult {
                check: format!("why-{}", c.cause),
                node: if c.nodes.len() == 1 {
                    c.nodes[0].clone()
                } else {
                    "cluster".into()
                },
                layer: c.layer,
                status: if c.confidence == Confidence::Compatible {
                    Status::Skip
                } else {
                    Status::Fail
                },
                summary: format!(
                    "#{} ({} evidence): {}",
                    rank + 1,
                    c.confidence.name(),
                    c.title
                ),
                finding: Some(c.confidence.name().to_string()),
                severity: None,
                evidence: c.evidence.clone(),
                fix: Some(fix_text(&c.fix)),
                rationale: c.explanation.clone(),
                duration_ms: 0,
            })
            .collect();
        if self.undetermined {
            out.push(CheckResult {
                check: "why-undetermined".into(),
                node: "cluster".into(),
                layer: Layer::Mount,
                status: Status::Error,
                summary: "the evidence is not enough to name a cause".into(),
                finding: Some("undetermined".into()),
                severity: None,
                evidence: Vec::new(),
                fix: Some(self.collect.join("\n")),
                rationale: String::new(),
                duration_ms: 0,
            });
        }
        out
    }
}

/// The fix blocks to show: one per family that has lines, titled when there are two.
pub fn fix_blocks(fix: &Fix) -> Vec<(&'static str, &[String])> {
    let mut v: Vec<(&'static str, &[String])> = Vec::new();
    if !fix.rhel.is_empty() {
        v.push(("RHEL/Oracle Linux", &fix.rhel));
    }
    if !fix.debian.is_empty() {
        v.push(("Debian/Ubuntu", &fix.debian));
    }
    if v.len() == 2 && fix.rhel == fix.debian {
        v.truncate(1);
        v[0].0 = "";
    }
    v
}

/// Both families' commands as one text block.
pub fn fix_text(fix: &Fix) -> String {
    let blocks = fix_blocks(fix);
    if let [(_, lines)] = blocks.as_slice() {
        return lines.join("\n");
    }
    blocks
        .iter()
        .map(|(title, lines)| format!("{title}:\n  {}", lines.join("\n  ")))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The first line of every rendering: what was asked and the answer.
pub fn headline(d: &Diagnosis) -> String {
    let asked = match &d.error_text {
        Some(t) => format!(
            "why did the mount fail with `{}`?",
            t.lines().next().unwrap_or_default().trim()
        ),
        None => "why did the mount fail? (no error text given)".to_string(),
    };
    let answer = match d.causes.first() {
        _ if d.undetermined => {
            "undetermined: the evidence is not enough to name a cause".to_string()
        }
        Some(c) => format!(
            "most likely `{}` ({} evidence, {})",
            c.cause,
            c.confidence.name(),
            c.nodes.join(", ")
        ),
        None => "no cause found".to_string(),
    };
    format!("{asked} {answer}")
}
