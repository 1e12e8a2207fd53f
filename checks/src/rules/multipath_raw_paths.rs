//! `multipath-raw-paths`: the raw SCSI paths of a multipath map stay out of
//! OCFS2's way. `mounted.ocfs2` scans every block device in /proc/partitions
//! (ocfs2-tools `mounted.ocfs2/mounted.c`, `ocfs2_partition_list`), so the paths
//! `/dev/sdX` of a map show the same superblock (one UUID) beside
//! `/dev/mapper/X`: one volume, seen several times. That is harmless while nothing
//! opens a raw path; a raw path that is mounted bypasses multipath (no failover: the
//! first cable pull stops the heartbeat and fences the node), and `UUID=`/`LABEL=`
//! lookups may pick a raw path.

use super::volumes::{is_map, is_raw_scsi, volumes};
use crate::check::{Check, CheckError, Verdict};
use crate::context::NodeCtx;
use crate::needs::{self, Needs};
use crate::parse::mount_table;
use o2check_reports::{Layer, Severity};

pub const CHECK: Check = Check {
    id: "multipath-raw-paths",
    layer: Layer::Storage,
    severity: Severity::Warning,
    title: "raw SCSI paths of a multipath map are not used as OCFS2 volumes",
    rationale: "a raw path mounted instead of its map has no failover: one path failure stops \
                the heartbeat writes and the node fences itself; tools that resolve UUID= or \
                LABEL= may open a raw path",
    needs: NEEDS,
    run,
};

/// The evidence it reads: `collect` gathers it (see [`crate::needs`]).
const NEEDS: Needs = &[
    super::volumes::NEEDS,
    needs::CONFIGFS,
    needs::HOSTNAME,
    needs::KERNEL_LOG,
];

const FIX: &str = "mount the map, never a path: `/dev/mapper/<map>` in /etc/fstab (not UUID=, LABEL= \
                   or /dev/sdX); keep the raw paths out of scanners: `find_multipaths` and the map's \
                   WWID in /etc/multipath/wwids so multipathd claims them at boot, and an LVM \
                   `global_filter` that rejects /dev/sd* when LVM is in use";

fn run(ctx: &NodeCtx) -> Result<Verdict, CheckError> {
    let vols = volumes(ctx);
    // A raw path mounted while its map exists: the map's UUID on a mounted /dev/sdX.
    let bypassing: Vec<_> = vols
        .iter()
        .filter(|v| is_raw_scsi(&v.device) && v.mount_point.is_some())
        .filter(|v| {
            vols.iter()
                .any(|m| is_map(&m.device) && m.uuid.is_some() && m.uuid == v.uuid)
        })
        .collect();
    if let Some(first) = bypassing.first() {
        return Ok(Verdict::fail(
            format!(
                "{} is mounted on {} but is a raw path of a multipath map (same UUID {}): no failover",
                first.device,
                first.mount_point.as_deref().unwrap_or("?"),
                first.uuid.as_deref().unwrap_or("?")
            ),
            format!("unmount it and mount the map instead; {FIX}"),
        )
        .code("raw-path-mounted")
        .with(bypassing.iter().flat_map(|v| v.evidence.iter().cloned())));
    }
    let seen: Vec<_> = vols.iter().filter(|v| !v.raw_paths.is_empty()).collect();
    // One superblock on several devices and no map over them: the paths of one
    // LUN that multipath does not manage (or a volume cloned block for block).
    let mut unclaimed: Vec<(&str, Vec<&str>)> = Vec::new();
    for v in vols.iter().filter(|v| !is_map(&v.device)) {
        let Some(u) = v.uuid.as_deref() else { continue };
        match unclaimed.iter_mut().find(|(uu, _)| *uu == u) {
            Some((_, devs)) => devs.push(&v.device),
            None => unclaimed.push((u, vec![&v.device])),
        }
    }
    unclaimed.retain(|(u, devs)| {
        devs.len() > 1
            && !vols
                .iter()
                .any(|m| is_map(&m.device) && m.uuid.as_deref() == Some(*u))
    });
    if let Some((uuid, devs)) = unclaimed.first() {
        return Ok(Verdict::fail(
            format!(
                "volume {uuid} is visible through {} devices ({}) and no multipath map is over them: \
                 I/O to one of them has no failover (or they are block-for-block copies sharing a UUID)",
                devs.len(),
                devs.join(", ")
            ),
            "if these are the paths of one SAN LUN: enable multipath (`mpathconf --enable --with_multipathd y` \
             or install multipath-tools), let it claim the WWID (`multipath -a /dev/sdX`, `multipath -r`) and mount \
             /dev/mapper/<map>; if they are copies, give the copy a new UUID (`tunefs.ocfs2 -U`) before any node mounts it",
        )
        .code("paths-without-map")
        .with(
            vols.iter()
                .filter(|v| v.uuid.as_deref() == Some(*uuid))
                .flat_map(|v| v.evidence.iter().cloned()),
        ));
    }
    if seen.is_empty() {
        let maps = vols.iter().filter(|v| is_map(&v.device)).count();
        if maps == 0 {
            // Why no volume is known: the detection output absent, not collected
            // or unreadable (a node with no map at all still lists its disks).
            ctx.command(&["mounted.ocfs2", "-d"])?;
        }
        return Ok(if maps == 0 {
            Verdict::skip("no OCFS2 volume on a multipath map in the evidence")
                .code("no-map-volume")
        } else {
            Verdict::pass(format!(
                "{maps} OCFS2 volume(s) on multipath maps; no raw path shows their superblock"
            ))
        });
    }
    let listed: Vec<String> = seen
        .iter()
        .map(|v| format!("{} (raw paths {})", v.device, v.raw_paths.join(", ")))
        .collect();
    // Seeing the paths is what every dm-multipath node shows (mounted.ocfs2 scans
    // /proc/partitions); it is a hazard only where something may open a path
    // instead of the map: an fstab entry by UUID= or LABEL= (blkid may resolve it
    // to a path). A raw path mounted was judged above.
    let by_tag: Vec<_> = ctx
        .file("/etc/fstab")
        .ok()
        .map(|fstab| {
            mount_table::ocfs2(&mount_table::parse(&fstab))
                .filter(|e| e.device.starts_with("UUID=") || e.device.starts_with("LABEL="))
                .map(|e| (e.device.clone(), fstab.evidence_at(e.line)))
                .collect()
        })
        .unwrap_or_default();
    if !by_tag.is_empty() {
        let tags: Vec<&str> = by_tag.iter().map(|(d, _)| d.as_str()).collect();
        return Ok(Verdict::fail(
            format!(
                "/etc/fstab mounts OCFS2 by {}, and the OCFS2 tools see {} volume(s) also through their raw SCSI paths: {}; the tag may resolve to a path, which has no failover",
                tags.join(", "),
                seen.len(),
                listed.join("; ")
            ),
            FIX,
        )
        .code("raw-paths-visible")
        .with(by_tag.into_iter().map(|(_, e)| e))
        .with(seen.iter().flat_map(|v| v.evidence.iter().cloned())));
    }
    Ok(Verdict::pass(format!(
        "{} volume(s) also seen through their raw SCSI paths, counted once each: {}; nothing mounts a path or names the volume by UUID=/LABEL= in /etc/fstab",
        seen.len(),
        listed.join("; ")
    ))
    .with(seen.iter().flat_map(|v| v.evidence.iter().cloned())))
}

