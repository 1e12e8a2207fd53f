//! `o2check fleet`: many clusters in one run. Every node's evidence is gathered
//! at once (over ssh from an inventory, or from a directory of collected
//! bundles), each node is placed in the o2cb cluster its own cluster.conf names
//! (see o2check_cluster::fleet), every cluster is checked on its own (cross-node
//! checks only between nodes of one cluster), several clusters at a time, and
//! each gets its reports; then the fleet summary (text, JSON, HTML).

use crate::cli::FleetArgs;
use crate::cluster_sources::{self, dir_name, Arrival, CollectSettings, Reach};
use crate::early::{self, Early};
use crate::error::{Error, Exit};
use crate::fleet_early::{self, EarlyClusters};
use crate::{cmd_run, output, sources, trials};
use chrono::Utc;
use o2check_checks::parse::o2cb_sysconfig;
use o2check_checks::source::{Cached, Source};
use o2check_checks::{rules, Options, Text};
use o2check_cluster::fanout::map_nodes;
use o2check_cluster::fleet::{self, Evidence, Placement};
use o2check_reports::facts::Facts;
use o2check_reports::fleet::{self as summary, ClusterRun, FleetSummary, Outcome, UnplacedNode};
use o2check_reports::write::atomic_write;
use o2check_reports::RunReport;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

/// Every node's evidence before it is placed.
struct Gathered {
    sources: Vec<Box<dyn Source>>,
    /// Per-node results computed as each node arrived, in `sources` order.
    early: Vec<Option<Early>>,
    /// Each source's position in the node list (or the bundle directory).
    index: Vec<usize>,
    reach: Vec<Reach>,
    /// Inputs that could not be read at all (a broken bundle): name and why.
    unreadable: Vec<(String, String)>,
    _scratch: Option<tempfile::TempDir>,
    _archives: Vec<o2check_cluster::archive::Unpacked>,
}

/// One cluster ready to check.
struct Group {
    label: String,
    /// Its nodes' positions in the node list (as [`fleet_early::Checked`] has them).
    indices: Vec<usize>,
    inputs: Arc<trials::Inputs>,
}

pub fn run(args: FleetArgs) -> Exit {
    run_fleet(args).map_err(|e| Error::Fleet(Box::new(e)))
}

