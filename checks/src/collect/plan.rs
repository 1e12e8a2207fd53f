//! What a bundle holds: the files, trees and commands every check reads. Keep in
//! step with the checks: a check whose evidence is not collected skips offline.

use std::net::Ipv4Addr;

/// Host files copied as they are.
pub fn static_files() -> &'static [&'static str] {
    &[
        "/etc/ocfs2/cluster.conf",
        "/etc/default/o2cb",
        "/etc/sysconfig/o2cb",
        "/etc/hosts",
        "/etc/hostname",
        "/etc/nsswitch.conf",
        "/etc/fstab",
        "/etc/multipath.conf",
        "/etc/os-release",
        "/proc/mounts",
        "/proc/modules",
        // o2cb-modules: configfs may be built in rather than a module.
        "/proc/filesystems",
        "/proc/net/tcp",
        "/proc/sys/kernel/hostname",
        "/proc/sys/kernel/panic",
        "/proc/sys/kernel/panic_on_oops",
        "/proc/uptime",
        "/sys/fs/ocfs2/cluster_stack",
        "/sys/fs/ocfs2/loaded_cluster_plugins",
        "/sys/fs/ocfs2/max_locking_protocol",
        "/sys/fs/o2cb/interface_revision",
    ]
}

/// Trees walked recursively: the o2cb configfs tree, the iSCSI node records
/// (`iscsi-sessions` tells from them whether a session is expected), and o2hb's
/// debugfs files (`heartbeat-age` reads each region's elapsed_time_in_ms).
/// Old systems mount configfs at /config (ocfs2-tools libo2cb tries both).
pub const SYS_TREES: &[&str] = &[
    "/sys/kernel/config/cluster",
    "/config/cluster",
    "/etc/iscsi/nodes",
    "/sys/kernel/debug/o2hb",
];

/// Kernel log files (and their rotations: `.1`, `.2.gz`, `-20261124`).
pub const LOG_FILES: &[&str] = &["messages", "kern.log", "syslog"];

/// Commands run on every node. `service o2cb status` falls back to the init script.
pub fn static_commands() -> Vec<Vec<String>> {
    let list: &[&[&str]] = &[
        &["uname", "-n"],
        &["uname", "-r"],
        &["uname", "-a"],
        &["service", "o2cb", "status"],
        &["o2cb", "cluster-status"],
        &["o2cb_ctl", "-V"],
        &["mounted.ocfs2", "-d"],
        &["mounted.ocfs2", "-f"],
        &["multipath", "-ll"],
        &["iscsiadm", "-m", "session"],
        &["iscsiadm", "-m", "session", "-P", "3"],
        // iscsi-sessions: whether this node has iSCSI targets at all (node records).
        &["iscsiadm", "-m", "node"],
        &["multipathd", "show", "paths"],
        &["ip", "-o", "addr"],
        &["iptables-save"],
        &["nft", "list", "ruleset"],
        &["firewall-cmd", "--list-all"],
        &["lsmod"],
        &["dmesg"],
        &["journalctl", "-k", "-o", "short-iso", "--no-pager"],
        // multipathd's path history (multipath-paths quotes it) where syslog has none.
        &[
            "journalctl",
            "-u",
            "multipathd",
            "-o",
            "short-iso",
            "--no-pager",
        ],
        &["date", "+%s.%N"],
        // o2hbmonitor-running; the form sosreport takes (process/ps_auxwww).
        &["ps", "auxwww"],
    ];
    list.iter()
        .map(|a| a.iter().map(|s| s.to_string()).collect())
        .collect()
}

/// A node stanza's name and address, as far as collection needs them. Collection
/// must work on a broken cluster.conf too, so this scan is deliberately lenient:
/// the checks, not the collector, judge the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeAddr {
    pub name: String,
    pub ip: Option<Ipv4Addr>,
    pub port: Option<u16>,
}

/// Node stanzas of cluster.conf, leniently.
pub fn cluster_conf_nodes(conf: &str) -> Vec<NodeAddr> {
    let mut nodes = Vec::new();
    let mut current: Option<NodeAddr> = None;
    for line in conf.lines() {
        let line = line.trim_end_matches('\r');
        if !line.starts_with([' ', '\t']) && line.ends_with(':') || line.trim().is_empty() {
            nodes.extend(current.take());
            if line.trim_end() == "node:" {
                current = Some(NodeAddr {
                    name: String::new(),
                    ip: None,
                    port: None,
                });
            }
            continue;
        }
        let (Some(node), Some((key, value))) = (current.as_mut(), line.split_once('=')) else {
            continue;
        };
        let value = value.trim();
        match key.trim() {
            "name" => node.name = value.to_string(),
            "ip_address" => node.ip = value.parse().ok(),
            "ip_port" => node.port = value.parse().ok(),
            _ => {}
        }
    }
    nodes.extend(current);
    nodes.retain(|n| !n.name.is_empty());
    nodes
}

/// `getent ahostsv4 NAME` for every node: what the resolver (hosts file, DNS) says.
pub fn per_node_commands(nodes: &[NodeAddr]) -> Vec<Vec<String>> {
    nodes
        .iter()
        .map(|n| vec!["getent".into(), "ahostsv4".into(), n.name.clone()])
        .collect()
}

