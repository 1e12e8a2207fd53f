//! What a check sees of one node: its evidence source plus helpers that turn raw
//! bytes into labelled [`Text`], so evidence quoted in a report always says where it
//! came from.

use crate::error::EvidenceError;
use crate::source::{CommandOutput, Source};
use crate::text::Text;
use std::time::Duration;

/// Knobs a user may set for a run (`o2check run --min-paths 4`).
#[derive(Debug, Clone)]
pub struct Options {
    /// Paths each multipath map backing OCFS2 must have `active ready running`.
    pub min_paths: usize,
    /// Multipath maps to check even when no mounted OCFS2 volume uses them.
    pub multipath_maps: Vec<String>,
    /// Bound for each TCP connection attempt (o2net port probes).
    pub tcp_timeout: Duration,
    /// Largest clock difference between nodes that `clock-skew` accepts.
    pub max_clock_skew: Duration,
    /// Which kernel-log events count as current (`--since`); `None`: everything
    /// since the last relevant change (see [`crate::kernlog::history`]).
    pub since: Option<crate::kernlog::history::Since>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            min_paths: 2,
            multipath_maps: Vec::new(),
            tcp_timeout: Duration::from_secs(2),
            max_clock_skew: Duration::from_secs(1),
            since: None,
        }
    }
}

/// One node's evidence, as handed to checks.
pub struct NodeCtx<'a> {
    pub source: &'a dyn Source,
    pub options: &'a Options,
    /// The other nodes' evidence when several are known (cluster mode, several
    /// bundles). A check may consult it to say where a fault lies (a peer's own
    /// firewall explains why this node cannot reach it); the verdict is still
    /// about this node.
    pub peers: Vec<&'a dyn Source>,
}

/// A command's output as text, with its exit code.
#[derive(Debug, Clone)]
pub struct CommandText {
    pub stdout: Text,
    pub stderr: String,
    pub exit_code: Option<i32>,
}

impl<'a> NodeCtx<'a> {
    pub fn new(source: &'a dyn Source, options: &'a Options) -> Self {
        NodeCtx {
            source,
            options,
            peers: Vec::new(),
        }
    }

    /// This node's context with the other nodes' evidence.
    pub fn with_peers(mut self, peers: Vec<&'a dyn Source>) -> Self {
        self.peers = peers;
        self
    }

    /// A context for one of the peers, to run the same logic on its evidence.
    pub fn peer(&self, source: &'a dyn Source) -> NodeCtx<'a> {
        NodeCtx::new(source, self.options)
    }

    /// The node's name as reports show it.
    pub fn node(&self) -> &str {
        self.source.node()
    }

    /// A host file as text (`/etc/ocfs2/cluster.conf`).
    pub fn file(&self, path: &str) -> Result<Text, EvidenceError> {
        let bytes = self.source.read_file(path)?;
        Ok(Text::from_bytes(path, &bytes))
    }

    /// The first of `paths` that exists (`/etc/default/o2cb` or `/etc/sysconfig/o2cb`).
    /// Observed absent only when every path is; otherwise the weakest answer
    /// (not collected, unreadable) of the paths not found.
    pub fn first_file(&self, paths: &[&str]) -> Result<Text, EvidenceError> {
        let mut worst: Option<EvidenceError> = None;
        for path in paths {
            match self.file(path) {
                Ok(t) => return Ok(t),
                Err(e) => worst = Some(worst.map_or(e.clone(), |w| w.weaker(e))),
            }
        }
        let what = paths.join(" or ");
        Err(worst
            .unwrap_or(EvidenceError::Absent { what: what.clone() })
            .about(what))
    }

    /// A command's output; its exit code is kept because several ocfs2 tools report
    /// state through it (`o2cb cluster-status` exits 1 when offline).
    pub fn command(&self, argv: &[&str]) -> Result<CommandText, EvidenceError> {
        let CommandOutput {
            stdout,
            stderr,
            exit_code,
        } = self.source.command(argv)?;
        Ok(CommandText {
            stdout: Text::from_bytes(crate::kernlog::lines::command_origin(argv), &stdout),
            stderr: String::from_utf8_lossy(&stderr).into_owned(),
            exit_code,
        })
    }

    /// The node's hostname as o2cb sees it (`uname -n`, i.e. gethostname()).
    pub fn hostname(&self) -> Result<Text, EvidenceError> {
        self.fact(|f| &f.hostname, || self.read_hostname())
    }

    fn read_hostname(&self) -> Result<Text, EvidenceError> {
        let command = match self.command(&["uname", "-n"]) {
            Ok(out) if !out.stdout.content.trim().is_empty() => return Ok(trimmed(out.stdout)),
            Ok(out) => EvidenceError::Absent {
                what: out.stdout.origin,
            },
            Err(e) => e,
        };
        let mut worst = command;
        for path in ["/proc/sys/kernel/hostname", "/etc/hostname"] {
            match self.file(path) {
                Ok(t) if !t.content.trim().is_empty() => return Ok(trimmed(t)),
                Ok(_) => {}
                Err(e) => worst = worst.weaker(e),
            }
        }
        Err(worst.about("the hostname (`uname -n`, /proc/sys/kernel/hostname or /etc/hostname)"))
    }
}

fn trimmed(t: Text) -> Text {
    Text::new(t.origin, t.content.trim().to_string())
}
