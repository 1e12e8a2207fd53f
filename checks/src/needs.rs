//! What evidence a reader (a check, a cluster check, `why`, `timeline`, `collect`
//! itself) reads, declared as data next to the reader's definition. The `collect`
//! plan ([`crate::collect::plan`]) and the sosreport's list of what sos never
//! collects ([`crate::source::sosreport::not_collected`]) are derived from these
//! declarations, and checks/tests/plan_covers_reads.rs proves each declaration
//! true by recording every read a check makes on every fixture.

/// One piece of evidence, as a reader asks a [`crate::source::Source`] for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// A host file (`/etc/ocfs2/cluster.conf`).
    File(&'static str),
    /// A directory tree read whole: its listing and every file below it (configfs).
    Tree(&'static str),
    /// A command's output.
    Command(&'static [&'static str]),
    /// `argv` with each cluster.conf node name appended (`getent ahostsv4 NAME`).
    PerNode(&'static [&'static str]),
    /// `argv` with each cluster.conf cluster name appended (`o2cb list-cluster NAME`).
    PerCluster(&'static [&'static str]),
    /// `argv` with each OCFS2 device appended (`debugfs.ocfs2 -R stats DEVICE`).
    PerDevice(&'static [&'static str]),
    /// `<dir>/<entry>/<file>` for every entry of `dir` whose name starts with
    /// `prefix` (`/sys/block/dm-3/dm/name`: a device-mapper node's map name).
    EachEntry {
        dir: &'static str,
        prefix: &'static str,
        file: &'static str,
    },
    /// A syslog file `/var/log/<base>` and its rotations (`.1`, `.2.gz`,
    /// `-20261124`), found by listing /var/log.
    Log(&'static str),
}

/// A reader's declaration: groups of needs (the shared groups below, plus its own).
pub type Needs = &'static [&'static [Need]];

/// One thing a reader asks a source for.
#[derive(Debug, Clone, Copy)]
pub enum Read<'a> {
    File(&'a str),
    Dir(&'a str),
    Command(&'a [&'a str]),
}

/// cluster.conf (ocfs2-tools libo2cb, O2CB_DEFAULT_CONFIG_FILE).
pub const CLUSTER_CONF: &[Need] = &[Need::File("/etc/ocfs2/cluster.conf")];

/// The o2cb settings file: /etc/sysconfig/o2cb (RHEL, SUSE) or /etc/default/o2cb
/// (Debian), as ocfs2-tools vendor/common/o2cb.init.sh reads it.
pub const O2CB_SETTINGS: &[Need] = &[
    Need::File("/etc/default/o2cb"),
    Need::File("/etc/sysconfig/o2cb"),
];

/// The o2cb configfs tree; old systems mount configfs at /config (ocfs2-tools
/// libo2cb/o2cb_abi.c tries both).
pub const CONFIGFS: &[Need] = &[
    Need::Tree("/sys/kernel/config/cluster"),
    Need::Tree("/config/cluster"),
];

/// The hostname as o2cb compares it with node names (gethostname()).
pub const HOSTNAME: &[Need] = &[
    Need::Command(&["uname", "-n"]),
    Need::File("/proc/sys/kernel/hostname"),
    Need::File("/etc/hostname"),
];

/// The mount table.
pub const MOUNTS: &[Need] = &[Need::File("/proc/mounts")];

/// The kernel log: this boot (`dmesg`), the journal, and syslog files with older
/// boots; /proc/uptime places `[seconds since boot]` stamps in time (`--since`).
pub const KERNEL_LOG: &[Need] = &[
    Need::Command(&["dmesg"]),
    Need::Command(&["journalctl", "-k", "-o", "short-iso", "--no-pager"]),
    Need::Log("kern.log"),
    Need::Log("messages"),
    Need::Log("syslog"),
    Need::File("/proc/uptime"),
];

/// Interface addresses.
pub const ADDRESSES: &[Need] = &[Need::Command(&["ip", "-o", "addr"])];

/// `service o2cb status` (ocfs2-tools vendor/common/o2cb.init.sh, status), which
/// the checks fall back to where configfs was not collected.
pub const O2CB_STATUS: Need = Need::Command(&["service", "o2cb", "status"]);

/// The distribution, to print the fix for its family.
pub const OS_RELEASE: Need = Need::File("/etc/os-release");

impl Need {
    /// Whether this need declares `read`.
    pub fn covers(&self, read: Read) -> bool {
        match (*self, read) {
            (Need::File(p), Read::File(q)) => p == q,
            (Need::Tree(t), Read::File(q) | Read::Dir(q)) => {
                q == t || q.strip_prefix(t).is_some_and(|rest| rest.starts_with('/'))
            }
            (Need::Command(a), Read::Command(b)) => a == b,
            (Need::PerNode(a) | Need::PerCluster(a) | Need::PerDevice(a), Read::Command(b)) => {
                b.len() == a.len() + 1 && b.starts_with(a)
            }
            (Need::EachEntry { dir, prefix, file }, Read::File(q)) => q
                .strip_prefix(dir)
                .and_then(|r| r.strip_prefix('/'))
                .and_then(|r| r.strip_suffix(file))
                .and_then(|r| r.strip_suffix('/'))
                .is_some_and(|entry| entry.starts_with(prefix) && !entry.contains('/')),
            (Need::Log(_), Read::Dir("/var/log")) => true,
            (Need::Log(base), Read::File(q)) => q
                .strip_prefix("/var/log/")
                .is_some_and(|n| is_log_or_rotation(n, base)),
            _ => false,
        }
    }
}

/// Whether `needs` declares `read`.
pub fn declared(needs: Needs, read: Read) -> bool {
    needs.iter().flat_map(|g| g.iter()).any(|n| n.covers(read))
}

/// Every need of `needs`, each once, in declaration order.
pub fn flatten<'a>(needs: impl IntoIterator<Item = &'a Need>) -> Vec<Need> {
    let mut out: Vec<Need> = Vec::new();
    for n in needs {
        if !out.contains(n) {
            out.push(*n);
        }
    }
    out
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
    fn a_need_covers_only_what_it_names() {
        let tree = Need::Tree("/sys/kernel/config/cluster");
        assert!(tree.covers(Read::File("/sys/kernel/config/cluster/o2lab/node/n1/local")));
        assert!(tree.covers(Read::Dir("/sys/kernel/config/cluster")));
        assert!(!tree.covers(Read::File("/sys/kernel/config/clusterX")));
        let getent = Need::PerNode(&["getent", "ahostsv4"]);
        assert!(getent.covers(Read::Command(&["getent", "ahostsv4", "n150"])));
        assert!(!getent.covers(Read::Command(&["getent", "ahostsv4"])));
        assert!(!getent.covers(Read::Command(&["getent", "hosts", "n150"])));
        let log = Need::Log("messages");
        assert!(log.covers(Read::File("/var/log/messages.2.gz")));
        assert!(log.covers(Read::Dir("/var/log")));
        assert!(!log.covers(Read::File("/var/log/messagesX")));
        let dm = Need::EachEntry {
            dir: "/sys/block",
            prefix: "dm-",
            file: "dm/name",
        };
        assert!(dm.covers(Read::File("/sys/block/dm-3/dm/name")));
        assert!(!dm.covers(Read::File("/sys/block/sda/dm/name")));
        assert!(!dm.covers(Read::File("/sys/block/dm-3/x/dm/name")));
        assert!(!Need::File("/proc/mounts").covers(Read::File("/proc/mounts2")));
    }
}
