//! The known causes of a failed OCFS2 mount (FORMATS.md §4.2–4.4): what each is,
//! which mount error texts it can produce, how to confirm or rule it out, and the
//! fix on each distribution family.

use super::error_text::MountError;
use o2check_reports::Layer;

/// One cause.
pub struct CauseDef {
    pub id: &'static str,
    pub layer: Layer,
    pub title: &'static str,
    pub explanation: &'static str,
    /// Can this cause produce the given mount error?
    pub produces: fn(&MountError) -> bool,
    pub confirm: &'static [&'static str],
    pub rule_out: &'static [&'static str],
    pub fix_rhel: &'static [&'static str],
    pub fix_debian: &'static [&'static str],
}

fn join_with(e: &MountError, texts: &[&str]) -> bool {
    matches!(e, MountError::Join(t) if texts.iter().any(|x| t.eq_ignore_ascii_case(x)))
}

/// Registration problems surface as these join texts across tool versions.
const NOT_REGISTERED: &[&str] = &[
    "Cluster name is invalid",
    "Unable to access cluster service",
    "Invalid name for a cluster",
];

pub const CAUSES: &[CauseDef] = &[
    CauseDef {
        id: "storage-io",
        layer: Layer::Storage,
        title: "the shared device is not usable (paths down, iSCSI logged out, I/O errors)",
        explanation: "the heartbeat region lives on the shared LUN; when its paths are faulty or its iSCSI session is gone, opening the device fails (EBUSY/ENXIO: `Internal logic failure`) or the heartbeat cannot write (`Unable to stabilize heartbeat`: `I/O error on channel while trying to join the group`)",
        produces: |e| join_with(e, &["I/O error on channel", "Internal logic failure"]) || matches!(e, MountError::Syscall(5)),
        confirm: &["`multipath -ll` shows failed/faulty paths or no map", "`iscsiadm -m session` shows no session", "dmesg has `o2hb ... Write error` or `Unable to stabilize heartbeat`"],
        rule_out: &["all maps have their paths `active ready running` and `dd if=/dev/mapper/<alias> of=/dev/null bs=1M count=10 iflag=direct` works"],
        fix_rhel: &["iscsiadm -m node --login", "multipath -r; multipath -ll", "mount <device> <mountpoint>"],
        fix_debian: &["iscsiadm -m node --login", "multipath -r; multipath -ll", "mount <device> <mountpoint>"],
    },
    CauseDef {
        id: "sector-size-mismatch",
        layer: Layer::Storage,
        title: "the device's logical block size differs from the one the volume was formatted for",
        explanation: "mount.ocfs2 writes the formatted sector size to the heartbeat region's block_bytes; the kernel compares it with the device's logical block size and returns EINVAL (`blocksize N incorrect for device, expected M`), shown as `Internal logic failure while trying to join the group` (e.g. the multipath map or a different path reports 4096 where mkfs saw 512)",
        produces: |e| join_with(e, &["Internal logic failure", "Block size is invalid"]),
        confirm: &["dmesg: `o2hb_region_dev_store ... ERROR: blocksize 512 incorrect for device, expected 4096`", "`blockdev --getss <device>` on each node and each path"],
        rule_out: &["`blockdev --getss` gives the same size on every node and path"],
        fix_rhel: &["make every path and the dm map report the same logical block size (same LUN settings on the array, same multipath device), or re-create the filesystem with mkfs.ocfs2 on the multipath device"],
        fix_debian: &["make every path and the dm map report the same logical block size (same LUN settings on the array, same multipath device), or re-create the filesystem with mkfs.ocfs2 on the multipath device"],
    },
    CauseDef {
        id: "too-few-slots",
        layer: Layer::Storage,
        title: "the volume has fewer node slots than the cluster has nodes",
        explanation: "each mounting node takes a slot (and its journal); once all are in use the next node's mount fails",
        produces: |e| matches!(e, MountError::Syscall(22) | MountError::Syscall(28) | MountError::Other),
        confirm: &["`debugfs.ocfs2 -R stats <device> | grep 'Max Node Slots'` is smaller than the node count", "`debugfs.ocfs2 -R slotmap <device>` is full"],
        rule_out: &["Max Node Slots >= the number of nodes"],
        fix_rhel: &["tunefs.ocfs2 -N <number of nodes> <device>"],
        fix_debian: &["tunefs.ocfs2 -N <number of nodes> <device>"],
    },
    CauseDef {
        id: "disk-cluster-mismatch",
        layer: Layer::Storage,
        title: "the cluster stack, cluster name or heartbeat mode on disk differs from the running cluster",
        explanation: "mount.ocfs2 validates the superblock's cluster information against the running stack before joining: a different stack gives `Cluster stack is invalid`, a different name `Cluster name is invalid`, a global-heartbeat flag against local mode `Heartbeat mode is invalid`",
        produces: |e| join_with(e, &["Cluster stack is invalid", "Cluster name is invalid", "Heartbeat mode is invalid", "Cluster stack specified does not match the one currently running"]),
        confirm: &["`debugfs.ocfs2 -R stats <device> | grep -i cluster` against `o2cb list-clusters` and /sys/fs/ocfs2/cluster_stack", "`mounted.ocfs2 -d` Stack/Cluster/F columns"],
        rule_out: &["disk shows the running stack and cluster name (or `classic o2cb`)"],
        fix_rhel: &["umount the volume on all nodes", "tunefs.ocfs2 --update-cluster-stack <device>"],
        fix_debian: &["umount the volume on all nodes", "tunefs.ocfs2 --update-cluster-stack <device>"],
    },
    CauseDef {
        id: "stale-heartbeat-region",
        layer: Layer::Heartbeat,
        title: "a stale heartbeat region is left in configfs for this volume",
        explanation: "mount.ocfs2 reuses the region directory named by the volume UUID; if an earlier mount or umount left it with a device attached, writing the device again returns EINVAL: `Internal logic failure while trying to join the group`",
        produces: |e| join_with(e, &["Internal logic failure", "Heartbeat region already exists", "Heartbeat region in use"]),
        confirm: &["`ls /sys/kernel/config/cluster/*/heartbeat/` lists the volume's UUID while it is not mounted", "`ocfs2_hb_ctl -I -u <uuid>` shows references"],
        rule_out: &["no region directory for the volume's UUID before the mount"],
        fix_rhel: &["ocfs2_hb_ctl -K -u <uuid>", "mount <device> <mountpoint>"],
        fix_debian: &["ocfs2_hb_ctl -K -u <uuid>", "mount <device> <mountpoint>"],
    },
    CauseDef {
        id: "local-ip-missing",
        layer: Layer::Network,
        title: "this node's cluster.conf address is not configured on any interface",
        explanation: "setting the local node makes o2net bind a listener to its configured ip_address; the bind fails (`Error -99 while binding socket`), registration fails, the cluster stays offline and the mount cannot join",
        produces: |e| join_with(e, &["Internal logic failure", "Cluster name is invalid", "Unable to access cluster service"]),
        confirm: &["`ip -o addr` lacks the ip_address of this node's stanza", "dmesg: `o2net: Error -99 while binding socket`"],
        rule_out: &["the address is up on the interconnect interface"],
        fix_rhel: &["configure the interconnect address (ifcfg file / nmcli) or correct ip_address in cluster.conf on all nodes", "service o2cb offline; service o2cb online"],
        fix_debian: &["configure the interconnect address (/etc/network/interfaces or netplan) or correct ip_address in cluster.conf on all nodes", "o2cb unregister-cluster <name>; o2cb register-cluster <name>"],
    },
    CauseDef {
        id: "network-unreachable",
        layer: Layer::Network,
        title: "the nodes cannot reach each other's o2net port (link down, routing or firewall)",
        explanation: "after the join, the kernel waits for o2net connections to every heartbeating node; with none (`No connection established with node N`, `shutdown, state 7`) the DLM join fails with ENOTCONN after about 70 s: `... error 107` (≥1.8.6) or `Transport endpoint is not connected` (≤1.8.5)",
        produces: |e| matches!(e, MountError::Syscall(107)),
        confirm: &["from the higher-numbered node: `nc -zv <lower ip> <port>`", "`iptables-save | grep <port>` on both nodes", "`ip link`, `ping` between the interconnect addresses"],
        rule_out: &["the TCP port answers from every node and dmesg shows `o2net: Connected to node`"],
        fix_rhel: &["restore the link/route between the interconnect addresses", "firewall-cmd --permanent --add-port=7777/tcp && firewall-cmd --reload   (or iptables -I INPUT -p tcp --dport 7777 -j ACCEPT; service iptables save)"],
        fix_debian: &["restore the link/route between the interconnect addresses", "iptables -I INPUT -p tcp --dport 7777 -j ACCEPT (persist with iptables-persistent) or `ufw allow 7777/tcp`"],
    },
    CauseDef {
        id: "cluster-conf-differs",
        layer: Layer::Config,
        title: "cluster.conf differs between nodes (node numbers, addresses or ports)",
        explanation: "o2net identifies a peer by its source address and expects the higher-numbered node to connect; with different files a node is `unknown` or connects the wrong way, and the DLM join fails",
        produces: |e| matches!(e, MountError::Syscall(107) | MountError::Syscall(22)),
        confirm: &["`md5sum /etc/ocfs2/cluster.conf` on every node", "dmesg: `Attempt to connect from unknown node` / `Unexpected connect attempt`"],
        rule_out: &["the file is identical on every node and `o2cb list-cluster` agrees with it"],
        fix_rhel: &["copy one cluster.conf to every node", "service o2cb offline; service o2cb online (with the volume unmounted)"],
        fix_debian: &["copy one cluster.conf to every node", "o2cb unregister-cluster <name>; o2cb register-cluster <name> (with the volume unmounted)"],
    },
    CauseDef {
        id: "cluster-conf-invalid",
        layer: Layer::Config,
        title: "cluster.conf cannot be loaded by o2cb",
        explanation: "o2cb refuses the whole file for one bad line (CRLF, an indented comment, a blank line inside a stanza, a missing attribute), so the cluster cannot be registered and mounts fail to join",
        produces: |e| join_with(e, NOT_REGISTERED) || join_with(e, &["Internal logic failure"]),
        confirm: &["`o2cb list-cluster <name>` fails with `Unknown code ____ 251 while loading cluster configuration file`"],
        rule_out: &["`o2cb list-cluster <name>` prints the cluster"],
        fix_rhel: &["fix the quoted line in /etc/ocfs2/cluster.conf (stanza headers in column 0, indented `key = value`, Unix line endings)", "service o2cb online"],
        fix_debian: &["fix the quoted line in /etc/ocfs2/cluster.conf (stanza headers in column 0, indented `key = value`, Unix line endings)", "o2cb register-cluster <name>"],
    },
    CauseDef {
        id: "o2cb-config",
        layer: Layer::Config,
        title: "o2cb is not enabled for the cluster at boot",
        explanation: "with O2CB_ENABLED not `true` or O2CB_BOOTCLUSTER empty or unknown, the init script never registers the cluster, so after a reboot mounts fail to join",
        produces: |e| join_with(e, NOT_REGISTERED),
        confirm: &["`grep O2CB_ /etc/sysconfig/o2cb` (RHEL) or `/etc/default/o2cb` (Debian)"],
        rule_out: &["O2CB_ENABLED=true and O2CB_BOOTCLUSTER names the cluster in cluster.conf"],
        fix_rhel: &["service o2cb configure   (answer: load on boot = y, cluster to start = <name>)", "chkconfig o2cb on; service o2cb online"],
        fix_debian: &["dpkg-reconfigure ocfs2-tools   (or set O2CB_ENABLED=true, O2CB_BOOTCLUSTER=<name> in /etc/default/o2cb)", "systemctl enable --now o2cb"],
    },
    CauseDef {
        id: "o2cb-stack-not-loaded",
        layer: Layer::O2cb,
        title: "the o2cb modules or configfs are not loaded/mounted",
        explanation: "mount.ocfs2 first opens /sys/fs/o2cb/interface_revision and configfs; without ocfs2_nodemanager or a mounted configfs it stops with `Unable to access cluster service while trying initialize cluster`",
        produces: |e| matches!(e, MountError::InitCluster(_) | MountError::SetupStack) || join_with(e, &["Unable to access cluster service"]),
        confirm: &["`lsmod | grep ocfs2`", "`grep configfs /proc/mounts`", "`service o2cb status` first lines"],
        rule_out: &["ocfs2_nodemanager is loaded and configfs is mounted at /sys/kernel/config"],
        fix_rhel: &["service o2cb load; service o2cb online"],
        fix_debian: &["systemctl restart o2cb   (or /etc/init.d/o2cb load && /etc/init.d/o2cb online)"],
    },
    CauseDef {
        id: "hostname-not-in-cluster-conf",
        layer: Layer::O2cb,
        title: "the hostname matches no node in cluster.conf, so the kernel has no local node",
        explanation: "o2cb register-cluster marks a node local only when its name is a case-insensitive prefix of the hostname ending at a `.` or the end; with no match every node gets local=0, registration still succeeds, status says Offline, and writing the heartbeat region's device fails with EINVAL: `Internal logic failure while trying to join the group`, with nothing in dmesg",
        produces: |e| join_with(e, &["Internal logic failure"]) || join_with(e, NOT_REGISTERED),
        confirm: &["`uname -n` against the `name =` lines of /etc/ocfs2/cluster.conf", "`cat /sys/kernel/config/cluster/*/node/*/local` shows no 1", "`o2cb cluster-status` says offline"],
        rule_out: &["a configfs node has local = 1"],
        fix_rhel: &["hostnamectl set-hostname <node name from cluster.conf>   (or rename the node stanza on every node)", "service o2cb offline; service o2cb online", "mount -a"],
        fix_debian: &["hostnamectl set-hostname <node name from cluster.conf>   (or rename the node stanza on every node)", "o2cb unregister-cluster <name>; o2cb register-cluster <name>", "mount -a"],
    },
    CauseDef {
        id: "cluster-offline",
        layer: Layer::O2cb,
        title: "the o2cb cluster is not registered (o2cb offline or never brought online)",
        explanation: "with no cluster in configfs, mount.ocfs2 (≥1.8.2) cannot match the disk's cluster and says `Cluster name is invalid while trying to join the group`; ≤1.6 says `Unable to access cluster service`",
        produces: |e| join_with(e, NOT_REGISTERED),
        confirm: &["`ls /sys/kernel/config/cluster/` is empty", "`o2cb cluster-status` prints `offline`"],
        rule_out: &["`o2cb cluster-status` says the cluster is online"],
        fix_rhel: &["service o2cb online"],
        fix_debian: &["o2cb register-cluster <name>   (and O2CB_ENABLED=true in /etc/default/o2cb)"],
    },
    CauseDef {
        id: "timeout-mismatch",
        layer: Layer::O2cb,
        title: "o2cb timeouts differ between nodes (idle timeout, keepalive or heartbeat threshold)",
        explanation: "every o2net handshake compares the network idle timeout, keepalive delay and heartbeat timeout; any difference makes both sides log `uses a ... of A ms, but we use B ms locally. Disconnecting.` and refuse the connection, so the mount fails with ENOTCONN after about 70 s (`error 107`)",
        produces: |e| matches!(e, MountError::Syscall(107)),
        confirm: &["`service o2cb status` timeouts on every node", "`cat /sys/kernel/config/cluster/*/idle_timeout_ms` and `heartbeat/dead_threshold` on every node"],
        rule_out: &["all nodes show identical O2CB_* timeouts and no `uses a ... but we use` lines in dmesg"],
        fix_rhel: &["set the same O2CB_HEARTBEAT_THRESHOLD, O2CB_IDLE_TIMEOUT_MS, O2CB_KEEPALIVE_DELAY_MS in /etc/sysconfig/o2cb on every node (`service o2cb configure`)", "umount; service o2cb restart on the node that differs"],
        fix_debian: &["set the same O2CB_HEARTBEAT_THRESHOLD, O2CB_IDLE_TIMEOUT_MS, O2CB_KEEPALIVE_DELAY_MS in /etc/default/o2cb on every node", "umount; systemctl restart o2cb on the node that differs"],
    },
    CauseDef {
        id: "no-local-node",
        layer: Layer::O2cb,
        title: "the kernel has no local node (cluster registered without `local` = 1)",
        explanation: "the heartbeat and mount paths need the local node number; with none, the region's dev write returns EINVAL (`Internal logic failure while trying to join the group`) and newer kernels log `o2cb: This node has not been configured`",
        produces: |e| join_with(e, &["Internal logic failure"]),
        confirm: &["`cat /sys/kernel/config/cluster/*/node/*/local` shows no 1"],
        rule_out: &["one node directory has local = 1"],
        fix_rhel: &["service o2cb offline; service o2cb online (check the hostname against cluster.conf first)"],
        fix_debian: &["o2cb unregister-cluster <name>; o2cb register-cluster <name> (check the hostname against cluster.conf first)"],
    },
];

pub fn by_id(id: &str) -> Option<&'static CauseDef> {
    CAUSES.iter().find(|c| c.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_every_signature_cause_exists() {
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
    }
}
