//! `o2check collect`: capture this node's evidence into a bundle directory.

use crate::cli::CollectArgs;
use o2check_checks::collect::collect;
use o2check_checks::source::{Live, Source};
use std::time::Duration;

pub fn run(args: CollectArgs) -> u8 {
    let live = Live::new(Duration::from_secs(args.command_timeout));
    eprintln!(
        "o2check: collecting {} into {} ...",
        live.node(),
        args.out.display()
    );
    match collect(&live, &args.out, Duration::from_millis(args.tcp_timeout_ms)) {
        Ok(s) => {
            println!(
                "collected {} files, {} command outputs, {} TCP probes into {} ({} not present{})",
                s.files,
                s.commands,
                s.probes,
                args.out.display(),
                s.missing,
                if s.timed_out.is_empty() {
                    String::new()
                } else {
                    format!("; timed out: {}", s.timed_out.join(", "))
                }
            );
            0
        }
        Err(e) => {
            eprintln!("o2check: cannot collect into {}: {e}", args.out.display());
            2
        }
    }
}
