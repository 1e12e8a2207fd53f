//! multipathd's own log lines (syslog or journal, tag `multipathd` or
//! `multipathd[pid]`), the history of a path: the checker's verdict
//! (`sdc: tur checker reports path is down`, libmultipath/checkers.c
//! `checker_message`), `checker failed path 8:32 in map mpatha` and
//! `sdc: mark as failed` (multipathd/main.c, `fail_path`/io_err_stat), `mpatha:
//! remaining active paths: 1` (libmultipath/structs_vec.c), `8:32: reinstated`
//! (`reinstate_path`). These say what happened, not what is true now: the map's
//! state is `multipath -ll`'s.

use super::pasted;
use crate::text::Text;

/// What one multipathd line says about a path or map.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathEvent {
    /// The checker says the path is down (or ghost/transitioning: not up).
    CheckerDown {
        path: String,
    },
    CheckerUp {
        path: String,
    },
    /// Device-mapper failed the path (`checker failed path`, `mark as failed`).
    Failed {
        path: String,
        map: Option<String>,
    },
    Reinstated {
        path: String,
    },
    Remaining {
        map: String,
        active: u32,
    },
}

/// A line with its number and the stamp text before the host, for evidence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Logged {
    pub event: PathEvent,
    pub line: u32,
}

/// The message after `multipathd:` / `multipathd[123]:`, if this is its line.
fn message(line: &str) -> Option<&str> {
    let at = memchr::memmem::find(line.as_bytes(), b"multipathd")?;
    let rest = &line[at + "multipathd".len()..];
    let rest = match rest.strip_prefix('[') {
        Some(r) => r.split_once("]")?.1,
        None => rest,
    };
    Some(rest.strip_prefix(':')?.trim())
}

fn recognize(msg: &str) -> Option<PathEvent> {
    if let Some(rest) = msg.strip_prefix("checker failed path ") {
        let (path, map) = rest.split_once(" in map ")?;
        return Some(PathEvent::Failed {
            path: path.trim().to_string(),
            map: Some(map.trim().to_string()),
        });
    }
    let (who, what) = msg.split_once(": ")?;
    let who = who.trim().to_string();
    if what.contains(" checker reports path is up") {
        Some(PathEvent::CheckerUp { path: who })
    } else if what.contains(" checker reports path is ") {
        Some(PathEvent::CheckerDown { path: who })
    } else if what == "mark as failed" {
        Some(PathEvent::Failed {
            path: who,
            map: None,
        })
    } else if what == "reinstated" {
        Some(PathEvent::Reinstated { path: who })
    } else {
        let n = what.strip_prefix("remaining active paths: ")?;
        Some(PathEvent::Remaining {
            map: who,
            active: n.trim().parse().ok()?,
        })
    }
}

/// Every multipathd path event in a log text, in order.
pub fn parse(text: &Text) -> Vec<Logged> {
    pasted::iter(text)
        .filter_map(|(line, l)| {
            Some(Logged {
                event: recognize(message(l)?)?,
                line,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syslog_and_journal_forms_from_the_format_strings() {
        // Built from the condlog() strings named above, as rsyslog (RHEL 5-7) and
        // `journalctl -o short-iso` print them.
        let t = Text::new(
            "/var/log/messages",
            "Mar  3 10:00:01 n1 multipathd: sdc: tur checker reports path is down\n\
             Mar  3 10:00:01 n1 multipathd: checker failed path 8:32 in map mpatha\n\
             Mar  3 10:00:01 n1 multipathd: mpatha: remaining active paths: 1\n\
             Mar  3 10:00:01 n1 kernel: device-mapper: multipath: Failing path 8:32.\n\
             2026-03-03T10:05:00+0000 n1 multipathd[812]: sdc: tur checker reports path is up\n\
             2026-03-03T10:05:00+0000 n1 multipathd[812]: 8:32: reinstated\n\
             2026-03-03T10:05:00+0000 n1 multipathd[812]: sdd: mark as failed\n",
        );
        let e: Vec<_> = parse(&t).into_iter().map(|l| (l.line, l.event)).collect();
        assert_eq!(e.len(), 6);
        assert_eq!(e[0], (1, PathEvent::CheckerDown { path: "sdc".into() }));
        assert_eq!(
            e[1].1,
            PathEvent::Failed {
                path: "8:32".into(),
                map: Some("mpatha".into())
            }
        );
        assert_eq!(
            e[2].1,
            PathEvent::Remaining {
                map: "mpatha".into(),
                active: 1
            }
        );
        assert_eq!(e[3], (5, PathEvent::CheckerUp { path: "sdc".into() }));
        assert_eq!(
            e[4].1,
            PathEvent::Reinstated {
                path: "8:32".into()
            }
        );
        assert_eq!(
            e[5].1,
            PathEvent::Failed {
                path: "sdd".into(),
                map: None
            }
        );
    }

    #[test]
    fn other_lines_and_garbage_are_ignored() {
        let t = Text::from_bytes("g", b"multipathd\nmultipathd[: x\nmultipathd: \xff\xfe\nfoo multipathd: mpatha: load table [0 1 multipath]\n");
        assert!(parse(&t).is_empty());
    }
}
