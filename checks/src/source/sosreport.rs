//! sosreport keeps command outputs under `sos_commands/<plugin>/<command line with
//! spaces as _>`, with plugin-chosen flags (`multipath_-v4_-ll`). Host files are
//! mirrored at their paths like in an o2check bundle, so only commands need mapping.

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
}
