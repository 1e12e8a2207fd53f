//! `multipath -ll`: maps and their paths. Current multipath-tools print
//! `alias (wwid) dm-N vendor,product`, then `size=...`, path-group lines and paths
//! as `|- 4:0:0:0 sda 8:0 active ready running`; RHEL 5-era tools print path
//! states in brackets (`\_ 4:0:0:0 sda 8:0 [active][ready]`). A path whose SCSI
//! address is `#:#:#:#` is an orphan (the device is gone).

use crate::text::Text;
use regex::Regex;
use std::sync::OnceLock;

/// One path of a map.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MpPath {
    /// H:C:T:L, or `#:#:#:#` for an orphan.
    pub scsi: String,
    pub device: String,
    /// Device-mapper state: `active` or `failed`.
    pub dm_state: String,
    /// Path checker state: `ready`, `ghost`, `faulty`, `shaky`, `i/o pending`...
    pub checker: String,
    /// `running` or `offline` (absent in old formats).
    pub online: String,
    pub line: u32,
}

impl MpPath {
    /// The only healthy state: I/O goes to it and the checker is happy.
    pub fn is_good(&self) -> bool {
        self.dm_state == "active"
            && self.checker == "ready"
            && (self.online.is_empty() || self.online == "running")
    }
    pub fn is_orphan(&self) -> bool {
        self.scsi.contains('#')
    }
}

/// A multipath map (one dm device).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MpMap {
    pub name: String,
    pub wwid: String,
    pub dm: String,
    pub line: u32,
    pub paths: Vec<MpPath>,
}

fn path_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"^[\s|`\\_-]*([0-9#]+:[0-9#]+:[0-9#]+:[0-9#]+)\s+(\S+)\s+(\d+:\d+)\s*(.*)$")
            .expect("valid regex")
    })
}

fn map_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| Regex::new(r"^(\S+)(?:\s+\((\S+)\))?\s+(dm-\d+)\b").expect("valid regex"))
}

pub fn parse(text: &Text) -> Vec<MpMap> {
    let mut maps: Vec<MpMap> = Vec::new();
    for (line, raw) in text.numbered_lines() {
        if let Some(c) = path_re().captures(raw) {
            let Some(map) = maps.last_mut() else { continue };
            let states = c[4]
                .replace(['[', ']'], " ")
                .replace("i/o pending", "i/o-pending");
            let words: Vec<&str> = states.split_whitespace().collect();
            let pick = |options: &[&str]| {
                words
                    .iter()
                    .find(|w| options.contains(w))
                    .map(|w| w.replace("i/o-pending", "i/o pending"))
                    .unwrap_or_default()
            };
            map.paths.push(MpPath {
                scsi: c[1].to_string(),
                device: c[2].to_string(),
                dm_state: pick(&["active", "failed"]),
                checker: pick(&[
                    "ready",
                    "faulty",
                    "ghost",
                    "shaky",
                    "i/o-pending",
                    "undef",
                    "delayed",
                    "disconnected",
                ]),
                online: pick(&["running", "offline", "blocked", "transport-offline"]),
                line,
            });
        } else if let Some(c) = map_re()
            .captures(raw)
            .filter(|_| !raw.starts_with([' ', '\t', '|', '`', '[', '\\']))
        {
            let first = c[1].to_string();
            let (name, wwid) = match c.get(2) {
                Some(w) => (first, w.as_str().to_string()),
                None => (first.clone(), first),
            };
            maps.push(MpMap {
                name,
                wwid,
                dm: c[3].to_string(),
                line,
                paths: Vec::new(),
            });
        }
    }
    maps
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_two_healthy_paths() {
        let t = Text::new(
            "m",
            include_str!(
                "../../../fixtures/bundles/seed-hostname-mismatch-n150/commands/multipath_-ll"
            ),
        );
        let m = parse(&t);
        assert_eq!(m.len(), 1);
        assert_eq!(
            (m[0].name.as_str(), m[0].wwid.as_str(), m[0].dm.as_str()),
            ("test_block_a", "3600a098000a64d8b000002a4582305f8", "dm-0")
        );
        assert_eq!(m[0].paths.len(), 2);
        assert!(m[0].paths.iter().all(MpPath::is_good));
        assert_eq!(
            (
                m[0].paths[1].scsi.as_str(),
                m[0].paths[1].device.as_str(),
                m[0].paths[1].line
            ),
            ("5:0:0:0", "sdb", 5)
        );
    }

    #[test]
    fn failed_faulty_orphan_and_old_bracket_format() {
        // Hand-made from multipath-tools' print format (the seed's layout with the
        // states a dead path shows): a failed/faulty path, an orphan, a second map
        // without alias, and a RHEL 5 style bracketed map.
        let t = Text::new("m", "mpatha (36001) dm-1 NETAPP,LUN\nsize=10G features='1 queue_if_no_path' hwhandler='0' wp=rw\n|-+- policy='service-time 0' prio=50 status=active\n| `- 3:0:0:1 sdc 8:32 active ready running\n`-+- policy='service-time 0' prio=10 status=enabled\n  |- 4:0:0:1 sdd 8:48 failed faulty offline\n  `- #:#:#:# sde 8:64 failed faulty running\n36002 dm-2 DELL,MD38xxi\nsize=1G features='0' hwhandler='0' wp=rw\n`-+- policy='round-robin 0' prio=1 status=active\n  `- 5:0:0:2 sdf 8:80 active i/o pending running\nmpathb (36003) dm-3 IBM,2145\n[size=5 GB][features=0][hwhandler=0]\n\\_ round-robin 0 [prio=1][active]\n \\_ 6:0:0:3 sdg 8:96 [active][ready]\n");
        let m = parse(&t);
        let names: Vec<_> = m.iter().map(|m| m.name.as_str()).collect();
        assert_eq!(names, ["mpatha", "36002", "mpathb"]);
        let a = &m[0].paths;
        assert_eq!(a.len(), 3);
        assert!(a[0].is_good() && !a[1].is_good() && a[2].is_orphan());
        assert_eq!(
            (
                a[1].dm_state.as_str(),
                a[1].checker.as_str(),
                a[1].online.as_str()
            ),
            ("failed", "faulty", "offline")
        );
        assert_eq!(m[1].paths[0].checker, "i/o pending");
        assert!(m[2].paths[0].is_good());
    }

    #[test]
    fn garbage_gives_no_maps() {
        assert!(parse(&Text::from_bytes("g", b"\xff\x00 dm-\n|- 1:2 x\n")).is_empty());
    }
}
