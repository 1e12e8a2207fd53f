//! /proc/mounts and /etc/fstab: whitespace-separated fields with octal escapes
//! (`\040` for a space), comments and blank lines in fstab.

use crate::text::Text;

/// One mount (or fstab) entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MountEntry {
    pub device: String,
    pub mount_point: String,
    pub fs_type: String,
    pub options: Vec<String>,
    pub line: u32,
}

impl MountEntry {
    pub fn has_option(&self, name: &str) -> bool {
        self.options
            .iter()
            .any(|o| o == name || o.split('=').next() == Some(name))
    }
    /// `key=value` option's value (`heartbeat=local`, `cluster_stack=o2cb`).
    pub fn option(&self, key: &str) -> Option<&str> {
        self.options
            .iter()
            .find_map(|o| o.strip_prefix(key)?.strip_prefix('='))
    }
}

/// Entries of a mount table; malformed lines (fewer than 3 fields) are skipped.
pub fn parse(text: &Text) -> Vec<MountEntry> {
    // A pasted `cat /proc/mounts` comes with its prompt and indentation.
    super::pasted::iter(text)
        .filter_map(|(line, raw)| {
            let raw = raw.trim();
            if raw.starts_with('#') {
                return None;
            }
            let mut f = raw.split_whitespace();
            let (device, mount_point, fs_type) = (f.next()?, f.next()?, f.next()?);
            let options = f
                .next()
                .unwrap_or("defaults")
                .split(',')
                .map(str::to_string)
                .collect();
            Some(MountEntry {
                device: unescape(device),
                mount_point: unescape(mount_point),
                fs_type: fs_type.into(),
                options,
                line,
            })
        })
        .collect()
}

/// OCFS2 entries only.
pub fn ocfs2(entries: &[MountEntry]) -> impl Iterator<Item = &MountEntry> {
    entries.iter().filter(|e| e.fs_type == "ocfs2")
}

fn unescape(field: &str) -> String {
    let bytes = field.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let octal = bytes
            .get(i + 1..i + 4)
            .filter(|d| bytes[i] == b'\\' && d.iter().all(|b| (b'0'..=b'7').contains(b)));
        match octal {
            Some(d) => {
                out.push(
                    d.iter()
                        .fold(0u8, |a, b| a.wrapping_mul(8).wrapping_add(b - b'0')),
                );
                i += 4;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lab_proc_mounts() {
        let t = Text::new(
            "m",
            include_str!("../../../fixtures/captures/proc-mounts-node1.txt"),
        );
        let m = parse(&t);
        let o: Vec<_> = ocfs2(&m).collect();
        assert_eq!(o.len(), 1);
        assert_eq!(
            (o[0].device.as_str(), o[0].mount_point.as_str()),
            ("/dev/vda", "/mnt/ocfs2")
        );
        assert_eq!(
            (o[0].option("heartbeat"), o[0].option("cluster_stack")),
            (Some("local"), Some("o2cb"))
        );
        assert!(m
            .iter()
            .any(|e| e.fs_type == "ocfs2_dlmfs" && e.mount_point == "/dlm"));
    }

    #[test]
    fn fstab_with_comments_escapes_and_junk() {
        let t = Text::new("f", "# x\n/dev/mapper/test_block_a        /mnt/tba        ocfs2   defaults        0 0\nUUID=1 /mnt/a\\040b ocfs2 _netdev 0 0\njunk\n\n");
        let m = parse(&t);
        assert_eq!(m.len(), 2);
        assert_eq!(m[0].line, 2);
        assert!(!m[0].has_option("_netdev"));
        assert_eq!(m[1].mount_point, "/mnt/a b");
        assert!(m[1].has_option("_netdev"));
    }
}
