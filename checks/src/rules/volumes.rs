//! The OCFS2 volumes a node knows about: mounted ones (/proc/mounts) and those
//! `mounted.ocfs2 -d` detects, each with its superblock when `debugfs.ocfs2 -R
//! stats` output is available. Shared by the heartbeat and on-disk checks.
//!
//! "Mounted here" is /proc/mounts when it was collected; without it (outputs pasted
//! into a ticket) the slot map (`mounted.ocfs2 -f` naming this node) or this boot's
//! kernel log (`ocfs2: Mounting device` after `o2dlm: Joining domain UUID`, with no
//! `Unmounting` after it) says so, and [`Volume::mounted`] tells which. The raw SCSI
//! paths of a multipath map carry the same superblock as the map: `mounted.ocfs2`
//! lists `/dev/sdX` beside `/dev/mapper/X` with one UUID; they fold into the map's
//! volume as [`Volume::raw_paths`].

use super::common::mounts;
use crate::context::NodeCtx;
use crate::needs::Need;
use crate::parse::debugfs_stats::{self, Superblock};
use crate::parse::mounted_ocfs2;
use crate::text::Text;
use o2check_reports::Evidence;

/// One volume as far as the evidence goes.
#[derive(Debug, Clone)]
pub struct Volume {
    pub device: String,
    pub mount_point: Option<String>,
    pub uuid: Option<String>,
    /// `mounted.ocfs2 -d` columns (stack, cluster, G flag).
    pub detected: Option<mounted_ocfs2::MountedRow>,
    pub superblock: Option<(Text, Superblock)>,
    /// Nodes the slot map says have it mounted (`mounted.ocfs2 -f`).
    pub nodes: Vec<String>,
    pub evidence: Vec<Evidence>,
    /// Why this node counts it as mounted, when it does.
    pub mounted: Option<MountedBy>,
    /// Raw SCSI devices showing the same superblock as this multipath map.
    pub raw_paths: Vec<String>,
}

/// The evidence that a volume is mounted on this node.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MountedBy {
    ProcMounts,
    /// `mounted.ocfs2 -f` lists this node (no /proc/mounts in the evidence).
    SlotMap,
    /// This boot's kernel log mounted it and did not unmount it (no /proc/mounts).
    KernelLog,
}

impl Volume {
    pub fn is_mounted(&self) -> bool {
        self.mounted.is_some()
    }
}

/// A multipath or device-mapper device (the one to use, not its raw paths)?
pub(crate) fn is_map(device: &str) -> bool {
    device.starts_with("/dev/mapper/") || device.starts_with("/dev/dm-")
}

/// A raw SCSI disk or partition (`/dev/sdb`, `/dev/sdc1`)?
pub(crate) fn is_raw_scsi(device: &str) -> bool {
    device
        .strip_prefix("/dev/sd")
        .is_some_and(|r| r.starts_with(|c: char| c.is_ascii_lowercase()))
}

impl Volume {
    fn new(
        device: String,
        mount_point: Option<String>,
        detected: Option<mounted_ocfs2::MountedRow>,
        evidence: Vec<Evidence>,
    ) -> Self {
        Volume {
            device,
            mount_point,
            uuid: None,
            detected,
            superblock: None,
            nodes: Vec::new(),
            evidence,
            mounted: None,
            raw_paths: Vec::new(),
        }
    }
}

/// What [`volumes`] reads: the mount table, fstab, `mounted.ocfs2` and each
/// device's superblock, and dmesg for volumes mounted where /proc/mounts is not
/// collected.
pub(crate) const NEEDS: &[Need] = &[
    Need::File("/proc/mounts"),
    Need::File("/etc/fstab"),
    Need::Command(&["mounted.ocfs2", "-d"]),
    Need::Command(&["mounted.ocfs2", "-f"]),
    Need::PerDevice(&["debugfs.ocfs2", "-R", "stats"]),
    // dmesg's events come from the facts layer's one reading of the kernel log.
    Need::Command(&["dmesg"]),
    Need::Command(&["journalctl", "-k", "-o", "short-iso", "--no-pager"]),
    Need::Log("kern.log"),
    Need::Log("messages"),
    Need::Log("syslog"),
];

