//! The catalogue of mount-time messages `why` understands: every text mount.ocfs2,
//! the o2cb tool and the kernel print while a mount fails, old and new wording,
//! each with the step it comes from. Causes name these ids in what they produce
//! (see [`super::catalogue`]).
//!
//! Sources: ocfs2-tools mount.ocfs2/mount.ocfs2.c `main()` (the `while ...`
//! suffixes), libo2cb/o2cb_err.et (the texts; ≤1.6 wording from before commit
//! a158b327), libo2cb/o2cb_abi.c `o2cb_begin_group_join()`, o2cb_ctl/op_start.c
//! and op_register.c (`o2cb` tool errors), and the kernel's fs/ocfs2
//! (slot_map.c `ocfs2_find_slot()`, stack_o2cb.c `o2cb_cluster_connect()` and
//! `o2cb_cluster_check()`, super.c `ocfs2_verify_heartbeat()`, stackglue.c).

use crate::kernlog::errno;
use regex::Regex;
use std::sync::OnceLock;

/// Where a message tells the mount stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// `ocfs2_open()`: the device could not be read.
    OpenDevice,
    /// `o2cb_setup_stack()`: /sys/fs/ocfs2/cluster_stack.
    SetupStack,
    /// `o2cb_init()`: configfs and the o2cb modules.
    InitCluster,
    /// `ocfs2_fill_cluster_desc()` / `ocfs2_fill_heartbeat_desc()`: the superblock.
    ClusterInfo,
    /// `o2cb_begin_group_join()`: registering the heartbeat region.
    Join,
    /// mount(2) after a successful join, failed with an errno.
    Mount,
    /// The `o2cb` tool or the init script (`service o2cb online`).
    O2cbTool,
    /// A kernel log line given as the error text.
    Kernel,
}

impl Step {
    pub fn name(self) -> &'static str {
        match self {
            Step::OpenDevice => "opening the device",
            Step::SetupStack => "setting up the cluster stack",
            Step::InitCluster => "initialising the cluster (configfs, o2cb modules)",
            Step::ClusterInfo => "reading the cluster information from the superblock",
            Step::Join => "joining the heartbeat group (o2cb_begin_group_join)",
            Step::Mount => "the mount(2) system call, after a successful join",
            Step::O2cbTool => "the o2cb tool / init script",
            Step::Kernel => "the kernel",
        }
    }
}

