//! Whether a node has any OCFS2 at all, so that a host without it hears so in one
//! headline first instead of reading a list of failed o2cb checks.

use o2check_checks::source::Source;

/// True when anything says this node is (meant to be) an OCFS2 node: a
/// cluster.conf, a loaded ocfs2 module, an ocfs2 line in the mount table or fstab.
pub fn has_ocfs2(source: &dyn Source) -> bool {
    let mentions = |path: &str, needle: &str| {
        source
            .read_file(path)
            .map(|b| String::from_utf8_lossy(&b).contains(needle))
            .unwrap_or(false)
    };
    source.read_file("/etc/ocfs2/cluster.conf").is_ok()
        || mentions("/proc/modules", "ocfs2")
        || mentions("/proc/mounts", " ocfs2 ")
        || mentions("/etc/fstab", "ocfs2")
        || source
            .command(&["lsmod"])
            .map(|o| String::from_utf8_lossy(&o.stdout).contains("ocfs2"))
            .unwrap_or(false)
}

/// The headline for a run where no node has OCFS2.
pub fn headline(sources: &[Box<dyn Source>]) -> Option<String> {
    if sources.is_empty() || sources.iter().any(|s| has_ocfs2(s.as_ref())) {
        return None;
    }
    Some(
        "No OCFS2 here: no /etc/ocfs2/cluster.conf, no ocfs2 module loaded, no OCFS2 volume in \
         the mount table or fstab. If this host is meant to be an OCFS2 node, the failures below \
         say what to set up first; otherwise there is nothing to check."
            .into(),
    )
}