/// Every volume, mounted ones first, devices deduplicated: worked out once per
/// node (a node fact, see crate::facts), however many checks ask.
pub fn volumes(ctx: &NodeCtx) -> Vec<Volume> {
    let volumes = ctx.fact(|f| &f.volumes, || std::sync::Arc::new(read_volumes(ctx)));
    volumes.as_ref().clone()
}

/// [`volumes`] from the node's evidence: /proc/mounts, fstab, `mounted.ocfs2
/// -d`/`-f` and each volume's `debugfs.ocfs2 -R stats`.
fn read_volumes(ctx: &NodeCtx) -> Vec<Volume> {
    let mut out: Vec<Volume> = Vec::new();
    let proc_mounts = mounts(ctx);
    if let Ok((text, entries)) = &proc_mounts {
        for e in crate::parse::mount_table::ocfs2(entries) {
            let mut v = Volume::new(
                e.device.clone(),
                Some(e.mount_point.clone()),
                None,
                vec![text.evidence_at(e.line)],
            );
            v.mounted = Some(MountedBy::ProcMounts);
            out.push(v);
        }
    }
    // Volumes the node is meant to mount, even when it has not managed to.
    if let Ok(fstab) = ctx.file("/etc/fstab") {
        for e in crate::parse::mount_table::parse(&fstab)
            .iter()
            .filter(|e| e.fs_type == "ocfs2")
        {
            if !out.iter().any(|v| v.device == e.device) {
                out.push(Volume::new(
                    e.device.clone(),
                    None,
                    None,
                    vec![fstab.evidence_at(e.line)],
                ));
            }
        }
    }
    if let Ok(d) = ctx.command(&["mounted.ocfs2", "-d"]) {
        for row in mounted_ocfs2::parse(&d.stdout) {
            let ev = d.stdout.evidence_at(row.line);
            match out.iter_mut().find(|v| v.device == row.device) {
                Some(v) if v.detected.is_none() => {
                    v.evidence.push(ev);
                    v.detected = Some(row);
                }
                Some(_) => {}
                None => out.push(Volume::new(row.device.clone(), None, Some(row), vec![ev])),
            }
        }
    }
    if let Ok(f) = ctx.command(&["mounted.ocfs2", "-f"]) {
        for row in mounted_ocfs2::parse(&f.stdout) {
            if let Some(v) = out
                .iter_mut()
                .find(|v| v.device == row.device && v.nodes.is_empty())
            {
                v.evidence.push(f.stdout.evidence_at(row.line));
                v.nodes = row.nodes;
            }
        }
    }
    for v in &mut out {
        if let Ok(stats) = ctx.command(&["debugfs.ocfs2", "-R", "stats", &v.device]) {
            let sb = debugfs_stats::parse(&stats.stdout);
            if sb.uuid.is_some() {
                v.superblock = Some((stats.stdout, sb));
            }
        }
        v.uuid = v
            .superblock
            .as_ref()
            .and_then(|(_, sb)| sb.uuid.clone())
            .or_else(|| {
                v.detected
                    .as_ref()
                    .map(|d| d.uuid.clone())
                    .filter(|u| !u.is_empty())
            })
            // ocfs2-tools 1.2 printed the UUID with dashes (uuid_unparse); the kernel
            // names regions and DLM domains by the 32 hex digits alone.
            .map(|u| u.replace('-', "").to_uppercase());
    }
    let mut out = fold_raw_paths(out);
    if proc_mounts.is_err() {
        mounted_without_proc_mounts(ctx, &mut out);
    }
    out
}

