//! Now versus history. A kernel log keeps the complaints of every earlier
//! attempt; judging them as today's state fails a node that was already fixed.
//! An event is history when something later in the same log replaced the state
//! it describes: the last boot (a syslog spans boots), the last cluster
//! registration (`o2hb: Heartbeat mode set to ...` is written by `o2cb
//! register-cluster`, ocfs2-tools libo2cb o2cb_set_heartbeat_mode(), and o2net
//! state starts afresh with it), the last successful connection to the same peer
//! (linux fs/ocfs2/cluster/tcp.c o2net_set_nn_state() prints `Connected to node`
//! once the handshake passed), or the last mount (`ocfs2: Mounting device`,
//! fs/ocfs2/super.c ocfs2_fill_super(), after the errors of a failed attempt).
//! `--since TIME|boot` sets the window explicitly.

use super::event::O2Event;
use super::lines::LogLine;
use super::node_events::{Located, NodeEvents};
use super::stamp::{self, Stamp};
use crate::source::Source;
use chrono::{DateTime, NaiveDateTime, Utc};
use o2check_reports::Evidence;
use std::str::FromStr;

/// The window the user asked for (`--since`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Since {
    /// Only this boot: anything before the last boot line of a syslog is history.
    Boot,
    /// Only events at or after this time.
    Time(DateTime<Utc>),
}

impl FromStr for Since {
    type Err = String;

    /// `boot`, RFC 3339 (`2026-11-24T19:51:49Z`) or `YYYY-MM-DD HH:MM[:SS]` (UTC).
    fn from_str(s: &str) -> Result<Since, String> {
        let s = s.trim();
        if s.eq_ignore_ascii_case("boot") {
            return Ok(Since::Boot);
        }
        if let Ok(t) = DateTime::parse_from_rfc3339(s) {
            return Ok(Since::Time(t.with_timezone(&Utc)));
        }
        for format in ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"] {
            if let Ok(t) = NaiveDateTime::parse_from_str(s, format) {
                return Ok(Since::Time(t.and_utc()));
            }
        }
        Err(format!(
            "`{s}` is neither `boot` nor a time (2026-11-24T19:51:49Z or 2026-11-24 19:51)"
        ))
    }
}

/// How an event stands against the node's current state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Standing {
    Current,
    /// History, and what made it so (for the evidence).
    History(String),
}

/// What places a node's events in time.
#[derive(Debug, Clone, Default)]
pub struct Window {
    pub since: Option<Since>,
    /// When the node booted (aligns `[seconds since boot]` stamps with `since`).
    pub boot: Option<DateTime<Utc>>,
    /// When the evidence was taken (the year of syslog stamps).
    pub taken: Option<DateTime<Utc>>,
}

impl Window {
    /// The window for `source`: its boot and collection times, and `since`.
    pub fn of(source: &dyn Source, since: Option<Since>) -> Window {
        Window {
            since,
            boot: boot_time(source),
            taken: source.taken_at(),
        }
    }

    /// Seconds on the wall-clock axis of `stamp`, when they can be known.
    fn wall(&self, stamp_text: &str) -> Option<f64> {
        let reference = self.taken.unwrap_or_else(Utc::now);
        match stamp::parse(stamp_text, reference)? {
            Stamp::Monotonic(_) if self.boot.is_none() => None,
            s => Some(stamp::seconds(s, self.boot)),
        }
    }
}

impl Window {
    /// When `source.events[index]` happened on the wall clock, if that can be
    /// known. A `[seconds since boot]` stamp counts from this boot only after
    /// the last boot line of its source (or in a source without one, a dmesg):
    /// before that line it counts from an earlier boot whose time the evidence
    /// does not give.
    pub fn placed(&self, source: &NodeEvents, index: usize) -> Option<DateTime<Utc>> {
        let line = &source.events.get(index)?.line;
        let secs = self.wall_in(line, source.boot.as_ref())?;
        DateTime::from_timestamp_millis((secs * 1000.0) as i64)
    }

    /// [`Window::wall`] of `line`, refusing a `[seconds since boot]` stamp that
    /// counts from an earlier boot than the one `boot` (the last boot line of
    /// the line's source) began.
    fn wall_in(&self, line: &LogLine, boot: Option<&LogLine>) -> Option<f64> {
        let reference = self.taken.unwrap_or_else(Utc::now);
        if let Stamp::Monotonic(_) = stamp::parse(&line.stamp, reference)? {
            // Without a boot line the source is one boot's dmesg (a syslog
            // line carries its own wall-clock stamp).
            let this_boot = boot.is_none_or(|b| b.origin == line.origin && b.line <= line.line);
            if !this_boot {
                return None;
            }
        }
        self.wall(&line.stamp)
    }
}

