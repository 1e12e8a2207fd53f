//! `o2check collect`: capture this node's evidence into a bundle directory, or
//! stream it as a tar archive on stdout (`--out -`, how cluster mode brings a
//! node's bundle back over ssh without a temporary copy left on the node).

use crate::cli::CollectArgs;
use crate::error::{Error, Exit};
use o2check_checks::collect::{collect, CollectSummary};
use o2check_checks::source::{Live, Source};
use std::io::Write;
use std::path::Path;
use std::time::Duration;

pub fn run(args: CollectArgs) -> Exit {
    let live = Live::new(Duration::from_secs(args.command_timeout));
    let tcp_timeout = Duration::from_millis(args.tcp_timeout_ms);
    if args.out.as_os_str() == "-" {
        return to_stdout(&live, tcp_timeout);
    }
    eprintln!(
        "o2check: collecting {} into {} ...",
        live.node(),
        args.out.display()
    );
    let s = collect(&live, &args.out, tcp_timeout).map_err(|source| Error::Collect {
        into: format!("into {}", args.out.display()),
        source,
    })?;
    println!("{}", describe(&s, &args.out));
    Ok(0)
}

fn describe(s: &CollectSummary, out: &Path) -> String {
    format!(
        "collected {} files, {} command outputs, {} TCP probes into {} ({} absent on the node{}{}; manifest.json records each)",
        s.files,
        s.commands,
        s.probes,
        out.display(),
        s.absent,
        if s.failed.is_empty() {
            String::new()
        } else {
            format!("; failed: {}", s.failed.join(", "))
        },
        if s.timed_out.is_empty() {
            String::new()
        } else {
            format!("; timed out: {}", s.timed_out.join(", "))
        }
    )
}

/// Collect into a private temporary directory, then write it as tar to stdout.
fn to_stdout(live: &Live, tcp_timeout: Duration) -> Exit {
    let result = (|| -> std::io::Result<CollectSummary> {
        let tmp = tempfile::Builder::new()
            .prefix("o2check-collect-")
            .tempdir()?;
        let dir = tmp.path().join("bundle");
        let summary = collect(live, &dir, tcp_timeout)?;
        let stdout = std::io::stdout();
        let mut tar = tar::Builder::new(stdout.lock());
        // Symlinks in /sys trees were read as files by collect; none are followed here.
        tar.follow_symlinks(false);
        tar.append_dir_all(".", &dir)?;
        tar.into_inner()?.flush()?;
        Ok(summary)
    })();
    let s = result.map_err(|source| Error::Collect {
        into: "to stdout".into(),
        source,
    })?;
    eprintln!("o2check: {}", describe(&s, Path::new("stdout (tar)")));
    Ok(0)
}
