//! `debugfs.ocfs2 -R hb DEVICE`: the disk-heartbeat slots of a volume. Format of
//! ocfs2-tools debugfs.ocfs2/dump.c, dump_hb(): a header `node: node seq
//! generation checksum [deadms]`, then one line per slot in use:
//! `slot: node seq(hex) generation(hex) checksum(hex) [deadms]`. The sequence is
//! the writer's wall-clock seconds (linux fs/ocfs2/cluster/heartbeat.c,
//! o2hb_prepare_block(): hb_seq = ktime_get_real_seconds(), hb_dead_ms = the dead
//! threshold in ms); older tools print no deadms column.

use crate::text::Text;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HbSlot {
    pub slot: u32,
    pub node: u32,
    /// Seconds since the epoch when the node last wrote the slot.
    pub seq: u64,
    pub dead_ms: Option<u64>,
    pub line: u32,
}

/// Every slot line; the header and anything unparsable are left out.
pub fn parse(text: &Text) -> Vec<HbSlot> {
    text.numbered_lines()
        .filter_map(|(line, l)| {
            let (slot, rest) = l.trim().split_once(':')?;
            let mut f = rest.split_whitespace();
            let slot = slot.trim().parse().ok()?;
            let node = f.next()?.parse().ok()?;
            let seq = u64::from_str_radix(f.next()?, 16).ok()?;
            let (_generation, _checksum) = (f.next()?, f.next()?);
            let dead_ms = f.next().and_then(|d| d.parse().ok());
            Some(HbSlot {
                slot,
                node,
                seq,
                dead_ms,
                line,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn real_lab_output_with_deadms() {
        let bytes = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../fixtures/bundles/lab-capture-healthy-node1/commands/debugfs.ocfs2_-R_hb_%2Fdev%2Fvda"
        ))
        .unwrap();
        let slots = parse(&Text::from_bytes("hb", &bytes));
        assert_eq!(slots.len(), 2);
        assert_eq!(slots[0].node, 1);
        assert_eq!(slots[0].seq, 0x6b05eb21);
        assert_eq!(slots[1].dead_ms, Some(62000));
    }

    #[test]
    fn old_format_without_deadms_and_pasted_garbage() {
        let t = Text::new(
            "hb",
            "\tnode: node              seq       generation checksum\n\
             \t   0:    0 0000000051a3c2f0 9a2f0c1d2e3f4a5b 1234abcd\n\
             garbage: line here\n\
             \t   1:    1 not-hex 9a2f0c1d2e3f4a5b 1234abcd\n",
        );
        let slots = parse(&t);
        assert_eq!(slots.len(), 1);
        assert_eq!(slots[0].seq, 0x51a3c2f0);
        assert_eq!(slots[0].dead_ms, None);
        assert_eq!(slots[0].line, 2);
    }
}
