//! `multipath -ll` (and `multipathd show paths`): maps and their paths, in the
//! layouts of multipath-tools' `libmultipath/print.c`. Current tools print the map
//! as `alias (wwid) dm-N vendor,product` (`snprint_multipath_header`), then
//! `size=%S features='%f' hwhandler='%h' wp=%r` (`PRINT_MAP_PROPS`), path groups
//! `policy='%s' prio=%p status=%t` (`PRINT_PG_INDENT`) and paths as
//! `PRINT_PATH_INDENT` = `%i %d %D %t %T %o`: H:C:T:L, device, dev_t, dm state,
//! checker state, sysfs state (`|- 4:0:0:0 sda 8:0 active ready running`). A path
//! whose SCSI address is unknown prints `#:#:#:#` (`snprint_hcil`), one whose device
//! is gone `-` and `#:#` (`snprint_dev`, `snprint_dev_t`): an orphan placeholder.
//! multipath-tools 0.4.x (RHEL 5) print the states in brackets
//! (`\_ 4:0:0:0 sda 8:0 [active][ready]`) and 0.4.5 (RHEL 4) no `dm-N` in the
//! header. `multipathd show paths` prints the same path fields without a map:
//! such paths, and those of an excerpt that starts mid-map, go into a map with an
//! empty name. Input goes through the shared [`pasted`] normaliser first.

use super::pasted;
use crate::text::Text;
use regex::Regex;
use std::sync::OnceLock;

/// One path of a map.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MpPath {
    /// H:C:T:L, or `#:#:#:#` for an orphan.
    pub scsi: String,
    /// `sda`, or `-` when the device is gone.
    pub device: String,
    /// `major:minor`, `#:#` when the device is gone.
    pub dev_t: String,
    /// Device-mapper state: `active` or `failed` (`undef` when unknown).
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
    /// No SCSI device behind it any more (`#:#:#:#` address or `-` device).
    pub fn is_orphan(&self) -> bool {
        self.scsi.contains('#') || self.device == "-"
    }
    /// The checker sees the path up again but device-mapper has not reinstated it
    /// yet (`failed ready running`): multipathd will reinstate it at its next
    /// check (`multipathd/main.c`, `reinstate_path`), nothing to re-cable.
    pub fn is_recovering(&self) -> bool {
        !self.is_orphan()
            && self.dm_state == "failed"
            && matches!(self.checker.as_str(), "ready" | "ghost")
            && (self.online.is_empty() || self.online == "running")
    }
}

/// A multipath map (one dm device).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MpMap {
    /// Alias or WWID; empty for paths seen before any map header.
    pub name: String,
    pub wwid: String,
    pub dm: String,
    pub line: u32,
    pub paths: Vec<MpPath>,
}

fn path_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(
            r"^[\s|`\\_+-]*([0-9#]+:[0-9#]+:[0-9#]+:[0-9#]+)\s+(\S+)\s+([\d#]+:[\d#]+)\s*(.*)$",
        )
        .expect("valid regex")
    })
}

fn map_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"^(?:create: |reload: |switchpg: )?([^\s:]+)(?:\s+\((\S+)\))?(?:\s+(dm-\d+|undef)\b|\s*$)")
            .expect("valid regex")
    })
}

const DM_STATES: &[&str] = &["active", "failed", "undef"];
const CHECKER_STATES: &[&str] = &[
    "ready",
    "faulty",
    "ghost",
    "shaky",
    "i/o-pending",
    "i/o-timeout",
    "undef",
    "delayed",
    "disconnected",
    "marginal",
];
const SYSFS_STATES: &[&str] = &[
    "running",
    "offline",
    "blocked",
    "transport-offline",
    "unknown",
];

fn path(c: &regex::Captures, line: u32) -> MpPath {
    let states = c[4]
        .replace(['[', ']'], " ")
        .replace("i/o pending", "i/o-pending")
        .replace("i/o timeout", "i/o-timeout");
    let words: Vec<&str> = states.split_whitespace().collect();
    let pick = |options: &[&str]| {
        words
            .iter()
            .find(|w| options.contains(w))
            .map(|w| w.replace("i/o-", "i/o "))
            .unwrap_or_default()
    };
    MpPath {
        scsi: c[1].to_string(),
        device: c[2].to_string(),
        dev_t: c[3].to_string(),
        dm_state: pick(DM_STATES),
        checker: pick(CHECKER_STATES),
        online: pick(SYSFS_STATES),
        line,
    }
}