/// A boot in a syslog: the kernel's first line (init/main.c start_kernel()
/// prints the `Linux version` banner).
fn is_boot(line: &LogLine) -> bool {
    line.message.starts_with("Linux version ")
}

/// The last boot line of the log source `events` came from, if it has one.
pub fn last_boot(log: &[LogLine]) -> Option<&LogLine> {
    log.iter().rev().find(|l| is_boot(l))
}

/// The peer number an o2net event is about.
fn peer_of(e: &O2Event) -> Option<u32> {
    match e {
        O2Event::NetMismatch { peer, node, .. } => peer.as_ref().map(|p| p.num).or(*node),
        O2Event::NetDisconnected { peer }
        | O2Event::NetShutdown { peer, .. }
        | O2Event::NetIdle { peer, .. } => Some(peer.num),
        O2Event::NetNoConnection { node, .. } => Some(*node),
        O2Event::NetConnectFailed { .. } => None,
        _ => None,
    }
}

fn is_o2net(e: &O2Event) -> bool {
    matches!(
        e,
        O2Event::NetConnected { .. }
            | O2Event::NetDisconnected { .. }
            | O2Event::NetShutdown { .. }
            | O2Event::NetIdle { .. }
            | O2Event::NetConnectFailed { .. }
            | O2Event::NetNoConnection { .. }
            | O2Event::NetMismatch { .. }
            | O2Event::NetRejected { .. }
    )
}

/// How `events[index]` stands. `boot` is the last boot line of the source the
/// events came from (see [`last_boot`]).
pub fn standing(
    events: &[Located],
    index: usize,
    boot: Option<&LogLine>,
    window: &Window,
) -> Standing {
    let e = &events[index];
    // An explicit window replaces the automatic judgement: it may widen it (an
    // earlier time, or the whole boot) as well as narrow it.
    if let Some(Since::Time(t)) = &window.since {
        let at = window.wall_in(&e.line, boot);
        return match at {
            Some(at) if at < t.timestamp() as f64 => {
                Standing::History(format!("before --since {}", t.to_rfc3339()))
            }
            _ => Standing::Current,
        };
    }
    if let Some(b) = boot.filter(|b| b.origin == e.line.origin && b.line > e.line.line) {
        return Standing::History(format!("before the last boot ({})", b.stamp));
    }
    if window.since == Some(Since::Boot) {
        return Standing::Current;
    }
    let later = &events[index + 1..];
    match &e.event {
        ev if is_o2net(ev) => {
            if let Some(r) = later
                .iter()
                .rev()
                .find(|l| matches!(l.event, O2Event::HbMode { .. }))
            {
                return Standing::History(format!(
                    "before the cluster was registered again ({})",
                    r.line.stamp
                ));
            }
            let Some(num) = peer_of(ev) else {
                return Standing::Current;
            };
            let reconnected = later.iter().rev().find(
                |l| matches!(&l.event, O2Event::NetConnected { peer, .. } if peer.num == num),
            );
            match reconnected {
                Some(c) => Standing::History(format!(
                    "node {num} connected again later ({}): the handshake passed",
                    c.line.stamp
                )),
                None => Standing::Current,
            }
        }
        O2Event::FsError { .. } => {
            match later
                .iter()
                .rev()
                .find(|l| matches!(l.event, O2Event::FsMount { .. }))
            {
                Some(m) => Standing::History(format!(
                    "before a later successful mount ({})",
                    m.line.stamp
                )),
                None => Standing::Current,
            }
        }
        _ => Standing::Current,
    }
}

/// A note when `--since TIME` could not place some events: `[seconds since
/// boot]` stamps need the boot time (proc/uptime and the collection time), and
/// without it they are judged as current rather than guessed.
pub fn unplaced_note(log: &NodeEvents, window: &Window) -> Option<Evidence> {
    if !matches!(window.since, Some(Since::Time(_))) {
        return None;
    }
    let unplaced = log
        .events
        .iter()
        .filter(|e| window.wall_in(&e.line, log.boot.as_ref()).is_none())
        .count();
    (unplaced > 0).then(|| {
        Evidence::note(
            "--since",
            format!("{unplaced} event(s) could not be placed in time (no boot time: proc/uptime or the collection time is missing) and are judged as current"),
        )
    })
}

/// Evidence for an event that is history: the line, its time, and why it no
/// longer stands, so the report shows it as an earlier event.
pub fn earlier(e: &Located, why: &str) -> Evidence {
    let mut ev = e.evidence();
    ev.text = format!("earlier, {why}: {}", ev.text);
    ev
}

