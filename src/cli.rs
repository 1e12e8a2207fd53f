//! The command line. `o2check run` flattens libtest-mimic's arguments, so the
//! familiar test-runner flags (`--list`, a name filter, `--skip`, `--exact`,
//! `--format`, `--test-threads`, `--color`) work on checks.

use clap::{Args, Parser, Subcommand};
use std::ffi::OsString;
use std::path::PathBuf;

/// Diagnostics and validation harness for OCFS2 (o2cb) clusters.
#[derive(Parser, Debug)]
#[command(name = "o2check", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

impl Cli {
    /// Parse the command line. `run --format line` is o2check's own format
    /// (reports/src/line.rs), so it is taken out before libtest-mimic parses its
    /// `--format pretty|terse|json`.
    pub fn parse_args() -> Cli {
        let mut argv: Vec<OsString> = std::env::args_os().collect();
        let line = take_line_format(&mut argv);
        let mut cli = Cli::parse_from(argv);
        if let Command::Run(run) = &mut cli.command {
            run.line_format = line;
        }
        cli
    }
}

/// Remove `--format line` / `--format=line` from a `run` command line (before any
/// `--`); true when it was there.
fn take_line_format(argv: &mut Vec<OsString>) -> bool {
    if argv.get(1).and_then(|a| a.to_str()) != Some("run") {
        return false;
    }
    let mut i = 2;
    while i < argv.len() {
        match argv[i].to_str() {
            Some("--") => break,
            Some("--format=line") => {
                argv.remove(i);
                return true;
            }
            Some("--format") if argv.get(i + 1).and_then(|a| a.to_str()) == Some("line") => {
                argv.drain(i..i + 2);
                return true;
            }
            _ => i += 1,
        }
    }
    false
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
    /// Check many clusters at once: nodes placed by the cluster their own
    /// cluster.conf names, one report per cluster and a fleet summary.
    Fleet(FleetArgs),
    /// Time full check runs over a bundle standing for 1..N nodes.
    Bench(BenchArgs),
    /// Print this host's clock (nanoseconds since the epoch); cluster runs use it
    /// to measure the nodes' clock skew.
    #[command(hide = true)]
    Clock,
}

/// Exit codes: 0 nothing failed, 1 a check failed or errored, 2 usage or unreadable input.
#[derive(Args, Debug)]
#[command(
    after_help = "--format line: the run as one line, the same on identical nodes (no hostname, no times), for `clush -b` and `dshbak -c`."
)]
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

    /// Judge kernel-log events from this time on: `boot`, or a UTC time
    /// (2026-11-24T19:51:49Z, 2026-11-24 19:51). Default: events before the last
    /// change that replaced them (a later mount, registration, connection to the
    /// same peer, boot) are history, shown but not failing.
    #[arg(long, value_name = "TIME|boot")]
    pub since: Option<o2check_checks::kernlog::history::Since>,

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

    /// `--format line`: print the run as one line that is identical on identical
    /// nodes (for `clush -b`, `dshbak -c`); set by [`Cli::parse_args`].
    #[arg(skip)]
    pub line_format: bool,
}

/// Exit codes: 0 every cluster passed and every node was placed, 1 a check failed
/// or errored or a node is in no cluster (or several), 2 usage or unreadable input.
#[derive(Args, Debug)]
pub struct FleetArgs {
    /// Check the bundles collected in DIR (one per node: `o2check collect`
    /// directories, or what `--save-bundles` or the Ansible fleet playbook left)
    /// instead of reaching the nodes.
    #[arg(long, value_name = "DIR", conflicts_with_all = ["nodes", "inventory"])]
    pub bundle_dir: Option<PathBuf>,

    /// Where the reports go: DIR/<cluster>/results.json and junit.xml, and
    /// DIR/fleet.txt, fleet.json, fleet.html.
    #[arg(long, value_name = "DIR", default_value = "reports/fleet")]
    pub out: PathBuf,

    /// Keep the bundles fetched from the nodes in DIR/<node>/ (for `--bundle-dir` later).
    #[arg(long, value_name = "DIR")]
    pub save_bundles: Option<PathBuf>,

    /// Paths each multipath map backing OCFS2 must have `active ready running`.
    #[arg(long, value_name = "N", default_value_t = 2)]
    pub min_paths: usize,

    /// Seconds each external command on a node may run before it is killed.
    #[arg(long, value_name = "SECS", default_value_t = 20)]
    pub command_timeout: u64,

    /// Milliseconds each TCP probe of an o2net port may take.
    #[arg(long, value_name = "MS", default_value_t = 2000)]
    pub tcp_timeout_ms: u64,

    /// Largest clock difference between nodes `clock-skew` accepts, in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 1000)]
    pub max_clock_skew_ms: u64,

    /// Nodes and how to reach them (`--inventory`, `--nodes`, ssh options);
    /// `--parallel` bounds the nodes worked on at once across the whole fleet,
    /// and the clusters checked at once.
    #[command(flatten)]
    pub cluster_args: crate::cluster_args::ClusterArgs,
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

    /// Instead: time `o2check fleet` over simulated clusters, CLUSTERSxNODES
    /// (`10x16`), against the clusters run one after another.
    #[arg(long, value_name = "CxN")]
    pub fleet: Option<String>,

    /// With --fleet: nodes (and clusters) worked on at once across the fleet.
    #[arg(long, value_name = "N", default_value_t = 32)]
    pub fleet_parallel: usize,

    /// The log file for --kernlog-mb (generated when missing or too small).
    #[arg(long, value_name = "FILE")]
    pub kernlog_file: Option<PathBuf>,

    /// With --kernlog-mb: compress the log (`gz`: gzip -6 as logrotate does, or
    /// `xz`) and time the decompress-in-pipeline scan against `zcat | rg -c`.
    #[arg(long, value_name = "gz|xz", value_parser = ["gz", "xz"])]
    pub kernlog_compress: Option<String>,
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

    /// Only events from this time on: `boot`, or a UTC time (2026-11-24T19:51:49Z,
    /// 2026-11-24 19:51). Default: every event the logs hold.
    #[arg(long, value_name = "TIME|boot")]
    pub since: Option<o2check_checks::kernlog::history::Since>,
}

#[cfg(test)]
mod tests {
    use super::take_line_format;
    use std::ffi::OsString;

    fn argv(a: &[&str]) -> Vec<OsString> {
        a.iter().map(OsString::from).collect()
    }

    #[test]
    fn line_format_is_taken_out_of_run_only() {
        let mut a = argv(&["o2check", "run", "--skip", "dlm", "--format", "line", "-q"]);
        assert!(take_line_format(&mut a));
        assert_eq!(a, argv(&["o2check", "run", "--skip", "dlm", "-q"]));
        let mut b = argv(&["o2check", "run", "--format=line"]);
        assert!(take_line_format(&mut b));
        assert_eq!(b, argv(&["o2check", "run"]));
        let mut terse = argv(&["o2check", "run", "--format", "terse"]);
        assert!(!take_line_format(&mut terse));
        assert_eq!(terse.len(), 4);
        let mut filter = argv(&["o2check", "run", "--", "--format", "line"]);
        assert!(!take_line_format(&mut filter));
        let mut why = argv(&["o2check", "why", "--format", "line"]);
        assert!(!take_line_format(&mut why));
    }
}
