//! `iscsiadm -m session` (open-iscsi `usr/session_info.c`, `session_info_print_flat`):
//! one line per session, `%s: [%u] %s:%s,%d %s (%s)` = transport, sid, portal address,
//! port, target portal group tag, target IQN, `flash`/`non-flash` (the flash suffix
//! was added in open-iscsi 2.0-873; older versions end after the IQN). IPv6 portals
//! are printed in brackets. With no session it prints `iscsiadm: No active sessions.`
//! on stderr and exits 21 (ISCSI_ERR_NO_OBJS_FOUND).

use crate::text::Text;

/// Exit code of `iscsiadm` when there is nothing to list (open-iscsi `iscsi_err.h`).
pub const EXIT_NO_OBJS_FOUND: i32 = 21;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub transport: String,
    pub sid: u32,
    pub portal: String,
    pub port: Option<u16>,
    pub tpgt: Option<i32>,
    pub target: String,
    pub line: u32,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sessions {
    pub sessions: Vec<Session>,
    /// iscsiadm said `No active sessions` (stdout or stderr) or exited 21.
    pub none_active: bool,
    /// Lines that were not a session line (warnings, garbage).
    pub unparsed: Vec<u32>,
}

fn parse_line(l: &str, line: u32) -> Option<Session> {
    let (transport, rest) = l.split_once(": [")?;
    let (sid, rest) = rest.split_once("] ")?;
    let mut f = rest.split_whitespace();
    let portal_tpgt = f.next()?;
    let target = f.next()?.to_string();
    let (addr_port, tpgt) = match portal_tpgt.rsplit_once(',') {
        Some((a, t)) => (a, t.parse().ok()),
        None => (portal_tpgt, None),
    };
    let (portal, port) = match addr_port.rsplit_once(':') {
        // `[fe80::1]:3260`: the last colon separates the port only after a `]` or in IPv4.
        Some((a, p)) if !a.contains(':') || a.ends_with(']') => (a, p.parse().ok()),
        _ => (addr_port, None),
    };
    Some(Session {
        transport: transport.trim().to_string(),
        sid: sid.trim().parse().ok()?,
        portal: portal
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_string(),
        port,
        tpgt,
        target,
        line,
    })
}

pub fn parse(stdout: &Text, stderr: &str, exit_code: Option<i32>) -> Sessions {
    let mut out = Sessions {
        none_active: exit_code == Some(EXIT_NO_OBJS_FOUND)
            || stderr.contains("No active sessions")
            || stdout.content.contains("No active sessions"),
        ..Sessions::default()
    };
    for (line, raw) in stdout.numbered_lines() {
        let l = raw.trim();
        if l.is_empty() || l.starts_with("iscsiadm:") {
            continue;
        }
        match parse_line(l, line) {
            Some(s) => out.sessions.push(s),
            None => out.unparsed.push(line),
        }
    }
    out
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

    #[test]
    fn garbage_is_unparsed_not_fatal() {
        let s = parse(&t("tcp: [x] a,b c\nhello\n\u{fffd}: [\n"), "", Some(0));
        assert!(s.sessions.is_empty());
        assert_eq!(s.unparsed, [1, 2, 3]);
        let huge = "tcp: [1] ".to_string() + &"9".repeat(1 << 20);
        assert_eq!(parse(&t(&huge), "", None).unparsed, [1]);
    }
}
