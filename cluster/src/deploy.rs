//! Getting o2check onto a node without handing root to another local user. The
//! copy lives in a private directory (`<remote-dir>/o2check.<uid>`, ours, mode
//! 0700, every directory above it safe: see deploy/guard.sh), is written under an
//! unpredictable name (mktemp, O_EXCL) and renamed once its SHA-256 matches this
//! binary's, and an existing copy or an installed o2check is used only when it
//! hashes to this very binary. Nothing found on the node is ever run to find out
//! what it is: the old `--version` probe ran whatever a user had planted there.
//!
//! After [`ensure`] the program's path stays safe to exec: it sits in a directory
//! only its owner (root) can change, in a chain of directories no other user can
//! rename, so the hash checked here is the hash of what later runs.

use crate::inventory::Node;
use crate::transport::{Transport, TransportError};
use sha2::{Digest, Sha256};
use std::time::Duration;

/// The guard functions every step starts with, then the steps themselves.
const SCRIPT: &str = concat!(
    include_str!("deploy/guard.sh"),
    include_str!("deploy/steps.sh")
);

/// The guard's exit status for "this place is not safe".
const UNSAFE: i32 = 3;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeployMode {
    /// The installed `o2check` when it is this very binary, else a copy.
    Auto,
    /// Always a copy of this binary.
    Always,
    /// Only what is installed (`--remote-o2check PATH`, default `o2check`), run as
    /// named: the administrator vouches for it.
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
    /// The first 12 hex digits of the SHA-256, for the copy's name.
    pub hash: String,
    /// The whole SHA-256 in hex, checked on the node.
    pub sha256: String,
}

impl Payload {
    /// The running executable. `version_line` is what `o2check --version` prints.
    pub fn current(version_line: &str) -> std::io::Result<Payload> {
        let bytes = std::fs::read("/proc/self/exe")
            .or_else(|_| std::env::current_exe().and_then(std::fs::read))?;
        Ok(Payload::from_bytes(version_line, bytes))
    }

    pub fn from_bytes(version_line: &str, bytes: Vec<u8>) -> Payload {
        let sha256: String = Sha256::digest(&bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        Payload {
            version_line: version_line.trim().to_string(),
            bytes,
            hash: sha256[..12].to_string(),
            sha256,
        }
    }

    /// The copy's file name in the private directory.
    fn file_name(&self) -> String {
        let version = self
            .version_line
            .rsplit(' ')
            .next()
            .filter(|v| {
                !v.is_empty()
                    && v.chars()
                        .all(|c| c.is_ascii_alphanumeric() || ".-+_".contains(c))
            })
            .unwrap_or("unknown");
        format!("o2check-{version}-{}", self.hash)
    }
}

/// Settings for [`ensure`].
pub struct Deploy<'a> {
    pub mode: DeployMode,
    /// The program for `Never` and the one `Auto` tries first.
    pub installed: &'a str,
    /// Where the private directory goes on the node (absolute).
    pub remote_dir: &'a str,
    /// For the whole of [`ensure`], all steps together.
    pub timeout: Duration,
}

/// The private directory under `remote_dir` for the node's user `uid`.
pub fn private_dir(remote_dir: &str, uid: &str) -> String {
    format!("{}/o2check.{uid}", remote_dir.trim_end_matches('/'))
}

/// `remote_dir` must be absolute and plain: no `.`/`..`, nothing a shell or a
/// reader of the report could misread.
fn check_remote_dir(node: &Node, dir: &str) -> Result<(), TransportError> {
    let plain = dir.starts_with('/')
        && dir.split('/').all(|c| c != "." && c != "..")
        && dir
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "/._-+".contains(c));
    if plain {
        Ok(())
    } else {
        Err(TransportError::Failed {
            node: node.name.clone(),
            what: "deploying o2check".into(),
            detail: format!("--remote-dir {dir:?} must be an absolute path of plain names"),
        })
    }
}

/// Make sure `node` can run this o2check; return how to call it.
pub fn ensure(
    t: &dyn Transport,
    node: &Node,
    payload: &Payload,
    d: &Deploy,
) -> Result<Remote, TransportError> {
    if d.mode == DeployMode::Never {
        return Ok(Remote {
            program: d.installed.to_string(),
            copied: false,
        });
    }
    check_remote_dir(node, d.remote_dir)?;
    let deadline = std::time::Instant::now() + d.timeout;
    let step = |words: &[&str], input: Option<Vec<u8>>| -> Result<String, TransportError> {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        if left.is_zero() {
            return Err(TransportError::Timeout {
                node: node.name.clone(),
                what: "deploying o2check".into(),
                seconds: d.timeout.as_secs(),
            });
        }
        run_step(t, node, words, input, left)
    };
    if d.mode == DeployMode::Auto {
        let answer = step(&["installed", d.installed, &payload.sha256], None)?;
        if let Some(path) = answer.strip_prefix("match ") {
            return Ok(Remote {
                program: path.to_string(),
                copied: false,
            });
        }
    }
    let uid = step(&["uid"], None)?;
    if uid.is_empty() || !uid.bytes().all(|b| b.is_ascii_digit()) {
        return Err(TransportError::Failed {
            node: node.name.clone(),
            what: "deploying o2check".into(),
            detail: format!("`id -u` answered {uid:?}"),
        });
    }
    let dir = private_dir(d.remote_dir, &uid);
    let name = payload.file_name();
    let path = format!("{dir}/{name}");
    let copied = match step(&["probe", &dir, &name, &payload.sha256], None)?.as_str() {
        "present" => false,
        _ => {
            step(
                &["install", &dir, &name, &payload.sha256],
                Some(payload.bytes.clone()),
            )?;
            true
        }
    };
    // Now verified, run once: a binary for another CPU or libc fails here, clearly.
    let left = deadline.saturating_duration_since(std::time::Instant::now());
    let out = t.run(node, &[path.clone(), "--version".into()], None, left)?;
    let got = String::from_utf8_lossy(&out.stdout).trim().to_string();
    if out.exit_code != Some(0) || got != payload.version_line {
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
        copied,
    })
}

/// One step of deploy/steps.sh on the node; its last line of output.
fn run_step(
    t: &dyn Transport,
    node: &Node,
    words: &[&str],
    input: Option<Vec<u8>>,
    timeout: Duration,
) -> Result<String, TransportError> {
    let argv: Vec<String> = if words == ["uid"] {
        vec!["id".into(), "-u".into()]
    } else {
        let mut a = vec![
            "sh".into(),
            "-c".into(),
            SCRIPT.into(),
            "o2check-deploy".into(),
        ];
        a.extend(words.iter().map(|w| w.to_string()));
        a
    };
    let out = t.run(node, &argv, input, timeout)?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let answer = stdout.lines().last().unwrap_or("").trim().to_string();
    if out.exit_code == Some(0) && !answer.is_empty() {
        return Ok(answer);
    }
    let detail = stderr
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("no message")
        .trim()
        .to_string();
    Err(TransportError::Failed {
        node: node.name.clone(),
        what: match out.exit_code {
            Some(UNSAFE) => "refusing to deploy o2check".into(),
            _ => format!("deploying o2check ({})", words[0]),
        },
        detail,
    })
}

#[cfg(test)]
#[path = "deploy/tests.rs"]
mod tests;
