//! The known causes of a failed OCFS2 mount, as typed data: which messages each
//! can produce, which failing findings (`check/code`) rule it in, which passing
//! checks rule it out, what to collect to decide it, and how to fix it.
//!
//! Mechanisms from ocfs2-tools (libo2cb/o2cb_abi.c `o2cb_begin_group_join()`,
//! o2cb_ctl/op_register.c, vendor/common/o2cb.init.sh) and the kernel's fs/ocfs2
//! (cluster/heartbeat.c `o2hb_region_dev_store()`, cluster/tcp.c
//! `o2net_check_handshake()`, stack_o2cb.c, slot_map.c).

use super::fixes::{self, FixFn};
use o2check_reports::Layer;

/// A finding of the evidence layer: a check, and optionally the code of what it
/// found (`None`: any finding of that check).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Finding {
    pub check: &'static str,
    pub code: Option<&'static str>,
}

const fn any(check: &'static str) -> Finding {
    Finding { check, code: None }
}

const fn code(check: &'static str, code: &'static str) -> Finding {
    Finding {
        check,
        code: Some(code),
    }
}

impl Finding {
    /// `check/code` or `check/*`.
    pub fn key(&self) -> String {
        format!("{}/{}", self.check, self.code.unwrap_or("*"))
    }

    pub fn matches(&self, check: &str, code: Option<&str>) -> bool {
        self.check == check && self.code.is_none_or(|c| Some(c) == code)
    }
}

/// Evidence to gather when a cause cannot be decided: a file or a command
/// (with the bundle name `o2check collect` gives it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Collect {
    File(&'static str),
    Command(&'static [&'static str]),
    /// Something only a person can give (the exact mount error).
    Ask(&'static str),
}

impl Collect {
    pub fn describe(&self) -> String {
        match self {
            Collect::File(p) => format!("the file {p}"),
            Collect::Command(argv) => format!("the output of `{}`", argv.join(" ")),
            Collect::Ask(what) => what.to_string(),
        }
    }
}

/// One cause.
pub struct CauseDef {
    pub id: &'static str,
    pub layer: Layer,
    pub title: &'static str,
    pub explanation: &'static str,
    /// Ids of [`super::messages::MESSAGES`] this cause can produce.
    pub produces: &'static [&'static str],
    /// A failing finding among these rules the cause in (strong evidence).
    pub ruled_in_by: &'static [Finding],
    /// A failing finding among these supports it (a symptom it shares with
    /// other causes, as strong as a kernel log line).
    pub supported_by: &'static [Finding],
    /// A passing finding among these rules it out.
    pub ruled_out_by: &'static [Finding],
    /// What decides it, for `undetermined`.
    pub collect: &'static [Collect],
    pub confirm: &'static [&'static str],
    pub fix: FixFn,
}

/// Registration-level texts: what mount.ocfs2 prints when the kernel has no
/// usable cluster. ≥1.8.2 checks the registered cluster's name first (`Cluster
/// name is invalid`); ≤1.6 fails creating the region (`Unable to access cluster
/// service`); and when the cluster directory exists but is unusable (unregistered
/// while a region lingered, removed from cluster.conf and re-registered, its
/// heartbeat stopped) the region's dev write fails: `Internal logic failure`.
const REGISTRATION: &[&str] = &[
    "join-cluster-name-invalid",
    "join-service-unavailable",
    "join-internal-failure",
    "kernel-hb-not-started",
    "kernel-node-not-configured",
    "o2cb-cluster-not-registered",
    "o2cb-cluster-not-active",
    "o2cb-unknown-cluster",
];

const CONFIGFS_DIR: Collect = Collect::File("/sys/kernel/config/cluster");
const CLUSTER_CONF: Collect = Collect::File("/etc/ocfs2/cluster.conf");
const DMESG: Collect = Collect::Command(&["dmesg"]);
const CLUSTER_STATUS: Collect = Collect::Command(&["o2cb", "cluster-status"]);
const HOSTNAME: Collect = Collect::Command(&["uname", "-n"]);

