//! What a mount error says about where the mount failed (FORMATS.md §4.1–4.2).
//! mount.ocfs2 prints `<o2cb error text> while <step>`; the step and the text
//! together narrow the causes.

/// The step mount.ocfs2 was in, and the error text of the o2cb error table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MountError {
    /// `... while trying to join the group` with this o2cb_err text.
    Join(String),
    /// `... while trying initialize cluster` (sic).
    InitCluster(String),
    /// `... while setting up stack`.
    SetupStack,
    /// The mount(2) call after a successful join failed with this errno.
    Syscall(u32),
    /// Text we do not recognise.
    Other,
}

/// strerror texts of the errnos mount(2) returns here (ocfs2-tools ≤1.8.5 print them).
const STRERROR: &[(&str, u32)] = &[
    ("Transport endpoint is not connected", 107),
    ("Invalid argument", 22),
    ("No space left on device", 28),
    ("Input/output error", 5),
    ("No such device", 19),
    ("Device or resource busy", 16),
];

pub fn classify(text: &str) -> MountError {
    let before = |marker: &str| {
        text.split(marker)
            .next()
            .map(|s| s.rsplit(": ").next().unwrap_or(s).trim().to_string())
    };
    if text.contains("while trying to join the group") {
        return MountError::Join(before("while trying to join the group").unwrap_or_default());
    }
    if text.contains("while trying initialize cluster")
        || text.contains("while trying to initialize cluster")
    {
        return MountError::InitCluster(before("while trying").unwrap_or_default());
    }
    if text.contains("while setting up stack") {
        return MountError::SetupStack;
    }
    // ≥1.8.6: "... Check 'dmesg' for more information on this error 107."
    if let Some(n) = text
        .split("this error ")
        .nth(1)
        .and_then(|r| r.trim_end_matches(['.', ' ', '\n']).parse().ok())
    {
        return MountError::Syscall(n);
    }
    if let Some(n) = text
        .split("error ")
        .nth(1)
        .and_then(|r| r.split(|c: char| !c.is_ascii_digit()).next()?.parse().ok())
    {
        return MountError::Syscall(n);
    }
    if let Some((_, n)) = STRERROR.iter().find(|(s, _)| text.contains(s)) {
        return MountError::Syscall(*n);
    }
    MountError::Other
}

/// A sentence a person can read about the classified error.
pub fn meaning(e: &MountError) -> String {
    match e {
        MountError::Join(t) => format!("`{t}` during the cluster join (o2cb_begin_group_join): the node could not register the volume's heartbeat region with the o2cb cluster, before any network or DLM traffic"),
        MountError::InitCluster(t) => format!("`{t}` while initialising the cluster stack: configfs or the o2cb modules are not available"),
        MountError::SetupStack => "setting up the cluster stack failed: /sys/fs/ocfs2/cluster_stack could not be read or written (modules, or a stack name that is not 4 characters)".into(),
        MountError::Syscall(107) => "the join worked but the kernel mount failed with ENOTCONN (107): o2net could not connect to (or was refused by) another heartbeating node — network, firewall, or mismatched timeouts/cluster.conf".into(),
        MountError::Syscall(n) => format!("the join worked but the kernel mount failed with errno {n}; dmesg has the kernel's reason"),
        MountError::Other => "not a mount.ocfs2 message o2check knows; causes are ranked on the other evidence alone".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn real_messages() {
        assert_eq!(
            classify("mount.ocfs2: Internal logic failure while trying to join the group"),
            MountError::Join("Internal logic failure".into())
        );
        assert_eq!(
            classify("mount.ocfs2: Cluster name is invalid while trying to join the group"),
            MountError::Join("Cluster name is invalid".into())
        );
        assert_eq!(
            classify(
                "mount.ocfs2: Unable to access cluster service while trying initialize cluster"
            ),
            MountError::InitCluster("Unable to access cluster service".into())
        );
        assert_eq!(classify("mount.ocfs2: Internal logic failure while mounting /dev/vda on /mnt/ocfs2. Check 'dmesg' for more information on this error 107."), MountError::Syscall(107));
        assert_eq!(classify("mount.ocfs2: Transport endpoint is not connected while mounting /dev/sdb1 on /u01. Check 'dmesg' for more information on this error."), MountError::Syscall(107));
        assert_eq!(classify("error 107"), MountError::Syscall(107));
        assert_eq!(classify("Internal logic failure"), MountError::Other);
        assert_eq!(
            classify("mount.ocfs2: Internal logic failure while setting up stack\n"),
            MountError::SetupStack
        );
    }
}
