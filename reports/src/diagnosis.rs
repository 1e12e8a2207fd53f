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

/// Fix commands for each distribution family.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq)]
pub struct Fix {
    /// RHEL, Oracle Linux, CentOS, SUSE: /etc/sysconfig/o2cb, `service o2cb`.
    pub rhel: Vec<String>,
    /// Debian, Ubuntu: /etc/default/o2cb, `o2cb register-cluster`.
    pub debian: Vec<String>,
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
    pub confirm: Vec<String>,
    pub rule_out: Vec<String>,
    pub fix: Fix,
}

/// A cause set aside, and why.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct RuledOut {
    pub cause: String,
    pub reason: String,
}

/// The answer to "the mount failed, why?".
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
pub struct Diagnosis {
    /// The error text the user gave, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_text: Option<String>,
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
                finding: None,
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
                finding: None,
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

/// Both families' commands as one text block.
pub fn fix_text(fix: &Fix) -> String {
    if fix.rhel == fix.debian {
        return fix.rhel.join("\n");
    }
    let mut t = String::new();
    if !fix.rhel.is_empty() {
        t.push_str(&format!(
            "RHEL/Oracle Linux:\n  {}\n",
            fix.rhel.join("\n  ")
        ));
    }
    if !fix.debian.is_empty() {
        t.push_str(&format!("Debian/Ubuntu:\n  {}", fix.debian.join("\n  ")));
    }
    t.trim_end().to_string()
}
