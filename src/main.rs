//! o2check: diagnostics and validation harness for OCFS2 clusters on the o2cb stack.
//! This file only parses the command line and dispatches; each subcommand lives in
//! its own `cmd_*` module.

// clap turns the argument structs' doc comments into `--help` text, where `<mount>`
// and `<out>` are placeholders a user reads, not HTML.
#![allow(rustdoc::invalid_html_tags)]

mod cli;
mod cli_reports;
mod cli_scenario;
mod cluster_args;
mod cluster_sources;
mod cmd_collect;
mod cmd_diff;
mod cmd_fleet;
mod cmd_generate;
mod cmd_run;
mod cmd_scenario;
mod cmd_scenario_agent;
mod cmd_scenario_run;
mod cmd_timeline;
mod cmd_why;
mod early;
mod error;
mod facts;
mod fleet_early;
mod interrupt;
mod lab_faults;
mod output;
mod payload;
mod presence;
mod readme_tables;
mod sources;
mod trials;

use std::process::ExitCode;

/// `o2check clock`: nanoseconds since the epoch, then again for every line on
/// stdin, for the coordinator's skew samples (one session, several samples).
fn print_clock() -> u8 {
    match o2check_cluster::clock::serve(std::io::stdin().lock(), std::io::stdout().lock()) {
        Ok(()) => 0,
        Err(_) => 1,
    }
}

fn main() -> ExitCode {
    let cli = cli::Cli::parse_args();
    let outcome = match cli.command {
        cli::Command::Run(args) => cmd_run::run(args),
        cli::Command::Collect(args) => cmd_collect::run(args),
        cli::Command::Why(args) => cmd_why::run(args),
        cli::Command::Timeline(args) => cmd_timeline::run(args),
        cli::Command::Scenario(cmd) => cmd_scenario::run(cmd),
        cli::Command::Fleet(args) => cmd_fleet::run(args),
        cli::Command::Clock => Ok(print_clock()),
        cli::Command::Diff(args) => cmd_diff::run(args),
        cli::Command::Completions { shell } => cmd_generate::completions(shell),
        cli::Command::GenerateMan { dir } => cmd_generate::man_pages(&dir),
        cli::Command::GenerateReadme { repo, check } => cmd_generate::readme(&repo, check),
    };
    // Every command's error is printed here, once, with its exit code.
    let code = error::finish(outcome);
    ExitCode::from(code)
}