/// How a message is recognised.
pub enum Matcher {
    /// `<text> while <step marker>`: the o2cb_err.et / ocfs2_err.et texts (any wording).
    Texts(&'static [&'static str]),
    /// Any text at this step.
    AnyText,
    /// mount(2) failed with one of these errnos (`... this error N.` or its strerror).
    Errnos(&'static [u32]),
    /// A regular expression over the whole message (tool and kernel lines).
    Pattern(&'static str),
}

/// One known message.
pub struct MessageDef {
    /// Stable kebab-case id (`join-internal-failure`).
    pub id: &'static str,
    pub step: Step,
    pub matcher: Matcher,
    /// The exact wording(s) as printed, for the catalogue and the README.
    pub example: &'static str,
    /// Where it comes from, upstream.
    pub origin: &'static str,
    /// What it means for a person.
    pub meaning: &'static str,
}

const JOIN: &str = "while trying to join the group";

pub const MESSAGES: &[MessageDef] = &[
    MessageDef { id: "open-device", step: Step::OpenDevice, matcher: Matcher::AnyText,
        example: "mount.ocfs2: Device name specified was not found while opening device /dev/sdx",
        origin: "mount.ocfs2.c main(), ocfs2_open(); texts from libocfs2/ocfs2_err.et or strerror()",
        meaning: "the device could not be opened or its superblock read: a wrong or missing device, dead paths, or not an OCFS2 volume" },
    MessageDef { id: "hard-readonly-device", step: Step::OpenDevice, matcher: Matcher::Pattern(r"i/o error on channel while mounting read-only device"),
        example: "mount.ocfs2: I/O error on channel while mounting read-only device in clustered mode",
        origin: "mount.ocfs2.c main(), ocfs2_is_hard_readonly()",
        meaning: "the device is read-only (write-protected LUN or path), so a clustered read-write mount is refused" },
    MessageDef { id: "setup-stack-failure", step: Step::SetupStack, matcher: Matcher::AnyText,
        example: "mount.ocfs2: Internal logic failure while setting up stack",
        origin: "mount.ocfs2.c main(), libo2cb o2cb_setup_stack()",
        meaning: "/sys/fs/ocfs2/cluster_stack could not be read or written: the ocfs2 modules are not loaded, or the on-disk stack name is not 4 characters" },
    MessageDef { id: "init-service-unavailable", step: Step::InitCluster, matcher: Matcher::Texts(&["Unable to access cluster service"]),
        example: "mount.ocfs2: Unable to access cluster service while trying initialize cluster",
        origin: "libo2cb o2cb_init(): /sys/fs/o2cb/interface_revision or configfs missing",
        meaning: "ocfs2_nodemanager is not loaded or configfs is not mounted" },
    MessageDef { id: "init-module-not-loaded", step: Step::InitCluster, matcher: Matcher::Texts(&["Node manager kernel module is not loaded"]),
        example: "mount.ocfs2: Node manager kernel module is not loaded probably because o2cb service not started",
        origin: "o2cb_err.et O2CB_ET_MODULE_NOT_LOADED (ocfs2-tools ≤1.6 hb_ctl check)",
        meaning: "the o2cb modules are not loaded (o2cb service not started)" },
    MessageDef { id: "init-tools-out-of-date", step: Step::InitCluster, matcher: Matcher::Texts(&["Revision of OCFS2-Tools is out of date"]),
        example: "mount.ocfs2: Revision of OCFS2-Tools is out of date. while trying initialize cluster",
        origin: "libo2cb o2cb_init(): kernel interface revision newer than the tools know",
        meaning: "the kernel's o2cb interface is newer than this ocfs2-tools supports" },
    MessageDef { id: "init-internal-failure", step: Step::InitCluster, matcher: Matcher::AnyText,
        example: "mount.ocfs2: Internal logic failure while trying initialize cluster",
        origin: "libo2cb o2cb_init(): an unexpected errno opening the interface files",
        meaning: "the cluster interface files could not be read" },
    MessageDef { id: "cluster-info", step: Step::ClusterInfo, matcher: Matcher::AnyText,
        example: "mount.ocfs2: Invalid heartbeat file while trying to determine heartbeat information",
        origin: "mount.ocfs2.c main(), ocfs2_fill_cluster_desc() / ocfs2_fill_heartbeat_desc()",
        meaning: "the superblock's cluster or heartbeat information could not be read (damaged volume, or block size smaller than the sector size)" },
    MessageDef { id: "join-internal-failure", step: Step::Join, matcher: Matcher::Texts(&["Internal logic failure"]),
        example: "mount.ocfs2: Internal logic failure while trying to join the group",
        origin: "o2cb_err.et O2CB_ET_INTERNAL_FAILURE from o2cb_begin_group_join(): any errno but EIO from the heartbeat region's dev write (kernel heartbeat.c o2hb_region_dev_store()), the device open or the semaphore",
        meaning: "the heartbeat region for the volume could not be started: no local node (hostname), a cluster that went away, a stale region, a block size mismatch or an unusable device" },
    MessageDef { id: "join-cluster-name-invalid", step: Step::Join, matcher: Matcher::Texts(&["Cluster name is invalid", "Invalid name for a cluster"]),
        example: "mount.ocfs2: Cluster name is invalid while trying to join the group",
        origin: "o2cb_err.et O2CB_ET_INVALID_CLUSTER_NAME (≤1.6: `Invalid name for a cluster`), o2cb_validate_cluster_name()",
        meaning: "no cluster is registered in configfs, or the registered one is not the cluster named on disk" },
    MessageDef { id: "join-cluster-stack-invalid", step: Step::Join, matcher: Matcher::Texts(&["Cluster stack is invalid", "Cluster stack specified does not match the one currently running"]),
        example: "mount.ocfs2: Cluster stack is invalid while trying to join the group",
        origin: "o2cb_err.et O2CB_ET_INVALID_STACK_NAME (≤1.6 wording: `Cluster stack specified does not match the one currently running`), o2cb_validate_cluster_stack()",
        meaning: "the volume was formatted for another cluster stack than the running one" },
    MessageDef { id: "join-heartbeat-mode-invalid", step: Step::Join, matcher: Matcher::Texts(&["Heartbeat mode is invalid", "Active heartbeat mode does not match the configuration on disk"]),
        example: "mount.ocfs2: Heartbeat mode is invalid while trying to join the group",
        origin: "o2cb_err.et O2CB_ET_INVALID_HEARTBEAT_MODE, o2cb_validate_cluster_flags()",
        meaning: "the volume's global-heartbeat flag differs from the running cluster's heartbeat mode" },
    MessageDef { id: "join-service-unavailable", step: Step::Join, matcher: Matcher::Texts(&["Unable to access cluster service"]),
        example: "mount.ocfs2: Unable to access cluster service while trying to join the group",
        origin: "o2cb_err.et O2CB_ET_SERVICE_UNAVAILABLE: no current stack, or ENOENT creating the region under a missing cluster directory (≤1.6's way of saying the cluster is not registered)",
        meaning: "the cluster directory in configfs is missing: o2cb offline or the cluster unregistered" },
    MessageDef { id: "join-io-error", step: Step::Join, matcher: Matcher::Texts(&["I/O error on channel"]),
        example: "mount.ocfs2: I/O error on channel while trying to join the group",
        origin: "o2cb_err.et O2CB_ET_IO: EIO from the region's dev write (kernel o2hb_region_dev_store(): `Unable to stabilize heartbeat`)",
        meaning: "the heartbeat could not read or write the device: storage paths or session failing" },
    MessageDef { id: "join-permission-denied", step: Step::Join, matcher: Matcher::Texts(&["Insufficient permissions to access cluster service"]),
        example: "mount.ocfs2: Insufficient permissions to access cluster service while trying to join the group",
        origin: "o2cb_err.et O2CB_ET_PERMISSION_DENIED: EACCES/EPERM/EROFS on configfs or the device",
        meaning: "not run as root, or configfs/the device is read-only or blocked (SELinux)" },
    MessageDef { id: "join-region-exists", step: Step::Join, matcher: Matcher::Texts(&["Heartbeat region already exists", "Heartbeat region in use"]),
        example: "mount.ocfs2: Heartbeat region in use while trying to join the group",
        origin: "o2cb_err.et O2CB_ET_REGION_EXISTS / O2CB_ET_REGION_IN_USE",
        meaning: "a heartbeat region for this volume is already there" },
    MessageDef { id: "join-block-size-invalid", step: Step::Join, matcher: Matcher::Texts(&["Block size is invalid", "Block count is invalid"]),
        example: "mount.ocfs2: Block size is invalid while trying to join the group",
        origin: "o2cb_err.et O2CB_ET_INVALID_BLOCK_SIZE / _COUNT, o2cb_create_heartbeat_region()",
        meaning: "the device's sector size is larger than 4096 or the heartbeat area is empty" },
    MessageDef { id: "join-semaphore", step: Step::Join, matcher: Matcher::Texts(&["Could not access heartbeat region semaphore set", "Region semaphore set destroyed"]),
        example: "mount.ocfs2: Could not access heartbeat region semaphore set while trying to join the group",
        origin: "o2cb_err.et O2CB_ET_BAD_SEM / O2CB_ET_NO_SEM, o2cb_mutex_down_lookup()",
        meaning: "SysV semaphores are exhausted or forbidden (kernel.sem limits, containers)" },
    MessageDef { id: "join-no-memory", step: Step::Join, matcher: Matcher::Texts(&["Memory allocation failed"]),
        example: "mount.ocfs2: Memory allocation failed while trying to join the group",
        origin: "o2cb_err.et O2CB_ET_NO_MEMORY",
        meaning: "the node is out of memory" },
    MessageDef { id: "join-unknown-region", step: Step::Join, matcher: Matcher::Texts(&["Heartbeat region could not be found"]),
        example: "mount.ocfs2: Heartbeat region could not be found while trying to join the group",
        origin: "o2cb_err.et O2CB_ET_UNKNOWN_REGION (global heartbeat)",
        meaning: "global heartbeat mode, and the volume is not one of the cluster's heartbeat regions or global heartbeat was not started" },
    MessageDef { id: "join-module-not-loaded", step: Step::Join, matcher: Matcher::Texts(&["Node manager kernel module is not loaded"]),
        example: "mount.ocfs2: Node manager kernel module is not loaded while trying to join the group",
        origin: "o2cb_err.et O2CB_ET_MODULE_NOT_LOADED",
        meaning: "the o2cb modules are not loaded" },
    MessageDef { id: "join-other", step: Step::Join, matcher: Matcher::AnyText,
        example: "mount.ocfs2: <another o2cb text> while trying to join the group",
        origin: "o2cb_err.et",
        meaning: "the join failed with a text o2check has no cause for" },
    MessageDef { id: "mount-enotconn", step: Step::Mount, matcher: Matcher::Errnos(&[107]),
        example: "mount.ocfs2: Internal logic failure while mounting /dev/sdb1 on /u01. Check 'dmesg' for more information on this error 107.  (≤1.8.5: Transport endpoint is not connected while mounting ...)",
        origin: "mount.ocfs2.c main() after mount(2); kernel stack_o2cb.c o2cb_cluster_check() / dlm join returning -ENOTCONN",
        meaning: "the join worked but o2net could not connect to (or was refused by) another heartbeating node: network, firewall, mismatched timeouts or cluster.conf" },
    MessageDef { id: "mount-einval", step: Step::Mount, matcher: Matcher::Errnos(&[22]),
        example: "mount.ocfs2: Internal logic failure while mounting /dev/sdb1 on /u01. Check 'dmesg' for more information on this error 22.  (≤1.8.5: Invalid argument while mounting ...)",
        origin: "kernel fs/ocfs2: slot_map.c ocfs2_find_slot() (`no free slots available!`), stack_o2cb.c (`This node has not been configured`), super.c ocfs2_verify_heartbeat(), dlm domain checks",
        meaning: "the kernel refused the mount: no free slot, no local node, no heartbeat, or mismatching cluster configuration" },
    MessageDef { id: "mount-enodev", step: Step::Mount, matcher: Matcher::Errnos(&[19]),
        example: "mount.ocfs2: No such device while mounting /dev/sdb1 on /u01. Check 'dmesg' for more information on this error.",
        origin: "mount(2) ENODEV: the ocfs2 filesystem type is not registered (module not loaded)",
        meaning: "the ocfs2 kernel module is not loaded" },
    MessageDef { id: "mount-ebusy", step: Step::Mount, matcher: Matcher::Errnos(&[16]),
        example: "mount.ocfs2: Device or resource busy while mounting /dev/sdb1 on /u01. Check 'dmesg' for more information on this error.",
        origin: "mount(2) EBUSY",
        meaning: "the device is already mounted here or held open exclusively (LVM, md, another filesystem, a partition table in use)" },
    MessageDef { id: "mount-eoverflow", step: Step::Mount, matcher: Matcher::Errnos(&[75]),
        example: "mount.ocfs2: Value too large for defined data type while mounting /dev/sdb1 on /u01. Check 'dmesg' for more information on this error.",
        origin: "mount(2) EOVERFLOW: a mount vote or DLM message between nodes of mismatched OCFS2 versions (old kernels)",
        meaning: "nodes run OCFS2 versions whose cluster messages do not fit each other" },
    MessageDef { id: "mount-eproto", step: Step::Mount, matcher: Matcher::Errnos(&[71]),
        example: "mount.ocfs2: Internal logic failure while mounting /dev/sdb1 on /u01. Check 'dmesg' for more information on this error 71.",
        origin: "kernel dlm/dlmdomain.c: incompatible DLM or filesystem locking protocol (`... disallowing`)",
        meaning: "the nodes' DLM or locking protocol versions are not compatible" },
    MessageDef { id: "mount-eio", step: Step::Mount, matcher: Matcher::Errnos(&[5]),
        example: "mount.ocfs2: Internal logic failure while mounting /dev/sdb1 on /u01. Check 'dmesg' for more information on this error 5.",
        origin: "mount(2) EIO",
        meaning: "reading the volume failed" },
    MessageDef { id: "mount-enospc", step: Step::Mount, matcher: Matcher::Errnos(&[28]),
        example: "mount.ocfs2: No space left on device while mounting /dev/sdb1 on /u01. Check 'dmesg' for more information on this error.",
        origin: "mount(2) ENOSPC",
        meaning: "the kernel ran out of a resource (slots, journal space) while mounting" },
    MessageDef { id: "mount-errno", step: Step::Mount, matcher: Matcher::Errnos(&[]),
        example: "mount.ocfs2: Internal logic failure while mounting DEV on DIR. Check 'dmesg' for more information on this error N.",
        origin: "mount.ocfs2.c main() after mount(2)",
        meaning: "the join worked but the kernel mount failed; dmesg has the kernel's reason" },
    MessageDef { id: "o2cb-cluster-not-registered", step: Step::O2cbTool, matcher: Matcher::Pattern(r"cluster '[^']*' not registered"),
        example: "o2cb: Cluster 'ocfs2' not registered",
        origin: "ocfs2-tools o2cb_ctl/op_start.c (o2cb start-heartbeat, run by `o2cb online` for global heartbeat)",
        meaning: "the cluster is not registered in configfs (unregistered, or never brought online)" },
    MessageDef { id: "o2cb-cluster-not-active", step: Step::O2cbTool, matcher: Matcher::Pattern(r"cluster '[^']*' is not active"),
        example: "o2cb: Cluster 'ocfs2' is not active",
        origin: "ocfs2-tools o2cb_ctl/op_register.c, op_start.c",
        meaning: "another cluster, or none, is registered in configfs" },
    MessageDef { id: "o2cb-unknown-cluster", step: Step::O2cbTool, matcher: Matcher::Pattern(r"unknown cluster '"),
        example: "o2cb: Unknown cluster 'ocfs2'",
        origin: "ocfs2-tools o2cb_ctl/op_*.c: the cluster is not in /etc/ocfs2/cluster.conf",
        meaning: "cluster.conf has no such cluster (removed with `o2cb remove-cluster`, or a different name)" },
    MessageDef { id: "o2cb-config-load", step: Step::O2cbTool, matcher: Matcher::Pattern(r"while loading cluster configuration file|configuration error discovered"),
        example: "o2cb: Unknown code ____ 251 while loading cluster configuration file",
        origin: "ocfs2-tools o2cb_ctl/o2cb_config.c o2cb_config_load() via o2cbtool.c",
        meaning: "/etc/ocfs2/cluster.conf cannot be parsed" },
    MessageDef { id: "o2cb-register-failure", step: Step::O2cbTool, matcher: Matcher::Pattern(r"while registering (node|cluster)"),
        example: "o2cb: Internal logic failure while registering node 'node1'",
        origin: "ocfs2-tools o2cb_ctl/op_register.c; kernel nodemanager.c refuses the local node (listener bind -99) or a second cluster (-ENOSPC)",
        meaning: "the kernel refused the cluster or node: the local address is not configured, or another cluster is registered" },
    MessageDef { id: "o2cb-regions-active", step: Step::O2cbTool, matcher: Matcher::Pattern(r"at ?least one heartbeat region is still active"),
        example: "o2cb: Atleast one heartbeat region is still active",
        origin: "ocfs2-tools o2cb_ctl/op_register.c (unregister-cluster)",
        meaning: "a volume (or a stale region) still heartbeats, so the cluster cannot be unregistered" },
    MessageDef { id: "kernel-no-free-slots", step: Step::Kernel, matcher: Matcher::Pattern(r"no free slots available"),
        example: "(mount.ocfs2,1234,0):ocfs2_find_slot:480 ERROR: no free slots available!",
        origin: "kernel fs/ocfs2/slot_map.c ocfs2_find_slot() (-EINVAL)",
        meaning: "every node slot of the volume is taken: more nodes than slots" },
    MessageDef { id: "kernel-hb-mode-mismatch", step: Step::Kernel, matcher: Matcher::Pattern(r"mismatching o2cb heartbeat modes"),
        example: "(mount.ocfs2,1234,0):ocfs2_verify_heartbeat:... ERROR: Mismatching o2cb heartbeat modes",
        origin: "kernel fs/ocfs2/super.c (-EINVAL)",
        meaning: "the volume's heartbeat mode differs from the cluster's" },
    MessageDef { id: "kernel-node-not-configured", step: Step::Kernel, matcher: Matcher::Pattern(r"this node has not been configured"),
        example: "o2cb: This node has not been configured.",
        origin: "kernel fs/ocfs2/stack_o2cb.c o2cb_cluster_connect() (-EINVAL)",
        meaning: "the kernel has no local node" },
    MessageDef { id: "kernel-hb-not-started", step: Step::Kernel, matcher: Matcher::Pattern(r"(local|global) heartbeat has not been started|heartbeat has to be started"),
        example: "o2cb: Local heartbeat has not been started.",
        origin: "kernel fs/ocfs2/stack_o2cb.c, super.c ocfs2_verify_heartbeat() (-EINVAL)",
        meaning: "no heartbeat runs for the volume (the cluster was taken down or the mount bypassed mount.ocfs2)" },
    MessageDef { id: "kernel-different-stack", step: Step::Kernel, matcher: Matcher::Pattern(r"a different cluster stack is in use|cluster stack driver .* cannot be found"),
        example: "ocfs2: A different cluster stack is in use",
        origin: "kernel fs/ocfs2/stackglue.c",
        meaning: "another cluster stack plugin is active" },
    MessageDef { id: "kernel-could-not-connect", step: Step::Kernel, matcher: Matcher::Pattern(r"could not connect to nodes|cluster check failed|no connection established with node"),
        example: "o2cb: This node could not connect to nodes: 1.",
        origin: "kernel fs/ocfs2/stack_o2cb.c o2cb_cluster_check(), cluster/tcp.c o2net_connect_expired()",
        meaning: "o2net has no connection to some heartbeating node" },
];

/// A recognised message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Classified {
    pub id: &'static str,
    pub step: Step,
    /// The errno of a mount(2) failure.
    pub errno: Option<u32>,
    /// The o2cb / strerror part as printed (`Internal logic failure`).
    pub text: String,
}