/// Devices of mounted OCFS2 volumes, from /proc/mounts (read by the checks'
/// own parser, so collect and checks agree on what is mounted).
pub fn ocfs2_devices(mounts: &str) -> Vec<String> {
    let text = crate::text::Text::new("/proc/mounts", mounts);
    crate::parse::mount_table::ocfs2(&crate::parse::mount_table::parse(&text))
        .filter(|e| e.device.starts_with('/'))
        .map(|e| e.device.clone())
        .collect()
}

/// Devices listed by `mounted.ocfs2 -d` (first column after the header).
pub fn mounted_devices(out: &str) -> Vec<String> {
    out.lines()
        .skip_while(|l| !l.starts_with("Device"))
        .skip(1)
        .filter_map(|l| l.split_whitespace().next())
        .filter(|d| d.starts_with('/'))
        .map(str::to_string)
        .collect()
}

/// Read-only on-disk facts per OCFS2 device: superblock, slot map, heartbeat.
pub fn per_device_commands(devices: &[String]) -> Vec<Vec<String>> {
    let mut cmds = Vec::new();
    for dev in devices {
        for req in ["stats", "slotmap", "hb"] {
            cmds.push(vec![
                "debugfs.ocfs2".into(),
                "-R".into(),
                req.into(),
                dev.clone(),
            ]);
        }
    }
    cmds
}

/// `o2cb list-cluster NAME` for every cluster stanza: `disk-slots` counts the
/// nodes from it where cluster.conf does not load (ocfs2-tools o2cb/o2cb.c).
pub fn per_cluster_commands(conf: &str) -> Vec<Vec<String>> {
    let mut names: Vec<String> = Vec::new();
    let mut in_cluster = false;
    for line in conf.lines() {
        let line = line.trim_end_matches('\r');
        if !line.starts_with([' ', '\t']) && line.ends_with(':') {
            in_cluster = line.trim_end() == "cluster:";
            continue;
        }
        if let (true, Some(("name", value))) = (
            in_cluster,
            line.split_once('=').map(|(k, v)| (k.trim(), v.trim())),
        ) {
            if !value.is_empty() && !names.iter().any(|n| n == value) {
                names.push(value.to_string());
            }
        }
    }
    names
        .into_iter()
        .map(|n| vec!["o2cb".into(), "list-cluster".into(), n])
        .collect()
}

/// One thing a check reads, as a source is asked for it.
#[derive(Debug, Clone, Copy)]
pub enum Read<'a> {
    File(&'a str),
    Dir(&'a str),
    Command(&'a [&'a str]),
}

/// Whether `collect` captures what `read` asks for, so an offline run of the
/// bundle can answer as the live node did.
pub fn covers(read: Read) -> bool {
    let in_tree = |p: &str| {
        SYS_TREES
            .iter()
            .any(|t| p == *t || p.strip_prefix(t).is_some_and(|rest| rest.starts_with('/')))
    };
    let log = |p: &str| {
        p.strip_prefix("/var/log/")
            .is_some_and(|n| LOG_FILES.iter().any(|b| is_log_or_rotation(n, b)))
    };
    match read {
        Read::File(p) => static_files().contains(&p) || in_tree(p) || log(p),
        Read::Dir(p) => in_tree(p) || p == "/var/log",
        Read::Command(argv) => {
            let owned: Vec<String> = argv.iter().map(|a| a.to_string()).collect();
            static_commands().contains(&owned)
                || matches!(
                    argv,
                    ["getent", "ahostsv4", _] | ["o2cb", "list-cluster", _]
                )
                || matches!(argv, ["debugfs.ocfs2", "-R", "stats" | "slotmap" | "hb", _])
        }
    }
}

/// True for `base` itself and its rotations (`base.1`, `base.2.gz`, `base-20261124`).
pub fn is_log_or_rotation(name: &str, base: &str) -> bool {
    match name.strip_prefix(base) {
        Some("") => true,
        Some(rest) => rest.starts_with('.') || rest.starts_with('-'),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lenient_scan_finds_nodes_of_the_seed_and_lab_files() {
        let seed = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../fixtures/bundles/seed-hostname-mismatch-n150/etc/ocfs2/cluster.conf"
        ))
        .unwrap();
        let nodes = cluster_conf_nodes(&seed);
        assert_eq!(nodes.len(), 2);
        assert_eq!(nodes[1].name, "n150.ocfs2.test");
        let lab = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../fixtures/bundles/lab-capture-healthy-node1/etc/ocfs2/cluster.conf"
        ))
        .unwrap();
        let names: Vec<_> = cluster_conf_nodes(&lab)
            .into_iter()
            .map(|n| n.name)
            .collect();
        assert_eq!(names, ["n150.ocfs2.test", "n151.ocfs2.test"]);
    }

    #[test]
    fn finds_ocfs2_devices_and_rotated_logs() {
        let mounts =
            "configfs /sys/kernel/config configfs rw 0 0\n/dev/vda /mnt/ocfs2 ocfs2 rw 0 0\n";
        assert_eq!(ocfs2_devices(mounts), ["/dev/vda"]);
        let md =
            "Device    Stack  Cluster  F  UUID   Label\n/dev/vda  o2cb   o2lab       F47  o2lab\n";
        assert_eq!(mounted_devices(md), ["/dev/vda"]);
        assert!(is_log_or_rotation("messages.2.gz", "messages"));
        assert!(is_log_or_rotation("kern.log", "kern.log"));
        assert!(!is_log_or_rotation("messagesX", "messages"));
    }
}
