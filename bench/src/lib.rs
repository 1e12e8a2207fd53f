//! o2check's benchmarks as a library, so the bench crate's integration tests can
//! build simulated nodes as the benchmarks do; the `o2check-bench` binary
//! (main.rs) is the command line over it.

pub mod bundle_runs;
pub mod cli;
pub mod cluster;
pub mod cluster_conf;
pub mod fleet;
pub mod kernlog;
pub mod kernlog_gen;
pub mod o2check_bin;
pub mod run_bundle;
pub mod scenario;
pub mod sim_ssh;
