//! The OpenSSH client as the transport. Using the system `ssh` (not a library)
//! means everything an administrator set up keeps working: ~/.ssh/config,
//! known_hosts, ProxyJump, agents, certificates. BatchMode makes a missing key a
//! fast failure instead of a password prompt; ControlMaster multiplexes the several
//! commands o2check runs on a node over one connection.

use crate::inventory::Node;
use crate::transport::{spawn_piped, Transport, TransportError};
use o2check_checks::source::exec::run_with_input;
use o2check_checks::source::CommandOutput;
use o2check_checks::EvidenceError;
use std::path::PathBuf;
use std::process::{Child, Command};
use std::sync::Mutex;
use std::time::Duration;

/// ssh's exit status for its own errors (connection, authentication).
const SSH_ERROR: i32 = 255;

/// Masters closed at once when a run ends with some still open.
const CLOSING_AT_ONCE: usize = 32;

/// How to call ssh.
#[derive(Debug, Clone)]
pub struct SshOptions {
    /// The client program (`ssh`; a stand-in for benchmarks and tests).
    pub program: String,
    /// `-F FILE` instead of ~/.ssh/config.
    pub config: Option<PathBuf>,
    /// Extra `-o` options (`StrictHostKeyChecking=accept-new`).
    pub options: Vec<String>,
    /// Login name for nodes that do not set their own.
    pub user: Option<String>,
    pub connect_timeout: Duration,
    /// Share one connection per node (ControlMaster).
    pub multiplex: bool,
}

impl Default for SshOptions {
    fn default() -> Self {
        SshOptions {
            program: "ssh".into(),
            config: None,
            options: Vec::new(),
            user: None,
            connect_timeout: Duration::from_secs(10),
            multiplex: true,
        }
    }
}

pub struct Ssh {
    opts: SshOptions,
    /// Holds the ControlMaster sockets; short path, as unix socket paths are limited.
    control_dir: Mutex<Option<tempfile::TempDir>>,
    control_path: Option<PathBuf>,
    used: Mutex<Vec<Node>>,
}

impl Ssh {
    pub fn new(opts: SshOptions) -> Ssh {
        let control_dir = if opts.multiplex {
            tempfile::Builder::new()
                .prefix("o2ssh-")
                .tempdir_in("/tmp")
                .ok()
        } else {
            None
        };
        Ssh {
            opts,
            control_path: control_dir.as_ref().map(|d| d.path().to_path_buf()),
            control_dir: Mutex::new(control_dir),
            used: Mutex::new(Vec::new()),
        }
    }

    /// ssh's arguments up to and including the destination.
    pub fn base_args(&self, node: &Node) -> Vec<String> {
        let mut a: Vec<String> = Vec::new();
        if let Some(cfg) = &self.opts.config {
            a.push("-F".into());
            a.push(cfg.display().to_string());
        }
        let mut opt = |o: String| {
            a.push("-o".into());
            a.push(o);
        };
        opt("BatchMode=yes".into());
        opt(format!(
            "ConnectTimeout={}",
            self.opts.connect_timeout.as_secs().max(1)
        ));
        // A node that dies mid-command is noticed in ~15 s instead of TCP's minutes.
        opt("ServerAliveInterval=5".into());
        opt("ServerAliveCountMax=3".into());
        if let Some(dir) = &self.control_path {
            opt("ControlMaster=auto".into());
            opt(format!("ControlPath={}/%C", dir.display()));
            opt("ControlPersist=60".into());
        }
        for o in &self.opts.options {
            opt(o.clone());
        }
        if let Some(user) = node.user.as_ref().or(self.opts.user.as_ref()) {
            a.push("-l".into());
            a.push(user.clone());
        }
        if let Some(port) = node.port {
            a.push("-p".into());
            a.push(port.to_string());
        }
        a.push("--".into());
        a.push(node.destination().to_string());
        a
    }

    /// The full local argv for running `remote` on `node`: ssh hands the remote
    /// side one string for its shell, so each word is quoted.
    pub fn argv(&self, node: &Node, remote: &[String]) -> Vec<String> {
        let mut a = vec![self.opts.program.clone()];
        a.extend(self.base_args(node));
        a.push(quote_command(remote));
        a
    }

    fn remember(&self, node: &Node) {
        let mut used = self.used.lock().unwrap_or_else(|p| p.into_inner());
        if !used.contains(node) {
            used.push(node.clone());
        }
    }
}

/// Shell-quote every word; words that cannot be quoted (NUL) are dropped.
pub fn quote_command(words: &[String]) -> String {
    words
        .iter()
        .filter_map(|w| shlex::try_quote(w).ok())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The last meaningful line ssh printed: "connect to host x port 22: Connection refused".
fn ssh_complaint(stderr: &[u8]) -> String {
    let text = String::from_utf8_lossy(stderr);
    text.lines()
        .rev()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with("Warning: Permanently added"))
        .unwrap_or("ssh failed without a message")
        .to_string()
}

