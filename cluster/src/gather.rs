//! Cluster mode's evidence: every node's bundle fetched over the transport at
//! once (deploy if asked, collect, clock), then opened like any bundle. A node
//! that cannot be reached, or whose o2check cannot run, becomes a `node-reachable`
//! error; the others go on. The caller (the CLI) decides where bundles go, prints
//! the progress lines it is handed and cleans up on Ctrl-C.
//!
//! Pipelined: each node's bundle is opened, and handed to the caller's
//! `arrived` work (its per-node checks), in the node's own worker as soon as it
//! is in, while slower nodes are still collecting; after the last node only what
//! needs every node (cross-node checks, reports) is left.

use crate::deploy::{self, Deploy, DeployMode, Payload, Remote};
use crate::fanout::map_nodes;
use crate::remote_bundle::{self, FetchSettings, Fetched};
use crate::untrusted_tar::{Hold, Limits};
use crate::{Node, Transport, TransportError};
use o2check_checks::source::confined::Confined;
use o2check_checks::source::{Bundle, Cached, Source};
use o2check_reports::untrusted_text::escape_controls;
use o2check_reports::Evidence;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How reaching one node went, reported as the `node-reachable` check.
#[derive(Clone)]
pub struct Reach {
    /// The node's hostname when reached, else its inventory name.
    pub node: String,
    pub outcome: Result<String, String>,
    pub evidence: Vec<Evidence>,
}

/// Every reached node's evidence, what `arrived` made of it and its position in
/// the node list (both in `sources` order), and how reaching each node went.
pub struct Gathered<T> {
    pub sources: Vec<Box<dyn Source>>,
    pub early: Vec<T>,
    pub index: Vec<usize>,
    pub reach: Vec<Reach>,
}

/// A node whose bundle is in, as `arrived` sees it in the node's worker.
pub struct Arrival<'a> {
    /// Its position in the node list.
    pub index: usize,
    /// Its evidence (shared: the caller may keep it for work of its own).
    pub source: &'a Arc<dyn Source>,
    /// How reaching it went (a success).
    pub reach: &'a Reach,
}

/// What to do on every node.
pub struct Plan<'a> {
    pub transport: &'a dyn Transport,
    pub payload: &'a Payload,
    pub deploy: DeployMode,
    /// The installed o2check (`--remote-o2check`).
    pub installed: &'a str,
    /// Where a deployed copy goes on the node (`--remote-dir`).
    pub remote_dir: &'a str,
    /// The node's whole budget: deploy, collect and clock share it.
    pub node_timeout: Duration,
    /// Caps on each node's stream.
    pub limits: Limits,
    /// Nodes worked on at once.
    pub parallel: usize,
    /// Passed to every node's `collect` (`--command-timeout 20`...).
    pub collect_args: Vec<String>,
    /// This host's name, the clock reference.
    pub reference: String,
    /// Each node's bundle goes to `<base>/<node>`.
    pub base: &'a Path,
    /// Whole directories under `base` (kept for later), rather than the small
    /// files held in memory for this run only.
    pub keep_on_disk: bool,
}

