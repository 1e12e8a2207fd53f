//! `service o2cb status` (the init script's `status`, FORMATS.md §2.1), in the
//! ocfs2-tools 1.8 form (`Checking O2CB cluster "x": Online`) and the ≤1.6 form
//! (no quotes, `=` instead of `:` in the timeout lines). Unknown lines are ignored:
//! distributions patch this script.

use crate::text::Text;

/// What the status text says, each field `None` when the line is absent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct O2cbStatus {
    pub configfs_loaded: Option<bool>,
    pub configfs_mounted: Option<bool>,
    pub dlmfs_loaded: Option<bool>,
    pub dlmfs_mounted: Option<bool>,
    pub cluster: Option<String>,
    /// `Online`/`Offline` and the line saying it.
    pub online: Option<(bool, u32)>,
    pub dead_threshold: Option<u32>,
    pub idle_timeout_ms: Option<u32>,
    pub keepalive_delay_ms: Option<u32>,
    pub reconnect_delay_ms: Option<u32>,
    pub heartbeat_mode: Option<String>,
    pub heartbeat_active: Option<(bool, u32)>,
}

fn yes(value: &str, word: &str) -> bool {
    value.trim().eq_ignore_ascii_case(word)
}

pub fn parse(text: &Text) -> O2cbStatus {
    let mut s = O2cbStatus::default();
    for (n, raw) in text.numbered_lines() {
        let line = raw.trim();
        // "Key: value" in 1.8; "Key = value" in some 1.6 timeout lines.
        let Some((key, value)) = line.rsplit_once(": ").or_else(|| line.rsplit_once(" = ")) else {
            continue;
        };
        let value = value.trim();
        match key {
            "Driver for \"configfs\"" => s.configfs_loaded = Some(yes(value, "Loaded")),
            "Filesystem \"configfs\"" => s.configfs_mounted = Some(yes(value, "Mounted")),
            "Driver for \"ocfs2_dlmfs\"" => s.dlmfs_loaded = Some(yes(value, "Loaded")),
            "Filesystem \"ocfs2_dlmfs\"" => s.dlmfs_mounted = Some(yes(value, "Mounted")),
            "Heartbeat dead threshold" => s.dead_threshold = value.parse().ok(),
            "Network idle timeout" => s.idle_timeout_ms = value.parse().ok(),
            "Network keepalive delay" => s.keepalive_delay_ms = value.parse().ok(),
            "Network reconnect delay" => s.reconnect_delay_ms = value.parse().ok(),
            "Heartbeat mode" => s.heartbeat_mode = Some(value.to_lowercase()),
            "Checking O2CB heartbeat" => s.heartbeat_active = Some((yes(value, "Active"), n)),
            _ => {
                if let Some(name) = key.strip_prefix("Checking O2CB cluster ") {
                    s.cluster = Some(name.trim_matches('"').to_string());
                    s.online = Some((yes(value, "Online"), n));
                }
            }
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cap(name: &str) -> Text {
        let path = format!("{}/../fixtures/captures/{name}", env!("CARGO_MANIFEST_DIR"));
        Text::new(name, std::fs::read_to_string(path).unwrap())
    }

    #[test]
    fn healthy_lab_node() {
        let s = parse(&cap("o2cb-status-node1.txt"));
        assert_eq!(s.cluster.as_deref(), Some("o2lab"));
        assert_eq!(s.online, Some((true, 7)));
        assert_eq!(s.heartbeat_active, Some((true, 13)));
        assert_eq!(
            (s.dead_threshold, s.idle_timeout_ms, s.keepalive_delay_ms),
            (Some(31), Some(30000), Some(2000))
        );
        assert_eq!(s.heartbeat_mode.as_deref(), Some("local"));
        assert_eq!(
            (s.configfs_mounted, s.dlmfs_mounted),
            (Some(true), Some(true))
        );
    }

    #[test]
    fn offline_after_hostname_mismatch_prints_no_timeouts() {
        let text = std::fs::read_to_string(format!(
            "{}/../fixtures/bundles/lab-capture-hostname-mismatch-node2/commands/service_o2cb_status",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap();
        let s = parse(&Text::new("status", text));
        assert_eq!(s.online, Some((false, 7)));
        assert_eq!((s.idle_timeout_ms, s.heartbeat_active), (None, None));
    }

    #[test]
    fn seed_2016_output_and_the_1_6_style() {
        let seed = "Checking O2CB cluster \"prdcluster\": Online\n  Heartbeat dead threshold: 31\n  Heartbeat mode: Local\nChecking O2CB heartbeat: Not active\n";
        let s = parse(&Text::new("seed", seed));
        assert_eq!(s.heartbeat_active, Some((false, 4)));
        // ocfs2-tools 1.6.4: no quotes, `=` form of the threshold (FORMATS.md §2.1).
        let old = "Checking O2CB cluster ocfs2: Online\nHeartbeat dead threshold = 31\n  Network idle timeout: 30000\nChecking O2CB heartbeat: Active\n";
        let s = parse(&Text::new("1.6", old));
        assert_eq!(s.cluster.as_deref(), Some("ocfs2"));
        assert_eq!(
            (s.online.map(|o| o.0), s.dead_threshold, s.idle_timeout_ms),
            (Some(true), Some(31), Some(30000))
        );
        assert_eq!(s.heartbeat_mode, None);
        let junk = parse(&Text::from_bytes(
            "junk",
            b"\xff\xfe: \x00\nChecking O2CB cluster : \n",
        ));
        assert_eq!(junk.online, None, "a line without a state says nothing");
    }
}