fn run_fleet(args: FleetArgs) -> Exit {
    let started = Utc::now();
    let options = Options {
        min_paths: args.min_paths,
        multipath_maps: Vec::new(),
        tcp_timeout: Duration::from_millis(args.tcp_timeout_ms),
        max_clock_skew: Duration::from_millis(args.max_clock_skew_ms),
        since: None,
    };
    let mode = if args.bundle_dir.is_some() {
        "bundle"
    } else {
        "cluster"
    };
    let clusters = EarlyClusters::new(&options, mode, started, &args.out, |out, dir, report| {
        write_reports(out, dir, report).is_ok()
    });
    let gathered = gather(&args, &options, &clusters)?;
    // The scratch and unpacked directories hold the bundles the sources read
    // from, lazily: they must live until every cluster is checked.
    let Gathered {
        sources,
        early,
        index,
        reach,
        unreadable,
        _scratch,
        _archives,
    } = gathered;
    let (groups, mut unplaced, alone) = split(sources, early, &index, reach, unreadable, &options);
    // A cluster checked early stands when the final partition has exactly its
    // nodes and every one of them was reached; the others are checked now.
    let mut early_checked = clusters.take();
    let mut reused: Vec<Option<fleet_early::Checked>> = groups
        .iter()
        .map(|g| {
            let reached = g.inputs.reach.iter().all(|r| r.outcome.is_ok());
            let k = early_checked
                .iter()
                .position(|c| reached && c.indices == g.indices)?;
            Some(early_checked.swap_remove(k))
        })
        .collect();
    let to_check: Vec<&Group> = groups
        .iter()
        .zip(&reused)
        .filter(|(_, r)| r.is_none())
        .map(|(g, _)| g)
        .chain(&alone)
        .collect();
    let early_count = reused.iter().filter(|r| r.is_some()).count();
    eprintln!(
        "o2check fleet: {early_count} cluster(s) checked as their nodes came in; checking {} more and {} node(s) alone, at most {} at once",
        groups.len() - early_count,
        alone.len(),
        args.cluster_args.parallel
    );
    let mut fresh = map_nodes(&to_check, args.cluster_args.parallel, |g| {
        let jobs = trials::jobs(&g.inputs, rules::ALL, rules::CLUSTER);
        cmd_run::assemble(&g.inputs, trials::evaluate(jobs), mode, started)
    })
    .into_iter();
    let mut cluster_reports = Vec::new();
    for r in reused.iter_mut() {
        cluster_reports.push(match r.take() {
            Some(c) => (c.report, Some(c.dir)),
            None => (
                fresh.next().expect("a report per cluster checked now"),
                None,
            ),
        });
    }
    let alone_reports: Vec<RunReport> = fresh.collect();
    let mut runs = Vec::new();
    let mut written = Vec::new();
    for (g, (report, early_dir)) in groups.iter().zip(&cluster_reports) {
        let dir = dir_name(&g.label);
        let (json, junit) = match early_dir {
            Some(d) if *d == Path::new(&dir) => report_paths(&dir),
            _ => write_reports(&args.out, &dir, report)?,
        };
        written.push(PathBuf::from(&dir));
        runs.push(ClusterRun {
            name: &g.label,
            report,
            json,
            junit,
        });
    }
    // Reports written early for a cluster whose nodes turned out otherwise.
    let stale = early_checked
        .iter()
        .map(|c| &c.dir)
        .chain(cluster_reports.iter().filter_map(|(_, d)| d.as_ref()));
    for dir in stale.filter(|d| !written.contains(d)) {
        let (json, junit) = report_paths(&dir.to_string_lossy());
        let _ = std::fs::remove_file(args.out.join(json));
        let _ = std::fs::remove_file(args.out.join(junit));
        let _ = std::fs::remove_dir(args.out.join(dir));
    }
    for (g, report) in alone.iter().zip(&alone_reports) {
        let dir = format!("{ALONE_DIR}/{}", dir_name(&g.label));
        let (json, junit) = write_reports(&args.out, &dir, report)?;
        if let Some(u) = unplaced.iter_mut().find(|u| u.node == g.label) {
            u.alone = Some(Outcome::of(report, json, junit));
        }
    }
    let s = FleetSummary::build(
        env!("CARGO_PKG_VERSION"),
        started.to_rfc3339(),
        Utc::now().to_rfc3339(),
        &runs,
        unplaced,
    );
    let text = summary::to_text(&s);
    print!("{text}");
    let files: [(&str, Vec<u8>); 3] = [
        ("fleet.json", summary::to_json(&s)),
        ("fleet.txt", text.into_bytes()),
        ("fleet.html", summary::to_html(&s).into_bytes()),
    ];
    for (name, bytes) in files {
        let path = args.out.join(name);
        atomic_write(&path, &bytes).map_err(Error::write(&path))?;
    }
    eprintln!("o2check fleet: reports in {}", args.out.display());
    Ok(s.exit_code())
}

/// Where the reports of nodes checked on their own go, beneath `--out`.
const ALONE_DIR: &str = "nodes-alone";

/// `report` as `<dir>/results.json` and `<dir>/junit.xml` beneath `out`;
/// returns both paths relative to `out`.
fn write_reports(out: &Path, dir: &str, report: &RunReport) -> Result<(String, String), Error> {
    let (json, junit) = report_paths(dir);
    let targets = output::Targets::json_junit(out.join(&json), out.join(&junit));
    output::files(report, &Facts::default(), &targets)?;
    Ok((json, junit))
}

