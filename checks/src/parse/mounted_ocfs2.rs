//! `mounted.ocfs2 -d` and `-f` (ocfs2-tools mounted.ocfs2/mounted.c, print_quick_detect() and
//! print_full_detect()): fixed columns separated by two
//! spaces. The Cluster column may be empty, so fields are cut at the header's
//! column offsets, not split on whitespace. The ≤1.6 `-f` form has `Device FS Nodes`.
//! (ocfs2-tools `mounted.ocfs2/mounted.c`, `ocfs2_print_full_detect` /
//! `ocfs2_print_quick_detect`.) Read through the shared pasted-text normaliser.

use crate::text::Text;

/// One device row.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MountedRow {
    pub device: String,
    pub stack: String,
    pub cluster: String,
    /// `G` when the volume uses global heartbeat.
    pub flags: String,
    pub uuid: String,
    pub label: String,
    /// `-f`: node names (or numbers) with the volume mounted; `Not mounted` gives none.
    pub nodes: Vec<String>,
    pub line: u32,
}

/// Rows of either output; unknown layouts give no rows.
pub fn parse(text: &Text) -> Vec<MountedRow> {
    let mut lines = super::pasted::iter(text).skip_while(|(_, l)| !l.starts_with("Device"));
    let Some((_, header)) = lines.next() else {
        return Vec::new();
    };
    let col = |name: &str| header.find(name);
    let cols = [
        col("Device"),
        col("Stack").or(col("FS")),
        col("Cluster"),
        col(" F ").map(|c| c + 1),
        col("UUID"),
        col("Label"),
        col("Nodes"),
    ];
    let mut starts: Vec<usize> = cols.iter().flatten().copied().collect();
    starts.sort_unstable();
    let field = |line: &str, start: Option<usize>| -> String {
        let Some(s) = start else { return String::new() };
        let end = starts
            .iter()
            .copied()
            .find(|&c| c > s)
            .unwrap_or(usize::MAX);
        let chars: Vec<char> = line.chars().collect();
        chars
            .get(s..end.min(chars.len()))
            .map(|c| c.iter().collect::<String>())
            .unwrap_or_default()
            .trim()
            .to_string()
    };
    lines
        .filter(|(_, l)| l.starts_with('/'))
        .map(|(line, l)| {
            let nodes = field(l, cols[6]);
            MountedRow {
                // A device longer than the column pushes the rest right; the device
                // itself never has spaces, so take it whole.
                device: l.split_whitespace().next().unwrap_or("").to_string(),
                stack: field(l, cols[1]),
                cluster: field(l, cols[2]),
                flags: field(l, cols[3]),
                uuid: field(l, cols[4]),
                label: field(l, cols[5]),
                nodes: match nodes.as_str() {
                    "" | "Not mounted" | "Heartbeat device" | "Unknown" => Vec::new(),
                    n => n
                        .split(',')
                        .map(|s| s.trim().to_string())
                        .filter(|s| !s.is_empty())
                        .collect(),
                },
                line,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const LAB: &str = include_str!("../../../fixtures/captures/mounted-ocfs2-node1.txt");

    #[test]
    fn lab_detect_and_full() {
        let (d, f) = LAB.split_once("# mounted.ocfs2 -f").unwrap();
        let d = parse(&Text::new("d", d));
        assert_eq!(d.len(), 1);
        assert_eq!(
            (
                d[0].device.as_str(),
                d[0].stack.as_str(),
                d[0].cluster.as_str()
            ),
            ("/dev/vda", "o2cb", "o2lab")
        );
        assert_eq!(
            (d[0].flags.as_str(), d[0].uuid.as_str(), d[0].label.as_str()),
            ("", "F47217E35EA246069E452DD9DC166B05", "o2lab")
        );
        let f = parse(&Text::new("f", f));
        assert_eq!(f[0].nodes, ["n150.ocfs2.test", "n151.ocfs2.test"]);
    }

    #[test]
    fn real_tools_output_on_image_files_and_old_format() {
        // Real ocfs2-tools 1.8.7 output on loop devices (fixtures/mkfs/README): no
        // clusterinfo gives an empty Cluster column; global heartbeat a G. This
        // version prints the whole table once per device, hence the dedup.
        let r = parse(&Text::new(
            "d",
            include_str!("../../../fixtures/mkfs/mounted-ocfs2-d.txt"),
        ));
        let mut devices: Vec<_> = r.iter().map(|r| r.device.as_str()).collect();
        devices.dedup();
        devices.sort_unstable();
        devices.dedup();
        assert_eq!(devices, ["/dev/loop0", "/dev/loop1", "/dev/loop2"]);
        assert_eq!(
            (
                r[0].cluster.as_str(),
                r[0].flags.as_str(),
                r[0].label.as_str()
            ),
            ("", "", "classic")
        );
        assert_eq!(
            (
                r[2].cluster.as_str(),
                r[2].flags.as_str(),
                r[2].uuid.as_str()
            ),
            ("prd", "G", "1B39656CE0F14936B7CB422B06D84E2F")
        );
        let f = parse(&Text::new(
            "f",
            include_str!("../../../fixtures/mkfs/mounted-ocfs2-f.txt"),
        ));
        assert!(
            f.iter().all(|r| r.nodes.is_empty()),
            "Not mounted means no nodes"
        );
        // ocfs2-tools ≤1.6 `-f` (mounted.c, print_full_detect()): "%-20s  %-5s  %s".
        let old = "Device                FS     Nodes\n/dev/sdb1             ocfs2  node1, node2\n/dev/sdc1             ocfs2  Not mounted\n";
        let r = parse(&Text::new("f", old));
        assert_eq!(r[0].nodes, ["node1", "node2"]);
        assert!(r[1].nodes.is_empty());
        assert!(parse(&Text::new("e", "Unknown: Bad magic number in superblock\n")).is_empty());
    }
}
