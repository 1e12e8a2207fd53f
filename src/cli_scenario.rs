//! The command line of `o2check scenario`.

use clap::{Args, Subcommand};
use std::path::PathBuf;

#[derive(Subcommand, Debug)]
pub enum ScenarioCommand {
    /// Run scenarios on every node at once (over ssh) and report.
    /// Exit 0 all passed, 1 one failed or errored, 2 usage, refused path or an
    /// unreachable node, 130 interrupted.
    Run(Box<RunArgs>),
    /// List the scenarios.
    List,
    /// Remove a run's directory <mount>/.o2check-<run id>/ (after --keep).
    Cleanup(CleanupArgs),
    /// One node's part of a scenario (started by `scenario run`; stops when its stdin closes).
    #[command(hide = true)]
    Agent(AgentArgs),
    /// Check that a node can run scenarios on the mount (started by `scenario run`).
    #[command(hide = true)]
    Prepare(PrepareArgs),
    /// concurrent-append, writer half: run on every node at the same time.
    AppendWrite(AppendWriteArgs),
    /// concurrent-append, verifier half: run once after every writer finished.
    AppendVerify(AppendVerifyArgs),
}

#[derive(Args, Debug)]
pub struct AppendWriteArgs {
    /// The shared OCFS2 mount point.
    #[arg(long, value_name = "DIR")]
    pub mount: PathBuf,
    /// Shared by all nodes of one run; names <mount>/.o2check-<run id>/.
    #[arg(long, value_name = "ID")]
    pub run_id: String,
    /// This writer's name (e.g. the node name).
    #[arg(long, value_name = "NAME")]
    pub writer: String,
    #[arg(long, default_value_t = 200)]
    pub records: u64,
    #[arg(long, default_value_t = 60)]
    pub payload: usize,
    #[arg(long, default_value_t = 0)]
    pub pause_ms: u64,
    /// Parameters from a TOML preset (scenarios/quick.toml, scenarios/nightly.toml).
    #[arg(long, value_name = "FILE")]
    pub preset: Option<PathBuf>,
    /// Serialise the appends with a cluster-wide flock.
    #[arg(long)]
    pub flock: bool,
    /// Allow a mount that is not OCFS2 (testing the harness itself).
    #[arg(long)]
    pub allow_non_ocfs2: bool,
    /// Then create the run directory (mkdir, mode 0700; fails if it exists):
    /// `scenario run` asks one node to, before any agent starts.
    #[arg(long)]
    pub create: bool,
}

#[derive(Args, Debug)]
pub struct AppendVerifyArgs {
    #[arg(long, value_name = "DIR")]
    pub mount: PathBuf,
    #[arg(long, value_name = "ID")]
    pub run_id: String,
    /// Every writer's name.
    #[arg(long, value_name = "NAME", value_delimiter = ',', required = true)]
    pub writers: Vec<String>,
    #[arg(long, default_value_t = 200)]
    pub records: u64,
    #[arg(long, value_name = "FILE")]
    pub preset: Option<PathBuf>,
    /// The writers used --flock (for the report's wording and check id).
    #[arg(long)]
    pub flock: bool,
    /// Write the result as JSON here (and JUnit next to it, .xml).
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    /// Keep the scenario directory instead of removing it.
    #[arg(long)]
    pub keep: bool,
    #[arg(long)]
    pub allow_non_ocfs2: bool,
    /// Then create the run directory (mkdir, mode 0700; fails if it exists):
    /// `scenario run` asks one node to, before any agent starts.
    #[arg(long)]
    pub create: bool,
}

#[derive(Args, Debug)]
pub struct RunArgs {
    /// Scenarios to run: names (see `scenario list`) or `all`.
    #[arg(value_name = "NAME|all", required = true)]
    pub names: Vec<String>,
    /// The shared OCFS2 mount point (the same path on every node).
    #[arg(long, value_name = "DIR")]
    pub mount: PathBuf,
    #[command(flatten)]
    pub cluster: crate::cluster_args::ClusterArgs,
    /// Parameters from a TOML preset (default: the built-in scenarios/quick.toml).
    #[arg(long, value_name = "FILE")]
    pub preset: Option<PathBuf>,
    /// Plain-append loss is expected (as `expect_loss = true` in the preset).
    #[arg(long)]
    pub expect_loss: bool,
    /// Allow a mount that is not OCFS2 (testing the harness itself).
    #[arg(long)]
    pub allow_non_ocfs2: bool,
    /// Names <mount>/.o2check-<run id>/ (default: time and process id).
    #[arg(long, value_name = "ID")]
    pub run_id: Option<String>,
    /// Write the JSON report here (default: <out>/scenarios.json).
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    /// Write the JUnit XML report here (default: <out>/scenarios-junit.xml).
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    /// Directory for reports not given an explicit path.
    #[arg(long, value_name = "DIR", default_value = "reports")]
    pub out: PathBuf,
    /// Keep <mount>/.o2check-<run id>/ instead of removing it.
    #[arg(long)]
    pub keep: bool,
}

#[derive(Args, Debug)]
pub struct CleanupArgs {
    #[arg(long, value_name = "DIR")]
    pub mount: PathBuf,
    #[arg(long, value_name = "ID")]
    pub run_id: String,
    /// Seconds the removal may take (a hung mount).
    #[arg(long, value_name = "SECS", default_value_t = 60)]
    pub timeout: u64,
}

#[derive(Args, Debug)]
pub struct AgentArgs {
    #[arg(long, value_name = "NAME")]
    pub scenario: String,
    /// This node's name.
    #[arg(long, value_name = "NAME")]
    pub node: String,
    /// Every node, the leader first.
    #[arg(long, value_name = "NAME", value_delimiter = ',', required = true)]
    pub nodes: Vec<String>,
    #[arg(long, value_name = "DIR")]
    pub mount: PathBuf,
    #[arg(long, value_name = "ID")]
    pub run_id: String,
    /// The preset, as JSON.
    #[arg(long, value_name = "JSON")]
    pub preset_json: String,
    #[arg(long)]
    pub allow_non_ocfs2: bool,
    #[arg(long)]
    pub keep: bool,
}

#[derive(Args, Debug)]
pub struct PrepareArgs {
    #[arg(long, value_name = "DIR")]
    pub mount: PathBuf,
    #[arg(long, value_name = "ID")]
    pub run_id: String,
    #[arg(long)]
    pub allow_non_ocfs2: bool,
    /// Then create the run directory (mkdir, mode 0700; fails if it exists):
    /// `scenario run` asks one node to, before any agent starts.
    #[arg(long)]
    pub create: bool,
}
