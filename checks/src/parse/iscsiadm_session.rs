//! `iscsiadm -m session` at every print level (open-iscsi `usr/session_info.c`).
//! `-P 0` (`session_info_print_flat`): one line per session, `%s: [%u] %s:%d,%d %s
//! (%s)` = transport, sid, persistent portal address, port, target portal group tag,
//! target IQN, `flash`/`non-flash` (the suffix came with open-iscsi 2.0-873; older
//! versions end after the IQN); IPv6 portals in brackets. `-P 1`..`-P 3`
//! (`session_info_print_tree`): `Target: IQN (non-flash)`, then per session
//! `\tCurrent Portal:` / `\tPersistent Portal: addr:port,tpgt` (a blank line instead
//! when the portal repeats), the interface block (`Iface Transport: tcp`), `SID: N`
//! with `iSCSI Connection State` / `iSCSI Session State` (print level 1), timeouts,
//! CHAP and negotiated parameters (2), `Attached scsi disk sdb\t\tState: running`
//! (3). `iscsiadm -m session -P 3` starts with `iSCSI Transport Class version ...`
//! and `version ...` (`iscsi_sysfs_get_version` / `ISCSI_VERSION_STR`). With no
//! session it prints `iscsiadm: No active sessions.` on stderr and exits 21
//! (ISCSI_ERR_NO_OBJS_FOUND). Input goes through the shared [`pasted`] normaliser,
//! so a pasted excerpt that starts at `SID:` still gives its session.

use super::pasted;
use crate::text::Text;

/// Exit code of `iscsiadm` when there is nothing to list (open-iscsi `iscsi_err.h`).
pub const EXIT_NO_OBJS_FOUND: i32 = 21;

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Session {
    pub transport: String,
    pub sid: u32,
    pub portal: String,
    pub port: Option<u16>,
    pub tpgt: Option<i32>,
    pub target: String,
    pub line: u32,
    /// `iSCSI Session State` (print level >= 1): `LOGGED_IN`, `FAILED`, `FREE`.
    pub state: Option<String>,
    /// `iSCSI Connection State`: `LOGGED IN`, `TRANSPORT WAIT`, `FAILED`...
    pub connection: Option<String>,
    /// Attached disks and their SCSI state (print level 3): (`sdb`, `running`).
    pub disks: Vec<(String, String)>,
}

