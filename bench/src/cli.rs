//! The command line of `o2check-bench` (what `o2check bench` was before the
//! benchmarks left the shipped binary): one flag per benchmark.

use clap::Parser;
use std::path::PathBuf;

/// o2check's benchmarks: speed and memory targets with numbers (README,
/// "Performance"), not timed tests. Runs the `o2check` binary built next to it
/// for the cluster, fleet and scenario benchmarks.
#[derive(Parser, Debug)]
#[command(name = "o2check-bench", version, about, long_about = None)]
pub struct BenchArgs {
    /// The o2check binary the cluster, fleet and scenario benchmarks run
    /// (default: `o2check` in this program's own directory, e.g. target/release/).
    #[arg(long, value_name = "FILE")]
    pub o2check: Option<PathBuf>,

    /// The bundle to run the checks on.
    #[arg(
        long,
        value_name = "DIR",
        default_value = concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures/bundles/lab-capture-healthy-node1")
    )]
    pub bundle: PathBuf,

    /// Node counts to time (the bundle stands for each node).
    #[arg(
        long,
        value_name = "N",
        value_delimiter = ',',
        default_value = "1,2,4,8,16"
    )]
    pub nodes: Vec<usize>,

    /// Runs per node count (the median is the headline number).
    #[arg(long, value_name = "K", default_value_t = 21)]
    pub iterations: usize,

    /// Instead: benchmark kernel-log extraction on a generated log of this many MiB
    /// (1024 for the README's 1 GiB figure), against `rg -c` when installed.
    #[arg(long, value_name = "MIB")]
    pub kernlog_mb: Option<u64>,

    /// Instead: time `run --cluster` against this many simulated ssh nodes each
    /// (one of them slow), e.g. `3,16,64`.
    #[arg(long, value_name = "N", value_delimiter = ',')]
    pub cluster_nodes: Vec<usize>,

    /// Instead: time the scenarios' own overhead (`scenario append-write`, `scenario
    /// run`) against a shell loop doing the same appends, on a local temp dir.
    #[arg(long)]
    pub scenario_overhead: bool,

    /// Instead: time `cluster-conf-syntax` on generated cluster.conf files of this
    /// many nodes each, e.g. `8000,200000` (the README's figure).
    #[arg(long, value_name = "N", value_delimiter = ',')]
    pub cluster_conf_nodes: Vec<usize>,

    /// Instead: time `o2check fleet` over simulated clusters, CLUSTERSxNODES
    /// (`10x16`), against the clusters run one after another.
    #[arg(long, value_name = "CxN")]
    pub fleet: Option<String>,

    /// With --fleet: nodes (and clusters) worked on at once across the fleet.
    #[arg(long, value_name = "N", default_value_t = 32)]
    pub fleet_parallel: usize,

    /// Instead: time a whole `o2check run --bundle` on the bundle with a generated
    /// var/log/messages of this many MiB, against one scan of that log, with
    /// o2check's peak RSS (1024 for the README's figure).
    #[arg(long, value_name = "MIB")]
    pub run_bundle_mb: Option<u64>,

    /// With --run-bundle-mb: add four gzipped rotations of MIB/4 of text each
    /// (1024: a sosreport-sized 2 GiB of logs, half gzipped).
    #[arg(long)]
    pub run_bundle_rotated: bool,

    /// The log file for --kernlog-mb (generated when missing or too small).
    #[arg(long, value_name = "FILE")]
    pub kernlog_file: Option<PathBuf>,

    /// With --kernlog-mb: compress the log (`gz`: gzip -6 as logrotate does, or
    /// `xz`) and time the decompress-in-pipeline scan against `zcat | rg -c`.
    #[arg(long, value_name = "gz|xz", value_parser = ["gz", "xz"])]
    pub kernlog_compress: Option<String>,
}
