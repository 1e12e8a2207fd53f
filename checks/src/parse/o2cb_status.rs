//! `service o2cb status` (ocfs2-tools `vendor/common/o2cb.init.sh`: `status` ->
//! `load_status`, `online_status_o2cb`, `list_heartbeat_o2cb`), in the 1.8 form
//! (`Checking O2CB cluster "x": Online`, `  Heartbeat mode: Local|Global`, in global
//! mode one `  <UUID> /dev/<dev>` line per region after `Checking O2CB heartbeat:
//! Active`, then `Nodes in O2CB cluster: 0 1`) and the <=1.6 form (no quotes, no
//! heartbeat mode, `=` in the threshold line). The user stack prints `Checking for
//! control daemon: <path>` instead. Read through the shared [`pasted`] normaliser;
//! unknown lines are ignored: distributions patch this script.

use super::pasted;
use crate::text::Text;

/// A global heartbeat region as the status lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusRegion {
    pub uuid: String,
    pub device: String,
    pub line: u32,
}

/// What the status text says, each field `None` when the line is absent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct O2cbStatus {
    pub configfs_loaded: Option<bool>,
    pub configfs_mounted: Option<bool>,
    /// `Driver for "ocfs2_dlmfs": Loaded|Not loaded` and its line.
    pub dlmfs_loaded: Option<(bool, u32)>,
    pub dlmfs_mounted: Option<bool>,
    /// `Stack plugin "o2cb": Loaded` (name, loaded).
    pub stack_plugin: Option<(String, bool)>,
    /// `Checking for control daemon: /sbin/ocfs2_controld.pcmk` (user stack).
    pub control_daemon: Option<(String, u32)>,
    pub cluster: Option<String>,
    /// `Online`/`Offline` and the line saying it.
    pub online: Option<(bool, u32)>,
    pub dead_threshold: Option<u32>,
    pub dead_threshold_line: Option<u32>,
    pub idle_timeout_ms: Option<u32>,
    pub keepalive_delay_ms: Option<u32>,
    pub reconnect_delay_ms: Option<u32>,
    /// `local` or `global`, lower-cased, and its line.
    pub heartbeat_mode: Option<String>,
    pub heartbeat_mode_line: Option<u32>,
    pub heartbeat_active: Option<(bool, u32)>,
    /// Global mode: the regions listed after `Checking O2CB heartbeat: Active`.
    pub regions: Vec<StatusRegion>,
    /// Global mode: `Nodes in O2CB cluster: 0 1` (o2hb livenodes).
    pub live_nodes: Option<Vec<u32>>,
}

fn yes(value: &str, word: &str) -> bool {
    value.trim().eq_ignore_ascii_case(word)
}

/// `  8F1A...9C /dev/dm-3`: a region line of `list_heartbeat_o2cb`.
fn region(line: &str, n: u32) -> Option<StatusRegion> {
    let (uuid, dev) = line.split_once(' ')?;
    let dev = dev.trim();
    (uuid.len() == 32 && uuid.bytes().all(|b| b.is_ascii_hexdigit()) && dev.starts_with("/dev/"))
        .then(|| StatusRegion {
            uuid: uuid.to_uppercase(),
            device: dev.to_string(),
            line: n,
        })
}