#[cfg(test)]
mod tests {
    use super::*;
    use o2check_reports::Status;

    fn run_in(files: &[(&str, &str)]) -> Verdict {
        crate::rules::test_bundle::judge(run, files)
    }

    // Built from ocfs2_print_quick_detect()'s "%-*s  %-5s  %-*s  %c  %-32s  %-s" layout.
    const DETECT: &str = "Device              Stack  Cluster  F  UUID                              Label\n\
                          /dev/sdb            o2cb   web         1B39656CE0F14936B7CB422B06D84E2F  vms\n\
                          /dev/sdc            o2cb   web         1B39656CE0F14936B7CB422B06D84E2F  vms\n\
                          /dev/mapper/mpatha  o2cb   web         1B39656CE0F14936B7CB422B06D84E2F  vms\n";

    #[test]
    fn raw_paths_beside_the_map_are_one_volume_and_a_warning_only_when_fstab_names_it_by_tag() {
        // Every dm-multipath node shows its paths (the lab's healthy iSCSI stack
        // does): counted once, not a failure.
        let v = run_in(&[("commands/mounted.ocfs2_-d", DETECT)]);
        assert_eq!((v.status, v.code), (Status::Pass, None), "{}", v.summary);
        assert!(v.summary.contains("/dev/sdb, /dev/sdc"), "{}", v.summary);
        let v = run_in(&[
            ("commands/mounted.ocfs2_-d", DETECT),
            (
                "etc/fstab",
                "UUID=1b39656c-e0f1-4936-b7cb-422b06d84e2f /vms ocfs2 _netdev 0 0\n",
            ),
        ]);
        assert_eq!(
            (v.status, v.code),
            (Status::Fail, Some("raw-paths-visible")),
            "{}",
            v.summary
        );
        assert!(
            v.summary
                .contains("/dev/mapper/mpatha (raw paths /dev/sdb, /dev/sdc)"),
            "{}",
            v.summary
        );
        assert_eq!(CHECK.severity, Severity::Warning);
    }

    #[test]
    fn a_mounted_raw_path_bypasses_multipath() {
        let v = run_in(&[
            ("commands/mounted.ocfs2_-d", DETECT),
            (
                "proc/mounts",
                "/dev/sdb /vms ocfs2 rw,heartbeat=local 0 0\n",
            ),
        ]);
        assert_eq!(
            (v.status, v.code),
            (Status::Fail, Some("raw-path-mounted")),
            "{}",
            v.summary
        );
    }

    #[test]
    fn one_image_through_two_devices_without_a_map_real_output() {
        // Real ocfs2-tools 1.8.7 output: one image on two loop devices (fixtures/mkfs/README).
        let d = include_str!("../../../fixtures/mkfs/mounted-ocfs2-d-one-image-two-loops.txt");
        let v = run_in(&[("commands/mounted.ocfs2_-d", d)]);
        assert_eq!(
            (v.status, v.code),
            (Status::Fail, Some("paths-without-map")),
            "{}",
            v.summary
        );
        assert!(
            v.summary.contains("/dev/loop0, /dev/loop1"),
            "{}",
            v.summary
        );
        let one: String = d
            .lines()
            .filter(|l| !l.contains("loop1"))
            .map(|l| format!("{l}\n"))
            .collect();
        assert_eq!(
            run_in(&[("commands/mounted.ocfs2_-d", &one)]).status,
            Status::Skip
        );
    }

    #[test]
    fn map_alone_passes_and_no_map_skips() {
        let only_map: String = DETECT
            .lines()
            .filter(|l| !l.contains("/dev/sd"))
            .map(|l| format!("{l}\n"))
            .collect();
        let v = run_in(&[("commands/mounted.ocfs2_-d", &only_map)]);
        assert_eq!((v.status, v.code), (Status::Pass, None), "{}", v.summary);
        assert_eq!(run_in(&[]).status, Status::Skip);
    }
}