pub const CAUSES: &[CauseDef] = &[
    CauseDef {
        id: "storage-io",
        layer: Layer::Storage,
        title: "the shared device is not usable (paths down, iSCSI logged out, I/O errors)",
        explanation: "the heartbeat region lives on the shared LUN; when its paths are faulty or its iSCSI session is gone, opening the device fails (EBUSY/ENXIO: `Internal logic failure`) or the heartbeat cannot write (`Unable to stabilize heartbeat`: `I/O error on channel while trying to join the group`)",
        produces: &["join-io-error", "join-internal-failure", "mount-eio", "open-device", "hard-readonly-device"],
        ruled_in_by: &[code("multipath-paths", "paths-down"), code("iscsi-sessions", "no-session")],
        supported_by: &[],
        ruled_out_by: &[],
        collect: &[Collect::Command(&["multipath", "-ll"]), Collect::Command(&["iscsiadm", "-m", "session"]), DMESG],
        confirm: &["`multipath -ll` shows failed/faulty paths or no map", "`iscsiadm -m session` shows no session", "dmesg has `o2hb ... Write error` or `Unable to stabilize heartbeat`"],
        fix: fixes::storage,
    },
    CauseDef {
        id: "sector-size-mismatch",
        layer: Layer::Storage,
        title: "the device's logical block size differs from the one the volume was formatted for",
        explanation: "mount.ocfs2 writes the formatted sector size to the heartbeat region's block_bytes; the kernel compares it with the device's logical block size and returns EINVAL (`blocksize N incorrect for device, expected M`), shown as `Internal logic failure while trying to join the group` (e.g. the multipath map or a different path reports 4096 where mkfs saw 512)",
        produces: &["join-internal-failure", "join-block-size-invalid"],
        ruled_in_by: &[],
        supported_by: &[],
        ruled_out_by: &[],
        collect: &[DMESG],
        confirm: &["dmesg: `o2hb_region_dev_store ... ERROR: blocksize 512 incorrect for device, expected 4096`", "`blockdev --getss DEVICE` on each node and each path"],
        fix: fixes::sector_size,
    },
    CauseDef {
        id: "too-few-slots",
        layer: Layer::Storage,
        title: "the volume has fewer node slots than the nodes mounting it",
        explanation: "each mounting node takes a slot (and its journal); once all are in use the kernel logs `no free slots available!` and the next node's mount fails with EINVAL; tunefs.ocfs2 adds slots only with the volume unmounted on every node (online it fails with `Trylock failed while opening device`, seen in the lab)",
        produces: &["mount-einval", "mount-enospc", "kernel-no-free-slots"],
        ruled_in_by: &[code("disk-slots", "too-few-slots")],
        supported_by: &[],
        ruled_out_by: &[any("disk-slots")],
        collect: &[Collect::Command(&["mounted.ocfs2", "-d"]), DMESG],
        confirm: &["`debugfs.ocfs2 -R stats DEVICE | grep 'Max Node Slots'` is smaller than the node count", "`debugfs.ocfs2 -R slotmap DEVICE` is full"],
        fix: fixes::slots,
    },
    CauseDef {
        id: "disk-cluster-mismatch",
        layer: Layer::Storage,
        title: "the cluster stack, cluster name or heartbeat mode on disk differs from the running cluster",
        explanation: "mount.ocfs2 validates the superblock's cluster information against the running stack before joining: a different stack gives `Cluster stack is invalid`, a different name `Cluster name is invalid`, a global-heartbeat flag against local mode `Heartbeat mode is invalid`",
        produces: &["join-cluster-stack-invalid", "join-cluster-name-invalid", "join-heartbeat-mode-invalid", "kernel-hb-mode-mismatch", "kernel-different-stack"],
        ruled_in_by: &[code("disk-cluster-stack", "mismatch")],
        supported_by: &[],
        ruled_out_by: &[any("disk-cluster-stack")],
        collect: &[Collect::Command(&["mounted.ocfs2", "-d"]), Collect::File("/sys/fs/ocfs2/cluster_stack"), CONFIGFS_DIR],
        confirm: &["`debugfs.ocfs2 -R stats DEVICE | grep -i cluster` against `o2cb list-clusters` and /sys/fs/ocfs2/cluster_stack", "`mounted.ocfs2 -d` Stack/Cluster/F columns"],
        fix: fixes::disk_cluster,
    },
    CauseDef {
        id: "stale-heartbeat-region",
        layer: Layer::Heartbeat,
        title: "a stale heartbeat region is left in configfs for this volume",
        explanation: "mount.ocfs2 reuses the region directory named by the volume UUID; if an earlier mount or umount left it with a device attached, writing the device again returns EINVAL: `Internal logic failure while trying to join the group`",
        produces: &["join-internal-failure", "join-region-exists", "o2cb-regions-active"],
        ruled_in_by: &[code("stale-heartbeat-region", "stale-region")],
        supported_by: &[],
        ruled_out_by: &[any("stale-heartbeat-region")],
        collect: &[CONFIGFS_DIR, Collect::File("/proc/mounts")],
        confirm: &["`ls /sys/kernel/config/cluster/*/heartbeat/` lists the volume's UUID while it is not mounted", "`ocfs2_hb_ctl -I -u UUID` shows references"],
        fix: fixes::stale_region,
    },
    CauseDef {
        id: "local-ip-missing",
        layer: Layer::Network,
        title: "this node's cluster.conf address is not configured on any interface",
        explanation: "setting the local node makes o2net bind a listener to its configured ip_address; the bind fails (`Error -99 while binding socket`), registration fails, the cluster stays offline and the mount cannot join",
        produces: &["join-internal-failure", "join-cluster-name-invalid", "join-service-unavailable", "o2cb-register-failure"],
        // The check's own finding: the address is absent from `ip -o addr`.
        ruled_in_by: &[code("name-resolution", "local-ip-missing")],
        supported_by: &[],
        ruled_out_by: &[],
        collect: &[Collect::Command(&["ip", "-o", "addr"]), CLUSTER_CONF, DMESG],
        confirm: &["`ip -o addr` lacks the ip_address of this node's stanza", "dmesg: `o2net: Error -99 while binding socket`"],
        fix: fixes::local_ip,
    },
    CauseDef {
        id: "network-unreachable",
        layer: Layer::Network,
        title: "the nodes cannot reach each other's o2net port (link down, routing or firewall)",
        explanation: "after the join, the kernel waits for o2net connections to every heartbeating node; with none (`No connection established with node N`, `shutdown, state 7`) the DLM join fails with ENOTCONN after about 70 s: `... error 107` (≥1.8.6) or `Transport endpoint is not connected` (≤1.8.5)",
        produces: &["mount-enotconn", "kernel-could-not-connect"],
        ruled_in_by: &[code("o2net-port", "peer-unreachable"), code("o2net-port", "firewall-drops"), code("o2net-port", "unreachable-from-peers"), code("o2net-port", "no-listener")],
        // Dropped or never-established connections are also what mismatched
        // timeouts and cluster.conf files look like from one node.
        supported_by: &[code("o2net-port", "probe-failed"), code("o2net-stability", "no-connection"), code("o2net-stability", "flapping"), code("o2net-stability", "idle-timeout")],
        ruled_out_by: &[],
        collect: &[DMESG, Collect::Command(&["iptables-save"]), Collect::Command(&["nft", "list", "ruleset"]), Collect::File("/proc/net/tcp")],
        confirm: &["from the higher-numbered node: `nc -zv LOWER_IP 7777`", "`iptables-save | grep 7777` on both nodes", "`ip link`, `ping` between the interconnect addresses"],
        fix: fixes::network,
    },
    CauseDef {
        id: "cluster-conf-differs",
        layer: Layer::Config,
        title: "cluster.conf differs between nodes (node numbers, addresses or ports)",
        explanation: "o2net identifies a peer by its source address and expects the higher-numbered node to connect; with different files a node is `unknown` or connects the wrong way, and the DLM join fails",
        produces: &["mount-enotconn", "mount-einval", "kernel-could-not-connect"],
        ruled_in_by: &[code("cluster-conf-identical", "differs")],
        supported_by: &[code("o2net-stability", "rejected-connection"), code("o2net-stability", "repeated-rejections")],
        ruled_out_by: &[any("cluster-conf-identical")],
        collect: &[CLUSTER_CONF, DMESG, Collect::Ask("a bundle from every node (`o2check collect` on each), so the files can be compared")],
        confirm: &["`md5sum /etc/ocfs2/cluster.conf` on every node", "dmesg: `Attempt to connect from unknown node` / `Unexpected connect attempt`"],
        fix: fixes::conf_differs,
    },
    CauseDef {
        id: "cluster-conf-invalid",
        layer: Layer::Config,
        title: "cluster.conf cannot be loaded by o2cb, or no longer defines the cluster",
        explanation: "o2cb refuses the whole file for one bad line (CRLF, an indented comment, a blank line inside a stanza, a missing attribute), and after `o2cb remove-cluster` the file has no cluster stanza: either way the cluster cannot be registered again (`o2cb: Unknown cluster`) and mounts fail to join",
        produces: REGISTRATION,
        ruled_in_by: &[code("cluster-conf-syntax", "file-absent"), code("cluster-conf-syntax", "unloadable"), code("cluster-conf-syntax", "no-cluster-stanza"), code("cluster-conf-syntax", "rule-violations")],
        supported_by: &[],
        ruled_out_by: &[any("cluster-conf-syntax")],
        collect: &[CLUSTER_CONF],
        confirm: &["`o2cb list-cluster NAME` fails with `Unknown code ____ 251 while loading cluster configuration file`"],
        fix: fixes::conf_invalid,
    },
    CauseDef {
        id: "o2cb-config",
        layer: Layer::Config,
        title: "o2cb is not enabled for the cluster at boot",
        explanation: "with O2CB_ENABLED not `true` or O2CB_BOOTCLUSTER empty or unknown, the init script never registers the cluster, so after a reboot mounts fail to join",
        produces: REGISTRATION,
        ruled_in_by: &[code("o2cb-config", "file-absent"), code("o2cb-config", "settings-invalid")],
        supported_by: &[],
        ruled_out_by: &[any("o2cb-config")],
        collect: &[Collect::File("/etc/default/o2cb"), Collect::File("/etc/sysconfig/o2cb")],
        confirm: &["`grep O2CB_ /etc/sysconfig/o2cb` (RHEL) or `/etc/default/o2cb` (Debian)"],
        fix: fixes::o2cb_config,
    },
    CauseDef {
        id: "o2cb-stack-not-loaded",
        layer: Layer::O2cb,
        title: "the o2cb modules or configfs are not loaded/mounted",
        explanation: "mount.ocfs2 first opens /sys/fs/o2cb/interface_revision and configfs; without ocfs2_nodemanager or a mounted configfs it stops with `Unable to access cluster service while trying initialize cluster`; without the ocfs2 module mount(2) says ENODEV (`No such device`)",
        // mount.ocfs2's o2cb_setup_stack() modprobes ocfs2 and its stack plugin
        // itself, so with the stack unloaded it gets past the init and finds no
        // cluster registered: `Cluster name is invalid` (lab fault modules-unloaded).
        produces: &["init-service-unavailable", "init-module-not-loaded", "init-internal-failure", "setup-stack-failure", "join-cluster-name-invalid", "join-service-unavailable", "join-module-not-loaded", "mount-enodev", "kernel-different-stack"],
        ruled_in_by: &[code("o2cb-modules", "not-loaded")],
        // `not-mounted` is configfs or ocfs2_dlmfs; only configfs matters to a kernel mount.
        supported_by: &[code("o2cb-filesystems", "not-mounted")],
        ruled_out_by: &[any("o2cb-modules")],
        collect: &[Collect::File("/proc/modules"), Collect::File("/proc/mounts"), Collect::File("/sys/fs/o2cb/interface_revision")],
        confirm: &["`lsmod | grep ocfs2`", "`grep configfs /proc/mounts`", "`service o2cb status` first lines"],
        fix: fixes::stack_not_loaded,
    },
    CauseDef {
        id: "hostname-not-in-cluster-conf",
        layer: Layer::O2cb,
        title: "the hostname matches no node in cluster.conf, so the kernel has no local node",
        explanation: "o2cb register-cluster marks a node local only when its name is a case-insensitive prefix of the hostname ending at a `.` or the end; with no match every node gets local=0, registration still succeeds, status says Offline, and writing the heartbeat region's device fails with EINVAL: `Internal logic failure while trying to join the group`, with nothing in dmesg",
        produces: &["join-internal-failure", "join-cluster-name-invalid", "join-service-unavailable", "kernel-node-not-configured", "mount-einval"],
        ruled_in_by: &[code("hostname-in-cluster-conf", "no-local-node"), code("hostname-in-cluster-conf", "several-local-nodes")],
        supported_by: &[],
        ruled_out_by: &[any("hostname-in-cluster-conf")],
        collect: &[HOSTNAME, CLUSTER_CONF, CONFIGFS_DIR],
        confirm: &["`uname -n` against the `name =` lines of /etc/ocfs2/cluster.conf", "`cat /sys/kernel/config/cluster/*/node/*/local` shows no 1", "`o2cb cluster-status` says offline"],
        fix: fixes::hostname,
    },
    CauseDef {
        id: "cluster-offline",
        layer: Layer::O2cb,
        title: "the o2cb cluster is not registered (offline, unregistered, or never brought online)",
        explanation: "with no cluster in configfs mount.ocfs2 (≥1.8.2) cannot match the disk's cluster: `Cluster name is invalid while trying to join the group` (≤1.6: `Unable to access cluster service`); after `o2cb unregister-cluster`, `o2cb remove-cluster` or a stopped heartbeat the region's device write fails instead: `Internal logic failure while trying to join the group`",
        produces: REGISTRATION,
        ruled_in_by: &[code("cluster-online", "not-registered"), code("cluster-online", "reported-offline")],
        supported_by: &[],
        // Registered without a local node is registered.
        ruled_out_by: &[any("cluster-online"), code("cluster-online", "no-local-node")],
        collect: &[CONFIGFS_DIR, CLUSTER_STATUS],
        confirm: &["`ls /sys/kernel/config/cluster/` is empty", "`o2cb cluster-status` prints `offline`"],
        fix: fixes::online,
    },
    CauseDef {
        id: "timeout-mismatch",
        layer: Layer::O2cb,
        title: "o2cb timeouts differ between nodes (idle timeout, keepalive or heartbeat threshold)",
        explanation: "every o2net handshake compares the network idle timeout, keepalive delay and heartbeat timeout; any difference makes both sides log `uses a ... of A ms, but we use B ms locally. Disconnecting.` and refuse the connection, so the mount fails with ENOTCONN after about 70 s (`error 107`)",
        produces: &["mount-enotconn", "kernel-could-not-connect"],
        ruled_in_by: &[code("o2cb-timeouts-identical", "timeouts-differ"), code("o2cb-timeouts-consistent", "timeouts-disagree"), code("o2net-stability", "handshake-mismatch")],
        supported_by: &[],
        ruled_out_by: &[any("o2cb-timeouts-identical")],
        collect: &[DMESG, Collect::File("/etc/default/o2cb"), Collect::File("/etc/sysconfig/o2cb"), CONFIGFS_DIR],
        confirm: &["`service o2cb status` timeouts on every node", "`cat /sys/kernel/config/cluster/*/idle_timeout_ms` and `heartbeat/dead_threshold` on every node"],
        fix: fixes::timeouts,
    },
    CauseDef {
        id: "no-local-node",
        layer: Layer::O2cb,
        title: "the kernel has no local node (cluster registered without `local` = 1)",
        explanation: "the heartbeat and mount paths need the local node number; with none, the region's dev write returns EINVAL (`Internal logic failure while trying to join the group`) and newer kernels log `o2cb: This node has not been configured`",
        produces: &["join-internal-failure", "kernel-node-not-configured", "mount-einval"],
        ruled_in_by: &[code("cluster-online", "no-local-node")],
        supported_by: &[],
        ruled_out_by: &[any("cluster-online")],
        collect: &[CONFIGFS_DIR, HOSTNAME],
        confirm: &["`cat /sys/kernel/config/cluster/*/node/*/local` shows no 1"],
        fix: fixes::reregister,
    },
    CauseDef {
        id: "version-mismatch",
        layer: Layer::Dlm,
        title: "the nodes run OCFS2 versions that cannot talk to each other",
        explanation: "nodes exchange mount votes and DLM join messages whose layout and protocol version must agree; a node with another major version refuses (`locking protocol ... disallowing`, EPROTO) and on old kernels a message that does not fit the peer's fails with EOVERFLOW: `Value too large for defined data type`",
        produces: &["mount-eoverflow", "mount-eproto"],
        ruled_in_by: &[code("versions-consistent", "versions-differ")],
        supported_by: &[],
        ruled_out_by: &[any("versions-consistent")],
        collect: &[Collect::Command(&["uname", "-r"]), Collect::Command(&["o2cb_ctl", "-V"]), Collect::File("/sys/fs/ocfs2/max_locking_protocol"), DMESG],
        confirm: &["`uname -r` and `o2cb_ctl -V` on every node", "`cat /sys/fs/ocfs2/max_locking_protocol` on every node"],
        fix: fixes::versions,
    },
    CauseDef {
        id: "device-busy",
        layer: Layer::Storage,
        title: "the device is already mounted here or held by something else",
        explanation: "mount(2) returns EBUSY when the block device is already mounted on this node or opened exclusively (an LVM/md member, a partition in use, another filesystem)",
        produces: &["mount-ebusy"],
        ruled_in_by: &[],
        supported_by: &[],
        ruled_out_by: &[],
        collect: &[Collect::File("/proc/mounts"), Collect::Command(&["mounted.ocfs2", "-f"])],
        confirm: &["`grep DEVICE /proc/mounts`", "`lsblk DEVICE` and `dmsetup ls --tree` for holders"],
        fix: fixes::busy,
    },
];

