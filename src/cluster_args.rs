//! The flags that say which nodes to reach and how, shared by `run --cluster` and
//! `scenario run`, and turning them into a transport and a node list.

use clap::{Args, ValueEnum};
use o2check_cluster::ansible::Inventory;
use o2check_cluster::deploy::{DeployMode, Payload};
use o2check_cluster::ssh::{Ssh, SshOptions};
use o2check_cluster::{inventory, ConnectBy, Local, Node, Transport};
use std::path::PathBuf;
use std::time::Duration;

#[derive(Args, Debug, Clone)]
pub struct ClusterArgs {
    /// Nodes as a hostlist expression: `n[149-150].ocfs2.test`, `a,b,c` (default:
    /// the nodes of /etc/ocfs2/cluster.conf, or of --cluster-conf).
    #[arg(long, value_name = "HOSTLIST")]
    pub nodes: Option<String>,

    /// Nodes from an Ansible inventory (INI or YAML).
    #[arg(long, value_name = "FILE", conflicts_with = "nodes")]
    pub inventory: Option<PathBuf>,

    /// The inventory group to use.
    #[arg(long, value_name = "GROUP", default_value = "all")]
    pub inventory_group: String,

    /// The cluster.conf to take nodes from when neither --nodes nor --inventory is given.
    #[arg(long, value_name = "FILE", default_value = "/etc/ocfs2/cluster.conf")]
    pub cluster_conf: PathBuf,

    /// The cluster in cluster.conf (when it defines several).
    #[arg(long, value_name = "NAME")]
    pub cluster_name: Option<String>,

    /// Connect to cluster.conf nodes by name (ssh config, DNS) or by their ip_address.
    #[arg(long, value_enum, default_value_t = ConnectArg::Name)]
    pub connect_by: ConnectArg,

    /// ssh client configuration file (`ssh -F`); default ~/.ssh/config.
    #[arg(long, value_name = "FILE")]
    pub ssh_config: Option<PathBuf>,

    /// Extra ssh option (`-o`), repeatable: `--ssh-option StrictHostKeyChecking=accept-new`.
    #[arg(long = "ssh-option", value_name = "OPT")]
    pub ssh_options: Vec<String>,

    /// Login name for nodes the inventory gives none.
    #[arg(long, value_name = "USER")]
    pub ssh_user: Option<String>,

    /// The ssh client program.
    #[arg(long, value_name = "PROGRAM", default_value = "ssh", hide = true)]
    pub ssh_program: String,

    /// Run on this host instead of over ssh (every "node" is this machine; for
    /// testing the harness and one-host setups).
    #[arg(long, hide = true)]
    pub local_transport: bool,

    /// Seconds to wait for an ssh connection.
    #[arg(long, value_name = "SECS", default_value_t = 10)]
    pub connect_timeout: u64,

    /// Seconds one node may take in all (connect, deploy, collect).
    #[arg(long, value_name = "SECS", default_value_t = 180)]
    pub node_timeout: u64,

    /// Nodes worked on at once.
    #[arg(long, value_name = "N", default_value_t = 32)]
    pub parallel: usize,

    /// How o2check gets onto the nodes: the installed one if it is this version,
    /// else a copy of this binary (auto); always a copy; only the installed one.
    #[arg(long, value_enum, default_value_t = DeployArg::Auto)]
    pub deploy: DeployArg,

    /// The installed o2check on the nodes.
    #[arg(long, value_name = "PATH", default_value = "o2check")]
    pub remote_o2check: String,

    /// Largest file read from a bundle or received from a node, in MiB: logs and
    /// command outputs keep their last MiB up to it, other files over it are refused.
    #[arg(long, value_name = "MIB", default_value_t = 64)]
    pub max_file_mib: u64,

    /// Largest bundle a node may send, in MiB (its stream is cut there and the
    /// node is an error).
    #[arg(long, value_name = "MIB", default_value_t = 1024)]
    pub max_bundle_mib: u64,