/// Raw SCSI devices with the same UUID as a map become that map's raw paths.
fn fold_raw_paths(vols: Vec<Volume>) -> Vec<Volume> {
    let mut out: Vec<Volume> = Vec::new();
    let (raw, rest): (Vec<Volume>, Vec<Volume>) = vols
        .into_iter()
        .partition(|v| is_raw_scsi(&v.device) && v.mount_point.is_none() && v.uuid.is_some());
    out.extend(rest);
    for r in raw {
        match out
            .iter_mut()
            .find(|v| is_map(&v.device) && v.uuid.is_some() && v.uuid == r.uuid)
        {
            Some(map) => {
                map.raw_paths.push(r.device.clone());
                map.evidence.extend(r.evidence);
            }
            None => out.push(r),
        }
    }
    out
}

/// Without /proc/mounts: the slot map naming this node, or this boot's kernel log.
fn mounted_without_proc_mounts(ctx: &NodeCtx, vols: &mut [Volume]) {
    let me = this_node_names(ctx);
    for v in vols.iter_mut() {
        if v.nodes
            .iter()
            .any(|n| me.iter().any(|m| m.eq_ignore_ascii_case(n)))
        {
            v.mounted = Some(MountedBy::SlotMap);
        }
    }
    let Some(dmesg) = crate::kernlog::node_events::dmesg_events(ctx) else {
        return;
    };
    for (uuid, evidence) in still_mounted(&dmesg.events) {
        if let Some(v) = vols
            .iter_mut()
            .find(|v| v.uuid.as_deref() == Some(uuid.as_str()))
        {
            if v.mounted.is_none() {
                v.mounted = Some(MountedBy::KernelLog);
                v.evidence.push(evidence);
            }
        }
    }
}

/// The names this node goes by in a slot map: its hostname (and short name) and,
/// from configfs, its o2cb node name and number.
fn this_node_names(ctx: &NodeCtx) -> Vec<String> {
    let mut names = Vec::new();
    if let Ok(h) = ctx.hostname() {
        let h = h.content.trim().to_string();
        if let Some((short, _)) = h.split_once('.') {
            names.push(short.to_string());
        }
        names.push(h);
    }
    if let Ok(Some(c)) = super::common::configfs_cluster(ctx) {
        if let Some(n) = c.local_node() {
            names.push(n.name.clone());
            names.extend(n.num.map(|x| x.to_string()));
        }
    }
    names
}