pub fn by_id(id: &str) -> Option<&'static CauseDef> {
    CAUSES.iter().find(|c| c.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::why::messages::MESSAGES;

    #[test]
    fn ids_are_unique_and_every_reference_exists() {
        let mut ids: Vec<_> = CAUSES.iter().map(|c| c.id).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), CAUSES.len());
        for s in super::super::signatures::SIGNATURES
            .iter()
            .filter(|s| s.cause != "fenced")
        {
            assert!(
                by_id(s.cause).is_some(),
                "signature {} names unknown cause {}",
                s.name,
                s.cause
            );
        }
        for c in CAUSES {
            for m in c.produces {
                assert!(
                    MESSAGES.iter().any(|d| d.id == *m),
                    "{}: unknown message {m}",
                    c.id
                );
            }
        }
    }

    #[test]
    fn an_unregistered_cluster_can_print_internal_logic_failure() {
        // The field case: `o2cb unregister-cluster` / remove-cluster / stopped heartbeat.
        assert!(by_id("cluster-offline")
            .unwrap()
            .produces
            .contains(&"join-internal-failure"));
    }

    #[test]
    fn every_finding_code_named_is_in_the_table() {
        for c in CAUSES {
            for f in c.ruled_in_by.iter().chain(c.supported_by) {
                let code = f.code.expect("rule-in findings name their code");
                let row = crate::rules::findings::lookup(f.check, code)
                    .filter(|r| r.check == f.check)
                    .unwrap_or_else(|| panic!("{}: {} is not in rules/FINDINGS", c.id, f.key()));
                assert_eq!(row.status, o2check_reports::Status::Fail, "{}", f.key());
            }
        }
    }

    #[test]
    fn every_check_named_exists() {
        let known: Vec<&str> = crate::rules::ALL
            .iter()
            .map(|c| c.id)
            .chain(crate::rules::CLUSTER.iter().map(|c| c.id))
            .collect();
        for c in CAUSES {
            for f in c
                .ruled_in_by
                .iter()
                .chain(c.supported_by)
                .chain(c.ruled_out_by)
            {
                assert!(
                    known.contains(&f.check),
                    "{}: unknown check {}",
                    c.id,
                    f.check
                );
            }
        }
    }
}
