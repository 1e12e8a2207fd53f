//! What a bundle holds, derived from what its readers declare: every check and
//! cluster check ([`crate::check::Check::needs`]), `why`, `timeline` and collect
//! itself. Nothing here is kept by hand in step with the checks: a check that
//! declares a file gets it collected, and checks/tests/plan_covers_reads.rs fails
//! a check that reads what it did not declare.

use crate::needs::{self, Need, Needs};
use crate::source::Source;
use std::net::Ipv4Addr;

/// What collect reads to make its own plan (cluster.conf for the per-node and
/// per-cluster commands, the mount table and `mounted.ocfs2 -d` for the devices,
/// the clock for meta.json), and what the o2net probes it records need.
pub const COLLECT_NEEDS: Needs = &[
    needs::CLUSTER_CONF,
    needs::MOUNTS,
    needs::HOSTNAME,
    needs::ADDRESSES,
    needs::O2CB_SETTINGS,
    needs::CONFIGFS,
    &[
        Need::Command(&["mounted.ocfs2", "-d"]),
        Need::Command(&["date", "+%s.%N"]),
        Need::File("/proc/net/tcp"),
    ],
];

/// Kept for the engineer who reads the bundle, though no check parses it yet:
/// the kernel build, the resolver order behind `getent`, the
/// multipathd view of the paths, the firewalld zone, each volume's slot map.
pub const FOR_READERS: Needs = &[&[
    Need::File("/etc/nsswitch.conf"),
    Need::Command(&["uname", "-a"]),
    Need::Command(&["multipathd", "show", "paths"]),
    Need::Command(&["firewall-cmd", "--list-all"]),
    Need::PerDevice(&["debugfs.ocfs2", "-R", "slotmap"]),
]];

/// Every need of every reader, each once: the whole plan.
pub fn needs() -> Vec<Need> {
    let checks = crate::rules::ALL.iter().flat_map(|c| c.needs.iter());
    let cluster = crate::rules::CLUSTER.iter().flat_map(|c| c.needs.iter());
    let others = [
        crate::why::NEEDS,
        crate::kernlog::timeline::NEEDS,
        COLLECT_NEEDS,
        crate::node_props::NEEDS,
        crate::measure::NEEDS,
        FOR_READERS,
    ];
    needs::flatten(
        checks
            .chain(cluster)
            .chain(others.iter().flat_map(|n| n.iter()))
            .flat_map(|g| g.iter()),
    )
}

/// Host files copied as they are.
pub fn static_files() -> Vec<&'static str> {
    needs()
        .into_iter()
        .filter_map(|n| match n {
            Need::File(p) => Some(p),
            _ => None,
        })
        .collect()
}

/// Trees walked recursively (configfs, iSCSI node records, o2hb's debugfs).
pub fn sys_trees() -> Vec<&'static str> {
    needs()
        .into_iter()
        .filter_map(|n| match n {
            Need::Tree(p) => Some(p),
            _ => None,
        })
        .collect()
}

/// The files of the declared [`Need::EachEntry`] needs on this node
/// (`/sys/block/dm-3/dm/name` for each device-mapper node).
pub fn entry_files(source: &dyn Source) -> Vec<String> {
    let mut files = Vec::new();
    for need in needs() {
        let Need::EachEntry { dir, prefix, file } = need else {
            continue;
        };
        for entry in source.list_dir(dir).unwrap_or_default() {
            if entry.starts_with(prefix) && !entry.contains('/') {
                files.push(format!("{dir}/{entry}/{file}"));
            }
        }
    }
    files
}

/// Kernel log files under /var/log (with their rotations: `.1`, `.2.gz`, `-20261124`).
pub fn log_files() -> Vec<&'static str> {
    needs()
        .into_iter()
        .filter_map(|n| match n {
            Need::Log(base) => Some(base),
            _ => None,
        })
        .collect()
}

/// Commands run on every node.
pub fn static_commands() -> Vec<Vec<String>> {
    needs()
        .into_iter()
        .filter_map(|n| match n {
            Need::Command(argv) => Some(argv.iter().map(|s| s.to_string()).collect()),
            _ => None,
        })
        .collect()
}

/// The declared command templates of one kind, each with `args` appended.
fn templated(
    kind: fn(Need) -> Option<&'static [&'static str]>,
    args: &[String],
) -> Vec<Vec<String>> {
    let templates: Vec<_> = needs().into_iter().filter_map(kind).collect();
    args.iter()
        .flat_map(|arg| {
            templates.iter().map(move |t| {
                let mut argv: Vec<String> = t.iter().map(|s| s.to_string()).collect();
                argv.push(arg.clone());
                argv
            })
        })
        .collect()
}

