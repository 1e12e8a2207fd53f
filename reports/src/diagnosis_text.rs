//! The root-cause report as Markdown (for tickets) and as console text.

use crate::diagnosis::{fix_text, Diagnosis};
use crate::untrusted_text::escape_controls as esc;
use std::fmt::Write;

/// Markdown: one section per cause, most likely first.
pub fn markdown(d: &Diagnosis) -> String {
    let mut m = String::from("# o2check why: root cause of the mount failure\n\n");
    if let Some(t) = &d.error_text {
        let _ = writeln!(m, "Error: `{}`\n", esc(t).replace('`', "'"));
    }
    if let Some(meaning) = &d.error_meaning {
        let _ = writeln!(m, "{meaning}\n");
    }
    if d.undetermined {
        m.push_str("**Undetermined**: the evidence is not enough to name a cause. Collect:\n\n");
        for c in &d.collect {
            let _ = writeln!(m, "- `{c}`");
        }
        m.push('\n');
    }
    for (i, c) in d.causes.iter().enumerate() {
        let _ = writeln!(
            m,
            "## {}. {} ({} evidence, {} layer)\n",
            i + 1,
            c.title,
            c.confidence.name(),
            c.layer.name()
        );
        let _ = writeln!(
            m,
            "Cause id `{}`, nodes: {}\n\n{}\n",
            c.cause,
            esc(&c.nodes.join(", ")),
            c.explanation
        );
        if !c.evidence.is_empty() {
            m.push_str("Evidence:\n\n```\n");
            for e in &c.evidence {
                let place = e
                    .line
                    .map_or(e.source.clone(), |l| format!("{}:{l}", e.source));
                let _ = writeln!(m, "{}: {}", esc(&place), esc(&e.text).replace("```", "'''"));
            }
            m.push_str("```\n\n");
        }
        list(&mut m, "Confirm", &c.confirm);
        list(&mut m, "Rule out", &c.rule_out);
        let _ = writeln!(m, "Fix:\n\n```\n{}\n```\n", fix_text(&c.fix));
    }
    if !d.also_possible.is_empty() {
        let _ = writeln!(
            m,
            "## Also possible for this error (no evidence found)\n\n{}\n",
            d.also_possible
                .iter()
                .map(|c| format!("`{c}`"))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    if !d.ruled_out.is_empty() {
        m.push_str("## Ruled out\n\n");
        for r in &d.ruled_out {
            let _ = writeln!(m, "- `{}`: {}", r.cause, r.reason);
        }
    }
    m
}

fn list(m: &mut String, title: &str, items: &[String]) {
    if items.is_empty() {
        return;
    }
    let _ = writeln!(m, "{title}:\n");
    for i in items {
        let _ = writeln!(m, "- {i}");
    }
    m.push('\n');
}

/// Console text: the same content, compact.
pub fn console(d: &Diagnosis) -> String {
    let mut t = String::new();
    if let Some(e) = &d.error_text {
        let _ = writeln!(t, "error: {}", esc(e));
    }
    if let Some(meaning) = &d.error_meaning {
        let _ = writeln!(t, "  {meaning}");
    }
    if d.undetermined {
        let _ = writeln!(
            t,
            "UNDETERMINED: not enough evidence. Collect: {}",
            d.collect.join("; ")
        );
    }
    for (i, c) in d.causes.iter().enumerate() {
        let _ = writeln!(
            t,
            "\n{}. [{}] {} ({} evidence; {})",
            i + 1,
            c.layer.name(),
            c.title,
            c.confidence.name(),
            esc(&c.nodes.join(", "))
        );
        let _ = writeln!(t, "   {}", c.explanation);
        for e in c.evidence.iter().take(8) {
            let place = e
                .line
                .map_or(e.source.clone(), |l| format!("{}:{l}", e.source));
            let _ = writeln!(t, "     {}: {}", esc(&place), esc(&e.text));
        }
        let _ = writeln!(
            t,
            "   fix:\n     {}",
            fix_text(&c.fix).replace('\n', "\n     ")
        );
    }
    for r in &d.ruled_out {
        let _ = writeln!(t, "\nruled out {}: {}", r.cause, r.reason);
    }
    if !d.also_possible.is_empty() {
        let _ = writeln!(
            t,
            "\nalso possible for this error, but no evidence here: {}",
            d.also_possible.join(", ")
        );
    }
    t
}
