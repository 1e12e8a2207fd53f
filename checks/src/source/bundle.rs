//! A bundle: a directory captured from a node earlier (`o2check collect`), read
//! offline exactly as the live host would be. Layout (the README documents it):
//! host files at their host paths (`etc/ocfs2/cluster.conf`, `proc/mounts`,
//! `sys/kernel/config/cluster/...`), command outputs in `commands/<name>` (see
//! [`super::command_file_name`]) with stderr in `commands/<name>.stderr`, and
//! `meta.json` with the host, the time, exit codes and TCP probes, and
//! `manifest.json` (see [`super::manifest`]) with what collect tried.
//! A sosreport directory is read through its `sos_commands/` layout.
//!
//! What the bundle lacks is observed absent only when the manifest says collect
//! looked and found nothing; otherwise it is not collected, with what to collect.

use super::confined::{Confined, ConfinedError, Kind};
use super::manifest::{Manifest, MANIFEST_FILE};
use super::names::command_file_name;
use super::sosreport;
use super::{CommandOutput, Source, TcpProbe};
use crate::error::EvidenceError;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::net::SocketAddrV4;
use std::path::{Component, Path, PathBuf};
use std::time::Duration;

/// How one command ended when it was collected.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq)]
pub struct CommandRecord {
    pub argv: Vec<String>,
    #[serde(default)]
    pub exit_code: Option<i32>,
    #[serde(default)]
    pub timed_out: bool,
    #[serde(default)]
    pub millis: u64,
    /// When collect started the command (RFC 3339); absent in older bundles.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_at: Option<String>,
}

/// A TCP connection attempted at collection time (the `o2net-port` check's evidence).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct TcpProbeRecord {
    pub addr: String,
    pub connected: bool,
    #[serde(default)]
    pub error: Option<String>,
    #[serde(default)]
    pub millis: u64,
}

/// The node's clock against the machine that collected it (cluster mode), measured
/// as NTP does: the sample with the shortest round trip, offset from its midpoint.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct ClockRecord {
    /// The host whose clock is the reference (the coordinator).
    pub reference: String,
    /// Node clock minus reference clock, in milliseconds.
    pub offset_ms: f64,
    /// Round trip of the best sample: the offset is known to within half of it.
    pub rtt_ms: f64,
}

/// `meta.json`: which host, when, and how each command ended.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct BundleMeta {
    pub host: String,
    #[serde(default)]
    pub collected_at: Option<String>,
    #[serde(default)]
    pub o2check_version: Option<String>,
    /// Keyed by the command's file name under `commands/`.
    #[serde(default)]
    pub commands: BTreeMap<String, CommandRecord>,
    #[serde(default)]
    pub tcp_probes: Vec<TcpProbeRecord>,
    /// Set by `o2check run --cluster`; absent in bundles collected on their own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clock: Option<ClockRecord>,
    /// Free text: how this bundle was made (a lab capture, hand-made from upstream format strings...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provenance: Option<String>,
}

/// Evidence read from a bundle directory.
pub struct Bundle {
    root: PathBuf,
    /// Every read goes through it: nothing outside `root` is reached.
    fs: Confined,
    node: String,
    meta: BundleMeta,
    /// `None` for bundles without one: then no absence is observed.
    manifest: Option<Manifest>,
    sos: bool,
}

impl Bundle {
    /// Open `root`. Fails only when it is not a readable directory or its meta.json
    /// is present but unreadable; a hand-made bundle without meta.json is fine.
    pub fn open(root: &Path) -> Result<Bundle, EvidenceError> {
        let what = format!("bundle {}", root.display());
        let md = std::fs::metadata(root).map_err(|e| EvidenceError::Io {
            what: what.clone(),
            error: e.to_string(),
        })?;
        if !md.is_dir() {
            return Err(EvidenceError::Io {
                what,
                error: "not a directory".into(),
            });
        }
        let fs = Confined::open(root).map_err(|e| EvidenceError::Io {
            what: what.clone(),
            error: e.to_string(),
        })?;
        Bundle::open_confined(root, fs)
    }

