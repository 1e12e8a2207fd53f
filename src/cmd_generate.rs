//! What the packages ship besides the binary, generated from the command line
//! itself so it cannot drift: one man page per subcommand (clap_mangen) and the
//! shell completion scripts (clap_complete).

use crate::cli::Cli;
use crate::error::{Error, Exit};
use clap::CommandFactory;
use clap_complete::Shell;
use std::io::Write;
use std::path::Path;

/// `o2check completions SHELL`: the completion script on stdout.
pub fn completions(shell: Shell) -> Exit {
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "o2check", &mut script);
    // Written whole, so a closed pipe (`| head`) is an exit code, not a panic.
    std::io::stdout()
        .lock()
        .write_all(&script)
        .map_err(Error::Stdout)?;
    Ok(0)
}

/// `o2check generate-man DIR`: `o2check.1` and `o2check-<subcommand>.1` for every
/// visible subcommand (nested ones too: `o2check-scenario-run.1`).
pub fn man_pages(dir: &Path) -> Exit {
    let written =
        std::fs::create_dir_all(dir).and_then(|()| clap_mangen::generate_to(Cli::command(), dir));
    written.map_err(Error::write(dir))?;
    Ok(0)
}
