//! sosreport keeps command outputs under `sos_commands/<plugin>/<command line with
//! spaces as _>`, with plugin-chosen flags (`multipath_-v4_-ll`). Host files are
//! mirrored at their paths like in an o2check bundle, so only commands need mapping.
//!
//! sos has no OCFS2 plugin (sos/report/plugins/ holds none for ocfs2 or o2cb), so
//! a sosreport never holds cluster.conf, the o2cb settings, configfs, the o2cb
//! and ocfs2 tools' outputs or the on-disk state: [`not_collected`] lists them,
//! and a check that needs one skips and asks for `o2check collect`.

use super::confined::{Confined, Kind};
use super::names::command_file_name;
use crate::needs::Need;
use std::path::{Path, PathBuf};

/// sos names for commands whose sos flags differ from the ones o2check runs.
const ALIASES: &[(&str, &[&str])] = &[
    ("multipath_-ll", &["multipath_-v4_-ll", "multipath_-ll"]),
    ("uname_-n", &["hostname"]),
    ("uname_-r", &["uname_-a"]),
    (
        "iscsiadm_-m_session",
        &["iscsiadm_-m_session_-P_3", "iscsiadm_-m_session"],
    ),
    ("dmesg", &["dmesg", "dmesg_-T"]),
    ("ip_-o_addr", &["ip_-o_addr", "ip_address"]),
    ("iptables-save", &["iptables-save"]),
    (
        "nft_list_ruleset",
        &["nft_-a_list_ruleset", "nft_list_ruleset"],
    ),
];

/// What sos collects of what o2check reads, as host-path or command-line
/// prefixes, from sos/report/plugins/: filesys.py (/proc/mounts,
/// /proc/filesystems, /etc/fstab), kernel.py (/proc/modules, lsmod, dmesg,
/// uname -a, /sys/kernel/debug by default), host.py (hostname), networking.py
/// (/etc/hosts, /etc/nsswitch.conf, /proc/net/, ip -o addr), release.py
/// (/etc/*release), kdump.py (/proc/sys/kernel/panic, panic_on_oops),
/// multipath.py (/etc/multipath.conf, multipath -v4 -ll), iscsi.py
/// (/var/lib/iscsi, iscsiadm -m session -P 3, iscsiadm -m node -P 1),
/// firewall_tables.py (nft -a list ruleset), block.py (/sys/block), logs.py
/// (/var/log/{messages,kern.log,syslog}*), date.py (date). networking.py runs
/// iptables-save only where nf_tables is not in use, so it is not counted.
const SOS_COLLECTS: &[&str] = &[
    "/proc/mounts",
    "/proc/filesystems",
    "/etc/fstab",
    "/proc/modules",
    "lsmod",
    "dmesg",
    "uname -a",
    "uname -r",
    "uname -n",
    "/sys/kernel/debug",
    "/etc/hosts",
    "/etc/nsswitch.conf",
    "/proc/net",
    "ip -o addr",
    "/etc/os-release",
    "/proc/sys/kernel/panic",
    "/proc/sys/kernel/panic_on_oops",
    "/etc/multipath.conf",
    "multipath -ll",
    "/var/lib/iscsi",
    "iscsiadm -m session",
    "iscsiadm -m node",
    "nft list ruleset",
    "/sys/block",
    "/var/log",
    "date",
];

/// A declared need as the host path or command line a sos hint names.
fn what(need: &Need) -> String {
    match need {
        Need::File(p) | Need::Tree(p) => p.to_string(),
        Need::Command(argv)
        | Need::PerNode(argv)
        | Need::PerCluster(argv)
        | Need::PerDevice(argv) => argv.join(" "),
        Need::EachEntry { dir, .. } => dir.to_string(),
        Need::Log(base) => format!("/var/log/{base}"),
    }
}

fn under(what: &str, prefix: &str) -> bool {
    what == prefix
        || what
            .strip_prefix(prefix)
            .is_some_and(|rest| rest.starts_with('/') || rest.starts_with(' '))
}

/// What o2check reads (every declared need of the collect plan) that no sos
/// plugin collects: cluster.conf, the o2cb settings, configfs, the o2cb and
/// ocfs2 tools' outputs, the on-disk state... Derived from the checks'
/// declarations, so a check that starts reading something new is listed here
/// unless the list of what sos plugins copy says sos has it.
pub fn not_collected() -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for need in crate::collect::plan::needs() {
        let w = what(&need);
        if !SOS_COLLECTS.iter().any(|s| under(&w, s)) && !out.contains(&w) {
            out.push(w);
        }
    }
    out
}

