//! The command line of `o2check scenario`.

use clap::{Args, Subcommand};
use std::path::PathBuf;

#[derive(Subcommand, Debug)]
pub enum ScenarioCommand {
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
}
