//! `o2check-bench`: o2check's benchmarks, in a workspace member of their own so the
//! release binary that is packaged and copied onto customer nodes carries none of
//! them (no generators, no fixtures compiled in, no repo-relative paths).
//! `scripts/bench ARGS` builds both binaries in release mode and runs this one.

use clap::Parser;
use o2check_bench::{
    bundle_runs, cli, cluster, cluster_conf, fleet, kernlog, o2check_bin, run_bundle, scenario,
    sim_ssh,
};
use std::process::ExitCode;

fn main() -> ExitCode {
    // Started through the `sim-ssh` symlink: a simulated node, not the benchmark.
    if let Some(code) = sim_ssh::serve_if_invoked() {
        return ExitCode::from(code);
    }
    let args = cli::BenchArgs::parse();
    let code = if let Some(mb) = args.kernlog_mb {
        let rounds = args.iterations.min(5);
        kernlog::run(
            mb,
            args.kernlog_file,
            rounds,
            args.kernlog_compress.as_deref(),
        )
    } else if let Some(mb) = args.run_bundle_mb {
        let rounds = args.iterations.min(5);
        with_o2check(&args, |exe| {
            run_bundle::run(exe, &args.bundle, mb, args.run_bundle_rotated, rounds)
        })
    } else if !args.cluster_conf_nodes.is_empty() {
        cluster_conf::run(&args.cluster_conf_nodes)
    } else if args.scenario_overhead {
        with_o2check(&args, |exe| scenario::run(exe, args.iterations.min(5)))
    } else if let Some(shape) = &args.fleet {
        let iterations = args.iterations.min(5);
        with_o2check(&args, |exe| {
            fleet::run(exe, &args.bundle, shape, args.fleet_parallel, iterations)
        })
    } else if !args.cluster_nodes.is_empty() {
        let iterations = args.iterations.min(5);
        with_o2check(&args, |exe| {
            cluster::run(exe, &args.bundle, &args.cluster_nodes, iterations)
        })
    } else {
        bundle_runs::run(&args.bundle, &args.nodes, args.iterations)
    };
    ExitCode::from(code)
}

/// Runs a benchmark that starts o2check, once the binary is found.
fn with_o2check(args: &cli::BenchArgs, bench: impl FnOnce(&std::path::Path) -> u8) -> u8 {
    match o2check_bin::locate(args.o2check.as_deref()) {
        Ok(exe) => bench(&exe),
        Err(e) => {
            eprintln!("o2check-bench: {e}");
            2
        }
    }
}
