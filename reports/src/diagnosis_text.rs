//! The root-cause report as Markdown (for tickets) and as console text. Text from
//! bundles (host names, summaries, log lines) is escaped in Markdown, or shown in
//! fenced blocks where it is literal.

use crate::diagnosis::{fix_blocks, headline, Diagnosis};
use crate::untrusted_text::escape_controls;
use std::fmt::Write;

/// Markdown-escape text that came from a bundle: every character Markdown or
/// HTML could read as markup gets a backslash or an entity.
pub fn md_escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '&' => o.push_str("&amp;"),
            '\\' | '`' | '*' | '_' | '{' | '}' | '[' | ']' | '(' | ')' | '#' | '+' | '!' | '|'
            | '~' => {
                o.push('\\');
                o.push(c);
            }
            '\n' | '\r' => o.push(' '),
            c if c.is_control() => o.push('\u{FFFD}'),
            c => o.push(c),
        }
    }
    o
}

/// A fenced block's body: nothing inside can close the fence; lines and tabs are
/// kept (a fix is several commands, cluster.conf is indented with tabs) and any
/// other control character is shown as an escape.
fn fenced(s: &str) -> String {
    s.replace("```", "'''")
        .split('\n')
        .map(|line| {
            line.split('\t')
                .map(escape_controls)
                .collect::<Vec<_>>()
                .join("\t")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// One line of text from a bundle or the user inside a fence: a newline in it is
/// shown as an escape, so it cannot forge a line of the report.
fn fenced_line(s: &str) -> String {
    escape_controls(&s.replace("```", "'''")).into_owned()
}

/// Markdown: one section per cause, most likely first.
pub fn markdown(d: &Diagnosis) -> String {
    let mut m = String::from("# o2check why\n\n");
    let asked = if d.error_text.is_some() {
        "Why did the mount fail with the error below?"
    } else {
        "Why did the mount fail? (no error text given)"
    };
    let answer = match d.causes.first() {
        Some(c) if !d.undetermined => format!(
            "most likely `{}` ({} evidence, {})",
            c.cause,
            c.confidence.name(),
            md_escape(&c.nodes.join(", "))
        ),
        _ => "**undetermined**: the evidence is not enough to name a cause".into(),
    };
    let _ = writeln!(m, "{asked} {answer}\n");
    if let Some(t) = &d.error_text {
        let _ = writeln!(m, "Error:\n\n```\n{}\n```\n", fenced_line(t));
    }
    if let Some(meaning) = &d.error_meaning {
        let id = d
            .message
            .as_deref()
            .map_or(String::new(), |i| format!(" (message `{i}`)"));
        let _ = writeln!(m, "{meaning}{id}\n");
    }
    if d.undetermined {
        m.push_str("**Undetermined**: no evidence rules a cause in. Collect:\n\n");
        for c in &d.collect {
            let _ = writeln!(m, "- {c}");
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
            "Cause `{}` on {}, decided by: {}\n\n{}\n",
            c.cause,
            md_escape(&c.nodes.join(", ")),
            md_escape(&c.findings.join(", ")),
            c.explanation
        );
        if !c.evidence.is_empty() {
            m.push_str("Evidence:\n\n```\n");
            for e in &c.evidence {
                let place = e
                    .line
                    .map_or(e.source.clone(), |l| format!("{}:{l}", e.source));
                let _ = writeln!(m, "{}: {}", fenced(&place), fenced(&e.text));
            }
            m.push_str("```\n\n");
        }
        list(&mut m, "Confirm", &c.confirm);
        list(&mut m, "Rule out", &c.rule_out);
        for (title, lines) in fix_blocks(&c.fix) {
            let head = if title.is_empty() {
                "Fix".to_string()
            } else {
                format!("Fix ({title})")
            };
            let _ = writeln!(m, "{head}:\n\n```sh\n{}\n```\n", fenced(&lines.join("\n")));
        }
    }
    if !d.also_possible.is_empty() {
        let _ = writeln!(
            m,
            "## Also possible for this error (nothing rules them in or out)\n\n{}\n",
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
            let _ = writeln!(m, "- `{}`: {}", r.cause, md_escape(&r.reason));
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

/// Console text from a bundle: control characters shown as escapes (the one
/// escaping rule every renderer shares), so a host name cannot forge lines.
fn clean(s: &str) -> String {
    escape_controls(&s.replace('\t', " ")).into_owned()
}

/// Console text: the same content, compact. The first line says what was asked
/// and the verdict.
pub fn console(d: &Diagnosis) -> String {
    let mut t = String::new();
    let _ = writeln!(t, "o2check why: {}", clean(&headline(d)));
    if let Some(meaning) = &d.error_meaning {
        let _ = writeln!(t, "  {}", clean(meaning));
    }
    if d.undetermined {
        let _ = writeln!(t, "collect:");
        for c in &d.collect {
            let _ = writeln!(t, "  - {}", clean(c));
        }
    }
    for (i, c) in d.causes.iter().enumerate() {
        let _ = writeln!(
            t,
            "\n{}. {} [{}] {} ({} evidence; {})",
            i + 1,
            c.cause,
            c.layer.name(),
            c.title,
            c.confidence.name(),
            clean(&c.nodes.join(", "))
        );
        let _ = writeln!(t, "   decided by: {}", clean(&c.findings.join(", ")));
        let _ = writeln!(t, "   {}", c.explanation);
        for e in c.evidence.iter().take(8) {
            let place = e
                .line
                .map_or(e.source.clone(), |l| format!("{}:{l}", e.source));
            let _ = writeln!(t, "     {}: {}", clean(&place), clean(&e.text));
        }
        for (title, lines) in fix_blocks(&c.fix) {
            let head = if title.is_empty() {
                "fix".to_string()
            } else {
                format!("fix ({title})")
            };
            let _ = writeln!(t, "   {head}:");
            for l in lines {
                let _ = writeln!(t, "     {}", clean(l));
            }
        }
    }
    for r in &d.ruled_out {
        let _ = writeln!(t, "\nruled out {}: {}", r.cause, clean(&r.reason));
    }
    if !d.also_possible.is_empty() {
        let _ = writeln!(
            t,
            "\nalso possible for this error, nothing rules them in or out: {}",
            d.also_possible.join(", ")
        );
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_from_bundles_is_inert() {
        assert_eq!(md_escape("n1<b>*x*</b>"), "n1&lt;b&gt;\\*x\\*&lt;/b&gt;");
        assert_eq!(md_escape("[a](javascript:x)"), "\\[a\\]\\(javascript:x\\)");
        assert_eq!(fenced("a```b"), "a'''b");
    }

    #[test]
    fn console_starts_with_question_and_verdict() {
        let d = Diagnosis {
            error_text: Some(
                "mount.ocfs2: Internal logic failure while trying to join the group".into(),
            ),
            undetermined: true,
            ..Diagnosis::default()
        };
        let first = console(&d).lines().next().unwrap().to_string();
        assert!(
            first.starts_with(
                "o2check why: why did the mount fail with `mount.ocfs2: Internal logic failure"
            ),
            "{first}"
        );
        assert!(
            first.ends_with("undetermined: the evidence is not enough to name a cause"),
            "{first}"
        );
    }
}
