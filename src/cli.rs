//! The command line. `o2check run` flattens libtest-mimic's arguments, so the
//! familiar test-runner flags (`--list`, a name filter, `--skip`, `--exact`,
//! `--format`, `--test-threads`, `--color`) work on checks.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

/// Diagnostics and validation harness for OCFS2 (o2cb) clusters.
#[derive(Parser, Debug)]
#[command(name = "o2check", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run the checks on this node (live) or on captured bundles, and write reports.
    Run(RunArgs),
    /// Capture a bundle of this node's evidence for offline analysis.
    Collect(CollectArgs),
    /// Explain a failed mount: ranked root causes with evidence and fixes.
    Why(WhyArgs),
    /// Scenario tests that write on the shared mount (in <mount>/.o2check-<run id>/).
    #[command(subcommand)]
    Scenario(crate::cli_scenario::ScenarioCommand),
    /// Print the merged o2 event timeline of the nodes and draw it as SVG.
    Timeline(TimelineArgs),
    /// Time full check runs over a bundle standing for 1..N nodes.
    Bench(BenchArgs),
    /// Print this host's clock (nanoseconds since the epoch); cluster runs use it
    /// to measure the nodes' clock skew.
    #[command(hide = true)]
    Clock,
}

/// Exit codes: 0 nothing failed, 1 a check failed or errored, 2 usage or unreadable input.
#[derive(Args, Debug)]
pub struct RunArgs {
    /// Analyse a bundle directory (from `o2check collect`, or a sosreport) instead of
    /// this host. Repeat once per node.
    #[arg(long = "bundle", value_name = "DIR")]
    pub bundles: Vec<PathBuf>,

    /// Write the JUnit XML report here (default: <out>/junit.xml).
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,

    /// Write the JSON report here (default: <out>/results.json).
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,

    /// Directory for reports not given an explicit path.
    #[arg(long, value_name = "DIR", default_value = "reports")]
    pub out: PathBuf,

    /// Write no report files, only print to the terminal.
    #[arg(long)]
    pub no_reports: bool,

    /// Paths each multipath map backing OCFS2 must have `active ready running`.
    #[arg(long, value_name = "N", default_value_t = 2)]
    pub min_paths: usize,

    /// Also check this multipath map (alias or WWID); repeatable.
    #[arg(long = "multipath-map", value_name = "NAME")]
    pub multipath_maps: Vec<String>,

    /// Seconds each external command may run before it is killed.
    #[arg(long, value_name = "SECS", default_value_t = 20)]
    pub command_timeout: u64,

    /// Milliseconds each TCP probe of an o2net port may take.
    #[arg(long, value_name = "MS", default_value_t = 2000)]
    pub tcp_timeout_ms: u64,

    /// Largest clock difference between nodes `clock-skew` accepts, in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 1000)]
    pub max_clock_skew_ms: u64,

    /// Check every node of the cluster from here over ssh: nodes from cluster.conf,
    /// --nodes or --inventory (implied by those two).
    #[arg(long, conflicts_with = "bundles")]
    pub cluster: bool,

    #[command(flatten)]
    pub cluster_args: crate::cluster_args::ClusterArgs,

    /// Keep the bundles fetched from the nodes in DIR/<node>/ for offline runs later.
    #[arg(long, value_name = "DIR")]
    pub save_bundles: Option<PathBuf>,

    #[command(flatten)]
    pub test: libtest_mimic::Arguments,
}

#[derive(Args, Debug)]
pub struct CollectArgs {
    /// The bundle directory to create (must not exist or be empty); `-` writes the
    /// bundle to stdout as a tar archive (what cluster mode uses over ssh).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,

    /// Seconds each external command may run before it is killed.
    #[arg(long, value_name = "SECS", default_value_t = 20)]
    pub command_timeout: u64,

    /// Milliseconds each TCP probe of an o2net port may take.
    #[arg(long, value_name = "MS", default_value_t = 2000)]
    pub tcp_timeout_ms: u64,
}

#[derive(Args, Debug)]
pub struct BenchArgs {
    /// The bundle to run the checks on.
    #[arg(
        long,
        value_name = "DIR",
        default_value = "fixtures/bundles/lab-capture-healthy-node1"
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

    /// The log file for --kernlog-mb (generated when missing or too small).
    #[arg(long, value_name = "FILE")]
    pub kernlog_file: Option<PathBuf>,
}

/// Exit codes: 0 a cause was named, 1 undetermined, 2 usage or unreadable input.
#[derive(Args, Debug)]
pub struct WhyArgs {
    /// The error the mount printed, e.g. "Internal logic failure while trying to join the group".
    #[arg(value_name = "ERROR TEXT")]
    pub error_text: Vec<String>,

    /// Analyse bundle directories (one per node) instead of this host.
    #[arg(long = "bundle", value_name = "DIR")]
    pub bundles: Vec<PathBuf>,

    /// Gather the evidence of every node over ssh (see `run --cluster`).
    #[arg(long, conflicts_with = "bundles")]
    pub cluster: bool,

    #[command(flatten)]
    pub cluster_args: crate::cluster_args::ClusterArgs,

    /// Directory for why.md, why.html, why.json and why-junit.xml.
    #[arg(long, value_name = "DIR", default_value = "reports")]
    pub out: PathBuf,

    /// Write no report files, only print to the terminal.
    #[arg(long)]
    pub no_reports: bool,

    /// Seconds each external command may run before it is killed.
    #[arg(long, value_name = "SECS", default_value_t = 20)]
    pub command_timeout: u64,

    /// Explain why NODE (a cluster.conf name or node number) rebooted: fenced on
    /// its disk heartbeat or on the network quorum, from every node's kernel log.
    #[arg(long, value_name = "NODE")]
    pub reboot: Option<String>,
}

#[derive(Args, Debug)]
pub struct TimelineArgs {
    /// Bundle directories (one per node) instead of this host.
    #[arg(long = "bundle", value_name = "DIR")]
    pub bundles: Vec<PathBuf>,

    /// Read every node's kernel log over ssh (see `run --cluster`).
    #[arg(long, conflicts_with = "bundles")]
    pub cluster: bool,

    #[command(flatten)]
    pub cluster_args: crate::cluster_args::ClusterArgs,

    /// Where to write the SVG (default: <out>/timeline.svg).
    #[arg(long, value_name = "FILE")]
    pub svg: Option<PathBuf>,

    /// Directory for the picture.
    #[arg(long, value_name = "DIR", default_value = "reports")]
    pub out: PathBuf,

    /// Seconds each external command may run before it is killed.
    #[arg(long, value_name = "SECS", default_value_t = 20)]
    pub command_timeout: u64,
}
