//! Reaching the nodes of an OCFS2 cluster from one place.
//!
//! [`inventory`] says which nodes (cluster.conf, a hostlist, an Ansible inventory
//! in [`ansible`]); [`transport`] and [`ssh`] run commands on them; [`deploy`]
//! puts this o2check there when needed; [`fanout`] works on all nodes at once and
//! [`gather`] fetches every node's evidence with it;
//! [`remote_bundle`] brings each node's evidence back as a bundle, so checks run
//! here exactly as they would offline, and [`clock`] samples the node's clock.

pub mod ansible;
pub mod archive;
pub mod clock;
pub mod deploy;
pub mod fanout;
pub mod fleet;
pub mod gather;
pub mod hostlist;
pub mod inventory;
pub mod remote_bundle;
pub mod ssh;
pub mod transport;
pub mod untrusted_tar;

pub use inventory::{ConnectBy, Node};
pub use transport::{Local, Transport, TransportError};
