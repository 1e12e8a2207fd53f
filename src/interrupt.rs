//! Ctrl-C (or SIGTERM) during cluster mode's collection: o2check would die at
//! once, leaving each node's ssh ControlMaster running for ControlPersist's 60 s,
//! its socket directory and the fetched bundles in /tmp for good, as no
//! destructor runs. While an [`OnInterrupt`] lives, the first such signal runs
//! its clean-up instead, then ends the process with 130 (the shell's code for
//! SIGINT).

use signal_hook::consts::{SIGINT, SIGTERM};
use signal_hook::iterator::{Handle, Signals};

/// Runs the clean-up on the first SIGINT/SIGTERM, until dropped.
pub struct OnInterrupt {
    handle: Option<Handle>,
    watcher: Option<std::thread::JoinHandle<()>>,
}

impl OnInterrupt {
    pub fn new(cleanup: impl FnOnce() + Send + 'static) -> OnInterrupt {
        let Ok(mut signals) = Signals::new([SIGINT, SIGTERM]) else {
            return OnInterrupt {
                handle: None,
                watcher: None,
            };
        };
        let handle = signals.handle();
        let watcher = std::thread::spawn(move || {
            if let Some(sig) = signals.forever().next() {
                eprintln!(
                    "\no2check: interrupted; closing ssh connections and removing temporary files"
                );
                cleanup();
                std::process::exit(128 + sig);
            }
        });
        OnInterrupt {
            handle: Some(handle),
            watcher: Some(watcher),
        }
    }
}

impl Drop for OnInterrupt {
    /// Back to the default: the signals are unregistered when the watcher ends.
    fn drop(&mut self) {
        if let Some(h) = self.handle.take() {
            h.close();
        }
        if let Some(w) = self.watcher.take() {
            let _ = w.join();
        }
    }
}