pub fn parse(text: &Text) -> Vec<MpMap> {
    let mut maps: Vec<MpMap> = Vec::new();
    for l in pasted::lines(text) {
        let (line, raw) = (l.number, l.text.as_str());
        if let Some(c) = path_re().captures(raw) {
            if maps.is_empty() {
                maps.push(MpMap {
                    name: String::new(),
                    wwid: String::new(),
                    dm: String::new(),
                    line,
                    paths: Vec::new(),
                });
            }
            if let Some(map) = maps.last_mut() {
                map.paths.push(path(&c, line));
            }
        } else if let Some(c) = map_re()
            .captures(raw)
            .filter(|c| c.get(2).is_some() || c.get(3).is_some())
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
                dm: c.get(3).map_or("", |m| m.as_str()).to_string(),
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
    fn pasted_with_prompt_and_indentation_orphan_placeholder_and_recovering() {
        // Built from print.c's formats (PRINT_PATH_INDENT and the placeholders of
        // snprint_hcil/snprint_dev/snprint_dev_t), pasted into a ticket with a tab.
        let t = Text::new(
            "ticket",
            "\t[root@n1 ~]# multipath -ll\r\n\tmpatha (3600a098000a64d8b) dm-2 NETAPP,LUN C-Mode\r\n\tsize=100G features='3 queue_if_no_path pg_init_retries 50' hwhandler='1 alua' wp=rw\r\n\t|-+- policy='service-time 0' prio=50 status=active\r\n\t| `- 3:0:0:1 sdc 8:32  failed ready running\r\n\t`-+- policy='service-time 0' prio=10 status=enabled\r\n\t  |- #:#:#:# -   #:#   active faulty running\r\n\t  `- 4:0:0:1 sdd 8:48  active i/o timeout running\r\n",
        );
        let m = parse(&t);
        assert_eq!(m.len(), 1, "{m:?}");
        assert_eq!(
            (m[0].name.as_str(), m[0].dm.as_str(), m[0].line),
            ("mpatha", "dm-2", 2)
        );
        let p = &m[0].paths;
        assert_eq!(p.len(), 3);
        assert!(p[0].is_recovering() && !p[0].is_good());
        assert!(p[1].is_orphan() && !p[1].is_recovering());
        assert_eq!(
            (p[1].device.as_str(), p[1].checker.as_str()),
            ("-", "faulty")
        );
        assert_eq!(p[2].checker, "i/o timeout");
    }

    #[test]
    fn excerpt_mid_map_show_paths_and_rhel4_header() {
        // An excerpt starting at the paths: they are kept, under an unnamed map.
        let m = parse(&Text::new("x", "  |- 3:0:0:1 sdc 8:32 active ready running\n  `- 4:0:0:1 sdd 8:48 failed faulty offline\n"));
        assert_eq!((m.len(), m[0].name.as_str(), m[0].paths.len()), (1, "", 2));
        // `multipathd show paths` (PRINT_PATH_CHECKER-like default layout).
        let m = parse(&Text::new("x", "hcil    dev dev_t pri dm_st  chk_st dev_st  next_check\n3:0:0:1 sdc 8:32  50  active ready  running XXXXXXXXXX 20/20\n4:0:0:1 sdd 8:48  10  failed faulty offline orphan\n"));
        assert_eq!(m[0].paths.len(), 2);
        assert!(m[0].paths[0].is_good() && !m[0].paths[1].is_good());
        // multipath-tools 0.4.5 (RHEL 4): no dm-N in the header.
        let m = parse(&Text::new("x", "mpath0 (3600a0b800011df1c000041d54e0f4c3f)\n[size=20 GB][features=\"1 queue_if_no_path\"][hwhandler=\"0\"]\n\\_ round-robin 0 [active]\n \\_ 1:0:0:0 sda 8:0 [active][ready]\n"));
        assert_eq!((m[0].name.as_str(), m[0].dm.as_str()), ("mpath0", ""));
        assert!(m[0].paths[0].is_good());
    }

    #[test]
    fn garbage_gives_no_maps() {
        assert!(parse(&Text::from_bytes("g", b"\xff\x00 dm-\n|- 1:2 x\n")).is_empty());
    }
}