/// Fetch every node's bundle; `progress` gets one line per node as it is done,
/// and `arrived` runs on each opened bundle in that node's worker (it counts
/// against `--parallel` like the fetch; the node's timeout covers the fetch only).
pub fn gather<T: Send>(
    nodes: &[Node],
    plan: &Plan,
    progress: &(dyn Fn(&str) + Sync),
    arrived: &(dyn Fn(&Arrival) -> T + Sync),
) -> Gathered<T> {
    let describe = plan.transport.describe();
    let indexed: Vec<(usize, &Node)> = nodes.iter().enumerate().collect();
    let settings = FetchSettings {
        program: String::new(),
        collect_args: plan.collect_args.clone(),
        timeout: plan.node_timeout,
        limits: plan.limits.clone(),
        reference: plan.reference.clone(),
        // Saved bundles are directories a user opens later; a run's own are
        // read once, so their small files need not touch the disk.
        hold: (!plan.keep_on_disk).then(Hold::default),
    };
    let results = map_nodes(&indexed, plan.parallel, |&(index, node)| {
        let started = Instant::now();
        let r = reach_one(node, plan, &settings);
        let millis = started.elapsed().as_millis() as u64;
        let r = r.and_then(|(f, remote)| {
            let source: Arc<dyn Source> = Arc::new(Cached::new(open_bundle(node, &f)?));
            let reach = Reach {
                node: source.node().to_string(),
                outcome: Ok(reached_summary(node, &f, &remote, millis)),
                evidence: vec![Evidence::note(
                    format!("{} via {describe}", node.name),
                    format!("o2check on the node: {}", remote.program),
                )],
            };
            let early = arrived(&Arrival {
                index,
                source: &source,
                reach: &reach,
            });
            Ok((f, source, reach, early))
        });
        match &r {
            Ok((f, ..)) => progress(&format!(
                "  {}: collected in {:.1} s",
                node.name,
                f.millis as f64 / 1000.0
            )),
            // The error quotes the node's own stderr: no control characters from it.
            Err(e) => progress(&format!(
                "  {}: {}",
                node.name,
                escape_controls(&e.to_string())
            )),
        }
        r
    });
    let mut out = Gathered {
        sources: Vec::new(),
        early: Vec::new(),
        index: Vec::new(),
        reach: Vec::new(),
    };
    for (index, (node, result)) in nodes.iter().zip(results).enumerate() {
        match result {
            Ok((_, source, reach, early)) => {
                let name = source.node().to_string();
                if out.sources.iter().any(|s| s.node() == name) {
                    out.reach.push(Reach {
                        node: node.name.clone(),
                        outcome: Err(format!("{} answers as host {name}, which another inventory entry already is; list each node once", node.name)),
                        evidence: Vec::new(),
                    });
                    continue;
                }
                out.reach.push(reach);
                out.sources.push(Box::new(source));
                out.early.push(early);
                out.index.push(index);
            }
            Err(e) => out.reach.push(Reach {
                node: node.name.clone(),
                outcome: Err(e.to_string()),
                evidence: Vec::new(),
            }),
        }
    }
    out
}

fn reach_one(
    node: &Node,
    plan: &Plan,
    settings: &FetchSettings,
) -> Result<(Fetched, Remote), TransportError> {
    let t = plan.transport;
    let started = Instant::now();
    let remote = deploy::ensure(
        t,
        node,
        plan.payload,
        &Deploy {
            mode: plan.deploy,
            installed: plan.installed,
            remote_dir: plan.remote_dir,
            timeout: plan.node_timeout,
        },
    )?;
    let dest: PathBuf = plan.base.join(dir_name(&node.name));
    if dest.exists() {
        std::fs::remove_dir_all(&dest).map_err(|e| TransportError::Local {
            what: format!("cannot replace {}", dest.display()),
            detail: e.to_string(),
        })?;
    }
    let s = FetchSettings {
        program: remote.program.clone(),
        timeout: settings.timeout.saturating_sub(started.elapsed()),
        ..settings.clone()
    };
    let fetched = remote_bundle::fetch(t, node, &s, &dest);
    t.release(node);
    Ok((fetched?, remote))
}

/// A node's directory under the bundle base: its name with anything that could
/// leave the directory (`/`, a leading `.`) replaced, so an odd cluster.conf or
/// inventory name cannot write elsewhere.
pub fn dir_name(node: &str) -> String {
    let safe: String = node
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "-_.@:".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    match safe.trim_start_matches('.') {
        "" => format!("node_{}", safe.len()),
        rest if rest.len() != safe.len() => format!("_{rest}"),
        _ => safe,
    }
}

fn open_bundle(node: &Node, f: &Fetched) -> Result<Bundle, TransportError> {
    let failed = |detail: String| TransportError::Failed {
        node: node.name.clone(),
        what: "opening the fetched bundle".into(),
        detail,
    };
    match &f.tree {
        Some(tree) => {
            let fs = Confined::open(&f.dir).map_err(|e| failed(e.to_string()))?;
            Bundle::open_confined(&f.dir, fs.over_memory(tree.clone()))
        }
        None => Bundle::open(&f.dir),
    }
    .map_err(|e| failed(e.to_string()))
}

fn reached_summary(node: &Node, f: &Fetched, remote: &Remote, millis: u64) -> String {
    let mut s = format!(
        "reached {} and collected its evidence in {:.1} s",
        node.destination(),
        millis as f64 / 1000.0
    );
    if remote.copied {
        s.push_str(&format!("; o2check copied to {}", remote.program));
    }
    if let Some(c) = &f.clock {
        s.push_str(&format!(
            "; clock {:+.1} ms (±{:.1})",
            c.offset_ms,
            c.rtt_ms / 2.0
        ));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::dir_name;

    #[test]
    fn node_directories_stay_inside_the_base() {
        assert_eq!(dir_name("n150.ocfs2.test"), "n150.ocfs2.test");
        assert_eq!(dir_name("../etc"), "__etc");
        assert_eq!(dir_name(".."), "node_2");
        assert_eq!(dir_name("a/b"), "a_b");
    }
}
