//! `o2check diff OLD.json NEW.json`: what a nightly job or a change ticket needs
//! to know about two runs; the comparison is [`o2check_reports::diff`].

use crate::cli::DiffArgs;
use crate::error::{Error, Exit};
use o2check_reports::write::atomic_write;
use o2check_reports::{json, RunReport};
use std::path::Path;

/// Exit codes: 0 nothing new fails, 1 something new fails, 2 unreadable input.
pub fn run(args: DiffArgs) -> Exit {
    let (old, new) = (read(&args.old)?, read(&args.new)?);
    let d = o2check_reports::diff::diff(&old, &new);
    print!("{}", d.to_text());
    if let Some(path) = &args.json {
        atomic_write(path, &d.to_json()).map_err(Error::write(path))?;
    }
    Ok(d.exit_code())
}

fn read(path: &Path) -> Result<RunReport, Error> {
    const LIMIT: u64 = 256 * 1024 * 1024;
    let cannot_read =
        |e: std::io::Error| Error::Input(format!("cannot read {}: {e}", path.display()));
    let md = std::fs::metadata(path).map_err(cannot_read)?;
    if !md.is_file() || md.len() > LIMIT {
        return Err(Error::Input(format!(
            "{} is not a results.json of at most 256 MiB",
            path.display()
        )));
    }
    let bytes = std::fs::read(path).map_err(cannot_read)?;
    json::from_json(&bytes).map_err(|e| {
        Error::Input(format!(
            "{} is not an o2check results.json: {e}",
            path.display()
        ))
    })
}
