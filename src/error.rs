//! The binary's one error type: every way a subcommand can fail before it has a
//! verdict, each knowing the exit code the README documents for it, so `main`
//! prints one line and exits with that code instead of each command doing both.

use std::path::PathBuf;

/// Why a subcommand stopped without a verdict. Commands return
/// `Result<u8, Error>`: `Ok` carries the verdict's exit code (0 pass, 1 fail,
/// Nagios' 0-3, 130 interrupted), `Err` one of these.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The evidence could not be opened: a bundle, an archive, an inventory, a
    /// node list, cluster.conf, the payload to deploy (already a full sentence).
    #[error("{0}")]
    Evidence(String),
    /// A bundle given as an archive that could not be unpacked.
    #[error(transparent)]
    Archive(#[from] o2check_cluster::archive::ArchiveError),
    /// A bundle directory that is not one (no hostname, unreadable meta.json).
    #[error("cannot open bundle: {0}")]
    Bundle(#[from] o2check_checks::EvidenceError),
    /// Two `--bundle`s of one node: every check would count it twice.
    #[error("two bundles are for the same node {0}; give each node once")]
    SameNode(String),
    /// Bad input the command was given other than evidence: a results.json
    /// that is not one, a preset, a refused scenario path.
    #[error("{0}")]
    Input(String),
    /// A report file could not be written (atomically, so no half file is left).
    #[error("cannot write {}: {source}", path.display())]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A directory o2check needs could not be made (`--save-bundles DIR`, scratch).
    #[error("cannot create {what}: {source}")]
    Create {
        what: String,
        #[source]
        source: std::io::Error,
    },
    /// `o2check collect` could not write its bundle.
    #[error("cannot collect {into}: {source}")]
    Collect {
        into: String,
        #[source]
        source: std::io::Error,
    },
    /// stdout is gone (`o2check completions bash | head`): nothing to say, exit 1.
    #[error("cannot write to stdout: {0}")]
    Stdout(#[source] std::io::Error),
    /// `generate-readme`: the lab's fault list could not be read.
    #[error(transparent)]
    LabFaults(#[from] crate::lab_faults::LabFaultsError),
    /// `generate-readme`: README.md's markers are missing or out of order.
    #[error(transparent)]
    Markers(#[from] crate::readme_tables::MarkerError),
    /// `o2check fleet`'s failures, printed under its own name as before.
    #[error("{0}")]
    Fleet(Box<Error>),
    /// A Nagios plugin must exit UNKNOWN (3) on any error, not 2.
    #[error("{0}")]
    NagiosUnknown(Box<Error>),
}

impl Error {
    /// The exit code this error means (README: "Exit codes").
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::NagiosUnknown(_) => 3,
            Error::Stdout(_) => 1,
            Error::Fleet(inner) => inner.exit_code(),
            Error::Evidence(_)
            | Error::Archive(_)
            | Error::Bundle(_)
            | Error::SameNode(_)
            | Error::Input(_)
            | Error::Write { .. }
            | Error::Create { .. }
            | Error::LabFaults(_)
            | Error::Markers(_)
            | Error::Collect { .. } => 2,
        }
    }

    /// The line on stderr: `o2check: ...`, or `o2check fleet: ...` for fleet.
    pub fn line(&self) -> String {
        match self {
            Error::Fleet(inner) => format!("o2check fleet: {inner}"),
            _ => format!("o2check: {self}"),
        }
    }

    /// `Write` for `path` (use with `map_err`).
    pub fn write(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> Error {
        let path = path.into();
        move |source| Error::Write { path, source }
    }
}

/// A subcommand's outcome: the verdict's exit code, or why there is none.
pub type Exit = Result<u8, Error>;

/// The process exit code of `outcome`, printing the error line if there is one.
pub fn finish(outcome: Exit) -> u8 {
    outcome.unwrap_or_else(|e| {
        if !matches!(e, Error::Stdout(_)) {
            eprintln!("{}", e.line());
        }
        e.exit_code()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_error_has_its_documented_exit_code_and_line() {
        let io = || std::io::Error::from(std::io::ErrorKind::PermissionDenied);
        let write = Error::write("out/results.json")(io());
        assert_eq!(write.exit_code(), 2);
        assert!(write
            .line()
            .starts_with("o2check: cannot write out/results.json: "));
        let nagios = Error::NagiosUnknown(Box::new(Error::Evidence("no bundle".into())));
        assert_eq!(
            (nagios.exit_code(), nagios.line().as_str()),
            (3, "o2check: no bundle")
        );
        let fleet = Error::Fleet(Box::new(Error::Input("no inventory".into())));
        assert_eq!(
            (fleet.exit_code(), fleet.line().as_str()),
            (2, "o2check fleet: no inventory")
        );
        assert_eq!(Error::Stdout(io()).exit_code(), 1);
    }
}
