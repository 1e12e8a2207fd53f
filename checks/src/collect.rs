//! `o2check collect`: capture a bundle from a source (normally the live host) so a
//! support engineer can run every check offline, exactly as on the node. The
//! bundle is written to a staging directory next to the target and renamed into
//! place at the end, so a half-collected bundle never looks complete. Every file,
//! tree and command tried is recorded with how it ended in `manifest.json`, so an
//! offline run can tell what the node lacks from what the bundle lacks.

pub mod plan;

use crate::error::EvidenceError;
use crate::source::manifest::{Manifest, Outcome, MANIFEST_FILE};
use crate::source::{command_file_name, BundleMeta, CommandRecord, Source, TcpProbeRecord};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

pub use plan::{log_files, static_commands, static_files, sys_trees};

/// Log files larger than this keep only their tail: the recent past is what
/// explains a failure, and a bundle must stay small enough to mail.
const MAX_LOG_BYTES: usize = 64 * 1024 * 1024;

/// What a collection did, for the console.
#[derive(Debug, Default)]
pub struct CollectSummary {
    pub files: usize,
    pub commands: usize,
    /// Files and commands the node does not have (recorded absent).
    pub absent: usize,
    /// Reads and commands that failed otherwise (permission, I/O), with why:
    /// offline they are errors, never "not present".
    pub failed: Vec<String>,
    pub timed_out: Vec<String>,
    pub probes: usize,
}

/// Capture everything the checks read from `source` into the new directory `out`.
pub fn collect(
    source: &dyn Source,
    out: &Path,
    tcp_timeout: Duration,
) -> std::io::Result<CollectSummary> {
    if out.exists() && std::fs::read_dir(out)?.next().is_some() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::AlreadyExists,
            format!("{} exists and is not empty", out.display()),
        ));
    }
    let parent = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent)?;
    let staging = tempfile::Builder::new()
        .prefix(".o2check-collect-")
        .tempdir_in(parent)?;
    let mut writer = Writer {
        root: staging.path().to_path_buf(),
        summary: CollectSummary::default(),
        manifest: Manifest::new(),
    };
    let mut meta = BundleMeta {
        host: source.node().to_string(),
        collected_at: Some(chrono::Utc::now().to_rfc3339()),
        o2check_version: Some(env!("CARGO_PKG_VERSION").to_string()),
        provenance: Some(format!("o2check collect from {}", source.describe())),
        ..BundleMeta::default()
    };
    for path in static_files() {
        writer.copy_file(source, path, None)?;
    }
    for tree in sys_trees() {
        writer.copy_tree_root(source, tree, 6)?;
    }
    for path in plan::entry_files(source) {
        writer.copy_file(source, &path, None)?;
    }
    for log in writer.log_files(source)? {
        writer.copy_file(source, &log, Some(MAX_LOG_BYTES))?;
    }
    let commands = plan::node_plan(source);
    // A device whose read timed out is not read again: on a dm-multipath map that
    // queues with no paths every read blocks in D state until the deadline, and
    // the per-device debugfs requests would each wait it out.
    let mut hung: Vec<&str> = Vec::new();
    for argv in &commands {
        let argv: Vec<&str> = argv.iter().map(String::as_str).collect();
        let dev = argv.last().copied().filter(|a| a.starts_with("/dev/"));
        match dev {
            Some(d) if hung.contains(&d) => writer.skip_command(
                &argv,
                &format!("an earlier read of {d} timed out"),
                &mut meta,
            ),
            _ => {
                if writer.run_command(source, &argv, &mut meta)? == Ran::TimedOut {
                    hung.extend(dev);
                }
            }
        }
    }
    let options = crate::Options::default();
    // Only where o2net itself connects, and not where it already is connected:
    // any other connection to an o2net port is logged by the peer's kernel.
    let ctx = crate::NodeCtx::new(source, &options);
    for (from, addr) in crate::rules::o2net_targets::collect_probes(&ctx) {
        let probe = match from {
            Some(ip) => source.tcp_probe_from(ip, addr, tcp_timeout),
            None => source.tcp_probe(addr, tcp_timeout),
        };
        if let Ok(p) = probe {
            writer.summary.probes += 1;
            meta.tcp_probes.push(TcpProbeRecord {
                addr: p.addr.to_string(),
                connected: p.connected,
                error: p.error,
                millis: p.millis,
            });
        }
    }
    let json = serde_json::to_vec_pretty(&meta).map_err(std::io::Error::other)?;
    std::fs::write(writer.root.join("meta.json"), json)?;
    let json = serde_json::to_vec_pretty(&writer.manifest).map_err(std::io::Error::other)?;
    std::fs::write(writer.root.join(MANIFEST_FILE), json)?;
    let summary = writer.summary;
    // Until the rename succeeds the staging directory is removed on any failure
    // (TempDir's drop): a failed collect leaves nothing behind.
    if out.exists() {
        std::fs::remove_dir(out)?;
    }
    std::fs::rename(staging.path(), out)?;
    let _ = staging.keep();
    Ok(summary)
}