fn by_id(id: &str) -> &'static MessageDef {
    MESSAGES
        .iter()
        .find(|m| m.id == id)
        .expect("message ids used in code exist")
}

fn patterns() -> &'static Vec<(usize, Regex)> {
    static RE: OnceLock<Vec<(usize, Regex)>> = OnceLock::new();
    RE.get_or_init(|| {
        MESSAGES
            .iter()
            .enumerate()
            .filter_map(|(i, m)| match m.matcher {
                Matcher::Pattern(p) => Some((i, Regex::new(&format!("(?i){p}")).expect("valid"))),
                _ => None,
            })
            .collect()
    })
}

/// The text just before `marker`, after the program prefix (`mount.ocfs2: `).
fn text_before(text: &str, at: usize) -> String {
    let head = &text[..at];
    head.rsplit(": ").next().unwrap_or(head).trim().to_string()
}

fn at_step(step: Step, text: String, errno: Option<u32>) -> Classified {
    let found = MESSAGES.iter().find(|m| {
        m.step == step
            && match m.matcher {
                Matcher::Texts(ts) => ts
                    .iter()
                    .any(|t| text.to_lowercase().starts_with(&t.to_lowercase())),
                Matcher::AnyText => true,
                Matcher::Errnos(ns) => errno.is_some_and(|e| ns.contains(&e)) || ns.is_empty(),
                Matcher::Pattern(_) => false,
            }
    });
    let def = found.unwrap_or_else(|| by_id("mount-errno"));
    Classified {
        id: def.id,
        step,
        errno,
        text,
    }
}