    /// A bundle read through `fs` (a directory, or a node's stream held in memory
    /// by [`Confined::over_memory`]); `root` is the directory it is shown as.
    pub fn open_confined(root: &Path, fs: Confined) -> Result<Bundle, EvidenceError> {
        let meta_path = root.join("meta.json");
        let meta: BundleMeta = match fs.read("meta.json") {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| EvidenceError::Io {
                what: meta_path.display().to_string(),
                error: format!("invalid meta.json: {e}"),
            })?,
            Err(ConfinedError::Missing { .. }) => BundleMeta::default(),
            Err(e) => return Err(e.into_evidence("meta.json")),
        };
        let manifest_path = root.join(MANIFEST_FILE);
        let manifest: Option<Manifest> = match fs.read(MANIFEST_FILE) {
            Ok(bytes) => Some(
                serde_json::from_slice(&bytes).map_err(|e| EvidenceError::Io {
                    what: manifest_path.display().to_string(),
                    error: format!("invalid {MANIFEST_FILE}: {e}"),
                })?,
            ),
            Err(ConfinedError::Missing { .. }) => None,
            Err(e) => return Err(e.into_evidence(MANIFEST_FILE)),
        };
        let sos = fs.kind("sos_commands") == Some(Kind::Dir);
        let mut bundle = Bundle {
            root: root.to_path_buf(),
            fs,
            node: String::new(),
            meta,
            manifest,
            sos,
        };
        bundle.node = bundle.guess_node_name();
        Ok(bundle)
    }

    pub fn meta(&self) -> &BundleMeta {
        &self.meta
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// What collect tried, when the bundle says.
    pub fn manifest(&self) -> Option<&Manifest> {
        self.manifest.as_ref()
    }

    /// Why host path `path` is not in the bundle: what the manifest says, else
    /// not collected, with where the file would go.
    fn file_gap(&self, path: &str) -> EvidenceError {
        if let Some(gap) = self.manifest.as_ref().and_then(|m| m.file_gap(path, path)) {
            return gap;
        }
        let rel = path.trim_start_matches('/');
        let collect = if self.sos {
            sosreport::file_hint(path)
        } else if self.manifest.is_some() {
            format!("{path} (this bundle's collect did not read it; copy it from the node to {rel} in the bundle)")
        } else {
            format!("{path} from the node (copy it to {rel} in the bundle, or run `o2check collect` there)")
        };
        EvidenceError::NotCollected {
            what: path.to_string(),
            collect,
        }
    }

    /// Why the output of `argv` (file `name` under commands/) is not in the bundle.
    fn command_gap(&self, argv: &[&str], name: &str) -> EvidenceError {
        let what = format!("`{}` output", argv.join(" "));
        if let Some(gap) = self
            .manifest
            .as_ref()
            .and_then(|m| m.command_gap(name, &what))
        {
            return gap;
        }
        // Bundles from before the manifest recorded timeouts in meta.json only.
        if self.meta.commands.get(name).is_some_and(|r| r.timed_out) {
            return EvidenceError::Timeout { what, seconds: 0 };
        }
        let collect = if self.sos {
            sosreport::command_hint(argv)
        } else {
            format!(
                "the output of `{}` on the node (save it as commands/{name} in the bundle, or run `o2check collect` there)",
                argv.join(" ")
            )
        };
        EvidenceError::NotCollected { what, collect }
    }

    /// meta.json's host, else the captured hostname, else the directory name.
    fn guess_node_name(&self) -> String {
        if !self.meta.host.trim().is_empty() {
            return self.meta.host.trim().to_string();
        }
        let from_command = self.command(&["uname", "-n"]).ok().map(|o| o.stdout);
        let from_file = || self.read_file("/etc/hostname").ok();
        let from_sos = || self.read_file("/sos_commands/host/hostname").ok();
        for bytes in [from_command, from_file(), from_sos()]
            .into_iter()
            .flatten()
        {
            let name = String::from_utf8_lossy(&bytes).trim().to_string();
            if !name.is_empty() && !name.contains('\n') {
                return name;
            }
        }
        self.root
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "bundle".to_string())
    }

    /// Map a host path into the bundle, refusing `..` so a crafted path cannot leave it.
    fn host_path(&self, path: &str) -> Result<PathBuf, EvidenceError> {
        self.bundle_path(path)
            .ok_or_else(|| EvidenceError::Unsupported {
                what: path.to_string(),
                why: "the path leaves the bundle".into(),
            })
    }

    fn bundle_path(&self, path: &str) -> Option<PathBuf> {
        let rel = Path::new(path.trim_start_matches('/'));
        if rel.components().any(|c| !matches!(c, Component::Normal(_))) {
            return None;
        }
        Some(rel.to_path_buf())
    }
}