impl Transport for Ssh {
    fn run(
        &self,
        node: &Node,
        argv: &[String],
        input: Option<Vec<u8>>,
        timeout: Duration,
    ) -> Result<CommandOutput, TransportError> {
        self.remember(node);
        let full = self.argv(node, argv);
        let refs: Vec<&str> = full.iter().map(String::as_str).collect();
        let out = run_with_input(&refs, input, timeout).map_err(|e| match e {
            EvidenceError::Timeout { seconds, .. } => TransportError::Timeout {
                node: node.name.clone(),
                what: format!("`{}`", argv.join(" ")),
                seconds,
            },
            other => TransportError::Local {
                what: format!("cannot run {}", self.opts.program),
                detail: other.to_string(),
            },
        })?;
        match self.transport_failure(node, out.exit_code, &out.stderr) {
            Some(e) => Err(e),
            None => Ok(out),
        }
    }

    fn spawn(&self, node: &Node, argv: &[String]) -> Result<Child, TransportError> {
        self.remember(node);
        let full = self.argv(node, argv);
        spawn_piped(Command::new(&full[0]).args(&full[1..]).env("LC_ALL", "C"))
    }

    fn transport_failure(
        &self,
        node: &Node,
        code: Option<i32>,
        stderr: &[u8],
    ) -> Option<TransportError> {
        (code == Some(SSH_ERROR)).then(|| TransportError::Unreachable {
            node: node.name.clone(),
            detail: ssh_complaint(stderr),
        })
    }

    fn shutdown(&self) {
        self.close_masters();
    }

    fn release(&self, node: &Node) {
        let was_used = {
            let mut used = self.used.lock().unwrap_or_else(|p| p.into_inner());
            let before = used.len();
            used.retain(|n| n != node);
            used.len() != before
        };
        if was_used && self.control_path.is_some() {
            self.close_master(node);
        }
    }

    fn describe(&self) -> String {
        match &self.opts.config {
            Some(c) => format!("{} -F {}", self.opts.program, c.display()),
            None => self.opts.program.clone(),
        }
    }
}

impl Ssh {
    /// Close the shared connections now rather than leave them for ControlPersist,
    /// then remove their socket directory. Once: later calls do nothing.
    pub fn close_masters(&self) {
        let Some(dir) = self
            .control_dir
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take()
        else {
            return;
        };
        let used = std::mem::take(&mut *self.used.lock().unwrap_or_else(|p| p.into_inner()));
        // At once, not one after another: each is a process start (and up to 3 s
        // for a master that does not answer).
        crate::fanout::map_nodes(&used, CLOSING_AT_ONCE, |node| self.close_master(node));
        drop(dir);
    }

    /// `ssh -O exit` for `node`'s master, if it has one.
    fn close_master(&self, node: &Node) {
        let mut a = vec![self.opts.program.clone(), "-O".into(), "exit".into()];
        a.extend(self.base_args(node));
        let refs: Vec<&str> = a.iter().map(String::as_str).collect();
        let _ = run_with_input(&refs, None, Duration::from_secs(3));
    }
}

impl Drop for Ssh {
    fn drop(&mut self) {
        self.close_masters();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arguments_quote_the_remote_command_and_end_options() {
        let ssh = Ssh::new(SshOptions {
            config: Some("/etc/o2/ssh_config".into()),
            user: Some("root".into()),
            multiplex: false,
            ..SshOptions::default()
        });
        let node = Node {
            name: "n1".into(),
            address: Some("10.0.0.1".into()),
            user: None,
            port: Some(2222),
        };
        let argv = ssh.argv(&node, &["echo".into(), "a b".into(), "$(x)".into()]);
        assert_eq!(argv[0], "ssh");
        assert_eq!(&argv[1..3], ["-F", "/etc/o2/ssh_config"]);
        assert!(argv.contains(&"BatchMode=yes".to_string()));
        let dest = argv.iter().position(|a| a == "--").unwrap();
        assert_eq!(argv[dest + 1], "10.0.0.1");
        assert_eq!(argv[dest + 2], "echo 'a b' '$(x)'");
        let l = argv.iter().position(|a| a == "-l").unwrap();
        assert_eq!(argv[l + 1], "root");
        let p = argv.iter().position(|a| a == "-p").unwrap();
        assert_eq!(argv[p + 1], "2222");
    }

    #[test]
    fn an_unreachable_node_is_unreachable_not_a_panic() {
        // Port 9 on loopback: nothing listens, ssh exits 255 at once.
        let ssh = Ssh::new(SshOptions {
            options: vec!["UserKnownHostsFile=/dev/null".into()],
            connect_timeout: Duration::from_secs(2),
            multiplex: false,
            ..SshOptions::default()
        });
        let node = Node {
            name: "nowhere".into(),
            address: Some("127.0.0.1".into()),
            user: Some("nobody".into()),
            port: Some(9),
        };
        match ssh.run(&node, &["true".into()], None, Duration::from_secs(10)) {
            Err(TransportError::Unreachable { node, detail }) => {
                assert_eq!(node, "nowhere");
                assert!(detail.contains("refused"), "{detail}");
            }
            // Without an ssh client installed the error is local, still not a panic.
            Err(TransportError::Local { .. }) if which_ssh().is_none() => {}
            other => panic!("expected unreachable, got {other:?}"),
        }
    }

    fn which_ssh() -> Option<PathBuf> {
        std::env::var_os("PATH").and_then(|p| {
            std::env::split_paths(&p)
                .map(|d| d.join("ssh"))
                .find(|f| f.exists())
        })
    }
}