/// How a command ran: to its end (whatever its exit), or into its deadline.
#[derive(PartialEq, Eq)]
enum Ran {
    Done,
    TimedOut,
}

struct Writer {
    root: PathBuf,
    summary: CollectSummary,
    manifest: Manifest,
}

impl Writer {
    /// Kernel logs present on the node, rotated copies included. The base names
    /// not there are recorded absent, and `/var/log` is kept (empty) in the
    /// bundle, so an offline run knows the node had no such log.
    fn log_files(&mut self, source: &dyn Source) -> std::io::Result<Vec<String>> {
        let names = match source.list_dir("/var/log") {
            Ok(names) => names,
            Err(e) => {
                self.manifest
                    .files
                    .insert("/var/log".into(), Outcome::from_error(&e));
                return Ok(Vec::new());
            }
        };
        std::fs::create_dir_all(self.target("/var/log"))?;
        self.manifest
            .files
            .insert("/var/log".into(), Outcome::found());
        let bases = log_files();
        for base in &bases {
            if !names.iter().any(|n| n == base) {
                self.manifest.files.insert(
                    format!("/var/log/{base}"),
                    Outcome::from_error(&EvidenceError::Absent {
                        what: format!("/var/log/{base}"),
                    }),
                );
            }
        }
        Ok(names
            .iter()
            .filter(|n| bases.iter().any(|base| plan::is_log_or_rotation(n, base)))
            .map(|n| format!("/var/log/{n}"))
            .collect())
    }

    fn target(&self, host_path: &str) -> PathBuf {
        self.root.join(host_path.trim_start_matches('/'))
    }

    fn write(&self, rel: &Path, bytes: &[u8]) -> std::io::Result<()> {
        if let Some(parent) = rel.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(rel, bytes)
    }

    fn copy_file(
        &mut self,
        source: &dyn Source,
        path: &str,
        cap: Option<usize>,
    ) -> std::io::Result<()> {
        // A log is read as its tail: a 1 GB kern.log never sits in memory whole.
        let read = match cap {
            Some(c) => source.read_tail(path, c),
            None => source.read_file(path).map(|b| {
                let len = b.len() as u64;
                (b, len)
            }),
        };
        match read {
            Ok((bytes, total)) => {
                self.write(&self.target(path), &bytes)?;
                self.summary.files += 1;
                let mut outcome = Outcome::found();
                if total > bytes.len() as u64 {
                    outcome.detail =
                        Some(format!("kept the last {} of {total} bytes", bytes.len()));
                }
                self.manifest.files.insert(path.to_string(), outcome);
            }
            Err(e) => {
                self.manifest
                    .files
                    .insert(path.to_string(), Outcome::from_error(&e));
                self.note_missing(&e);
            }
        }
        Ok(())
    }

