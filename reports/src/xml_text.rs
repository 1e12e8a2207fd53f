//! Making arbitrary evidence safe for XML 1.0. Kernel logs and command outputs can
//! hold control characters (ANSI colour codes, NULs from a torn append) and, after
//! lossy decoding, U+FFFD; XML 1.0 forbids most C0 controls and U+FFFE/U+FFFF
//! outright, and escaping does not help (`&#1;` is invalid too), so they are
//! replaced by a visible `\xNN` form. Escaping of `<&>"'` is left to the XML writer.

/// `text` with every character XML 1.0 cannot carry replaced by `\xNN` / `\u{NNNN}`.
pub fn xml_safe(text: &str) -> String {
    if text.chars().all(is_xml_char) {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if is_xml_char(c) {
            out.push(c);
        } else if (c as u32) < 0x100 {
            out.push_str(&format!("\\x{:02X}", c as u32));
        } else {
            out.push_str(&format!("\\u{{{:04X}}}", c as u32));
        }
    }
    out
}

/// The XML 1.0 `Char` production (Rust strings cannot hold lone surrogates).
fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// The first line of `text`, for attributes that must stay one line (JUnit `message`).
pub fn one_line(text: &str) -> String {
    xml_safe(text.lines().next().unwrap_or("").trim())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_only_what_xml_forbids() {
        assert_eq!(xml_safe("a\tb\nc"), "a\tb\nc");
        assert_eq!(xml_safe("\u{1b}[31mred\u{0}"), "\\x1B[31mred\\x00");
        assert_eq!(xml_safe("x\u{FFFE}y"), "x\\u{FFFE}y");
        assert_eq!(xml_safe("lossy \u{FFFD} ok <&>"), "lossy \u{FFFD} ok <&>");
    }

    #[test]
    fn one_line_keeps_the_first_line() {
        assert_eq!(one_line("  first\nsecond"), "first");
        assert_eq!(one_line(""), "");
    }
}
