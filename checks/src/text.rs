//! Evidence text with its origin, so any line quoted in a report says where it
//! came from. Bytes that are not UTF-8 (kernel logs with garbage, a binary file
//! where a text file should be) are replaced, never fatal.

use o2check_reports::Evidence;

/// A file's or command's text, decoded lossily, with a label for reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Text {
    /// Where it came from: a host path (`/etc/ocfs2/cluster.conf`) or `command: o2cb cluster-status`.
    pub origin: String,
    pub content: String,
}

impl Text {
    pub fn new(origin: impl Into<String>, content: impl Into<String>) -> Self {
        Text {
            origin: origin.into(),
            content: content.into(),
        }
    }

    pub fn from_bytes(origin: impl Into<String>, bytes: &[u8]) -> Self {
        Text::new(origin, String::from_utf8_lossy(bytes).into_owned())
    }

    /// Lines with their 1-based numbers, `\r` kept (a parser may need to see CRLF).
    pub fn numbered_lines(&self) -> impl Iterator<Item = (u32, &str)> {
        // A final newline ends the last line; it does not start an empty one.
        let body = self.content.strip_suffix('\n').unwrap_or(&self.content);
        let nothing = self.content.is_empty();
        body.split('\n')
            .enumerate()
            .filter(move |_| !nothing)
            .map(|(i, l)| (i as u32 + 1, l))
    }

    /// Evidence quoting line `line` (1-based) of this text, or the whole text's first
    /// line when `line` is out of range.
    pub fn evidence_at(&self, line: u32) -> Evidence {
        let text = self
            .content
            .split('\n')
            .nth(line.saturating_sub(1) as usize)
            .unwrap_or("")
            .trim_end_matches('\r');
        Evidence::new(self.origin.clone(), Some(line), text)
    }

    /// [`Text::evidence_at`] for each of `lines`, splitting the text once (a
    /// per-line call rescans it from the start: quadratic for a problem per line).
    pub fn evidence_at_each(&self, lines: &[u32]) -> Vec<Evidence> {
        let all: Vec<&str> = self.content.split('\n').collect();
        lines
            .iter()
            .map(|&line| {
                let text = all
                    .get(line.saturating_sub(1) as usize)
                    .copied()
                    .unwrap_or("")
                    .trim_end_matches('\r');
                Evidence::new(self.origin.clone(), Some(line), text)
            })
            .collect()
    }

    /// Evidence for every line that contains `needle`, at most `max` of them.
    pub fn evidence_matching(&self, needle: &str, max: usize) -> Vec<Evidence> {
        self.content
            .split('\n')
            .enumerate()
            .filter(|(_, l)| l.contains(needle))
            .take(max)
            .map(|(i, l)| {
                Evidence::new(
                    self.origin.clone(),
                    Some(i as u32 + 1),
                    l.trim_end_matches('\r'),
                )
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_lines_from_one_and_drops_only_the_final_empty_piece() {
        let t = Text::new("x", "a\n\nb\n");
        let lines: Vec<_> = t.numbered_lines().collect();
        assert_eq!(lines, vec![(1, "a"), (2, ""), (3, "b")]);
    }

    #[test]
    fn invalid_utf8_is_replaced_not_fatal() {
        let t = Text::from_bytes("log", b"ok\xff\xfe line");
        assert!(t.content.starts_with("ok"));
        assert!(t.content.ends_with(" line"));
    }

    #[test]
    fn evidence_quotes_the_line_without_cr() {
        let t = Text::new("/etc/ocfs2/cluster.conf", "node:\r\n\tname = a\r\n");
        let e = t.evidence_at(1);
        assert_eq!(e.text, "node:");
        assert_eq!(e.line, Some(1));
    }
}
