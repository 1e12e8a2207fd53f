//! The shared "pasted text" normaliser: outputs reach us collected by a tool, or
//! pasted into a ticket with a shell prompt and the command line above them,
//! comment lines, Markdown fences, CRLF line ends and a uniform indentation (a
//! mail client's tab, a forum's four spaces). Every parser reads lines through
//! [`lines`], which removes exactly those and keeps each line's original number,
//! so evidence still quotes the line as it was given.

use crate::text::Text;
use regex::Regex;
use std::sync::OnceLock;

/// One line as a parser should see it, with its 1-based number in the original text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub number: u32,
    pub text: String,
}

/// A shell prompt with the command typed after it: `[root@n1 ~]# multipath -ll`,
/// `root@n1:~# dmesg`, SUSE's `n1:~ # dmesg`, `sh-4.2# ...`, `$ iscsiadm ...`.
fn prompt() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(concat!(
            r"^(?:\[[^\]\s]+@[^\]]+\]",     // [root@n1 ~]
            r"|[\w.-]+@[\w.-]+(?::\S*)?",   // root@n1:~
            r"|[\w.-]+:\S*\s",              // n1:~ (SUSE, `#` after a space)
            r"|(?:ba|z|k)?sh-[\d.]+",       // sh-4.2
            r")?\s*[#$]\s+[a-z/.][\w./-]*", // the prompt character and a command word
        ))
        .expect("valid regex")
    })
}

/// Is this (already trimmed) line something a person or a collector put around the
/// output rather than the output itself?
fn is_wrapper(l: &str) -> bool {
    if l.starts_with("```") || l.starts_with("~~~") {
        return true;
    }
    // `#:#:#:#` is multipath's placeholder SCSI address of an orphan path: output.
    if l.starts_with("#:") {
        return false;
    }
    // A comment: `#` alone or followed by a space (a prompt is also one of these).
    if l == "#" || l.starts_with("# ") || l.starts_with("#\t") {
        return true;
    }
    // Only a line with a prompt character can be a prompt: keeps huge logs cheap.
    memchr::memchr2(b'#', b'$', l.as_bytes()).is_some() && prompt().is_match(l)
}

/// The lines of `text` a parser should read, borrowed and numbered: no prompts,
/// comments, fences or `\r`, and without the indentation common to all remaining
/// non-blank lines. Two passes over the text, no copy of it.
pub fn iter(text: &Text) -> impl Iterator<Item = (u32, &str)> {
    let content = || {
        text.numbered_lines()
            .map(|(n, l)| (n, l.strip_suffix('\r').unwrap_or(l)))
            .filter(|(_, l)| !is_wrapper(l.trim()))
    };
    let indent = common_indent(content().map(|(_, l)| l));
    // Lines that are only whitespace may be shorter than the indentation.
    content().map(move |(n, l)| (n, l.get(indent..).unwrap_or("")))
}

/// [`iter`] collected, for parsers that look ahead.
pub fn lines(text: &Text) -> Vec<Line> {
    iter(text)
        .map(|(number, l)| Line {
            number,
            text: l.to_string(),
        })
        .collect()
}

/// The byte length of the leading whitespace every non-blank line shares.
fn common_indent<'a>(lines: impl Iterator<Item = &'a str>) -> usize {
    let mut common: Option<&str> = None;
    for l in lines.filter(|l| !l.trim().is_empty()) {
        let lead = &l[..l.len() - l.trim_start_matches([' ', '\t']).len()];
        common = Some(match common {
            None => lead,
            Some(c) => {
                let same = c
                    .bytes()
                    .zip(lead.bytes())
                    .take_while(|(a, b)| a == b)
                    .count();
                &c[..same]
            }
        });
        if common == Some("") {
            break;
        }
    }
    common.map_or(0, str::len)
}

/// The normalised lines joined again, for parsers that work on whole text.
pub fn normalised(text: &Text) -> Text {
    let mut out = String::new();
    for l in lines(text) {
        out.push_str(&l.text);
        out.push('\n');
    }
    Text::new(text.origin.clone(), out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(s: &str) -> Vec<(u32, String)> {
        lines(&Text::new("t", s))
            .into_iter()
            .map(|l| (l.number, l.text))
            .collect()
    }

    #[test]
    fn prompt_comment_fence_and_crlf_are_removed_numbers_kept() {
        let got = texts("```\r\n[root@n1 ~]# multipath -ll\r\n# the map:\r\nmpatha (36) dm-0 X,Y\r\n|- 1:0:0:0 sda 8:0 active ready running\r\n```\r\n");
        assert_eq!(
            got,
            [
                (4, "mpatha (36) dm-0 X,Y".to_string()),
                (5, "|- 1:0:0:0 sda 8:0 active ready running".to_string())
            ]
        );
    }

    #[test]
    fn uniform_tab_or_space_indentation_is_removed_relative_kept() {
        let got = texts("\tTarget: iqn.x (non-flash)\n\t\tCurrent Portal: 1.2.3.4:3260,1\n\n");
        assert_eq!(got[0].1, "Target: iqn.x (non-flash)");
        assert_eq!(got[1].1, "\tCurrent Portal: 1.2.3.4:3260,1");
        assert_eq!(got[2], (3, String::new()));
        let got = texts("    mpatha (36) dm-0 X,Y\n    `- 1:0:0:0 sda 8:0 active ready running\n");
        assert_eq!(got[1].1, "`- 1:0:0:0 sda 8:0 active ready running");
    }

    #[test]
    fn prompts_of_several_shells_and_what_is_not_a_prompt() {
        for p in [
            "[root@rhel5 ~]# iscsiadm -m session -P 3",
            "root@deb:~# dmesg | grep o2",
            "n1:~ # service o2cb status",
            "sh-4.2# multipath -ll",
            "$ mounted.ocfs2 -f",
            "# mounted.ocfs2 -d",
        ] {
            assert!(is_wrapper(p), "{p}");
        }
        for o in [
            "#:#:#:# -   #:#   active faulty running",
            "tcp: [1] 10.0.0.1:3260,1 iqn.x (non-flash)",
            "Checking O2CB heartbeat: Active",
            "[  12.5] o2net: Connected to node a (num 0) at 1.2.3.4:7777",
        ] {
            assert!(!is_wrapper(o), "{o}");
        }
    }

    #[test]
    fn empty_and_blank_only_input() {
        assert!(texts("").is_empty());
        assert_eq!(texts("  \n").len(), 1);
        assert_eq!(normalised(&Text::new("t", "  a\n  b\n")).content, "a\nb\n");
    }
}
