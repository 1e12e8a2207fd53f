//! The command line. `o2check run` keeps the test-runner flags that make sense
//! for checks (`--list`, a name filter, `--skip`, `--exact`, `--test-threads`,
//! `--color`) as its own clap options and maps them to libtest-mimic only for
//! `--list` and the `--trials` listing.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// Diagnostics and validation harness for OCFS2 (o2cb) clusters.
#[derive(Parser, Debug)]
#[command(name = "o2check", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

impl Cli {
    /// Parse the command line. A usage error exits 2, except under
    /// `--format nagios`, where a plugin that cannot run must say UNKNOWN (3) by
    /// the monitoring-plugins guidelines.
    pub fn parse_args() -> Cli {
        match Cli::try_parse() {
            Ok(cli) => cli,
            Err(e) => {
                let nagios = std::env::args().any(|a| a == "nagios" || a == "--format=nagios");
                let _ = e.print();
                let code = match e.kind() {
                    clap::error::ErrorKind::DisplayHelp
                    | clap::error::ErrorKind::DisplayVersion => 0,
                    _ if nagios => 3,
                    _ => 2,
                };
                std::process::exit(code);
            }
        }
    }
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run the checks on this node (live) or on captured bundles, and write reports.
    #[command(
        long_about = "Run every check on this node (live), on bundles collected earlier \
                      (--bundle, one per node) or on every node over ssh (--cluster), then \
                      print one report ordered by cause, and write results.json and \
                      junit.xml (in --out).",
        after_help = RUN_EXAMPLES
    )]
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
    /// Print this host's clock (nanoseconds since the epoch); cluster runs use it
    /// to measure the nodes' clock skew.
    #[command(hide = true)]
    Clock,
    /// Compare two runs' results.json: new failures, fixed ones, changed evidence.
    /// Exit 1 when something new fails.
    Diff(DiffArgs),
    /// Print a shell completion script: `o2check completions bash > /etc/bash_completion.d/o2check`.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Write one man page per subcommand into DIR (what the packages ship).
    #[command(hide = true)]
    GenerateMan {
        #[arg(value_name = "DIR")]
        dir: PathBuf,
    },
    /// Rewrite README.md's generated tables (checks, why's catalogue, lab faults,
    /// scenarios) from the registries; with --check only say whether they differ.
    #[command(hide = true)]
    GenerateReadme {
        /// The checkout holding README.md and lab/.
        #[arg(long, value_name = "DIR", default_value = ".")]
        repo: PathBuf,
        /// Change nothing; exit 1 when README.md differs from what would be written.
        #[arg(long)]
        check: bool,
    },
}

const RUN_EXAMPLES: &str = "\
Examples:
  o2check run                                   this node
  o2check run --bundle n1/ --bundle n2/         bundles from `o2check collect`, or sosreports
  o2check run --nodes 'n[1-2].example.com'      every node over ssh
  o2check run hostname -v                       only checks whose name contains `hostname`
  o2check run --format nagios                   a Nagios/Icinga plugin (NRPE)
  o2check run --prometheus /var/lib/prometheus/node-exporter/o2check.prom
  o2check diff old/results.json new/results.json

Exit codes:
  0  nothing failed          1  a check failed or could not decide
  2  usage or unreadable input
  with --format nagios: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN";

/// What `run` prints on stdout.
#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// The report for a person, ordered by cause.
    Console,
    /// One Nagios/Icinga plugin status line with perfdata (and a line per failure).
    Nagios,
    /// The run as one line, the same on identical nodes (no hostname, no times),
    /// for `clush -b` and `dshbak -c`.
    Line,
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColorArg {
    Auto,
    Always,
    Never,
}

/// Exit codes: 0 nothing failed, 1 a check failed or errored, 2 usage or unreadable input.
#[derive(Args, Debug)]
pub struct RunArgs {
    /// Only checks whose `<check>@<node>` name contains FILTER (`hostname`, `@n150`).
    #[arg(value_name = "FILTER")]
    pub filter: Option<String>,

    /// Leave out checks whose name contains NAME (repeatable).
    #[arg(long, value_name = "NAME")]
    pub skip: Vec<String>,

    /// FILTER and --skip match whole names only.
    #[arg(long)]
    pub exact: bool,

    /// List the checks (`<check>@<node>: test`) and exit.
    #[arg(long)]
    pub list: bool,

    /// What to print on stdout.
    #[arg(long, value_enum, default_value_t = Format::Console)]
    pub format: Format,

    /// Show every skipped check, not one line per layer.
    #[arg(short, long)]
    pub verbose: bool,

    /// Also print the test-runner listing (one line per check as it finishes).
    #[arg(long)]
    pub trials: bool,

    /// With --trials: the terse listing (one character per check). Accepted
    /// without it for old scripts; the report is the same.
    #[arg(short, long, hide = true)]
    pub quiet: bool,

    /// Checks run at once (default: one per CPU).
    #[arg(long, value_name = "N", default_value_t = 0, hide_default_value = true)]
    pub test_threads: usize,

    /// Colour: only on a terminal and without NO_COLOR (auto), always, never.
    #[arg(long, value_enum, default_value_t = ColorArg::Auto)]
    pub color: ColorArg,

    /// Write the Prometheus textfile here, atomically (for node_exporter's textfile
    /// collector directory).
    #[arg(long, value_name = "FILE")]
    pub prometheus: Option<PathBuf>,

    /// Analyse a bundle directory (from `o2check collect`, or a sosreport) instead of
    /// this host. Repeat once per node.
    #[arg(long = "bundle", value_name = "DIR")]
    pub bundles: Vec<PathBuf>,

    /// Report files: results.json and junit.xml in --out by default.
    #[command(flatten)]
    pub reports: crate::cli_reports::ReportArgs,

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
}

/// Exit codes: 0 nothing new fails, 1 something new fails, 2 unreadable input.
#[derive(Args, Debug)]
pub struct DiffArgs {
    /// The earlier run's results.json.
    #[arg(value_name = "OLD.json")]
    pub old: PathBuf,
    /// The later run's results.json.
    #[arg(value_name = "NEW.json")]
    pub new: PathBuf,
    /// Also write the comparison as JSON here.
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
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

    /// Where the reports go: DIR/<cluster>/results.json and junit.xml, a node in
    /// no cluster (or in two) checked on its own in DIR/nodes-alone/<node>/, and
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

    /// Report files: why.md, why.html, why.json and why-junit.xml in --out by
    /// default (--json and --junit put those two elsewhere).
    #[command(flatten)]
    pub reports: crate::cli_reports::ReportArgs,

    /// Seconds each external command may run before it is killed.
    #[arg(long, value_name = "SECS", default_value_t = 20)]
    pub command_timeout: u64,

    /// Explain why NODE (a cluster.conf name or node number) rebooted: fenced on
    /// its disk heartbeat or on the network quorum, from every node's kernel log.
    #[arg(long, value_name = "NODE")]
    pub reboot: Option<String>,

    /// Which kernel-log events the checks count as current: `boot`, or a UTC time
    /// (see `run --since`). Default: events a later change replaced are history.
    #[arg(long, value_name = "TIME|boot")]
    pub since: Option<o2check_checks::kernlog::history::Since>,
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
