//! Cluster mode's evidence from the command line: where the fetched bundles go
//! (a scratch directory, or `--save-bundles`), Ctrl-C clean-up, and the progress
//! lines; the fetching itself is `o2check_cluster::gather`, which hands each
//! node's bundle to the caller's per-node work as it arrives.

use crate::cluster_args::{self, ClusterArgs};
use crate::early::Early;
use crate::error::Error;
use o2check_checks::source::Source;
use o2check_cluster::deploy::{DeployMode, Payload};
use o2check_cluster::gather::{self, Plan};
use o2check_cluster::Transport;
use std::path::Path;

pub use o2check_cluster::gather::{dir_name, Arrival, Reach};

/// Every reached node's evidence, and how reaching each went.
pub struct ClusterSources {
    pub sources: Vec<Box<dyn Source>>,
    /// What [`Arrived`] made of each source, in `sources` order.
    pub early: Vec<Option<Early>>,
    /// Each source's position in the node list.
    pub index: Vec<usize>,
    pub reach: Vec<Reach>,
    /// Holds the fetched bundles for the run unless --save-bundles keeps them.
    pub scratch: Option<tempfile::TempDir>,
}

/// Arguments every node's `o2check collect` gets.
pub struct CollectSettings {
    pub command_timeout: u64,
    pub tcp_timeout_ms: u64,
}

/// Per-node work run on each node's bundle as soon as it is in, with the number
/// of nodes in the run: its checks (see [`crate::early`]), or nothing.
pub type Arrived<'a> = dyn Fn(&Arrival, usize) -> Option<Early> + Sync + 'a;

/// For commands that run no per-node checks (why, timeline).
pub fn nothing_early(_: &Arrival, _: usize) -> Option<Early> {
    None
}

pub fn open(
    args: &ClusterArgs,
    collect: &CollectSettings,
    save: Option<&Path>,
    arrived: &Arrived<'_>,
) -> Result<ClusterSources, Error> {
    let nodes = args.nodes().map_err(Error::Evidence)?;
    let payload = match args.deploy.into() {
        DeployMode::Never => Payload::from_bytes(&cluster_args::version_line(), Vec::new()),
        _ => args.payload().map_err(Error::Evidence)?,
    };
    let (base, scratch) = match save {
        Some(dir) => {
            std::fs::create_dir_all(dir).map_err(|source| Error::Create {
                what: dir.display().to_string(),
                source,
            })?;
            (dir.to_path_buf(), None)
        }
        None => {
            let t = tempfile::Builder::new()
                .prefix("o2check-cluster-")
                .tempdir()
                .map_err(|source| Error::Create {
                    what: "a scratch directory".into(),
                    source,
                })?;
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
    let plan = Plan {
        transport: transport.as_ref(),
        payload: &payload,
        deploy: args.deploy.into(),
        installed: &args.remote_o2check,
        remote_dir: &args.remote_dir,
        node_timeout: args.node_timeout(),
        limits: args.stream_limits(),
        parallel: args.parallel,
        collect_args: vec![
            "--command-timeout".into(),
            collect.command_timeout.to_string(),
            "--tcp-timeout-ms".into(),
            collect.tcp_timeout_ms.to_string(),
        ],
        reference,
        base: &base,
        keep_on_disk: save.is_some(),
    };
    let count = nodes.len();
    let gathered = gather::gather(&nodes, &plan, &|line| eprintln!("{line}"), &|a| {
        arrived(a, count)
    });
    Ok(ClusterSources {
        sources: gathered.sources,
        early: gathered.early,
        index: gathered.index,
        reach: gathered.reach,
        scratch,
    })
}
