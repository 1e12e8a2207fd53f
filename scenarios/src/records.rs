//! Self-checking append records: `o2c <writer> <seq> <len> <crc> <payload>\n`.
//! Each record carries its own length and checksum, so a reader can tell a record
//! that was overwritten, cut short or glued to another (torn) from a good one,
//! and which (writer, sequence) pairs are missing or repeated.

use std::collections::BTreeMap;

const MAGIC: &str = "o2c";

/// CRC-32 (IEEE) of `data`; table-free, records are short.
pub fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// One record line (with its newline) for `writer`'s `seq`-th record.
pub fn record(writer: &str, seq: u64, payload_len: usize) -> String {
    let payload: String = (0..payload_len)
        .map(|i| char::from(b'a' + ((seq as usize + i) % 26) as u8))
        .collect();
    let body = format!("{writer} {seq} {payload_len} {payload}");
    format!("{MAGIC} {:08x} {body}\n", crc32(body.as_bytes()))
}

/// What a verification found.
#[derive(Debug, Default, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct AppendVerdict {
    pub expected: u64,
    pub intact: u64,
    pub lost: u64,
    pub torn: u64,
    pub duplicated: u64,
    pub out_of_order: u64,
    /// Intact records per writer.
    pub per_writer: BTreeMap<String, u64>,
}

impl AppendVerdict {
    pub fn is_perfect(&self) -> bool {
        self.lost + self.torn + self.duplicated + self.out_of_order == 0
            && self.intact == self.expected
    }
}

/// One intact record line (without its newline): its writer and sequence number;
/// None for anything torn, cut, glued or corrupted.
pub fn parse_line(line: &[u8]) -> Option<(String, u64)> {
    let text = std::str::from_utf8(line).ok()?;
    let rest = text.strip_prefix(MAGIC)?.strip_prefix(' ')?;
    let (crc, body) = rest.split_once(' ')?;
    if u32::from_str_radix(crc, 16).ok()? != crc32(body.as_bytes()) {
        return None;
    }
    let mut f = body.splitn(4, ' ');
    let (writer, seq, len, payload) = (
        f.next()?,
        f.next()?.parse().ok()?,
        f.next()?.parse::<usize>().ok()?,
        f.next()?,
    );
    (payload.len() == len).then(|| (writer.to_string(), seq))
}

/// Check a file that `writers` each appended `records` records to.
pub fn verify(content: &[u8], writers: &[String], records: u64) -> AppendVerdict {
    let mut v = AppendVerdict {
        expected: records * writers.len() as u64,
        ..AppendVerdict::default()
    };
    let mut seen: BTreeMap<(String, u64), u64> = BTreeMap::new();
    let mut last: BTreeMap<String, u64> = BTreeMap::new();
    for line in content.split(|&b| b == b'\n') {
        if line.is_empty() {
            continue;
        }
        match parse_line(line) {
            Some((w, seq)) if writers.contains(&w) && seq < records => {
                *seen.entry((w.clone(), seq)).or_default() += 1;
                if last.get(&w).is_some_and(|&prev| seq <= prev) {
                    v.out_of_order += 1;
                }
                last.insert(w, seq);
            }
            // Garbage, a cut record, two records glued together, NUL padding.
            _ => v.torn += 1,
        }
    }
    for w in writers {
        for seq in 0..records {
            match seen.get(&(w.clone(), seq)) {
                None => v.lost += 1,
                Some(&n) => {
                    v.intact += 1;
                    *v.per_writer.entry(w.clone()).or_default() += 1;
                    v.duplicated += n - 1;
                }
            }
        }
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    fn writers() -> Vec<String> {
        vec!["n1".into(), "n2".into()]
    }

    #[test]
    fn perfect_interleaving_is_perfect() {
        let mut f = String::new();
        for seq in 0..50 {
            f += &record("n1", seq, 40);
            f += &record("n2", seq, 40);
        }
        let v = verify(f.as_bytes(), &writers(), 50);
        assert!(v.is_perfect(), "{v:?}");
        assert_eq!(v.per_writer["n2"], 50);
    }

    #[test]
    fn counts_lost_torn_duplicated_and_reordered() {
        let mut f = String::new();
        for seq in 0..10 {
            f += &record("n1", seq, 40);
        }
        f += &record("n1", 3, 40); // duplicated and out of order
        let r = record("n2", 0, 40);
        f += &r[..20]; // torn: cut short and glued to the next record
        f += &record("n2", 1, 40);
        f += "\0\0\0\n"; // NUL padding a node's stale size can leave
        let v = verify(f.as_bytes(), &writers(), 10);
        assert_eq!(v.duplicated, 1);
        assert_eq!(v.out_of_order, 1);
        assert_eq!(v.torn, 2);
        assert_eq!(
            v.lost, 10,
            "n2's 0 and 2..9 are missing, and 1 is inside the torn line"
        );
        assert!(!v.is_perfect());
    }

    #[test]
    fn crc_matches_the_ieee_check_value() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
    }
}
