//! sosreport keeps command outputs under `sos_commands/<plugin>/<command line with
//! spaces as _>`, with plugin-chosen flags (`multipath_-v4_-ll`). Host files are
//! mirrored at their paths like in an o2check bundle, so only commands need mapping.
//!
//! sos has no OCFS2 plugin (sos/report/plugins/ holds none for ocfs2 or o2cb), so
//! a sosreport never holds cluster.conf, the o2cb settings, configfs, the o2cb
//! and ocfs2 tools' outputs or the on-disk state: [`NOT_COLLECTED`] lists them,
//! and a check that needs one skips and asks for `o2check collect`.

use super::confined::{Confined, Kind};
use super::names::command_file_name;
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

/// OCFS2 evidence o2check reads that no sos plugin collects (files and trees by
/// host path, commands by argv). Checked against sos/report/plugins/{filesys,
/// kernel,host,networking,logs,multipath,iscsi,firewall_tables}.py: they copy
/// /proc/mounts, /proc/filesystems, /etc/fstab, /proc/modules, /etc/hosts,
/// /etc/nsswitch.conf, /proc/net/, /etc/multipath.conf and /var/log/{messages,
/// kern.log,syslog}*, and run hostname, uname -a, lsmod, dmesg, ip -o addr,
/// multipath -v4 -ll, iscsiadm -m session -P 3 and nft -a list ruleset.
pub const NOT_COLLECTED: &[&str] = &[
    "/etc/ocfs2/cluster.conf",
    "/etc/sysconfig/o2cb",
    "/etc/default/o2cb",
    "/sys/kernel/config/cluster",
    "/sys/fs/ocfs2",
    "/sys/fs/o2cb",
    "o2cb cluster-status",
    "service o2cb status",
    "o2cb list-cluster",
    "o2cb_ctl -V",
    "mounted.ocfs2",
    "debugfs.ocfs2",
    "getent ahostsv4",
    "iptables-save",
];

/// The [`NOT_COLLECTED`] entry `what` (a host path or a command line) falls under.
pub fn uncollected_by_sos(what: &str) -> Option<&'static str> {
    NOT_COLLECTED.iter().copied().find(|n| {
        what == *n
            || what
                .strip_prefix(n)
                .is_some_and(|rest| rest.starts_with('/') || rest.starts_with(' '))
    })
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
}