    /// The o2check binary to copy to the nodes (default: this binary when it is
    /// portable, else the portable build next to it, see scripts/build-portable).
    #[arg(long, value_name = "FILE")]
    pub payload: Option<PathBuf>,

    /// Where the private directory for copies of o2check (`o2check.<uid>`, mode
    /// 0700, checked before use) goes on the nodes.
    #[arg(long, value_name = "DIR", default_value = "/var/tmp")]
    pub remote_dir: String,
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConnectArg {
    Name,
    Ip,
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeployArg {
    Auto,
    Always,
    Never,
}

impl From<DeployArg> for DeployMode {
    fn from(d: DeployArg) -> Self {
        match d {
            DeployArg::Auto => DeployMode::Auto,
            DeployArg::Always => DeployMode::Always,
            DeployArg::Never => DeployMode::Never,
        }
    }
}

impl ClusterArgs {
    /// The nodes to reach, from --nodes, --inventory or cluster.conf.
    pub fn nodes(&self) -> Result<Vec<Node>, String> {
        if let Some(expr) = &self.nodes {
            return inventory::from_hostlist(expr).map_err(|e| e.to_string());
        }
        if let Some(path) = &self.inventory {
            let text = read_small(path)?;
            let name = path.display().to_string();
            return Inventory::parse(&name, &text)
                .and_then(|i| i.nodes(&self.inventory_group))
                .map_err(|e| e.to_string());
        }
        let path = &self.cluster_conf;
        let text = read_small(path)
            .map_err(|e| format!("{e}; name the nodes with --nodes or --inventory"))?;
        let connect = match self.connect_by {
            ConnectArg::Name => ConnectBy::Name,
            ConnectArg::Ip => ConnectBy::Ip,
        };
        inventory::from_cluster_conf(
            &path.display().to_string(),
            &text,
            self.cluster_name.as_deref(),
            connect,
        )
        .map_err(|e| e.to_string())
    }

    pub fn transport(&self) -> Box<dyn Transport> {
        if self.local_transport {
            return Box::new(Local);
        }
        Box::new(Ssh::new(SshOptions {
            program: self.ssh_program.clone(),
            config: self.ssh_config.clone(),
            options: self.ssh_options.clone(),
            user: self.ssh_user.clone(),
            connect_timeout: Duration::from_secs(self.connect_timeout),
            multiplex: true,
        }))
    }

    pub fn node_timeout(&self) -> Duration {
        Duration::from_secs(self.node_timeout)
    }

    /// The caps on a node's stream (`--max-file-mib`, `--max-bundle-mib`).
    pub fn stream_limits(&self) -> o2check_cluster::untrusted_tar::Limits {
        o2check_cluster::untrusted_tar::Limits {
            max_file: self.max_file_mib.max(1) << 20,
            max_total: self.max_bundle_mib.max(1) << 20,
            ..Default::default()
        }
    }
}

/// What `o2check --version` prints; deploy compares it with the nodes' copies.
pub fn version_line() -> String {
    format!("o2check {}", env!("CARGO_PKG_VERSION"))
}

impl ClusterArgs {
    /// The binary to copy to the nodes (see [`crate::payload`]); a warning goes to
    /// stderr when it may not start on nodes older than this host.
    pub fn payload(&self) -> Result<Payload, String> {
        let chosen = crate::payload::choose(self.payload.as_deref(), &version_line())?;
        if let Some(w) = &chosen.warning {
            eprintln!("{w}");
        }
        Ok(chosen.payload)
    }
}

/// Inventories and cluster.conf files are small; a huge one is a mistake.
fn read_small(path: &std::path::Path) -> Result<String, String> {
    const LIMIT: u64 = 16 * 1024 * 1024;
    let md = std::fs::metadata(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    if md.len() > LIMIT {
        return Err(format!("{} is larger than 16 MiB", path.display()));
    }
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}
