//! What is generated so it cannot drift: from the command line itself, what the
//! packages ship besides the binary (one man page per subcommand with
//! clap_mangen, the shell completion scripts with clap_complete); from the
//! registries, README.md's reference tables (see [`crate::readme_tables`]).

use crate::cli::Cli;
use crate::error::{Error, Exit};
use crate::{lab_faults, readme_tables};
use clap::CommandFactory;
use clap_complete::Shell;
use o2check_reports::write::atomic_write;
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

/// `o2check generate-readme [--repo DIR] [--check]`: README.md's generated tables
/// rewritten (atomically) from the registries, or with `--check` exit 1 naming
/// the tables that differ.
pub fn readme(repo: &Path, check: bool) -> Exit {
    let path = repo.join("README.md");
    let current = std::fs::read_to_string(&path)
        .map_err(|e| Error::Input(format!("cannot read {}: {e}", path.display())))?;
    let faults = lab_faults::read(repo)?;
    let sections = readme_tables::sections(&faults);
    let mut stale = Vec::new();
    for section in &sections {
        let alone = readme_tables::splice(&current, std::slice::from_ref(section));
        if alone? != current {
            stale.push(section.0);
        }
    }
    if stale.is_empty() {
        return Ok(0);
    }
    if check {
        eprintln!(
            "o2check: {} differs from the registries in {}: run `{}`",
            path.display(),
            stale.join(", "),
            readme_tables::COMMAND
        );
        return Ok(1);
    }
    let wanted = readme_tables::splice(&current, &sections)?;
    atomic_write(&path, wanted.as_bytes()).map_err(Error::write(&path))?;
    eprintln!(
        "o2check: {} rewritten: {}",
        path.display(),
        stale.join(", ")
    );
    Ok(0)
}
