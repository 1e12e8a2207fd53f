//! `debugfs.ocfs2 -R stats DEV` superblock fields (ocfs2-tools debugfs.ocfs2/dump.c, dump_super_block()): tab-indented
//! `Name: value` pairs, several per line separated by three spaces.

use crate::text::Text;

/// Superblock facts the checks need.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Superblock {
    pub label: Option<String>,
    pub uuid: Option<String>,
    pub max_node_slots: Option<(u32, u32)>,
    /// `o2cb`, `pcmk`, or `classic o2cb` when the volume has no clusterinfo.
    pub cluster_stack: Option<(String, u32)>,
    pub cluster_name: Option<(String, u32)>,
    pub global_heartbeat: bool,
    pub block_size_bits: Option<u32>,
}

pub fn parse(text: &Text) -> Superblock {
    let mut sb = Superblock::default();
    for (line, raw) in super::pasted::iter(text) {
        // The superblock inode dump that follows repeats some names; stop there.
        if raw.trim_start().starts_with("Inode:") {
            break;
        }
        for part in raw.trim().split("   ") {
            let Some((key, value)) = part.split_once(':') else {
                continue;
            };
            let value = value.trim().to_string();
            match key.trim() {
                "Label" => sb.label = Some(value),
                "UUID" => sb.uuid = Some(value),
                "Max Node Slots" => sb.max_node_slots = value.parse().ok().map(|v| (v, line)),
                "Cluster stack" => sb.cluster_stack = Some((value, line)),
                "Cluster name" => sb.cluster_name = Some((value, line)),
                "Cluster flags" => {
                    sb.global_heartbeat = value.to_lowercase().contains("globalheartbeat")
                }
                "Block Size Bits" => sb.block_size_bits = value.parse().ok(),
                _ => {}
            }
        }
    }
    sb
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lab_superblock() {
        let sb = parse(&Text::new(
            "s",
            include_str!("../../../fixtures/captures/debugfs-stats-node1.txt"),
        ));
        assert_eq!(sb.uuid.as_deref(), Some("F47217E35EA246069E452DD9DC166B05"));
        assert_eq!(sb.max_node_slots, Some((4, 13)));
        assert_eq!(
            sb.cluster_stack.as_ref().map(|s| s.0.as_str()),
            Some("o2cb")
        );
        assert_eq!(
            sb.cluster_name.as_ref().map(|s| s.0.as_str()),
            Some("o2lab")
        );
        assert_eq!(sb.block_size_bits, Some(12));
        assert!(!sb.global_heartbeat);
    }

    #[test]
    fn no_clusterinfo_and_global_heartbeat() {
        // Real ocfs2-tools 1.8.7 output on image files (fixtures/mkfs/README).
        let classic = parse(&Text::new(
            "a",
            include_str!("../../../fixtures/mkfs/debugfs-stats-a.txt"),
        ));
        assert_eq!(classic.cluster_stack.unwrap().0, "classic o2cb");
        assert!(classic.cluster_name.is_none());
        assert_eq!(classic.max_node_slots.map(|s| s.0), Some(2));
        let named = parse(&Text::new(
            "b",
            include_str!("../../../fixtures/mkfs/debugfs-stats-b.txt"),
        ));
        assert_eq!(named.cluster_name.unwrap().0, "prd");
        assert!(!named.global_heartbeat);
        let global = parse(&Text::new(
            "c",
            include_str!("../../../fixtures/mkfs/debugfs-stats-c.txt"),
        ));
        assert!(global.global_heartbeat);
        assert_eq!(
            parse(&Text::from_bytes("x", b"\xff:\n")),
            Superblock::default()
        );
    }
}
