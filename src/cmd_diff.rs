//! `o2check diff OLD.json NEW.json`: what a nightly job or a change ticket needs
//! to know about two runs; the comparison is [`o2check_reports::diff`].

use crate::cli::DiffArgs;
use o2check_reports::write::atomic_write;
use o2check_reports::{json, RunReport};
use std::path::Path;

/// Exit codes: 0 nothing new fails, 1 something new fails, 2 unreadable input.
pub fn run(args: DiffArgs) -> u8 {
    let (old, new) = match (read(&args.old), read(&args.new)) {
        (Ok(o), Ok(n)) => (o, n),
        (Err(e), _) | (_, Err(e)) => {
            eprintln!("o2check: {e}");
            return 2;
        }
    };
    let d = o2check_reports::diff::diff(&old, &new);
    print!("{}", d.to_text());
    if let Some(path) = &args.json {
        if let Err(e) = atomic_write(path, &d.to_json()) {
            eprintln!("o2check: cannot write {}: {e}", path.display());
            return 2;
        }
    }
    d.exit_code()
}

fn read(path: &Path) -> Result<RunReport, String> {
    const LIMIT: u64 = 256 * 1024 * 1024;
    let md = std::fs::metadata(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    if !md.is_file() || md.len() > LIMIT {
        return Err(format!(
            "{} is not a results.json of at most 256 MiB",
            path.display()
        ));
    }
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    json::from_json(&bytes)
        .map_err(|e| format!("{} is not an o2check results.json: {e}", path.display()))
}