/// The `relevant` events of `log` that stand now (with their index), and
/// evidence for (at most `shown` of) the ones that are history; the count of
/// history events comes last.
pub fn split_now<'e>(
    log: &'e NodeEvents,
    window: &Window,
    shown: usize,
    relevant: impl Fn(&O2Event) -> bool,
) -> (Vec<(usize, &'e Located)>, Vec<Evidence>, usize) {
    let mut now = Vec::new();
    let mut earlier_ev = Vec::new();
    let mut count = 0;
    for (i, e) in log.events.iter().enumerate() {
        if !relevant(&e.event) {
            continue;
        }
        match standing(&log.events, i, log.boot.as_ref(), window) {
            Standing::Current => now.push((i, e)),
            Standing::History(why) => {
                count += 1;
                if earlier_ev.len() < shown {
                    earlier_ev.push(earlier(e, &why));
                }
            }
        }
    }
    (now, earlier_ev, count)
}

/// The lines of one log source that stand now, and the others with why they are
/// history, for readers that match raw lines rather than recognised events
/// (`why`'s kernel-log signatures and facts): a line is history when its source
/// later booted or registered the cluster again (`o2hb: Heartbeat mode set to`,
/// written by `o2cb register-cluster`: everything o2net and the DLM said before
/// belongs to the earlier cluster). A later mount is no boundary for any line:
/// the join lines of a mount come before its `ocfs2: Mounting device`.
/// `--since` replaces that judgement as it does in [`standing`]. `events` are
/// the source's recognised events.
pub fn split_lines(
    log: &[LogLine],
    events: &NodeEvents,
    window: &Window,
) -> (Vec<LogLine>, Vec<(LogLine, String)>) {
    let last = |want: fn(&O2Event) -> bool| {
        events
            .events
            .iter()
            .rev()
            .find(|e| want(&e.event))
            .map(|e| e.line.clone())
    };
    let registered = last(|e| matches!(e, O2Event::HbMode { .. }));
    let boot = events.boot.as_ref();
    let mut now = Vec::new();
    let mut earlier = Vec::new();
    for l in log {
        let replaced_by = |r: &Option<LogLine>, what: &str| {
            r.as_ref()
                .filter(|r| r.origin == l.origin && r.line > l.line)
                .map(|r| format!("{what} ({})", r.stamp))
        };
        let why = match &window.since {
            Some(Since::Time(t)) => match window.wall_in(l, boot) {
                Some(at) if at < t.timestamp() as f64 => {
                    Some(format!("before --since {}", t.to_rfc3339()))
                }
                _ => None,
            },
            Some(Since::Boot) => replaced_by(&boot.cloned(), "before the last boot"),
            None => replaced_by(&boot.cloned(), "before the last boot")
                .or_else(|| replaced_by(&registered, "before the cluster was registered again")),
        };
        match why {
            Some(why) => earlier.push((l.clone(), why)),
            None => now.push(l.clone()),
        }
    }
    (now, earlier)
}

/// Boot time = when the evidence was taken minus the uptime then.
pub fn boot_time(source: &dyn Source) -> Option<DateTime<Utc>> {
    let uptime: f64 = String::from_utf8_lossy(&source.read_file("/proc/uptime").ok()?)
        .split_whitespace()
        .next()?
        .parse()
        .ok()?;
    boot_from(source.taken_at()?, uptime)
}

/// `taken - uptime`, or `None` for an uptime no machine has had (negative, not a
/// number, over a century: `-1e300`, `inf` or `1e14` in a bundle's proc/uptime),
/// which chrono would otherwise overflow on.
fn boot_from(taken: DateTime<Utc>, uptime: f64) -> Option<DateTime<Utc>> {
    const CENTURY_SECS: f64 = 100.0 * 366.0 * 86_400.0;
    if !(0.0..CENTURY_SECS).contains(&uptime) {
        return None;
    }
    let ago = chrono::Duration::try_milliseconds((uptime * 1000.0) as i64)?;
    taken.checked_sub_signed(ago)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernlog::lines::from_text;
    use crate::kernlog::node_events::events;
    use crate::text::Text;

    fn judged(log: &str, window: &Window) -> Vec<(String, Standing)> {
        let lines = from_text(&Text::new("dmesg", log));
        let ev = events(&lines);
        let boot = last_boot(&lines).cloned();
        (0..ev.len())
            .map(|i| {
                (
                    ev[i].line.message.clone(),
                    standing(&ev, i, boot.as_ref(), window),
                )
            })
            .collect()
    }

    #[test]
    fn absurd_uptimes_give_no_boot_time_instead_of_a_panic() {
        let taken = DateTime::parse_from_rfc3339("2026-12-01T09:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        for uptime in [-1e300, 1e14, f64::INFINITY, f64::NAN, -1.0, 1e300, f64::MAX] {
            assert_eq!(boot_from(taken, uptime), None, "{uptime}");
        }
        // Fuzz: any bit pattern as an uptime, any parse of proc/uptime's first word.
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        for _ in 0..200_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let _ = boot_from(taken, f64::from_bits(x));
        }
        let boot = boot_from(taken, 3600.5).unwrap();
        assert_eq!((taken - boot).num_milliseconds(), 3_600_500);
    }

    #[test]
    fn parses_since() {
        assert_eq!("boot".parse::<Since>(), Ok(Since::Boot));
        assert_eq!(
            "2026-11-24 19:51".parse::<Since>(),
            Ok(Since::Time(
                DateTime::parse_from_rfc3339("2026-11-24T19:51:00Z")
                    .unwrap()
                    .with_timezone(&Utc)
            ))
        );
        assert!("yesterday".parse::<Since>().is_err());
    }

    #[test]
    fn a_reconnection_makes_earlier_rejections_of_that_peer_history() {
        // Real lines of the lab's node1 dmesg (idle-timeout fault, then repaired).
        let log = "[  100.564374] o2net: node n151.ocfs2.test (num 2) at 10.77.0.151:7777 uses a network idle timeout of 10000 ms, but we use 30000 ms locally. Disconnecting.\n\
[  130.215722] o2net: No connection established with node 2 after 30.0 seconds, check network and cluster configuration.\n\
[  400.624760] o2net: Connected to node n151.ocfs2.test (num 2) at 10.77.0.151:7777\n\
[  500.000000] o2net: No connection established with node 3 after 30.0 seconds, check network and cluster configuration.\n";
        let j = judged(log, &Window::default());
        assert!(
            matches!(&j[0].1, Standing::History(w) if w.contains("400.624760")),
            "{j:?}"
        );
        assert!(matches!(j[1].1, Standing::History(_)));
        assert_eq!(j[3].1, Standing::Current, "node 3 never connected");
    }

    #[test]
    fn errors_before_a_later_mount_and_lines_before_a_boot_are_history() {
        let log = "Nov 24 19:00:01 n1 kernel: [   20.1] (mount.ocfs2,1,0):ocfs2_dlm_init:3355 ERROR: status = -107\n\
Nov 24 19:00:02 n1 kernel: [   21.0] ocfs2: Mounting device (254,0) on (node 1, slot 0) with ordered data mode.\n\
Nov 24 19:10:00 n1 kernel: [    0.0] Linux version 6.1.0-56-amd64 (debian-kernel@lists.debian.org)\n\
Nov 24 19:10:30 n1 kernel: [   30.0] (mount.ocfs2,1,0):ocfs2_dlm_init:3355 ERROR: status = -107\n";
        let j = judged(log, &Window::default());
        let errors: Vec<_> = j.iter().filter(|(m, _)| m.contains("ERROR")).collect();
        assert!(
            matches!(&errors[0].1, Standing::History(w) if w.contains("boot")),
            "{j:?}"
        );
        assert_eq!(errors[1].1, Standing::Current);
    }

    #[test]
    fn since_moves_the_window() {
        let log = "[   10.0] o2net: No connection established with node 2 after 30.0 seconds, check network and cluster configuration.\n\
[   90.0] o2net: No connection established with node 2 after 30.0 seconds, check network and cluster configuration.\n";
        let boot = DateTime::parse_from_rfc3339("2026-11-24T19:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let window = Window {
            since: Some("2026-11-24T19:01:00Z".parse().unwrap()),
            boot: Some(boot),
            taken: Some(boot),
        };
        let j = judged(log, &window);
        assert!(matches!(&j[0].1, Standing::History(w) if w.contains("--since")));
        assert_eq!(j[1].1, Standing::Current);
        // `--since boot` widens the window to the whole boot: a reconnection no
        // longer makes the first complaint history.
        let reconnected =
            format!("{log}[  95.0] o2net: Connected to node n2 (num 2) at 10.0.0.2:7777\n");
        let auto = judged(&reconnected, &Window::default());
        assert!(matches!(auto[1].1, Standing::History(_)));
        let boot_window = Window {
            since: Some(Since::Boot),
            ..Window::default()
        };
        assert_eq!(judged(&reconnected, &boot_window)[1].1, Standing::Current);
        // Without a boot time a monotonic stamp cannot be placed: not history.
        let j = judged(
            log,
            &Window {
                boot: None,
                ..window
            },
        );
        assert_eq!(j[0].1, Standing::Current);
    }
}