pub fn parse(text: &Text) -> O2cbStatus {
    let mut s = O2cbStatus::default();
    for (n, raw) in pasted::iter(text) {
        let line = raw.trim();
        if let Some(r) = region(line, n) {
            s.regions.push(r);
            continue;
        }
        // "Key: value" in 1.8; "Key = value" in some 1.6 timeout lines.
        let Some((key, value)) = line.rsplit_once(": ").or_else(|| line.rsplit_once(" = ")) else {
            continue;
        };
        let value = value.trim();
        match key {
            "Driver for \"configfs\"" => s.configfs_loaded = Some(yes(value, "Loaded")),
            "Filesystem \"configfs\"" => s.configfs_mounted = Some(yes(value, "Mounted")),
            "Driver for \"ocfs2_dlmfs\"" => s.dlmfs_loaded = Some((yes(value, "Loaded"), n)),
            "Filesystem \"ocfs2_dlmfs\"" => s.dlmfs_mounted = Some(yes(value, "Mounted")),
            "Heartbeat dead threshold" => {
                s.dead_threshold = value.parse().ok();
                s.dead_threshold_line = Some(n);
            }
            "Network idle timeout" => s.idle_timeout_ms = value.parse().ok(),
            "Network keepalive delay" => s.keepalive_delay_ms = value.parse().ok(),
            "Network reconnect delay" => s.reconnect_delay_ms = value.parse().ok(),
            "Heartbeat mode" => {
                s.heartbeat_mode = Some(value.to_lowercase());
                s.heartbeat_mode_line = Some(n);
            }
            "Checking O2CB heartbeat" => s.heartbeat_active = Some((yes(value, "Active"), n)),
            "Checking for control daemon" => s.control_daemon = Some((value.to_string(), n)),
            "Nodes in O2CB cluster" => {
                s.live_nodes = Some(
                    value
                        .split_whitespace()
                        .filter_map(|x| x.parse().ok())
                        .collect(),
                )
            }
            _ => {
                if let Some(name) = key.strip_prefix("Checking O2CB cluster ") {
                    s.cluster = Some(name.trim_matches('"').to_string());
                    s.online = Some((yes(value, "Online"), n));
                } else if let Some(name) = key.strip_prefix("Stack plugin ") {
                    s.stack_plugin =
                        Some((name.trim_matches('"').to_string(), yes(value, "Loaded")));
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
        // ocfs2-tools 1.6.4: no quotes, `=` form of the threshold (the 1.6.4 vendor/common/o2cb.init.sh status()).
        let old = "Checking O2CB cluster ocfs2: Online\nHeartbeat dead threshold = 31\n  Network idle timeout: 30000\nChecking O2CB heartbeat: Active\n";
        let s = parse(&Text::new("1.6", old));
        assert_eq!(s.cluster.as_deref(), Some("ocfs2"));
        assert_eq!(
            (s.online.map(|o| o.0), s.dead_threshold, s.idle_timeout_ms),
            (Some(true), Some(31), Some(30000))
        );
        assert_eq!(s.heartbeat_mode, None);
        assert!(s.regions.is_empty());
        let junk = parse(&Text::from_bytes(
            "junk",
            b"\xff\xfe: \x00\nChecking O2CB cluster : \n",
        ));
        assert_eq!(junk.online, None, "a line without a state says nothing");
    }

    #[test]
    fn global_mode_regions_nodes_and_dlmfs_not_loaded() {
        // Built from online_status_o2cb()/list_heartbeat_o2cb() in o2cb.init.sh,
        // pasted with a prompt and two-space indentation.
        let g = "  [root@n1 ~]# service o2cb status\n  Driver for \"configfs\": Loaded\n  Filesystem \"configfs\": Mounted\n  Stack glue driver: Loaded\n  Stack plugin \"o2cb\": Loaded\n  Driver for \"ocfs2_dlmfs\": Loaded\n  Filesystem \"ocfs2_dlmfs\": Mounted\n  Checking O2CB cluster \"webcl\": Online\n    Heartbeat dead threshold: 61\n    Network idle timeout: 30000\n    Network keepalive delay: 2000\n    Network reconnect delay: 2000\n    Heartbeat mode: Global\n  Checking O2CB heartbeat: Active\n    8F1A3C5E7D9B4F21A3C5E7D9B4F21A3C /dev/dm-3\n    1B39656CE0F14936B7CB422B06D84E2F /dev/dm-4\n  Nodes in O2CB cluster: 0 1 2\n";
        let s = parse(&Text::new("ticket", g));
        assert_eq!(
            (s.heartbeat_mode.as_deref(), s.heartbeat_mode_line),
            (Some("global"), Some(13))
        );
        assert_eq!(
            (s.dead_threshold, s.dead_threshold_line),
            (Some(61), Some(9))
        );
        assert_eq!(s.regions.len(), 2);
        assert_eq!(
            (s.regions[1].device.as_str(), s.regions[1].line),
            ("/dev/dm-4", 16)
        );
        assert_eq!(s.live_nodes, Some(vec![0, 1, 2]));
        assert_eq!(s.stack_plugin, Some(("o2cb".to_string(), true)));
        let not = parse(&Text::new(
            "s",
            "Driver for \"configfs\": Loaded\r\nDriver for \"ocfs2_dlmfs\": Not loaded\r\n",
        ));
        assert_eq!(not.dlmfs_loaded, Some((false, 2)));
        let user = parse(&Text::new(
            "s",
            "Checking for control daemon: /sbin/ocfs2_controld.pcmk\n",
        ));
        assert_eq!(
            user.control_daemon.map(|c| c.0).as_deref(),
            Some("/sbin/ocfs2_controld.pcmk")
        );
    }

    #[test]
    fn the_global_lab_healthy_region_missing_and_running_local() {
        // lab/global-hb.sh (`o2lab up --heartbeat global`), fixtures/captures/lab-global.
        let healthy = parse(&cap("lab-global/healthy/node2/o2cb-status.txt"));
        assert_eq!(healthy.heartbeat_mode.as_deref(), Some("global"));
        assert_eq!(healthy.heartbeat_active.map(|a| a.0), Some(true));
        assert_eq!(
            healthy
                .regions
                .iter()
                .map(|r| (r.uuid.as_str(), r.device.as_str()))
                .collect::<Vec<_>>(),
            [("662449C17A2844639F315538D7E07940", "/dev/vda")]
        );
        assert_eq!(healthy.live_nodes, Some(vec![1, 2]));
        // No region in node 2's cluster.conf: the init script reports the
        // cluster Offline although configfs has it registered (mode: global).
        let missing = parse(&cap("lab-global/region-missing/node2/o2cb-status.txt"));
        assert_eq!(missing.online.map(|o| o.0), Some(false));
        assert!(missing.regions.is_empty());
        let local = parse(&cap(
            "lab-global/global-running-local/node2/o2cb-status.txt",
        ));
        assert_eq!(local.heartbeat_mode.as_deref(), Some("local"));
        assert_eq!(local.heartbeat_active.map(|a| a.0), Some(false));
    }
}
