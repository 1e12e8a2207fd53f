//! Text that came from evidence (log lines, node and host names, a node's
//! stderr) shown on a terminal or in Markdown: its control characters are written
//! as visible escapes, so an ESC sequence cannot recolour, move the cursor or clear
//! the screen, and a CR or newline inside a name cannot forge a line of output
//! ("PASS ..." under a failing check). Bidirectional overrides are escaped too:
//! they reorder what is shown without changing the bytes. One function, used by
//! every terminal and Markdown writer.

use std::borrow::Cow;
use std::fmt::Write;

/// `text` with every control character (except tab) as `\n`, `\r`, `\x1b` or
/// `\u{202e}`; unchanged (and not copied) when it has none.
pub fn escape_controls(text: &str) -> Cow<'_, str> {
    if !text.chars().any(needs_escape) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c if needs_escape(c) && (c as u32) < 0x80 => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c if needs_escape(c) => {
                let _ = write!(out, "\\u{{{:04x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

fn needs_escape(c: char) -> bool {
    (c.is_control() && c != '\t')
        || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_become_visible_escapes() {
        assert_eq!(escape_controls("plain\ttext é"), "plain\ttext é");
        assert!(matches!(escape_controls("plain"), Cow::Borrowed(_)));
        assert_eq!(
            escape_controls("n1\x1b[2J\rPASS all\nok\u{7f}"),
            "n1\\x1b[2J\\rPASS all\\nok\\x7f"
        );
        assert_eq!(
            escape_controls("a\u{9b}b\u{202e}c"),
            "a\\u{009b}b\\u{202e}c"
        );
    }
}