impl Session {
    /// Logged in, as far as the print level tells (level 0 lists only live sessions).
    pub fn is_logged_in(&self) -> bool {
        self.state
            .as_deref()
            .is_none_or(|s| s.eq_ignore_ascii_case("LOGGED_IN") || s == "Unknown")
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sessions {
    pub sessions: Vec<Session>,
    /// iscsiadm said `No active sessions` (stdout or stderr) or exited 21.
    pub none_active: bool,
    /// Lines that were not part of any known layout (warnings, garbage).
    pub unparsed: Vec<u32>,
    /// The print level the layout shows: 0 (flat) or 1 (tree, level 1 or more).
    pub tree: bool,
}

/// `addr:port,tpgt` (IPv6 `[addr]:port,tpgt`) into its parts.
fn portal(text: &str) -> (String, Option<u16>, Option<i32>) {
    let (addr_port, tpgt) = match text.rsplit_once(',') {
        Some((a, t)) => (a, t.trim().parse().ok()),
        None => (text, None),
    };
    let (addr, port) = match addr_port.rsplit_once(':') {
        // `[fe80::1]:3260`: the last colon separates the port only after a `]` or in IPv4.
        Some((a, p)) if !a.contains(':') || a.ends_with(']') => (a, p.parse().ok()),
        _ => (addr_port, None),
    };
    (
        addr.trim_start_matches('[')
            .trim_end_matches(']')
            .to_string(),
        port,
        tpgt,
    )
}

fn parse_flat(l: &str, line: u32) -> Option<Session> {
    let (transport, rest) = l.split_once(": [")?;
    let (sid, rest) = rest.split_once("] ")?;
    let mut f = rest.split_whitespace();
    let (portal, port, tpgt) = portal(f.next()?);
    Some(Session {
        transport: transport.trim().to_string(),
        sid: sid.trim().parse().ok()?,
        portal,
        port,
        tpgt,
        target: f.next()?.to_string(),
        line,
        ..Session::default()
    })
}

/// State of the tree walk: the target and portal the next `SID:` belongs to.
#[derive(Default)]
struct Tree {
    target: String,
    portal: Option<(String, Option<u16>, Option<i32>)>,
    transport: Option<String>,
    /// The last session still waits for its `SID:` line.
    open: bool,
}

/// Keys of the tree layout that carry nothing the checks use.
const TREE_KEYS: &[&str] = &[
    "Interface",
    "Internal iscsid Session State",
    "Timeouts",
    "Recovery Timeout",
    "Target Reset Timeout",
    "LUN Reset Timeout",
    "Abort Timeout",
    "CHAP",
    "username",
    "password",
    "username_in",
    "password_in",
    "Negotiated iSCSI params",
    "HeaderDigest",
    "DataDigest",
    "MaxRecvDataSegmentLength",
    "MaxXmitDataSegmentLength",
    "FirstBurstLength",
    "MaxBurstLength",
    "ImmediateData",
    "InitialR2T",
    "MaxOutstandingR2T",
    "Attached SCSI devices",
    "Host Number",
];

/// One line of the `-P 1..3` layout; false when it is none of its lines.
fn tree_line(out: &mut Sessions, t: &mut Tree, l: &str, line: u32) -> bool {
    let Some((key, value)) = l.split_once(':') else {
        return l.starts_with("****")
            || l.starts_with("iSCSI Transport Class version")
            || l == "Unavailable";
    };
    let value = value.trim();
    let session = |t: &Tree| {
        let (portal, port, tpgt) = t.portal.clone().unwrap_or_default();
        Session {
            transport: t.transport.clone().unwrap_or_else(|| "tcp".into()),
            portal,
            port,
            tpgt,
            target: t.target.clone(),
            line,
            ..Session::default()
        }
    };
    match key.trim() {
        "Target" => {
            t.target = value
                .trim_end_matches(" (non-flash)")
                .trim_end_matches(" (flash)")
                .to_string();
            t.portal = None;
            t.open = false;
        }
        "Current Portal" => {
            t.portal = Some(portal(value));
            out.sessions.push(session(t));
            t.open = true;
        }
        // The flat layout shows the persistent portal: prefer it for the same session.
        "Persistent Portal" => {
            let p = portal(value);
            if let Some(s) = out.sessions.last_mut().filter(|_| t.open) {
                (s.portal, s.port, s.tpgt) = p.clone();
            }
            t.portal = Some(p);
        }
        "Iface Transport" => {
            t.transport = Some(value.to_string());
            if let Some(s) = out.sessions.last_mut().filter(|_| t.open) {
                s.transport = value.to_string();
            }
        }
        "SID" => {
            let sid = value.parse().unwrap_or(0);
            match out.sessions.last_mut().filter(|_| t.open) {
                Some(s) => s.sid = sid,
                // A repeated portal (printed as a blank line) or an excerpt.
                None => out.sessions.push(Session { sid, ..session(t) }),
            }
            t.open = false;
        }
        "iSCSI Session State" => {
            if let Some(s) = out.sessions.last_mut() {
                s.state = Some(value.to_string());
            }
        }
        "iSCSI Connection State" => {
            if let Some(s) = out.sessions.last_mut() {
                s.connection = Some(value.to_string());
            }
        }
        k if k.starts_with("Attached scsi disk") => {
            // `Attached scsi disk sdb\t\tState: running`: the split was at `State:`.
            let disk = k.trim_start_matches("Attached scsi disk").trim();
            let disk = disk.trim_end_matches("State").trim();
            if let Some(s) = out.sessions.last_mut() {
                s.disks.push((disk.to_string(), value.to_string()));
            }
        }
        // Interface, timeouts, CHAP, parameters, `scsi3 Channel 00 Id 0 Lun: 1`,
        // `Host Number: 3\tState: running`: part of the layout, nothing we use.
        k => {
            return k.starts_with("Iface ")
                || (k.starts_with("scsi") && k.contains(" Channel "))
                || TREE_KEYS.contains(&k)
        }
    }
    true
}

pub fn parse(stdout: &Text, stderr: &str, exit_code: Option<i32>) -> Sessions {
    let mut out = Sessions {
        none_active: exit_code == Some(EXIT_NO_OBJS_FOUND)
            || stderr.contains("No active sessions")
            || stdout.content.contains("No active sessions"),
        ..Sessions::default()
    };
    let mut tree = Tree::default();
    for l in pasted::lines(stdout) {
        let (line, text) = (l.number, l.text.trim());
        if text.is_empty() || text.starts_with("iscsiadm:") || text.starts_with("version ") {
            continue;
        }
        if let Some(s) = parse_flat(text, line) {
            out.sessions.push(s);
        } else if tree_line(&mut out, &mut tree, text, line) {
            out.tree |= text.starts_with("Target:") || text.starts_with("SID:");
        } else {
            out.unparsed.push(line);
        }
    }
    out
}

/// One node record of `iscsiadm -m node` (`idbm_print_node_flat`:
/// `%s:%d,%d %s` = portal, port, tpgt, target).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeRecord {
    pub portal: String,
    pub target: String,
    pub line: u32,
}

/// Records of `iscsiadm -m node`; other lines are ignored.
pub fn parse_nodes(stdout: &Text) -> Vec<NodeRecord> {
    pasted::lines(stdout)
        .into_iter()
        .filter_map(|l| {
            let mut f = l.text.split_whitespace();
            let (p, target) = (f.next()?, f.next()?);
            let (addr, port, _) = portal(p);
            (port.is_some() && f.next().is_none() && target.contains('.')).then(|| NodeRecord {
                portal: addr,
                target: target.to_string(),
                line: l.number,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    // Hand-made from the open-iscsi format string above with the seed's portal and IQN
    // (seed/000_*.txt §5); no iSCSI target is reachable from the build host.
    const SEED_STYLE: &str = "tcp: [1] 10.50.200.41:3260,1 iqn.1984-05.com.dell:powervault.md3800i.600a098000a64d8b0000000057a152ea (non-flash)\n\
        tcp: [2] 10.50.200.42:3260,2 iqn.1984-05.com.dell:powervault.md3800i.600a098000a64d8b0000000057a152ea (non-flash)\n";

    fn t(s: &str) -> Text {
        Text::new("command: iscsiadm -m session", s)
    }

    #[test]
    fn two_sessions() {
        let s = parse(&t(SEED_STYLE), "", Some(0));
        assert!(!s.none_active && s.unparsed.is_empty());
        assert_eq!(s.sessions.len(), 2);
        let a = &s.sessions[1];
        assert_eq!(
            (a.transport.as_str(), a.sid, a.portal.as_str()),
            ("tcp", 2, "10.50.200.42")
        );
        assert_eq!((a.port, a.tpgt, a.line), (Some(3260), Some(2), 2));
        assert!(a.target.ends_with("57a152ea"));
    }

    #[test]
    fn old_format_without_flash_and_ipv6() {
        let s = parse(
            &t("tcp: [7] [fe80::1]:3260,1 iqn.2003-01.org.x:t\r\n"),
            "",
            Some(0),
        );
        assert_eq!(s.sessions[0].portal, "fe80::1");
        assert_eq!(s.sessions[0].port, Some(3260));
        assert_eq!(s.sessions[0].target, "iqn.2003-01.org.x:t");
    }

    #[test]
    fn no_sessions_by_text_or_exit_code() {
        let s = parse(&t(""), "iscsiadm: No active sessions.\n", Some(21));
        assert!(s.none_active && s.sessions.is_empty());
        assert!(parse(&t(""), "", Some(EXIT_NO_OBJS_FOUND)).none_active);
        assert!(!parse(&t(""), "", Some(0)).none_active);
    }

    fn public(name: &str) -> Text {
        let path = format!("{}/../fixtures/public/{name}", env!("CARGO_MANIFEST_DIR"));
        Text::new(name, std::fs::read_to_string(path).unwrap())
    }

    #[test]
    fn print_level_3_real_tab_indented() {
        let s = parse(&public("iscsiadm-P3-flatcar-349.txt"), "", Some(0));
        assert!(s.tree && !s.none_active);
        assert_eq!(s.unparsed, Vec::<u32>::new());
        assert_eq!(s.sessions.len(), 1);
        let a = &s.sessions[0];
        assert_eq!(
            (a.sid, a.portal.as_str(), a.port, a.tpgt),
            (1, "10.1.53.160", Some(3260), Some(1))
        );
        assert_eq!(a.target, "iqn.1992-04.com.emc:cx.apm00191923511.a4");
        assert_eq!(
            (a.state.as_deref(), a.connection.as_deref()),
            (Some("LOGGED_IN"), Some("LOGGED IN"))
        );
        assert_eq!(a.disks, [("sdb".to_string(), "running".to_string())]);
        assert!(a.is_logged_in());
    }

    #[test]
    fn print_level_3_pasted_with_fence_prompt_and_spaces() {
        let s = parse(&public("iscsiadm-P3-hpe-269.txt"), "", None);
        assert_eq!(s.sessions.len(), 1, "{s:?}");
        assert_eq!((s.sessions[0].sid, s.sessions[0].tpgt), (10, Some(1024)));
        assert_eq!(s.sessions[0].transport, "tcp");
    }

    #[test]
    fn print_level_3_without_sessions_and_the_real_empty_form() {
        let s = parse(&public("iscsiadm-P3-none-ceph-105.txt"), "", None);
        assert!(s.none_active && s.sessions.is_empty());
        let real = std::fs::read_to_string(format!(
            "{}/../fixtures/public/iscsiadm-empty-debian12.txt",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap();
        assert!(parse(&t(""), &real, None).none_active);
    }

    #[test]
    fn print_level_1_two_sessions_same_portal_failed_state_and_excerpt() {
        // Built from session_info_print_tree(): the second session on the same
        // portal prints a blank line instead of its portal lines.
        let p1 = "Target: iqn.2003-01.org.x:t (non-flash)\n\tCurrent Portal: 10.0.0.1:3260,1\n\tPersistent Portal: 10.0.0.1:3260,1\n\t\t**********\n\t\tInterface:\n\t\t**********\n\t\tIface Name: eth1\n\t\tIface Transport: tcp\n\t\tSID: 3\n\t\tiSCSI Connection State: LOGGED IN\n\t\tiSCSI Session State: LOGGED_IN\n\t\tInternal iscsid Session State: NO CHANGE\n\n\t\t**********\n\t\tInterface:\n\t\t**********\n\t\tIface Name: eth2\n\t\tIface Transport: tcp\n\t\tSID: 4\n\t\tiSCSI Connection State: TRANSPORT WAIT\n\t\tiSCSI Session State: FAILED\n\t\tInternal iscsid Session State: REPOEN\n";
        let s = parse(&t(p1), "", Some(0));
        let sids: Vec<_> = s
            .sessions
            .iter()
            .map(|s| (s.sid, s.portal.as_str(), s.is_logged_in()))
            .collect();
        assert_eq!(sids, [(3, "10.0.0.1", true), (4, "10.0.0.1", false)]);
        // An excerpt that starts at SID: still one session, target unknown.
        let s = parse(
            &t("\t\tSID: 9\n\t\tiSCSI Session State: LOGGED_IN\n"),
            "",
            None,
        );
        assert_eq!(
            (
                s.sessions.len(),
                s.sessions[0].sid,
                s.sessions[0].target.as_str()
            ),
            (1, 9, "")
        );
    }

    #[test]
    fn node_records() {
        let r = parse_nodes(&t("10.0.0.1:3260,1 iqn.2003-01.org.x:t\n[fe80::1]:3260,1 iqn.2003-01.org.x:u\niscsiadm: No records found\n"));
        assert_eq!(r.len(), 2);
        assert_eq!((r[1].portal.as_str(), r[1].line), ("fe80::1", 2));
    }

    #[test]
    fn garbage_is_unparsed_not_fatal() {
        let s = parse(&t("tcp: [x] a,b c\nhello\n\u{fffd}: [\n"), "", Some(0));
        assert!(s.sessions.is_empty());
        assert_eq!(s.unparsed, [1, 2, 3]);
        let huge = "tcp: [1] ".to_string() + &"9".repeat(1 << 20);
        assert_eq!(parse(&t(&huge), "", None).unparsed, [1]);
    }
}
