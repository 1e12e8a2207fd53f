//! Turning `--bundle` arguments (or their absence) into evidence sources.

use o2check_checks::source::{Bundle, Cached, Live, Source};
use std::path::PathBuf;
use std::time::Duration;

/// One source per node: each bundle, or the live host when none is given.
pub fn open(
    bundles: &[PathBuf],
    command_timeout: Duration,
) -> Result<Vec<Box<dyn Source>>, String> {
    if bundles.is_empty() {
        return Ok(vec![Box::new(Cached::new(Live::new(command_timeout)))]);
    }
    let mut sources: Vec<Box<dyn Source>> = Vec::new();
    for dir in bundles {
        let bundle = Bundle::open(dir).map_err(|e| format!("cannot open bundle: {e}"))?;
        sources.push(Box::new(Cached::new(bundle)));
    }
    let mut names: Vec<&str> = sources.iter().map(|s| s.node()).collect();
    names.sort_unstable();
    if let Some(w) = names.windows(2).find(|w| w[0] == w[1]) {
        return Err(format!(
            "two bundles are for the same node {}; give each node once",
            w[0]
        ));
    }
    Ok(sources)
}

/// [`open`], printing the error for the command line; `None` means exit 2.
pub fn open_or_report(
    bundles: &[PathBuf],
    command_timeout_secs: u64,
) -> Option<Vec<Box<dyn Source>>> {
    open(bundles, Duration::from_secs(command_timeout_secs))
        .map_err(|e| eprintln!("o2check: {e}"))
        .ok()
}