/// `<dir>/results.json` and `<dir>/junit.xml`.
fn report_paths(dir: &str) -> (String, String) {
    (format!("{dir}/results.json"), format!("{dir}/junit.xml"))
}

fn gather(
    args: &FleetArgs,
    options: &Options,
    clusters: &EarlyClusters,
) -> Result<Gathered, Error> {
    if let Some(dir) = &args.bundle_dir {
        return from_bundle_dir(dir);
    }
    let a = &args.cluster_args;
    if a.nodes.is_none() && a.inventory.is_none() {
        return Err(Error::Input(
            "say where the fleet is: --inventory FILE, --nodes HOSTLIST or --bundle-dir DIR".into(),
        ));
    }
    let settings = CollectSettings {
        command_timeout: args.command_timeout,
        tcp_timeout_ms: args.tcp_timeout_ms,
    };
    // Each node's per-node checks run as its bundle arrives, against as many
    // peers as its cluster.conf gives its cluster (checked again at the end).
    let arrived = |a: &Arrival, _nodes: usize| {
        let source = a.source.as_ref();
        let placed = placement(source);
        let peers = expected_peers(&placed, source.node());
        let early = early::early(source, options, rules::ALL, peers, &|_| true);
        clusters.arrived(a, placed, Some(early.clone()));
        Some(early)
    };
    let c = cluster_sources::open(a, &settings, args.save_bundles.as_deref(), &arrived)?;
    Ok(Gathered {
        sources: c.sources,
        early: c.early,
        index: c.index,
        reach: c.reach,
        unreadable: Vec::new(),
        _scratch: c.scratch,
        _archives: Vec::new(),
    })
}

/// Every bundle in `dir` (one per node: directories as `fleet --save-bundles`
/// leaves them, archives as the Ansible fleet playbook fetches them), in name order.
fn from_bundle_dir(dir: &Path) -> Result<Gathered, Error> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| Error::Input(format!("cannot read {}: {e}", dir.display())))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    let mut g = Gathered {
        sources: Vec::new(),
        early: Vec::new(),
        index: Vec::new(),
        reach: Vec::new(),
        unreadable: Vec::new(),
        _scratch: None,
        _archives: Vec::new(),
    };
    for path in entries {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if name.starts_with('.') {
            continue;
        }
        match sources::open_bundle(&path) {
            Ok((b, _)) if g.sources.iter().any(|s| s.node() == b.node()) => {
                let why = format!(
                    "another bundle in {} is for the same node {}",
                    dir.display(),
                    b.node()
                );
                g.unreadable.push((name, why));
            }
            Ok((b, unpacked)) => {
                g.index.push(g.sources.len());
                g.sources.push(Box::new(Cached::new(b)));
                g._archives.extend(unpacked);
            }
            Err(e) => g.unreadable.push((name, e.to_string())),
        }
    }
    if g.sources.is_empty() && g.unreadable.is_empty() {
        return Err(Error::Input(format!("{} holds no bundle", dir.display())));
    }
    Ok(g)
}

/// What a node's evidence says about its cluster (see [`fleet::place`]).
fn placement(source: &dyn Source) -> Placement {
    let conf = source.read_file("/etc/ocfs2/cluster.conf").ok();
    let conf = conf.as_deref().map(String::from_utf8_lossy);
    let boot = ["/etc/sysconfig/o2cb", "/etc/default/o2cb"]
        .iter()
        .find_map(|p| {
            let bytes = source.read_file(p).ok()?;
            o2cb_sysconfig::parse(&Text::from_bytes(*p, &bytes)).boot_cluster
        })
        .map(|s| s.value);
    fleet::place(&Evidence {
        hostname: source.node(),
        cluster_conf: conf.as_deref(),
        boot_cluster: boot.as_deref(),
    })
}

/// How many peers a node placed so will be checked with: the other nodes its own
/// cluster.conf lists in its cluster (none when it is placed in no cluster).
fn expected_peers(placement: &Placement, hostname: &str) -> usize {
    match placement {
        Placement::Cluster { members, .. } => {
            let listed = members
                .iter()
                .any(|m| o2check_checks::rules::o2cb_node_is_local(m, hostname));
            members.len() - usize::from(listed)
        }
        _ => 0,
    }
}

