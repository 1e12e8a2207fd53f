//! Writes executable stand-ins (for ssh and the like) without racing `exec`.
//!
//! Why a helper process: the test harness runs tests on many threads that all
//! spawn children. If this process held a file open for writing while another
//! thread forked, the forked child would inherit that write descriptor until
//! its own `exec` closed it (O_CLOEXEC only acts at exec), and running the
//! script in that window fails with ETXTBSY ("Text file busy"). Under load that
//! window is long enough to hit (it made `cluster_cli.rs` flaky). A short-lived
//! `sh` that writes the file from a pipe is the only process that ever holds
//! it open for writing, and it forks nothing else while it does.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

/// Writes `text` to `path` with mode 0755, through a helper process.
pub fn write_executable(path: &Path, text: &str) {
    let mut child = Command::new("sh")
        .args(["-c", r#"cat > "$1" && chmod 755 "$1""#, "sh"])
        .arg(path)
        .stdin(Stdio::piped())
        .spawn()
        .expect("sh runs");
    child
        .stdin
        .take()
        .expect("piped stdin")
        .write_all(text.as_bytes())
        .expect("script written to the helper");
    let status = child.wait().expect("helper waited for");
    assert!(
        status.success(),
        "writing {} failed: {status}",
        path.display()
    );
}

/// Writes a stand-in for ssh to `path`: it skips ssh's options as o2check
/// passes them, succeeds at once on `-O` (ControlMaster checks and exits), and
/// runs `body` with `$node` (the destination after `--`) and `$cmd` (the remote
/// command) set.
#[allow(
    dead_code,
    reason = "not every test binary that shares support/ uses it"
)]
pub fn write_ssh(path: &Path, body: &str) {
    let script = format!(
        r#"#!/bin/sh
while [ "$#" -gt 0 ] && [ "$1" != "--" ]; do
  [ "$1" = "-O" ] && exit 0
  shift
done
node=$2; cmd=$3
{body}"#
    );
    write_executable(path, &script);
}