/// Read bundle file `rel` (relative to the root); `Ok(None)` when the bundle does
/// not hold it. Logs and command outputs keep their tail under the size cap,
/// anything else must fit.
fn read(fs: &Confined, rel: &Path, what: &str) -> Result<Option<Vec<u8>>, EvidenceError> {
    let rel = rel.to_string_lossy();
    let tail = rel.starts_with("var/log/")
        || rel.starts_with("commands/")
        || rel.starts_with("sos_commands/");
    let read = if tail {
        fs.read_tail(&rel)
    } else {
        fs.read(&rel)
    };
    match read {
        Ok(bytes) => Ok(Some(bytes)),
        Err(ConfinedError::Missing { .. }) => Ok(None),
        Err(e) => Err(e.into_evidence(what)),
    }
}

impl Source for Bundle {
    fn node(&self) -> &str {
        &self.node
    }

    fn describe(&self) -> String {
        let kind = if self.sos { "sosreport" } else { "bundle" };
        format!("{kind}:{}", self.root.display())
    }

    fn read_file(&self, path: &str) -> Result<Vec<u8>, EvidenceError> {
        let full = self.host_path(path)?;
        read(&self.fs, &full, path)?.ok_or_else(|| self.file_gap(path))
    }

    fn open_log(&self, path: &str) -> Option<Result<std::fs::File, EvidenceError>> {
        let full = match self.host_path(path) {
            Ok(full) => full,
            Err(e) => return Some(Err(e)),
        };
        Some(match self.fs.open_regular(&full.to_string_lossy()) {
            Ok((file, _)) => Ok(file),
            Err(ConfinedError::Missing { .. }) => Err(self.file_gap(path)),
            Err(e) => Err(e.into_evidence(path)),
        })
    }

    fn open_command_log(&self, argv: &[&str]) -> Option<Result<std::fs::File, EvidenceError>> {
        // The same file, gap and timeout record as `command`, in the same order.
        let name = command_file_name(argv);
        let what = format!("`{}` output", argv.join(" "));
        let own = Path::new("commands").join(&name);
        let path = if self.fs.kind(&own.to_string_lossy()).is_some() {
            own
        } else {
            match self
                .sos
                .then(|| sosreport::find_command(&self.fs, argv))
                .flatten()
            {
                Some(found) => found,
                None => return Some(Err(self.command_gap(argv, &name))),
            }
        };
        let file = match self.fs.open_regular(&path.to_string_lossy()) {
            Ok((file, _)) => file,
            Err(ConfinedError::Missing { .. }) => return Some(Err(self.command_gap(argv, &name))),
            Err(e) => return Some(Err(e.into_evidence(&what))),
        };
        if self.meta.commands.get(&name).is_some_and(|r| r.timed_out) {
            return Some(Err(EvidenceError::Timeout { what, seconds: 0 }));
        }
        Some(Ok(file))
    }

    fn list_dir(&self, path: &str) -> Result<Vec<String>, EvidenceError> {
        let full = self.host_path(path)?;
        self.fs
            .list_dir(&full.to_string_lossy())
            .map_err(|e| match e {
                ConfinedError::Missing { .. } => self.file_gap(path),
                e => e.into_evidence(path),
            })
    }

