//! Cluster mode's evidence: every node's bundle fetched over the transport at
//! once, then opened like any bundle. A node that cannot be reached, or whose
//! o2check cannot run, becomes a `node-reachable` error; the others go on.

use crate::cluster_args::{self, ClusterArgs};
use o2check_checks::source::confined::Confined;
use o2check_checks::source::{Bundle, Cached, Source};
use o2check_cluster::deploy::{self, Deploy, DeployMode, Payload, Remote};
use o2check_cluster::fanout::map_nodes;
use o2check_cluster::remote_bundle::{self, FetchSettings, Fetched};
use o2check_cluster::untrusted_tar::Hold;
use o2check_cluster::{Node, Transport, TransportError};
use o2check_reports::untrusted_text::escape_controls;
use o2check_reports::Evidence;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// How reaching one node went, reported as the `node-reachable` check.
pub struct Reach {
    /// The node's hostname when reached, else its inventory name.
    pub node: String,
    pub outcome: Result<String, String>,
    pub evidence: Vec<Evidence>,
}

/// Every reached node's evidence, and how reaching each went.
pub struct ClusterSources {
    pub sources: Vec<Box<dyn Source>>,
    pub reach: Vec<Reach>,
    /// Holds the fetched bundles for the run unless --save-bundles keeps them.
    pub scratch: Option<tempfile::TempDir>,
}

/// Arguments every node's `o2check collect` gets.
pub struct CollectSettings {
    pub command_timeout: u64,
    pub tcp_timeout_ms: u64,
}

pub fn open(
    args: &ClusterArgs,
    collect: &CollectSettings,
    save: Option<&Path>,
) -> Result<ClusterSources, String> {
    let nodes = args.nodes()?;
    let payload = match args.deploy.into() {
        DeployMode::Never => Payload::from_bytes(&cluster_args::version_line(), Vec::new()),
        _ => args.payload()?,
    };
    let (base, scratch) = match save {
        Some(dir) => {
            std::fs::create_dir_all(dir)
                .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
            (dir.to_path_buf(), None)
        }
        None => {
            let t = tempfile::Builder::new()
                .prefix("o2check-cluster-")
                .tempdir()
                .map_err(|e| format!("cannot create a scratch directory: {e}"))?;
            (t.path().to_path_buf(), Some(t))
        }
    };
    let transport: std::sync::Arc<dyn Transport> = args.transport().into();
    // Ctrl-C while collecting: close the masters, remove the scratch bundles.
    let _on_interrupt = {
        let t = std::sync::Arc::downgrade(&transport);
        let scratch_dir = scratch.as_ref().map(|s| s.path().to_path_buf());
        crate::interrupt::OnInterrupt::new(move || {
            if let Some(t) = t.upgrade() {
                t.shutdown();
            }
            if let Some(d) = scratch_dir {
                let _ = std::fs::remove_dir_all(d);
            }
        })
    };
    let reference = nix::unistd::gethostname()
        .map(|h| h.to_string_lossy().into_owned())
        .unwrap_or_else(|_| "coordinator".into());
    eprintln!(
        "o2check: checking {} node(s) over {} ...",
        nodes.len(),
        transport.describe()
    );
    let settings = FetchSettings {
        program: String::new(),
        collect_args: vec![
            "--command-timeout".into(),
            collect.command_timeout.to_string(),
            "--tcp-timeout-ms".into(),
            collect.tcp_timeout_ms.to_string(),
        ],
        timeout: args.node_timeout(),
        limits: args.stream_limits(),
        reference,
        // Saved bundles are directories a user opens later; a run's own are
        // read once, so their small files need not touch the disk.
        hold: save.is_none().then(Hold::default),
    };
    let results = map_nodes(&nodes, args.parallel, |node| {
        let started = Instant::now();
        let r = reach_one(transport.as_ref(), node, args, &payload, &settings, &base);
        let millis = started.elapsed().as_millis() as u64;
        match &r {
            Ok((f, _)) => eprintln!(
                "  {}: collected in {:.1} s",
                node.name,
                f.millis as f64 / 1000.0
            ),
            // The error quotes the node's own stderr: no control characters from it.
            Err(e) => eprintln!("  {}: {}", node.name, escape_controls(&e.to_string())),
        }
        (r, millis)
    });
    let mut out = ClusterSources {
        sources: Vec::new(),
        reach: Vec::new(),
        scratch,
    };
    for (node, (result, millis)) in nodes.iter().zip(results) {
        match result.and_then(|(f, remote)| open_bundle(node, &f).map(|b| (b, f, remote))) {
            Ok((bundle, fetched, remote)) => {
                let name = bundle.node().to_string();
                if out.sources.iter().any(|s| s.node() == name) {
                    out.reach.push(Reach {
                        node: node.name.clone(),
                        outcome: Err(format!("{} answers as host {name}, which another inventory entry already is; list each node once", node.name)),
                        evidence: Vec::new(),
                    });
                    continue;
                }
                out.reach.push(Reach {
                    node: name,
                    outcome: Ok(reached_summary(node, &fetched, &remote, millis)),
                    evidence: vec![Evidence::note(
                        format!("{} via {}", node.name, transport.describe()),
                        format!("o2check on the node: {}", remote.program),
                    )],
                });
                out.sources.push(Box::new(Cached::new(bundle)));
            }
            Err(e) => out.reach.push(Reach {
                node: node.name.clone(),
                outcome: Err(e.to_string()),
                evidence: Vec::new(),
            }),
        }
    }
    Ok(out)
}

fn reach_one(
    t: &dyn Transport,
    node: &Node,
    args: &ClusterArgs,
    payload: &Payload,
    settings: &FetchSettings,
    base: &Path,
) -> Result<(Fetched, Remote), TransportError> {
    // --node-timeout is the node's whole budget: deploy, collect and clock share it.
    let started = Instant::now();
    let remote = deploy::ensure(
        t,
        node,
        payload,
        &Deploy {
            mode: args.deploy.into(),
            installed: &args.remote_o2check,
            remote_dir: &args.remote_dir,
            timeout: args.node_timeout(),
        },
    )?;
    let dest: PathBuf = base.join(dir_name(&node.name));
    if dest.exists() {
        std::fs::remove_dir_all(&dest).map_err(|e| TransportError::Local {
            what: format!("cannot replace {}", dest.display()),
            detail: e.to_string(),
        })?;
    }
    let s = FetchSettings {
        program: remote.program.clone(),
        collect_args: settings.collect_args.clone(),
        timeout: settings.timeout.saturating_sub(started.elapsed()),
        limits: settings.limits.clone(),
        reference: settings.reference.clone(),
        hold: settings.hold.clone(),
    };
    let fetched = remote_bundle::fetch(t, node, &s, &dest);
    t.release(node);
    Ok((fetched?, remote))
}

/// A node's directory under the bundle base: its name with anything that could
/// leave the directory (`/`, a leading `.`) replaced, so an odd cluster.conf or
/// inventory name cannot write elsewhere.
pub(crate) fn dir_name(node: &str) -> String {
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
