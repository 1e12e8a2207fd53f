//! The root-cause report as one self-contained HTML page (no scripts, no external
//! resources), every piece of evidence escaped; `inline code` shown as code, long
//! evidence lines wrapped, each fix in its own block to copy.

use crate::diagnosis::{fix_blocks, headline, Diagnosis};
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

/// Escaped text with each `backticked` span as `<code>`; an unpaired backtick
/// stays as it is.
fn prose(s: &str) -> String {
    let parts: Vec<&str> = s.split('`').collect();
    if parts.len() % 2 == 0 {
        return esc(s);
    }
    let mut o = String::new();
    for (i, p) in parts.iter().enumerate() {
        if i % 2 == 1 {
            let _ = write!(o, "<code>{}</code>", esc(p));
        } else {
            o.push_str(&esc(p));
        }
    }
    o
}

const STYLE: &str = "body{font:15px/1.45 system-ui,sans-serif;max-width:64rem;margin:2rem auto;padding:0 1rem;color:#222}\
h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:2rem;border-top:1px solid #ddd;padding-top:1rem}\
code{background:#f1f1f1;padding:0 .2rem;border-radius:2px;font-size:13px}\
pre{background:#f6f6f6;padding:.6rem;font-size:13px;white-space:pre-wrap;overflow-wrap:anywhere}\
pre.fix{background:#eef6ee;border-left:3px solid #4a4;user-select:all}\
.tag{display:inline-block;border-radius:3px;padding:0 .4rem;font-size:12px;margin-right:.3rem;color:#fff}\
.strong{background:#b00}.supporting{background:#c60}.compatible{background:#777}.layer{background:#357}\
.undetermined{background:#fff3cd;padding:.8rem;border:1px solid #e0c060}";

pub fn html(d: &Diagnosis) -> String {
    let mut h = format!("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>o2check why</title><style>{STYLE}</style></head><body>\n<h1>o2check why</h1>\n<p><b>{}</b></p>\n", prose(&headline(d)));
    if let Some(t) = &d.error_text {
        let _ = writeln!(h, "<p>Error:</p><pre>{}</pre>", esc(t));
    }
    if let Some(m) = &d.error_meaning {
        let id = d.message.as_deref().map_or(String::new(), |i| {
            format!(" (message <code>{}</code>)", esc(i))
        });
        let _ = writeln!(h, "<p>{}{id}</p>", prose(m));
    }
    if d.undetermined {
        let _ = writeln!(h, "<div class=\"undetermined\"><b>Undetermined</b>: no evidence rules a cause in. Collect:<ul>");
        for c in &d.collect {
            let _ = writeln!(h, "<li>{}</li>", prose(c));
        }
        h.push_str("</ul></div>\n");
    }
    for (i, c) in d.causes.iter().enumerate() {
        let conf = c.confidence.name();
        let _ = writeln!(h, "<h2>{}. {}</h2>\n<p><span class=\"tag {conf}\">{conf} evidence</span><span class=\"tag layer\">{}</span> cause <code>{}</code> on {}</p>", i + 1, prose(&c.title), c.layer.name(), esc(&c.cause), esc(&c.nodes.join(", ")));
        if !c.findings.is_empty() {
            let _ = writeln!(
                h,
                "<p>Decided by: {}</p>",
                c.findings
                    .iter()
                    .map(|f| format!("<code>{}</code>", esc(f)))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
        let _ = writeln!(h, "<p>{}</p>", prose(&c.explanation));
        if !c.evidence.is_empty() {
            h.push_str("<pre>");
            for e in &c.evidence {
                let place = e
                    .line
                    .map_or(e.source.clone(), |l| format!("{}:{l}", e.source));
                let _ = writeln!(h, "<b>{}</b>: {}", esc(&place), prose(&e.text));
            }
            h.push_str("</pre>\n");
        }
        for (title, items) in [("Confirm", &c.confirm), ("Rule out", &c.rule_out)] {
            if !items.is_empty() {
                let _ = write!(h, "<p>{title}:</p><ul>");
                for it in items {
                    let _ = write!(h, "<li>{}</li>", prose(it));
                }
                h.push_str("</ul>\n");
            }
        }
        for (title, lines) in fix_blocks(&c.fix) {
            let head = if title.is_empty() {
                "Fix".to_string()
            } else {
                format!("Fix ({title})")
            };
            // Commands verbatim; a `# note` line's `code` spans as code.
            let body: Vec<String> = lines
                .iter()
                .map(|l| {
                    if l.starts_with("# ") {
                        prose(l)
                    } else {
                        esc(l)
                    }
                })
                .collect();
            let _ = writeln!(
                h,
                "<p>{head}:</p><pre class=\"fix\">{}</pre>",
                body.join("\n")
            );
        }
    }
    if !d.also_possible.is_empty() {
        let _ = writeln!(
            h,
            "<h2>Also possible for this error (nothing rules them in or out)</h2><p>{}</p>",
            d.also_possible
                .iter()
                .map(|c| format!("<code>{}</code>", esc(c)))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    if !d.ruled_out.is_empty() {
        h.push_str("<h2>Ruled out</h2><ul>");
        for r in &d.ruled_out {
            let _ = write!(
                h,
                "<li><code>{}</code>: {}</li>",
                esc(&r.cause),
                prose(&r.reason)
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
    fn escapes_evidence_and_renders_code() {
        let d = Diagnosis {
            causes: vec![Cause {
                cause: "x".into(),
                layer: Layer::O2cb,
                confidence: Confidence::Strong,
                nodes: vec!["n<1>".into()],
                title: "t & `t`".into(),
                explanation: "e `<b>`".into(),
                evidence: vec![Evidence::new(
                    "log",
                    Some(3),
                    "<script>alert(1)</script>\u{1b}",
                )],
                findings: vec!["a/b@n1".into()],
                confirm: vec![],
                rule_out: vec![],
                fix: Fix {
                    debian: vec!["mount /dev/vda /mnt".into()],
                    ..Fix::default()
                },
            }],
            ..Diagnosis::default()
        };
        let page = html(&d);
        assert!(!page.contains("<script>") && page.contains("&lt;script&gt;"));
        assert!(page.contains("n&lt;1&gt;") && page.contains("t &amp; <code>t</code>"));
        assert!(page.contains("e <code>&lt;b&gt;</code>"));
        assert!(!page.contains('\u{1b}') && !page.contains('`'));
        assert!(page.contains("<pre class=\"fix\">mount /dev/vda /mnt</pre>"));
        assert!(page.contains("white-space:pre-wrap"));
    }
}
