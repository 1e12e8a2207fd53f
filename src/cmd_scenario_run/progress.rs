//! Progress on the terminal: the one rewritten status line (`Screen`) and what a
//! running scenario shows on it (every node's phase).

use super::agent::Agent;
use o2check_scenarios::agent::Scenario;
use std::io::{IsTerminal, Write};
use std::sync::Mutex;
use std::time::Instant;

pub(super) fn progress_line(
    sc: Scenario,
    index: usize,
    count: usize,
    t0: Instant,
    agents: &[Agent],
) -> String {
    let mut s = format!(
        "[{index}/{count}] {} {:.1}s",
        sc.id(),
        t0.elapsed().as_secs_f64()
    );
    for ag in agents {
        let p = ag
            .progress
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        let state = match (&ag.spawn_error, p, ag.running()) {
            (Some(_), _, _) => "error".to_string(),
            (None, _, false) => "done".to_string(),
            (None, Some((phase, done, total)), true) => format!("{phase} {done}/{total}"),
            (None, None, true) => "starting".to_string(),
        };
        s.push_str(&format!("  {}: {state}", ag.node.name));
    }
    s
}

/// Progress on stderr, only when it is a terminal: one line, rewritten.
pub(super) struct Screen {
    tty: bool,
    last: Mutex<String>,
}

impl Screen {
    pub(super) fn new() -> Screen {
        Screen {
            tty: std::io::stderr().is_terminal(),
            last: Mutex::new(String::new()),
        }
    }

    pub(super) fn show(&self, text: &str) {
        if self.tty {
            let cut: String = text.chars().take(160).collect();
            let mut last = self.last.lock().unwrap_or_else(|p| p.into_inner());
            if *last == cut {
                return; // redrawn only when something changed
            }
            last.clone_from(&cut);
            let mut e = std::io::stderr().lock();
            let _ = write!(e, "\r\x1b[K{cut}");
            let _ = e.flush();
        }
    }

    /// A line that stays.
    pub(super) fn line(&self, text: &str) {
        if self.tty {
            let cut: String = text.chars().take(200).collect();
            eprintln!("\r\x1b[K{cut}");
            self.last.lock().unwrap_or_else(|p| p.into_inner()).clear();
        }
    }

    pub(super) fn clear(&self) {
        if self.tty {
            eprint!("\r\x1b[K");
            self.last.lock().unwrap_or_else(|p| p.into_inner()).clear();
        }
    }
}
