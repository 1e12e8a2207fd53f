//! Getting o2check onto a node: use the copy installed there when it is this very
//! version, else copy this binary over the transport into a content-addressed path
//! (`/var/tmp/o2check-<version>-<hash>`), so repeated runs copy nothing and two
//! versions never overwrite each other. Only the o2check binary is written.

use crate::inventory::Node;
use crate::transport::{Transport, TransportError};
use sha2::{Digest, Sha256};
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeployMode {
    /// The installed `o2check` when its `--version` is ours, else a copy of this binary.
    Auto,
    /// Always a copy of this binary.
    Always,
    /// Only what is installed (`--remote-o2check PATH`, default `o2check`).
    Never,
}

/// The o2check to call on a node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Remote {
    pub program: String,
    /// True when this run copied the binary there.
    pub copied: bool,
}

/// What to deploy: this binary's bytes, version line and content hash.
pub struct Payload {
    pub version_line: String,
    pub bytes: Vec<u8>,
    pub hash: String,
}

impl Payload {
    /// The running executable. `version_line` is what `o2check --version` prints.
    pub fn current(version_line: &str) -> std::io::Result<Payload> {
        let bytes = std::fs::read("/proc/self/exe")
            .or_else(|_| std::env::current_exe().and_then(std::fs::read))?;
        Ok(Payload::from_bytes(version_line, bytes))
    }

    pub fn from_bytes(version_line: &str, bytes: Vec<u8>) -> Payload {
        let digest = Sha256::digest(&bytes);
        let hash = digest[..6].iter().map(|b| format!("{b:02x}")).collect();
        Payload {
            version_line: version_line.trim().to_string(),
            bytes,
            hash,
        }
    }

    fn remote_path(&self, dir: &str) -> String {
        let version = self
            .version_line
            .rsplit(' ')
            .next()
            .filter(|v| !v.is_empty())
            .unwrap_or("unknown");
        format!(
            "{}/o2check-{version}-{}",
            dir.trim_end_matches('/'),
            self.hash
        )
    }
}

/// Settings for [`ensure`].
pub struct Deploy<'a> {
    pub mode: DeployMode,
    /// The program for `Never` and the one `Auto` tries first.
    pub installed: &'a str,
    /// Where copies go on the node.
    pub remote_dir: &'a str,
    pub timeout: Duration,
}

/// Make sure `node` can run this o2check; return how to call it.
pub fn ensure(
    t: &dyn Transport,
    node: &Node,
    payload: &Payload,
    d: &Deploy,
) -> Result<Remote, TransportError> {
    let installed = || Remote {
        program: d.installed.to_string(),
        copied: false,
    };
    match d.mode {
        DeployMode::Never => return Ok(installed()),
        DeployMode::Auto
            if version_of(t, node, d.installed, d.timeout)? == payload.version_line =>
        {
            return Ok(installed())
        }
        _ => {}
    }
    let path = payload.remote_path(d.remote_dir);
    if version_of(t, node, &path, d.timeout)? == payload.version_line {
        return Ok(Remote {
            program: path,
            copied: false,
        });
    }
    // Written under a temporary name and renamed, so a concurrent run or an
    // interrupted copy never leaves a half-written binary under the final name.
    let script = "umask 022; mkdir -p \"${1%/*}\" && cat >\"$1.tmp.$$\" && chmod 755 \"$1.tmp.$$\" && mv -f \"$1.tmp.$$\" \"$1\"";
    let argv = ["sh", "-c", script, "sh", &path].map(String::from);
    let out = t.run(node, &argv, Some(payload.bytes.clone()), d.timeout)?;
    if out.exit_code != Some(0) {
        return Err(TransportError::Failed {
            node: node.name.clone(),
            what: format!("copying o2check to {path}"),
            detail: String::from_utf8_lossy(&out.stderr).trim().to_string(),
        });
    }
    let got = version_of(t, node, &path, d.timeout)?;
    if got != payload.version_line {
        return Err(TransportError::Failed {
            node: node.name.clone(),
            what: format!("running the copied {path}"),
            detail: format!(
                "it printed `{got}` (another CPU architecture or libc, or a noexec {}?)",
                d.remote_dir
            ),
        });
    }
    Ok(Remote {
        program: path,
        copied: true,
    })
}

/// What `program --version` prints on the node, empty when it does not run.
fn version_of(
    t: &dyn Transport,
    node: &Node,
    program: &str,
    timeout: Duration,
) -> Result<String, TransportError> {
    let out = t.run(
        node,
        &[program.to_string(), "--version".into()],
        None,
        timeout,
    )?;
    Ok(if out.exit_code == Some(0) {
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    } else {
        String::new()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transport::Local;

    /// A stand-in "o2check" script, deployed with the Local transport into a temp dir.
    fn fake(version: &str) -> Payload {
        Payload::from_bytes(
            &format!("o2check {version}"),
            format!("#!/bin/sh\necho 'o2check {version}'\n").into_bytes(),
        )
    }

    #[test]
    fn copies_once_then_reuses_and_checks_it_runs() {
        let dir = tempfile::tempdir().unwrap();
        let d = Deploy {
            mode: DeployMode::Auto,
            installed: "o2check-not-installed-anywhere",
            remote_dir: dir.path().to_str().unwrap(),
            timeout: Duration::from_secs(10),
        };
        let node = Node::named("n1");
        let p = fake("9.9.9");
        let first = ensure(&Local, &node, &p, &d).unwrap();
        assert!(first.copied);
        assert!(first
            .program
            .ends_with(&format!("o2check-9.9.9-{}", p.hash)));
        let second = ensure(&Local, &node, &p, &d).unwrap();
        assert_eq!(second.program, first.program);
        assert!(!second.copied, "a second run copies nothing");
        // An installed copy of the same version is used as is.
        let d2 = Deploy {
            installed: &first.program,
            ..d
        };
        assert_eq!(
            ensure(&Local, &node, &p, &d2).unwrap().program,
            first.program
        );
    }

    #[test]
    fn a_binary_that_does_not_run_there_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let d = Deploy {
            mode: DeployMode::Always,
            installed: "o2check",
            remote_dir: dir.path().to_str().unwrap(),
            timeout: Duration::from_secs(10),
        };
        let broken = Payload::from_bytes("o2check 1.0.0", b"\x7fELF garbage".to_vec());
        let err = ensure(&Local, &Node::named("n1"), &broken, &d).unwrap_err();
        assert!(err.to_string().contains("architecture"), "{err}");
    }
}