/// The [`not_collected`] entry `what` (a host path or a command line) falls under.
pub fn uncollected_by_sos(what: &str) -> Option<String> {
    not_collected().into_iter().find(|n| under(what, n))
}

/// What to collect for host file `path` that this sosreport lacks.
pub fn file_hint(path: &str) -> String {
    match uncollected_by_sos(path) {
        Some(_) => format!(
            "{path}: sos does not collect it (no sos plugin reads OCFS2 state); run `o2check collect` on the node and attach the bundle to the case"
        ),
        None => format!(
            "{path} (sos collects it when its plugin runs; copy it from the node, or run `o2check collect` there)"
        ),
    }
}

/// What to collect for the output of `argv` that this sosreport lacks.
pub fn command_hint(argv: &[&str]) -> String {
    let line = argv.join(" ");
    match uncollected_by_sos(&line) {
        Some(_) => format!(
            "the output of `{line}`: sos does not run it; run `o2check collect` on the node and attach the bundle to the case"
        ),
        None => format!(
            "the output of `{line}` (its sos plugin did not run here; run it on the node, or `o2check collect`)"
        ),
    }
}

/// Find the sos file holding the output of `argv`, searching every plugin
/// directory; the path is relative to the sosreport's root.
pub fn find_command(root: &Confined, argv: &[&str]) -> Option<PathBuf> {
    let name = command_file_name(argv);
    let candidates: Vec<&str> = ALIASES
        .iter()
        .find(|(ours, _)| *ours == name)
        .map(|(_, sos)| sos.to_vec())
        .unwrap_or_else(|| vec![name.as_str()]);
    let dirs: Vec<PathBuf> = root
        .list_dir("sos_commands")
        .ok()?
        .into_iter()
        .map(|plugin| Path::new("sos_commands").join(plugin))
        .collect();
    candidates
        .iter()
        .flat_map(|c| dirs.iter().map(move |d| d.join(c)))
        .find(|p| root.kind(&p.to_string_lossy()) == Some(Kind::File))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_aliased_commands_in_any_plugin() {
        let dir = tempfile::tempdir().unwrap();
        let mp = dir.path().join("sos_commands/multipath");
        std::fs::create_dir_all(&mp).unwrap();
        std::fs::write(mp.join("multipath_-v4_-ll"), "x").unwrap();
        let root = Confined::open(dir.path()).unwrap();
        let found = find_command(&root, &["multipath", "-ll"]).unwrap();
        assert!(found.ends_with("multipath/multipath_-v4_-ll"));
        assert!(find_command(&root, &["o2cb", "cluster-status"]).is_none());
    }

    #[test]
    fn names_what_sos_never_collects() {
        assert!(file_hint("/etc/ocfs2/cluster.conf").contains("sos does not collect"));
        assert!(
            file_hint("/sys/kernel/config/cluster/o2lab/node/n1/local").contains("o2check collect")
        );
        assert!(!file_hint("/etc/fstab").contains("sos does not collect"));
        assert!(command_hint(&["debugfs.ocfs2", "-R", "stats", "/dev/vda"])
            .contains("sos does not run it"));
        assert!(!command_hint(&["multipath", "-ll"]).contains("sos does not run it"));
        assert_eq!(uncollected_by_sos("/sys/fs/ocfs2x"), None);
    }

    #[test]
    fn what_sos_lacks_is_derived_from_the_declarations() {
        let lacks = not_collected();
        for ocfs2 in [
            "/etc/ocfs2/cluster.conf",
            "/etc/sysconfig/o2cb",
            "/sys/kernel/config/cluster",
            "o2cb cluster-status",
            "mounted.ocfs2 -d",
            "debugfs.ocfs2 -R stats",
            "getent ahostsv4",
        ] {
            assert!(
                lacks.iter().any(|l| l == ocfs2),
                "{ocfs2} missing from {lacks:?}"
            );
        }
        for sos_has in [
            "/proc/mounts",
            "/etc/fstab",
            "multipath -ll",
            "dmesg",
            "/var/log/messages",
        ] {
            assert!(
                !lacks.iter().any(|l| l == sos_has),
                "{sos_has} is collected by sos"
            );
        }
    }
}