/// The commands of this node's plan: the static ones, then those per node name
/// and per cluster name of cluster.conf and per mounted OCFS2 device.
pub fn node_plan(source: &dyn Source) -> Vec<Vec<String>> {
    let conf = source
        .read_file("/etc/ocfs2/cluster.conf")
        .unwrap_or_default();
    let conf = String::from_utf8_lossy(&conf);
    let mounts = source.read_file("/proc/mounts").unwrap_or_default();
    let mut commands = static_commands();
    commands.extend(per_node_commands(&cluster_conf_nodes(&conf)));
    commands.extend(per_cluster_commands(&conf));
    let mut devices = ocfs2_devices(&String::from_utf8_lossy(&mounts));
    if let Ok(out) = source.command(&["mounted.ocfs2", "-d"]) {
        devices.extend(mounted_devices(&String::from_utf8_lossy(&out.stdout)));
    }
    devices.sort();
    devices.dedup();
    commands.extend(per_device_commands(&devices));
    commands
}

/// A node stanza's name and address, as far as collection needs them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeAddr {
    pub name: String,
    pub ip: Option<Ipv4Addr>,
    pub port: Option<u16>,
}

/// Node stanzas of cluster.conf, read by the checks' grammar leniently
/// ([`crate::parse::cluster_conf::parse_lenient`]): collect works on a file
/// o2cb refuses too.
pub fn cluster_conf_nodes(conf: &str) -> Vec<NodeAddr> {
    crate::parse::cluster_conf::parse_lenient(conf)
        .of_kind("node")
        .filter_map(|s| {
            let name = s.get("name")?.value.clone();
            (!name.is_empty()).then(|| NodeAddr {
                name,
                ip: s.get("ip_address").and_then(|a| a.value.parse().ok()),
                port: s.get("ip_port").and_then(|a| a.value.parse().ok()),
            })
        })
        .collect()
}

/// The declared per-node commands (`getent ahostsv4 NAME`) for every node.
pub fn per_node_commands(nodes: &[NodeAddr]) -> Vec<Vec<String>> {
    let names: Vec<String> = nodes.iter().map(|n| n.name.clone()).collect();
    templated(
        |n| match n {
            Need::PerNode(t) => Some(t),
            _ => None,
        },
        &names,
    )
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

/// The declared per-device commands (read-only on-disk facts: superblock, slot
/// map, heartbeat) for every OCFS2 device.
pub fn per_device_commands(devices: &[String]) -> Vec<Vec<String>> {
    templated(
        |n| match n {
            Need::PerDevice(t) => Some(t),
            _ => None,
        },
        devices,
    )
}

/// The declared per-cluster commands (`o2cb list-cluster NAME`) for every
/// cluster stanza, read leniently as [`cluster_conf_nodes`] reads nodes.
pub fn per_cluster_commands(conf: &str) -> Vec<Vec<String>> {
    let mut names: Vec<String> = Vec::new();
    for s in crate::parse::cluster_conf::parse_lenient(conf).of_kind("cluster") {
        if let Some(name) = s.get("name").map(|a| a.value.clone()) {
            if !name.is_empty() && !names.contains(&name) {
                names.push(name);
            }
        }
    }
    templated(
        |n| match n {
            Need::PerCluster(t) => Some(t),
            _ => None,
        },
        &names,
    )
}

pub use crate::needs::{is_log_or_rotation, Read};

/// Whether `collect` captures what `read` asks for, so an offline run of the
/// bundle can answer as the live node did.
pub fn covers(read: Read) -> bool {
    needs().iter().any(|n| n.covers(read))
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
    fn a_file_o2cb_refuses_still_names_its_nodes() {
        // The lab file with CRLF line endings and a stray attribute (jconfig.c
        // refuses both): the checks' grammar, read leniently, still finds the
        // nodes and the cluster collect asks about.
        let lab = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../fixtures/bundles/lab-capture-healthy-node1/etc/ocfs2/cluster.conf"
        ))
        .unwrap();
        let broken = format!("\tstray = 1\n{}", lab.replace('\n', "\r\n"));
        assert!(crate::parse::cluster_conf::parse("c", &broken).is_err());
        let nodes = cluster_conf_nodes(&broken);
        assert_eq!(
            nodes.iter().map(|n| n.name.as_str()).collect::<Vec<_>>(),
            ["n150.ocfs2.test", "n151.ocfs2.test"]
        );
        assert_eq!(nodes[0].ip, Some(Ipv4Addr::new(10, 77, 0, 150)));
        assert_eq!(nodes[0].port, Some(7777));
        assert_eq!(
            per_cluster_commands(&broken),
            [vec![
                "o2cb".to_string(),
                "list-cluster".into(),
                "o2lab".into()
            ]]
        );
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
