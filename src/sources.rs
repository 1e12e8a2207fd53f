//! Turning `--bundle` arguments, cluster flags, or neither into evidence sources.

use crate::cluster_args::ClusterArgs;
use crate::cluster_sources::{self, Arrived, CollectSettings, Reach};
use crate::early::Early;
use crate::error::Error;
use o2check_checks::source::{Bundle, Cached, Live, Source};
use o2check_cluster::archive::{self, Unpacked};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// One evidence source per node.
pub type Sources = Vec<Box<dyn Source>>;

/// A bundle directory, or an archive of one (or of a sosreport) unpacked into a
/// private directory that lives as long as the returned [`Unpacked`].
pub fn open_bundle(path: &Path) -> Result<(Bundle, Option<Unpacked>), Error> {
    let unpacked = if path.is_dir() {
        None
    } else {
        Some(archive::unpack(path, &archive::limits())?)
    };
    let root = unpacked.as_ref().map_or(path, |u| u.root.as_path());
    let bundle = Bundle::open(root)?;
    Ok((bundle, unpacked))
}

/// One source per node: each bundle (directory or archive), or the live host
/// when none is given; the unpacked archives must outlive the sources.
pub fn open(
    bundles: &[PathBuf],
    command_timeout: Duration,
) -> Result<(Sources, Vec<Unpacked>), Error> {
    if bundles.is_empty() {
        return Ok((
            vec![Box::new(Cached::new(Live::new(command_timeout)))],
            Vec::new(),
        ));
    }
    let mut sources: Vec<Box<dyn Source>> = Vec::new();
    let mut archives = Vec::new();
    for path in bundles {
        let (bundle, unpacked) = open_bundle(path)?;
        sources.push(Box::new(Cached::new(bundle)));
        archives.extend(unpacked);
    }
    let mut names: Vec<&str> = sources.iter().map(|s| s.node()).collect();
    names.sort_unstable();
    if let Some(w) = names.windows(2).find(|w| w[0] == w[1]) {
        return Err(Error::SameNode(w[0].to_string()));
    }
    Ok((sources, archives))
}

/// The evidence of a run: live, bundles, or a whole cluster over ssh.
pub struct Opened {
    pub sources: Vec<Box<dyn Source>>,
    /// Cluster mode: how reaching each node went.
    pub reach: Vec<Reach>,
    /// Cluster mode: per-node results computed as each node arrived.
    pub early: Vec<Option<Early>>,
    /// `live`, `bundle` or `cluster`, for reports.
    pub mode: &'static str,
    /// Keeps fetched bundles until the run ends.
    _scratch: Option<tempfile::TempDir>,
    /// Keeps unpacked archives until the run ends.
    _archives: Vec<Unpacked>,
}

/// Where a command takes its evidence from.
pub struct Wanted<'a> {
    pub bundles: &'a [PathBuf],
    pub cluster: bool,
    pub cluster_args: &'a ClusterArgs,
    pub command_timeout: u64,
    pub tcp_timeout_ms: u64,
    pub save_bundles: Option<&'a Path>,
    /// Cluster mode: each node's work as its bundle arrives.
    pub arrived: &'a Arrived<'a>,
}

impl<'a> Wanted<'a> {
    /// What `why` and `timeline` read: bundles, the cluster, or this host, with
    /// the default TCP probe timeout and no bundles kept.
    pub fn reading(
        bundles: &'a [PathBuf],
        cluster: bool,
        cluster_args: &'a ClusterArgs,
        command_timeout: u64,
    ) -> Self {
        Wanted {
            bundles,
            cluster,
            cluster_args,
            command_timeout,
            tcp_timeout_ms: 2000,
            save_bundles: None,
            arrived: &cluster_sources::nothing_early,
        }
    }

    /// Cluster mode when asked, or when nodes are named.
    pub fn is_cluster(&self) -> bool {
        self.cluster || self.cluster_args.nodes.is_some() || self.cluster_args.inventory.is_some()
    }
}

/// Open what `w` asks for; the error is for the command line (exit 2).
pub fn open_wanted(w: &Wanted) -> Result<Opened, Error> {
    o2check_checks::source::confined::set_max_file(w.cluster_args.max_file_mib.max(1) << 20);
    if w.is_cluster() {
        let settings = CollectSettings {
            command_timeout: w.command_timeout,
            tcp_timeout_ms: w.tcp_timeout_ms,
        };
        let c = cluster_sources::open(w.cluster_args, &settings, w.save_bundles, w.arrived)?;
        return Ok(Opened {
            sources: c.sources,
            reach: c.reach,
            early: c.early,
            mode: "cluster",
            _scratch: c.scratch,
            _archives: Vec::new(),
        });
    }
    let (sources, archives) = open(w.bundles, Duration::from_secs(w.command_timeout))?;
    Ok(Opened {
        sources,
        reach: Vec::new(),
        early: Vec::new(),
        mode: if w.bundles.is_empty() {
            "live"
        } else {
            "bundle"
        },
        _scratch: None,
        _archives: archives,
    })
}