/// Which known message `text` is; `None` when o2check does not know it.
pub fn classify(text: &str) -> Option<Classified> {
    // ASCII case folding keeps byte offsets valid in `text`.
    let lower = text.to_ascii_lowercase();
    // Lines with a fixed shape first: they carry no `while <step>` suffix, or a
    // misleading one (`I/O error on channel while mounting read-only device`).
    for (i, re) in patterns() {
        if re.is_match(text) {
            let m = &MESSAGES[*i];
            return Some(Classified {
                id: m.id,
                step: m.step,
                errno: None,
                text: text.trim().to_string(),
            });
        }
    }
    let markers: &[(&str, Step)] = &[
        (JOIN, Step::Join),
        ("while trying initialize cluster", Step::InitCluster),
        ("while trying to initialize cluster", Step::InitCluster),
        ("while setting up stack", Step::SetupStack),
        (
            "while trying to determine cluster information",
            Step::ClusterInfo,
        ),
        (
            "while trying to determine heartbeat information",
            Step::ClusterInfo,
        ),
        ("while opening device", Step::OpenDevice),
    ];
    for (marker, step) in markers {
        if let Some(at) = lower.find(marker) {
            return Some(at_step(*step, text_before(text, at), None));
        }
    }
    // Old init scripts print the module text with no step.
    if lower.contains("node manager kernel module is not loaded") {
        return Some(at_step(
            Step::InitCluster,
            "Node manager kernel module is not loaded".into(),
            None,
        ));
    }
    // mount(2) failed: ≥1.8.6 `... on this error N.`, ≤1.8.5 strerror before `while mounting`.
    let numbered = lower
        .rfind("error ")
        .and_then(|at| {
            let digits: String = lower[at + 6..]
                .chars()
                .take_while(|c| c.is_ascii_digit())
                .collect();
            digits.parse::<u32>().ok()
        })
        .filter(|n| errno::text(*n as i32).is_some());
    let stated = lower
        .find(" while mounting ")
        .map(|at| text_before(text, at));
    let by_strerror = stated.as_deref().and_then(errno::by_text).or_else(|| {
        errno::TABLE
            .iter()
            .find(|(_, _, t)| lower.contains(&t.to_lowercase()) && t.len() > 12)
            .map(|e| e.0)
    });
    match (numbered, by_strerror) {
        (Some(n), _) | (None, Some(n)) => Some(at_step(
            Step::Mount,
            stated.unwrap_or_else(|| errno::text(n as i32).unwrap_or_default().to_string()),
            Some(n),
        )),
        (None, None) => None,
    }
}

