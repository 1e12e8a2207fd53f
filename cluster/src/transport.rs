//! Running a command on a node. [`crate::ssh::Ssh`] is the real transport;
//! [`Local`] runs on this host, for a one-host "cluster" and for tests.

use crate::inventory::Node;
use o2check_checks::source::exec::run_with_input;
use o2check_checks::source::CommandOutput;
use o2check_checks::EvidenceError;
use std::fmt;
use std::io::{Read, Write};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::Duration;

/// Why a command could not be run on a node (its own exit code is not an error).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TransportError {
    /// The node could not be reached (ssh's exit 255: refused, timed out, no route,
    /// authentication failed, host key changed).
    Unreachable { node: String, detail: String },
    /// The command ran past its deadline and was killed.
    Timeout {
        node: String,
        what: String,
        seconds: u64,
    },
    /// The command ran but did not do what it had to (a failed deployment...).
    Failed {
        node: String,
        what: String,
        detail: String,
    },
    /// Something on this host failed (cannot start ssh, cannot write the bundle).
    Local { what: String, detail: String },
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TransportError::Unreachable { node, detail } => {
                write!(f, "{node} is unreachable: {detail}")
            }
            TransportError::Timeout {
                node,
                what,
                seconds,
            } => {
                write!(f, "{what} on {node} did not finish within {seconds} s")
            }
            TransportError::Failed { node, what, detail } => {
                write!(f, "{what} on {node} failed: {detail}")
            }
            TransportError::Local { what, detail } => write!(f, "{what}: {detail}"),
        }
    }
}

impl std::error::Error for TransportError {}

/// A way to run commands on the nodes.
pub trait Transport: Send + Sync {
    /// Run `argv` on `node` with `input` on stdin, killed after `timeout`. A command
    /// that runs and exits non-zero is `Ok`, with its exit code.
    fn run(
        &self,
        node: &Node,
        argv: &[String],
        input: Option<Vec<u8>>,
        timeout: Duration,
    ) -> Result<CommandOutput, TransportError>;

    /// Start `argv` on `node` with piped stdin, stdout and stderr, in its own process group.
    /// Closing stdin is how the caller tells a remote agent to stop.
    fn spawn(&self, node: &Node, argv: &[String]) -> Result<Child, TransportError>;

    /// [`Transport::spawn`] behind [`Process`], so a caller that drives a long-running
    /// command (the scenario coordinator and its agents) can be tested with a
    /// transport whose "commands" run in memory.
    fn start(&self, node: &Node, argv: &[String]) -> Result<Box<dyn Process>, TransportError> {
        Ok(Box::new(self.spawn(node, argv)?))
    }

    /// For reports: `ssh`, `local`.
    fn describe(&self) -> String;

    /// Let go of everything kept open between commands (ssh's ControlMaster and
    /// its socket directory) now: on Ctrl-C, when no destructor will run.
    fn shutdown(&self) {}

    /// This run needs `node` no more: let go of what is kept open for it (its ssh
    /// ControlMaster) now, in the caller's thread, so a cluster run does not end
    /// with one `ssh -O exit` after another for every node.
    fn release(&self, _node: &Node) {}

    /// When a spawned command ended with `code`, was that the transport failing
    /// rather than the command (ssh's 255)?
    fn transport_failure(
        &self,
        _node: &Node,
        _code: Option<i32>,
        _stderr: &[u8],
    ) -> Option<TransportError> {
        None
    }
}

/// A command started by [`Transport::start`]: its pipes, taken once each, and its end.
pub trait Process: Send {
    /// Its stdin; dropping it is the stop signal for an agent.
    fn take_stdin(&mut self) -> Option<Box<dyn Write + Send>>;
    fn take_stdout(&mut self) -> Option<Box<dyn Read + Send>>;
    fn take_stderr(&mut self) -> Option<Box<dyn Read + Send>>;
    /// How it ended, once it has (as [`Child::try_wait`]).
    fn try_wait(&mut self) -> std::io::Result<Option<ExitStatus>>;
    /// End it now with everything it started, and wait for it.
    fn kill(&mut self) -> std::io::Result<ExitStatus>;
}

impl Process for Child {
    fn take_stdin(&mut self) -> Option<Box<dyn Write + Send>> {
        self.stdin
            .take()
            .map(|s| Box::new(s) as Box<dyn Write + Send>)
    }

    fn take_stdout(&mut self) -> Option<Box<dyn Read + Send>> {
        self.stdout
            .take()
            .map(|s| Box::new(s) as Box<dyn Read + Send>)
    }

    fn take_stderr(&mut self) -> Option<Box<dyn Read + Send>> {
        self.stderr
            .take()
            .map(|s| Box::new(s) as Box<dyn Read + Send>)
    }

    fn try_wait(&mut self) -> std::io::Result<Option<ExitStatus>> {
        Child::try_wait(self)
    }

    /// The whole process group ([`spawn_piped`] made it its leader): ssh and
    /// whatever it started, or a local agent.
    fn kill(&mut self) -> std::io::Result<ExitStatus> {
        if let Ok(pid) = i32::try_from(self.id()) {
            let _ = nix::sys::signal::killpg(
                nix::unistd::Pid::from_raw(pid),
                nix::sys::signal::Signal::SIGKILL,
            );
        }
        self.wait()
    }
}

/// Runs commands on this host, whatever the node.
pub struct Local;

impl Transport for Local {
    fn run(
        &self,
        node: &Node,
        argv: &[String],
        input: Option<Vec<u8>>,
        timeout: Duration,
    ) -> Result<CommandOutput, TransportError> {
        let argv: Vec<&str> = argv.iter().map(String::as_str).collect();
        match run_with_input(&argv, input, timeout) {
            // As a remote shell would answer: 127 not found, 126 cannot execute.
            Err(EvidenceError::Absent { what }) => Ok(shell_status(127, what)),
            Err(EvidenceError::Io { what, error }) => {
                Ok(shell_status(126, format!("{what}: {error}")))
            }
            other => other.map_err(|e| from_evidence(&node.name, e)),
        }
    }

    fn spawn(&self, _node: &Node, argv: &[String]) -> Result<Child, TransportError> {
        let (program, args) = argv.split_first().ok_or_else(|| TransportError::Local {
            what: "spawn".into(),
            detail: "empty command".into(),
        })?;
        spawn_piped(Command::new(program).args(args))
    }

    fn describe(&self) -> String {
        "local".into()
    }
}

fn shell_status(code: i32, message: String) -> CommandOutput {
    CommandOutput {
        stdout: Vec::new(),
        stderr: message.into_bytes(),
        exit_code: Some(code),
    }
}

/// Start a prepared command with stdin, stdout and stderr piped (the caller drains
/// stderr: a full pipe would stall the child), in its own process group.
pub fn spawn_piped(cmd: &mut Command) -> Result<Child, TransportError> {
    use std::os::unix::process::CommandExt;
    cmd.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .spawn()
        .map_err(|e| TransportError::Local {
            what: format!("cannot start {:?}", cmd.get_program()),
            detail: e.to_string(),
        })
}

/// An exec error of a local program, as a transport error.
pub fn from_evidence(node: &str, e: EvidenceError) -> TransportError {
    match e {
        EvidenceError::Timeout { what, seconds } => TransportError::Timeout {
            node: node.to_string(),
            what,
            seconds,
        },
        other => TransportError::Local {
            what: "run".into(),
            detail: other.to_string(),
        },
    }
}
