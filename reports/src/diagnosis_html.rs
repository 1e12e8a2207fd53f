//! The root-cause report as one self-contained HTML page (no scripts, no external
//! resources), every piece of evidence escaped.

use crate::diagnosis::{fix_text, Diagnosis};
use std::fmt::Write;

pub(crate) fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c if c.is_control() && c != '\n' && c != '\t' => o.push('\u{FFFD}'),
            c => o.push(c),
        }
    }
    o
}

const STYLE: &str = "body{font:15px/1.45 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}\
h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:2rem;border-top:1px solid #ddd;padding-top:1rem}\
pre{background:#f6f6f6;padding:.6rem;overflow-x:auto;font-size:13px}\
.tag{display:inline-block;border-radius:3px;padding:0 .4rem;font-size:12px;margin-right:.3rem;color:#fff}\
.strong{background:#b00}.supporting{background:#c60}.compatible{background:#777}.layer{background:#357}\
.undetermined{background:#fff3cd;padding:.8rem;border:1px solid #e0c060}";

pub fn html(d: &Diagnosis) -> String {
    let mut h = format!("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>o2check why</title><style>{STYLE}</style></head><body>\n<h1>o2check why: root cause of the mount failure</h1>\n");
    if let Some(t) = &d.error_text {
        let _ = writeln!(h, "<p>Error: <code>{}</code></p>", esc(t));
    }
    if let Some(m) = &d.error_meaning {
        let _ = writeln!(h, "<p>{}</p>", esc(m));
    }
    if d.undetermined {
        let _ = writeln!(h, "<div class=\"undetermined\"><b>Undetermined</b>: the evidence is not enough to name a cause. Collect:<ul>");
        for c in &d.collect {
            let _ = writeln!(h, "<li><code>{}</code></li>", esc(c));
        }
        h.push_str("</ul></div>\n");
    }
    for (i, c) in d.causes.iter().enumerate() {
        let conf = c.confidence.name();
        let _ = writeln!(h, "<h2>{}. {}</h2>\n<p><span class=\"tag {conf}\">{conf} evidence</span><span class=\"tag layer\">{}</span> nodes: {}</p>", i + 1, esc(&c.title), c.layer.name(), esc(&c.nodes.join(", ")));
        let _ = writeln!(h, "<p>{}</p>", esc(&c.explanation));
        if !c.evidence.is_empty() {
            h.push_str("<pre>");
            for e in &c.evidence {
                let place = e
                    .line
                    .map_or(e.source.clone(), |l| format!("{}:{l}", e.source));
                let _ = writeln!(h, "<b>{}</b>: {}", esc(&place), esc(&e.text));
            }
            h.push_str("</pre>\n");
        }
        for (title, items) in [("Confirm", &c.confirm), ("Rule out", &c.rule_out)] {
            if !items.is_empty() {
                let _ = write!(h, "<p>{title}:</p><ul>");
                for it in items {
                    let _ = write!(h, "<li>{}</li>", esc(it));
                }
                h.push_str("</ul>\n");
            }
        }
        let _ = writeln!(h, "<p>Fix:</p><pre>{}</pre>", esc(&fix_text(&c.fix)));
    }
    if !d.also_possible.is_empty() {
        let _ = writeln!(
            h,
            "<h2>Also possible for this error (no evidence found)</h2><p>{}</p>",
            esc(&d.also_possible.join(", "))
        );
    }
    if !d.ruled_out.is_empty() {
        h.push_str("<h2>Ruled out</h2><ul>");
        for r in &d.ruled_out {
            let _ = write!(
                h,
                "<li><code>{}</code>: {}</li>",
                esc(&r.cause),
                esc(&r.reason)
            );
        }
        h.push_str("</ul>\n");
    }
    h.push_str("</body></html>\n");
    h
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnosis::{Cause, Confidence, Fix};
    use crate::model::{Evidence, Layer};

    #[test]
    fn escapes_evidence() {
        let d = Diagnosis {
            causes: vec![Cause {
                cause: "x".into(),
                layer: Layer::O2cb,
                confidence: Confidence::Strong,
                nodes: vec!["n<1>".into()],
                title: "t & t".into(),
                explanation: "e".into(),
                evidence: vec![Evidence::new(
                    "log",
                    Some(3),
                    "<script>alert(1)</script>\u{1b}",
                )],
                confirm: vec![],
                rule_out: vec![],
                fix: Fix::default(),
            }],
            ..Diagnosis::default()
        };
        let page = html(&d);
        assert!(!page.contains("<script>") && page.contains("&lt;script&gt;"));
        assert!(page.contains("n&lt;1&gt;") && page.contains("t &amp; t"));
        assert!(!page.contains('\u{1b}'));
    }
}