    /// Walk a tree and record how the walk of its root went.
    fn copy_tree_root(
        &mut self,
        source: &dyn Source,
        dir: &str,
        depth: u32,
    ) -> std::io::Result<()> {
        match source.list_dir(dir) {
            Ok(_) => {
                self.manifest
                    .trees
                    .insert(dir.to_string(), Outcome::found());
                self.copy_tree(source, dir, depth)
            }
            Err(e) => {
                self.manifest
                    .trees
                    .insert(dir.to_string(), Outcome::from_error(&e));
                Ok(())
            }
        }
    }

    /// Copy a /sys or configfs tree; `depth` bounds the walk (configfs is shallow).
    fn copy_tree(&mut self, source: &dyn Source, dir: &str, depth: u32) -> std::io::Result<()> {
        let Ok(entries) = source.list_dir(dir) else {
            return Ok(());
        };
        std::fs::create_dir_all(self.target(dir))?;
        for name in entries {
            let path = format!("{}/{}", dir.trim_end_matches('/'), name);
            match source.read_file(&path) {
                Ok(bytes) => {
                    self.write(&self.target(&path), &bytes)?;
                    self.summary.files += 1;
                }
                // A directory cannot be read as a file; walk into it instead.
                Err(e) => match source.list_dir(&path) {
                    Ok(_) if depth > 0 => self.copy_tree(source, &path, depth - 1)?,
                    // Deeper than the walk goes: not collected, not absent.
                    Ok(_) => {}
                    Err(_) => {
                        self.manifest
                            .files
                            .insert(path.clone(), Outcome::from_error(&e));
                    }
                },
            }
        }
        Ok(())
    }

    /// Record `argv` as timed out without running it (`why` says what hung before it).
    fn skip_command(&mut self, argv: &[&str], why: &str, meta: &mut BundleMeta) {
        let name = command_file_name(argv);
        let e = EvidenceError::Timeout {
            what: format!("command `{}` (not run: {why})", argv.join(" ")),
            seconds: 0,
        };
        self.summary.timed_out.push(argv.join(" "));
        meta.commands.insert(
            name.clone(),
            CommandRecord {
                argv: argv.iter().map(|a| a.to_string()).collect(),
                exit_code: None,
                timed_out: true,
                millis: 0,
                started_at: None,
            },
        );
        self.manifest.commands.insert(name, Outcome::from_error(&e));
    }

    fn run_command(
        &mut self,
        source: &dyn Source,
        argv: &[&str],
        meta: &mut BundleMeta,
    ) -> std::io::Result<Ran> {
        let name = command_file_name(argv);
        let started = Instant::now();
        let started_at = chrono::Utc::now().to_rfc3339();
        let record = |exit_code, timed_out| CommandRecord {
            argv: argv.iter().map(|a| a.to_string()).collect(),
            exit_code,
            timed_out,
            millis: started.elapsed().as_millis() as u64,
            started_at: Some(started_at.clone()),
        };
        match source.command(argv) {
            Ok(out) => {
                let dir = self.root.join("commands");
                self.write(&dir.join(&name), &out.stdout)?;
                if !out.stderr.is_empty() {
                    self.write(&dir.join(format!("{name}.stderr")), &out.stderr)?;
                }
                meta.commands
                    .insert(name.clone(), record(out.exit_code, false));
                self.manifest.commands.insert(name, Outcome::found());
                self.summary.commands += 1;
                Ok(Ran::Done)
            }
            Err(e) => {
                let timed_out = matches!(e, EvidenceError::Timeout { .. });
                if timed_out {
                    self.summary.timed_out.push(argv.join(" "));
                    meta.commands.insert(name.clone(), record(None, true));
                } else {
                    self.note_missing(&e);
                }
                self.manifest.commands.insert(name, Outcome::from_error(&e));
                Ok(if timed_out { Ran::TimedOut } else { Ran::Done })
            }
        }
    }

    fn note_missing(&mut self, e: &EvidenceError) {
        if e.is_unreadable() || !e.is_missing() {
            self.summary.failed.push(e.to_string());
        } else {
            self.summary.absent += 1;
        }
    }
}
