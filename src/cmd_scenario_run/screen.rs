//! The coordinator's progress on stderr, only when it is a terminal: one line,
//! rewritten, and a line that stays for each scenario judged.

use o2check_scenarios::coordinator::Event;
use std::io::{IsTerminal, Write};
use std::sync::Mutex;

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

    pub(super) fn event(&self, e: &Event) {
        if e.stays() {
            self.line(&e.text());
        } else {
            self.show(&e.text());
        }
    }

    fn show(&self, text: &str) {
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
    fn line(&self, text: &str) {
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