/// A sentence a person can read about the message.
pub fn meaning(c: &Classified) -> String {
    let def = by_id(c.id);
    let errno = c.errno.map_or(String::new(), |n| {
        format!(
            " (errno {n} {}: {})",
            errno::name(n as i32),
            errno::text(n as i32).unwrap_or("?")
        )
    });
    format!("failed at {}{errno}: {}", c.step.name(), def.meaning)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(t: &str) -> Option<&'static str> {
        classify(t).map(|c| c.id)
    }

    #[test]
    fn every_example_classifies_as_itself() {
        for m in MESSAGES.iter().filter(|m| !m.example.contains('<')) {
            if m.id == "mount-errno" {
                continue;
            }
            let example = m.example.split("  (").next().unwrap();
            assert_eq!(id(example), Some(m.id), "{example}");
        }
    }

    #[test]
    fn old_and_new_wordings() {
        assert_eq!(
            id("mount.ocfs2: Invalid name for a cluster while trying to join the group"),
            Some("join-cluster-name-invalid")
        );
        assert_eq!(
            id("mount.ocfs2: Cluster stack specified does not match the one currently running while trying to join the group"),
            Some("join-cluster-stack-invalid")
        );
        let new = classify("mount.ocfs2: Internal logic failure while mounting /dev/vda on /mnt/ocfs2. Check 'dmesg' for more information on this error 107.").unwrap();
        let old = classify("mount.ocfs2: Transport endpoint is not connected while mounting /dev/sdb1 on /u01. Check 'dmesg' for more information on this error.").unwrap();
        assert_eq!((new.id, new.errno), ("mount-enotconn", Some(107)));
        assert_eq!((old.id, old.errno), ("mount-enotconn", Some(107)));
        assert_eq!(
            id("mount.ocfs2: Value too large for defined data type while mounting /dev/sdb1 on /u01. Check 'dmesg' for more information on this error."),
            Some("mount-eoverflow")
        );
        assert_eq!(id("error 107"), Some("mount-enotconn"));
        assert_eq!(
            id("Transport endpoint is not connected"),
            Some("mount-enotconn")
        );
        assert_eq!(
            id("mount.ocfs2: Unable to access cluster service while trying initialize cluster"),
            Some("init-service-unavailable")
        );
        assert_eq!(
            id("mount.ocfs2: Internal logic failure while setting up stack\n"),
            Some("setup-stack-failure")
        );
        assert_eq!(
            id("o2cb: Cluster 'o2lab' not registered"),
            Some("o2cb-cluster-not-registered")
        );
        assert_eq!(
            id("mount.ocfs2: I/O error on channel while mounting read-only device in clustered mode"),
            Some("hard-readonly-device")
        );
        assert_eq!(
            id("mount.ocfs2: Internal logic failure while mounting /dev/vda on /mnt/ocfs2. Check 'dmesg' for more information on this error 4242."),
            None,
            "no such errno: not a message o2check knows"
        );
        // An o2cb text alone, with no step, says nothing about where it failed.
        assert_eq!(id("Internal logic failure"), None);
        assert_eq!(id("something else entirely"), None);
    }

    #[test]
    fn meaning_names_the_errno() {
        let c = classify("mount.ocfs2: Internal logic failure while mounting /dev/vda on /mnt/ocfs2. Check 'dmesg' for more information on this error 75.").unwrap();
        assert!(meaning(&c).contains("EOVERFLOW: Value too large for defined data type"));
    }
}
