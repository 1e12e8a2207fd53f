//! `debugfs.ocfs2 -R slotmap DEV` and `-R hb DEV` (ocfs2-tools `debugfs.ocfs2/dump.c`
//! `dump_slots` / `dump_hb`): which node holds which slot, and the on-disk heartbeat
//! block of each node that ever heartbeated (sequence, generation, dead threshold ms).
//! A never-mounted volume prints only the header line.

use crate::text::Text;

/// One `Slot#   Node#` row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SlotEntry {
    pub slot: u32,
    pub node: u32,
    pub line: u32,
}

/// One heartbeat row: `   1:    1 000000006b05eb21 6d8ec126f2d25b5d 9dd929b9  62000`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HbEntry {
    pub node: u32,
    /// hex on disk; kept as text because the checks only compare them.
    pub seq: String,
    pub generation: String,
    pub checksum: String,
    /// `deadms`: the writer's dead threshold in ms (O2CB_HEARTBEAT_THRESHOLD * 2000 ms; 31 -> 62000).
    pub dead_ms: Option<u64>,
    pub line: u32,
}

/// Rows plus the numbers of lines that were neither a header nor a row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parsed<T> {
    pub rows: Vec<T>,
    pub unparsed: Vec<u32>,
}

// Manual impl: a derive would demand `T: Default`, which rows need not be.
impl<T> Default for Parsed<T> {
    fn default() -> Self {
        Parsed {
            rows: Vec::new(),
            unparsed: Vec::new(),
        }
    }
}

fn is_header(l: &str) -> bool {
    l.starts_with("Slot#") || l.starts_with("node:") || l.starts_with("debugfs.ocfs2 ")
}

pub fn parse_slotmap(text: &Text) -> Parsed<SlotEntry> {
    let mut out = Parsed::default();
    for (line, raw) in super::pasted::iter(text) {
        let l = raw.trim();
        if l.is_empty() || is_header(l) {
            continue;
        }
        let mut f = l.split_whitespace().map(str::parse::<u32>);
        match (f.next(), f.next(), f.next()) {
            (Some(Ok(slot)), Some(Ok(node)), None) => out.rows.push(SlotEntry { slot, node, line }),
            _ => out.unparsed.push(line),
        }
    }
    out
}

pub fn parse_hb(text: &Text) -> Parsed<HbEntry> {
    let mut out = Parsed::default();
    for (line, raw) in super::pasted::iter(text) {
        let l = raw.trim();
        if l.is_empty() || is_header(l) {
            continue;
        }
        let f: Vec<&str> = l.split_whitespace().collect();
        let row = match f.as_slice() {
            [idx, node, seq, generation, checksum, rest @ ..]
                if idx.ends_with(':') && rest.len() <= 1 =>
            {
                node.parse().ok().map(|node| HbEntry {
                    node,
                    seq: seq.to_string(),
                    generation: generation.to_string(),
                    checksum: checksum.to_string(),
                    dead_ms: rest.first().and_then(|d| d.parse().ok()),
                    line,
                })
            }
            _ => None,
        };
        match row {
            Some(r) => out.rows.push(r),
            None => out.unparsed.push(line),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const CAPTURE: &str = include_str!("../../../fixtures/captures/debugfs-slotmap-hb-node1.txt");

    fn t(s: &str) -> Text {
        Text::new("test", s)
    }

    #[test]
    fn real_slotmap_from_bundle() {
        let s = include_str!(
            "../../../fixtures/bundles/lab-collect-healthy-node1/commands/debugfs.ocfs2_-R_slotmap_%2Fdev%2Fvda"
        );
        let p = parse_slotmap(&t(s));
        let got: Vec<_> = p.rows.iter().map(|r| (r.slot, r.node, r.line)).collect();
        assert_eq!(got, [(0, 2, 2), (1, 1, 3)]);
        assert!(p.unparsed.is_empty());
    }

    #[test]
    fn real_hb_from_capture() {
        let hb: String = CAPTURE.lines().skip(3).map(|l| format!("{l}\n")).collect();
        let p = parse_hb(&t(&hb));
        assert_eq!(p.rows.len(), 2);
        assert_eq!(p.rows[0].node, 1);
        assert_eq!(p.rows[1].generation, "20a90f78e0ee7eaa");
        assert_eq!(p.rows[1].dead_ms, Some(62000));
        assert!(p.unparsed.is_empty());
    }

    #[test]
    fn real_capture_mixing_both_is_split_by_parser() {
        // slotmap rows have 2 fields, hb rows 6: each parser rejects the other's rows.
        assert_eq!(parse_slotmap(&t(CAPTURE)).rows.len(), 2);
        assert_eq!(parse_slotmap(&t(CAPTURE)).unparsed.len(), 2);
        assert_eq!(parse_hb(&t(CAPTURE)).rows.len(), 2);
    }

    #[test]
    fn real_never_mounted_volume_has_header_only() {
        let s = include_str!("../../../fixtures/runtime/slotmap-fresh-N4.txt");
        assert_eq!(parse_slotmap(&t(s)), Parsed::default());
        let h = include_str!("../../../fixtures/runtime/hb-fresh-N4.txt");
        assert_eq!(parse_hb(&t(h)), Parsed::default());
    }

    #[test]
    fn broken_input_is_reported_not_fatal() {
        let s = "\tSlot#   Node#\r\n\t    0       1\r\n\t    x       2\r\n\u{fffd}\u{fffd}\n";
        let p = parse_slotmap(&t(s));
        assert_eq!(p.rows.len(), 1);
        assert_eq!(p.unparsed, [3, 4]);
        let h = parse_hb(&t("\t   1:    1 aa bb\n\t   1:    x aa bb cc 1\n"));
        assert!(h.rows.is_empty());
        assert_eq!(h.unparsed, [1, 2]);
        let huge = "9".repeat(1 << 20);
        assert_eq!(parse_slotmap(&t(&huge)).unparsed, [1]);
        assert_eq!(parse_hb(&t("")), Parsed::default());
    }
}
