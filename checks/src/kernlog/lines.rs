//! Kernel log lines of a node with their origin, from `dmesg` and the syslog
//! files, with the timestamp/host prefix removed from the message. Lines are
//! decoded lossily (garbage bytes never stop the read) and capped in length.

use crate::context::NodeCtx;
use crate::text::Text;
use regex::Regex;
use std::sync::OnceLock;

/// Longer lines are cut: no o2 message is near this long, and a megabyte line of
/// garbage must not be carried around.
const MAX_LINE: usize = 4096;

/// One kernel message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogLine {
    pub origin: String,
    pub line: u32,
    /// The stamp as printed (`[   13.853340]`, `Nov 16 13:47:43`), for display.
    pub stamp: String,
    /// The message without stamp, host and `kernel:` prefix.
    pub message: String,
}

fn prefix() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(concat!(
            r"^(?:",
            r"(?P<mono>\[\s*\d+\.\d+\])", // dmesg
            r"|(?P<ctime>\[[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \d{4}\])", // dmesg -T
            r"|(?P<sys>[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d(?: \d{4})?) \S+ kernel:(?:\s*\[\s*\d+\.\d+\])?", // syslog
            r"|(?P<iso>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:[+-]\d\d:?\d\d|Z)?) \S+ kernel:(?:\s*\[\s*\d+\.\d+\])?", // short-iso
            r")\s?"
        ))
        .expect("valid regex")
    })
}

/// Split one text into kernel messages; lines without a known prefix are kept
/// whole (a console capture) only when they look like o2 messages.
pub fn from_text(text: &Text) -> Vec<LogLine> {
    text.numbered_lines()
        .filter_map(|(line, raw)| {
            let raw = if raw.len() > MAX_LINE {
                &raw[..raw
                    .char_indices()
                    .take_while(|(i, _)| *i < MAX_LINE)
                    .last()
                    .map_or(0, |(i, _)| i)]
            } else {
                raw
            };
            let raw = raw.trim_end_matches('\r');
            match prefix().captures(raw) {
                Some(c) => {
                    let whole = c.get(0).map_or(0, |m| m.end());
                    let stamp = c
                        .iter()
                        .skip(1)
                        .flatten()
                        .next()
                        .map_or("", |m| m.as_str())
                        .to_string();
                    Some(LogLine {
                        origin: text.origin.clone(),
                        line,
                        stamp,
                        message: raw[whole..].to_string(),
                    })
                }
                None => None,
            }
        })
        .collect()
}

/// Every kernel message the node's evidence holds: `dmesg` first (this boot), then
/// syslog files (older boots). Duplicates across sources are kept: each is evidence.
pub fn node_log(ctx: &NodeCtx) -> Vec<Vec<LogLine>> {
    let mut sources = Vec::new();
    if let Ok(out) = ctx.command(&["dmesg"]) {
        sources.push(from_text(&out.stdout));
    }
    for file in ["/var/log/kern.log", "/var/log/messages", "/var/log/syslog"] {
        if let Ok(t) = ctx.file(file) {
            sources.push(from_text(&t));
        }
    }
    sources
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_every_prefix_form() {
        let t = Text::new(
            "log",
            "[   13.853340] o2dlm: Joining domain A \nNov 16 13:47:43 n149 kernel: o2dlm: x\n[Tue Nov 24 19:51:49 2026] ocfs2: y\n2026-11-24T19:51:49+0000 n1 kernel: o2net: z\nNov 16 13:46:01 n149 o2hbmonitor: Starting\nplain console text\n",
        );
        let l = from_text(&t);
        let msgs: Vec<_> = l.iter().map(|l| l.message.as_str()).collect();
        assert_eq!(
            msgs,
            [
                "o2dlm: Joining domain A ",
                "o2dlm: x",
                "ocfs2: y",
                "o2net: z"
            ]
        );
        assert_eq!(l[1].stamp, "Nov 16 13:47:43");
        assert_eq!(l[3].line, 4);
    }

    #[test]
    fn huge_and_garbage_lines_do_not_break_reading() {
        let mut bytes = b"[    1.000000] ".to_vec();
        bytes.extend(std::iter::repeat_n(b'\xff', 3 * 1024 * 1024));
        bytes.extend(b"\n[    2.000000] o2dlm: ok\n");
        let l = from_text(&Text::from_bytes("g", &bytes));
        assert_eq!(l.len(), 2);
        assert!(l[0].message.len() <= MAX_LINE + 4);
        assert_eq!(l[1].message, "o2dlm: ok");
    }
}