/// Volumes (by UUID) this log mounted and did not unmount: `ocfs2: Mounting
/// device` follows the `o2dlm: Joining domain <UUID>` of the same mount
/// (linux fs/ocfs2/super.c, `ocfs2_fill_super` after `ocfs2_dlm_init`); an
/// `Unmounting device` of the same major,minor ends it.
fn still_mounted(events: &[crate::kernlog::node_events::Located]) -> Vec<(String, Evidence)> {
    use crate::kernlog::event::O2Event;
    let mut joined: Option<String> = None;
    let mut mounted: Vec<(String, String, Evidence)> = Vec::new();
    for e in events {
        let l = &e.line;
        match e.event.clone() {
            O2Event::DlmJoin {
                domain, node: None, ..
            } => joined = Some(domain),
            O2Event::DlmNodes { domain, .. } => joined = Some(domain),
            O2Event::FsMount { device, .. } => {
                if let Some(uuid) = joined.take() {
                    mounted.retain(|(_, d, _)| d != &device);
                    let ev = Evidence::new(
                        l.origin.clone(),
                        Some(l.line),
                        format!("{} {}", l.stamp, l.message.trim_end()).trim(),
                    );
                    mounted.push((uuid, device, ev));
                }
            }
            O2Event::FsUnmount { device, .. } => mounted.retain(|(_, d, _)| d != &device),
            _ => {}
        }
    }
    mounted.into_iter().map(|(u, _, e)| (u, e)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::context::Options;
    use crate::rules::test_bundle::{fixture, fixture_copy};
    use crate::source::{Bundle, Source};

    fn volumes_of(dir: &std::path::Path) -> Vec<Volume> {
        let b = Bundle::open(dir).unwrap();
        let options = Options::default();
        volumes(&NodeCtx::new(&b as &dyn Source, &options))
    }

    /// Through a node's memo (as in every run) the volumes are worked out once
    /// and are what the evidence gives.
    #[test]
    fn a_nodes_volumes_are_kept_and_equal_to_a_fresh_reading() {
        let dir = fixture("bundles/lab-capture-healthy-node1");
        let cached = crate::source::Cached::new(Bundle::open(&dir).unwrap());
        let options = Options::default();
        let ctx = NodeCtx::new(&cached as &dyn Source, &options);
        let facts = cached.facts().unwrap();
        assert!(facts.volumes.get().is_none());
        let first = format!("{:?}", volumes(&ctx));
        assert!(facts.volumes.get().is_some());
        assert_eq!(format!("{:?}", volumes(&ctx)), first);
        assert_eq!(format!("{:?}", volumes_of(&dir)), first);
    }

    #[test]
    fn the_lab_volume_is_mounted_per_proc_mounts_with_its_superblock() {
        let v = volumes_of(&fixture("bundles/lab-capture-healthy-node1"));
        assert_eq!(v.len(), 1, "{v:?}");
        assert_eq!(v[0].device, "/dev/vda");
        assert_eq!(v[0].mount_point.as_deref(), Some("/mnt/ocfs2"));
        assert_eq!(v[0].mounted, Some(MountedBy::ProcMounts));
        assert_eq!(
            v[0].uuid.as_deref().map(str::to_uppercase).as_deref(),
            Some("F47217E35EA246069E452DD9DC166B05")
        );
        assert!(v[0].superblock.is_some());
        assert_eq!(v[0].nodes, ["n150.ocfs2.test", "n151.ocfs2.test"]);
    }

    /// Outputs pasted into a ticket: no /proc/mounts, the slot map names this
    /// node; without the slot map too, the kernel log's mount says so.
    #[test]
    fn without_proc_mounts_the_slot_map_then_the_kernel_log_tell() {
        let b = fixture_copy("bundles/lab-capture-healthy-node1");
        std::fs::remove_file(b.path().join("proc/mounts")).unwrap();
        let v = volumes_of(b.path());
        assert_eq!(v[0].mounted, Some(MountedBy::SlotMap), "{v:?}");
        std::fs::remove_file(b.path().join("commands/mounted.ocfs2_-f")).unwrap();
        let v = volumes_of(b.path());
        assert_eq!(v[0].mounted, Some(MountedBy::KernelLog), "{v:?}");
    }

    /// The iSCSI lab: `mounted.ocfs2 -d` lists both SCSI paths beside the map
    /// with one UUID; they are the map's raw paths, not volumes of their own.
    #[test]
    fn raw_scsi_paths_fold_into_their_multipath_map() {
        let v = volumes_of(&fixture("bundles/lab-iscsi-healthy-node1"));
        assert_eq!(v.len(), 1, "{v:?}");
        assert_eq!(v[0].device, "/dev/mapper/o2lab_shared");
        assert_eq!(v[0].raw_paths, ["/dev/sda", "/dev/sdb"]);
    }

    /// The threshold fault's node2: its mount failed, so the volume is known
    /// from fstab only, not mounted and without a UUID.
    #[test]
    fn a_volume_known_from_fstab_only_is_not_mounted() {
        let v = volumes_of(&fixture("bundles/lab-capture-hb-threshold-node2"));
        assert_eq!(v.len(), 1, "{v:?}");
        assert_eq!(v[0].device, "/dev/vda");
        assert_eq!((v[0].mounted, v[0].mount_point.as_deref()), (None, None));
        assert!(v[0].uuid.is_none() && v[0].superblock.is_none());
        assert_eq!(v[0].evidence[0].source, "/etc/fstab");
    }
}