    fn command(&self, argv: &[&str]) -> Result<CommandOutput, EvidenceError> {
        let name = command_file_name(argv);
        let what = format!("`{}` output", argv.join(" "));
        let path = Path::new("commands").join(&name);
        let stdout = match read(&self.fs, &path, &what)? {
            Some(bytes) => bytes,
            None => {
                let found = self
                    .sos
                    .then(|| sosreport::find_command(&self.fs, argv))
                    .flatten()
                    .ok_or_else(|| self.command_gap(argv, &name))?;
                read(&self.fs, &found, &what)?.ok_or_else(|| self.command_gap(argv, &name))?
            }
        };
        let record = self.meta.commands.get(&name);
        if record.is_some_and(|r| r.timed_out) {
            return Err(EvidenceError::Timeout { what, seconds: 0 });
        }
        let stderr = read(
            &self.fs,
            &Path::new("commands").join(format!("{name}.stderr")),
            &what,
        )
        .ok()
        .flatten()
        .unwrap_or_default();
        Ok(CommandOutput {
            stdout,
            stderr,
            exit_code: record.and_then(|r| r.exit_code),
        })
    }

    fn clock(&self) -> Option<ClockRecord> {
        self.meta.clock.clone()
    }

    fn taken_at(&self) -> Option<chrono::DateTime<chrono::Utc>> {
        rfc3339(self.meta.collected_at.as_deref()?)
    }
    fn command_taken_at(&self, argv: &[&str]) -> Option<chrono::DateTime<chrono::Utc>> {
        self.meta
            .commands
            .get(&command_file_name(argv))
            .and_then(|r| rfc3339(r.started_at.as_deref()?))
            .or_else(|| self.taken_at())
    }

    fn tcp_probe(&self, addr: SocketAddrV4, _timeout: Duration) -> Result<TcpProbe, EvidenceError> {
        let wanted = addr.to_string();
        match self.meta.tcp_probes.iter().find(|p| p.addr == wanted) {
            Some(p) => Ok(TcpProbe {
                addr,
                connected: p.connected,
                error: p.error.clone(),
                millis: p.millis,
            }),
            None => Err(EvidenceError::Unsupported {
                what: format!("TCP probe to {wanted}"),
                why: "not recorded in this bundle (probes run only live or at collect time)".into(),
            }),
        }
    }
}

fn rfc3339(at: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    chrono::DateTime::parse_from_rfc3339(at)
        .ok()
        .map(|t| t.with_timezone(&chrono::Utc))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bundle_with(files: &[(&str, &str)]) -> (tempfile::TempDir, Bundle) {
        let dir = tempfile::tempdir().unwrap();
        for (path, content) in files {
            let full = dir.path().join(path);
            std::fs::create_dir_all(full.parent().unwrap()).unwrap();
            std::fs::write(full, content).unwrap();
        }
        let b = Bundle::open(dir.path()).unwrap();
        (dir, b)
    }

    #[test]
    fn reads_files_commands_and_exit_codes() {
        let meta = r#"{"host":"n150.ocfs2.test","commands":{"o2cb_cluster-status":{"argv":["o2cb","cluster-status"],"exit_code":1}}}"#;
        let (_d, b) = bundle_with(&[
            ("meta.json", meta),
            ("etc/ocfs2/cluster.conf", "cluster:\n"),
            (
                "commands/o2cb_cluster-status",
                "Cluster 'o2lab' is offline\n",
            ),
        ]);
        assert_eq!(b.node(), "n150.ocfs2.test");
        assert_eq!(
            b.read_file("/etc/ocfs2/cluster.conf").unwrap(),
            b"cluster:\n"
        );
        let out = b.command(&["o2cb", "cluster-status"]).unwrap();
        assert_eq!(out.exit_code, Some(1));
        assert!(b.read_file("/etc/hosts").unwrap_err().is_missing());
    }

    #[test]
    fn refuses_paths_that_leave_the_bundle() {
        let (_d, b) = bundle_with(&[("etc/hostname", "n1\n")]);
        assert!(b.read_file("/../../etc/passwd").is_err());
        assert_eq!(b.node(), "n1");
    }

    #[test]
    fn invalid_meta_json_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("meta.json"), "{not json").unwrap();
        let err = Bundle::open(dir.path()).err().unwrap();
        assert!(err.to_string().contains("invalid meta.json"), "{err}");
    }

    #[test]
    fn unrecorded_probe_is_unsupported_not_failed() {
        let (_d, b) = bundle_with(&[("etc/hostname", "n1\n")]);
        let err = b
            .tcp_probe("10.0.0.1:7777".parse().unwrap(), Duration::from_secs(1))
            .unwrap_err();
        assert!(err.is_missing());
    }
}