/// The clusters to check, and the nodes that belong to none.
fn split(
    sources: Vec<Box<dyn Source>>,
    early: Vec<Option<Early>>,
    index: &[usize],
    reach: Vec<Reach>,
    unreadable: Vec<(String, String)>,
    options: &Options,
) -> (Vec<Group>, Vec<UnplacedNode>, Vec<Group>) {
    let placements: Vec<Placement> = sources.iter().map(|s| placement(s.as_ref())).collect();
    let partition = fleet::partition(&placements);
    let mut unplaced: Vec<UnplacedNode> = unreadable
        .into_iter()
        .map(|(node, reason)| UnplacedNode {
            node,
            kind: "unreadable".into(),
            reason,
            alone: None,
        })
        .collect();
    for (i, p) in &partition.unplaced {
        let node = sources[*i].node().to_string();
        unplaced.push(match p {
            Placement::Several(names) => UnplacedNode {
                node,
                kind: "several-clusters".into(),
                reason: format!(
                    "its cluster.conf lists it in clusters {} and no O2CB_BOOTCLUSTER says which it runs",
                    names.join(", ")
                ),
                alone: None,
            },
            Placement::NoCluster(why) => UnplacedNode {
                node,
                kind: "no-cluster".into(),
                reason: why.clone(),
                alone: None,
            },
            Placement::Cluster { .. } => continue,
        });
    }
    // Reached nodes go with their evidence; unreachable ones with the cluster
    // whose cluster.conf names them, so its report shows the node missing.
    let mut reach_of: Vec<Vec<Reach>> = partition.clusters.keys().map(|_| Vec::new()).collect();
    let labels: Vec<&String> = partition.clusters.keys().collect();
    for r in reach {
        let label = match &r.outcome {
            Ok(_) => partition
                .clusters
                .iter()
                .find(|(_, idx)| idx.iter().any(|&i| sources[i].node() == r.node))
                .map(|(l, _)| l.as_str()),
            Err(_) => fleet::cluster_listing(&r.node, &placements, &partition),
        };
        match label.and_then(|l| labels.iter().position(|x| x.as_str() == l)) {
            Some(k) => reach_of[k].push(r),
            None => {
                if let Err(e) = &r.outcome {
                    unplaced.push(UnplacedNode {
                        node: r.node.clone(),
                        kind: "unreachable".into(),
                        reason: format!("{e}; no reached node's cluster.conf lists it"),
                        alone: None,
                    });
                }
            }
        }
    }
    let mut sources: Vec<Option<Box<dyn Source>>> = sources.into_iter().map(Some).collect();
    let mut early: Vec<Option<Early>> = early;
    early.resize_with(sources.len(), || None);
    let groups = partition
        .clusters
        .iter()
        .zip(reach_of)
        .map(|((label, idx), reach)| Group {
            label: label.clone(),
            indices: idx.iter().map(|&i| index[i]).collect(),
            inputs: Arc::new(trials::Inputs {
                sources: idx.iter().filter_map(|&i| sources[i].take()).collect(),
                early: idx.iter().map(|&i| early[i].take()).collect(),
                options: options.clone(),
                reach,
            }),
        })
        .collect();
    // A node in no cluster (or in two) still has its own problems: its
    // per-node checks run on it alone.
    let alone = partition
        .unplaced
        .iter()
        .filter_map(|&(i, _)| {
            let source = sources[i].take()?;
            Some(Group {
                label: source.node().to_string(),
                indices: vec![index[i]],
                inputs: Arc::new(trials::Inputs {
                    sources: vec![source],
                    early: vec![early[i].take()],
                    options: options.clone(),
                    reach: Vec::new(),
                }),
            })
        })
        .collect();
    (groups, unplaced, alone)
}
