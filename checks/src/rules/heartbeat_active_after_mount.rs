//! `heartbeat-active-after-mount`: every mounted OCFS2 volume has its disk
//! heartbeat running. In local mode the heartbeat starts with the first mount, so
//! `Checking O2CB heartbeat: Not active` with nothing mounted is normal (the seed's
//! own confusion). In global mode the heartbeat runs on the regions cluster.conf
//! names, started by `o2cb start-heartbeat`, whatever is mounted: a mounted volume
//! that is not a region is fine there.

use super::common::configfs_cluster;
use super::heartbeat_mode::running_mode;
use super::volumes::{volumes, MountedBy};
use crate::check::{Check, CheckError, Verdict};
use crate::context::NodeCtx;
use crate::needs::{self, Needs, O2CB_STATUS};
use crate::parse::o2cb_status;
use o2check_reports::{Evidence, Layer, Severity};

pub const CHECK: Check = Check {
    id: "heartbeat-active-after-mount",
    layer: Layer::Heartbeat,
    severity: Severity::Critical,
    title: "each mounted OCFS2 volume has an active disk heartbeat region",
    rationale: "a node that mounts without heartbeating is invisible to the others: they neither \
                connect to it nor count it in quorum, and its writes are not protected by fencing",
    needs: NEEDS,
    run,
};

/// The evidence it reads: `collect` gathers it (see [`crate::needs`]).
const NEEDS: Needs = &[
    super::volumes::NEEDS,
    needs::CONFIGFS,
    needs::HOSTNAME,
    needs::KERNEL_LOG,
    &[O2CB_STATUS],
];

fn run(ctx: &NodeCtx) -> Result<Verdict, CheckError> {
    let mounted: Vec<_> = volumes(ctx)
        .into_iter()
        .filter(|v| v.is_mounted())
        .collect();
    if mounted.is_empty() {
        // Without the mount table (or a slot map or kernel log naming a mount),
        // "nothing mounted" would be a guess.
        super::common::mounts(ctx)?;
    }
    let status = ctx.command(&["service", "o2cb", "status"]).ok();
    let parsed = status.as_ref().map(|s| o2cb_status::parse(&s.stdout));
    let status_line = parsed
        .as_ref()
        .and_then(|p| p.heartbeat_active)
        .zip(status.as_ref())
        .map(|((active, line), s)| (active, s.stdout.evidence_at(line)));
    let cluster = configfs_cluster(ctx).ok().flatten();
    let mode = running_mode(ctx);
    let global = mode.as_ref().is_some_and(|(m, _)| m == "global");
    let mode_ev: Vec<Evidence> = mode.iter().map(|(_, e)| e.clone()).collect();
    if mounted.is_empty() {
        let mut ev: Vec<Evidence> = status_line.iter().map(|(_, e)| e.clone()).collect();
        ev.extend(mode_ev);
        return Ok(match (&status_line, global) {
            (_, true) => Verdict::skip(
                "no OCFS2 volume is mounted; in global mode the heartbeat does not depend on \
                 mounts (heartbeat-mode judges the global regions)",
            )
            .code("nothing-mounted-global"),
            (Some((true, _)), false) => Verdict::skip(
                "no OCFS2 volume is mounted, yet the status says the heartbeat is `Active`: a \
                 region is left without its mount (stale-heartbeat-region names it)",
            )
            .code("nothing-mounted-active"),
            (_, false) => Verdict::pass(
                "no OCFS2 volume is mounted and the heartbeat is not running, as expected: in \
                 local mode it starts with the first mount",
            ),
        }
        .with(ev));
    }
    let mut bad = Vec::new();
    let mut evidence = Vec::new();
    let mut inferred = Vec::new();
    for v in &mounted {
        evidence.extend(v.evidence.iter().take(1).cloned());
        match v.mounted {
            Some(MountedBy::SlotMap) => inferred.push(format!("{} (slot map)", v.device)),
            Some(MountedBy::KernelLog) => inferred.push(format!("{} (kernel log)", v.device)),
            _ => {}
        }
        // Global mode: the regions are the cluster's, not the mounted volumes'.
        let Some(c) = cluster.as_ref().filter(|_| !global) else {
            continue;
        };
        let region = v
            .uuid
            .as_ref()
            .and_then(|u| c.regions.iter().find(|r| r.uuid.eq_ignore_ascii_case(u)));
        match region {
            Some(r) if r.dev.is_some() && r.pid.is_some() => {
                evidence.push(region_evidence(&c.path, r))
            }
            Some(r) => bad.push(format!(
                "{}: region {} exists but has no heartbeat thread (dev/pid empty)",
                v.device, r.uuid
            )),
            None if v.uuid.is_some() => bad.push(format!(
                "{}: no heartbeat region {} in configfs",
                v.device,
                v.uuid.as_deref().unwrap_or("")
            )),
            None if c.regions.is_empty() => bad.push(format!(
                "{}: no heartbeat region at all in configfs",
                v.device
            )),
            None => {}
        }
    }
    if global {
        evidence.extend(mode_ev);
        let live: Vec<_> = cluster
            .iter()
            .flat_map(|c| {
                c.regions
                    .iter()
                    .filter(|r| r.dev.is_some() && r.pid.is_some())
                    .map(|r| region_evidence(&c.path, r))
            })
            .collect();
        let active = !live.is_empty() || matches!(status_line, Some((true, _)));
        evidence.extend(live);
        evidence.extend(status_line.iter().map(|(_, e)| e.clone()));
        if cluster.is_none() && status_line.is_none() {
            return Ok(Verdict::skip(
                "global heartbeat mode, but neither configfs nor `service o2cb status` shows its regions",
            )
            .code("no-heartbeat-evidence")
            .with(evidence));
        }
        if !active {
            return Ok(Verdict::fail(
                format!("{} volume(s) mounted in global heartbeat mode, but no global region is heartbeating", mounted.len()),
                "start the global heartbeat: `o2cb start-heartbeat <cluster>` (regions come from the heartbeat: stanzas of cluster.conf, `o2cb list-heartbeats <cluster>`)",
            )
            .code("global-none-active")
            .with(evidence));
        }
        return Ok(Verdict::pass(format!(
            "{} mounted volume(s); global heartbeat active (in global mode a mounted volume needs no region of its own)",
            mounted.len()
        ))
        .with(evidence));
    }
    if let Some((active, line)) = &status_line {
        evidence.push(line.clone());
        if !active {
            bad.push("`service o2cb status` says the heartbeat is not active".into());
        }
    }
    if cluster.is_none() && status_line.is_none() {
        return Ok(
            Verdict::skip("neither configfs nor `service o2cb status` output is available")
                .code("no-heartbeat-evidence"),
        );
    }
    let how = if inferred.is_empty() {
        String::new()
    } else {
        format!(" (no /proc/mounts: mounted per {})", inferred.join(", "))
    };
    if bad.is_empty() {
        return Ok(Verdict::pass(format!(
            "{} mounted volume(s), heartbeat active{how}",
            mounted.len()
        ))
        .with(evidence));
    }
    Ok(Verdict::fail(
        format!("{}{how}", bad.join("; ")),
        "local heartbeat is started by mount.ocfs2: unmount and mount the volume again with mount.ocfs2 (not a raw mount(2) or busybox mount); check dmesg for o2hb errors",
    )
    .code("heartbeat-inactive")
    .with(evidence))
}

fn region_evidence(path: &str, r: &crate::parse::configfs::ConfigfsRegion) -> Evidence {
    Evidence::new(
        format!("{path}/heartbeat/{}", r.uuid),
        None,
        format!(
            "dev = {}, pid = {}",
            r.dev.as_deref().unwrap_or(""),
            r.pid.as_deref().unwrap_or("")
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_bundle::{edit, fixture, fixture_copy, judge_node};
    use o2check_reports::Status;

    const REGION_DIR: &str =
        "sys/kernel/config/cluster/o2lab/heartbeat/F47217E35EA246069E452DD9DC166B05";

    fn node1_edited(edit_it: impl FnOnce(&std::path::Path)) -> Verdict {
        let b = fixture_copy("bundles/lab-capture-healthy-node1");
        edit_it(b.path());
        judge_node(run, &[b.path()])
    }

    #[test]
    fn the_mounted_lab_volume_heartbeats() {
        let v = node1_edited(|_| {});
        assert_eq!(v.status, Status::Pass, "{}", v.summary);
        assert_eq!(v.summary, "1 mounted volume(s), heartbeat active");
        assert!(
            v.evidence.iter().any(|e| e.text == "dev = vda, pid = 178"),
            "{:?}",
            v.evidence
        );
    }

    /// The region is there but its o2hb thread is gone (empty pid), as after
    /// a mount(2) that bypassed mount.ocfs2's heartbeat start.
    #[test]
    fn a_region_without_its_thread_fails() {
        let v = node1_edited(|b| edit(b, &format!("{REGION_DIR}/pid"), "178", ""));
        assert_eq!(v.status, Status::Fail, "{}", v.summary);
        assert_eq!(v.code, Some("heartbeat-inactive"));
        assert!(
            v.summary
                .contains("has no heartbeat thread (dev/pid empty)"),
            "{}",
            v.summary
        );
    }

    #[test]
    fn a_mounted_volume_without_a_region_fails() {
        let v = node1_edited(|b| {
            std::fs::remove_dir_all(b.join(REGION_DIR)).unwrap();
            edit(
                b,
                "commands/service_o2cb_status",
                "heartbeat: Active",
                "heartbeat: Not active",
            );
        });
        assert_eq!(v.code, Some("heartbeat-inactive"), "{}", v.summary);
        assert_eq!(
            v.summary,
            "/dev/vda: no heartbeat region F47217E35EA246069E452DD9DC166B05 in configfs; `service o2cb status` says the heartbeat is not active"
        );
    }

    /// The port-blocked run's n151: its mount failed, the status says `Not
    /// active`, as it must in local mode with nothing mounted.
    #[test]
    fn nothing_mounted_and_not_active_is_right_in_local_mode() {
        let v = judge_node(run, &[&fixture("bundles/lab-cluster-port-blocked-n151")]);
        assert_eq!(v.status, Status::Pass, "{}", v.summary);
        assert!(
            v.summary
                .starts_with("no OCFS2 volume is mounted and the heartbeat is not running"),
            "{}",
            v.summary
        );
    }

    #[test]
    fn no_configfs_and_no_status_skips() {
        let v = node1_edited(|b| {
            std::fs::remove_dir_all(b.join("sys/kernel/config")).unwrap();
            std::fs::remove_file(b.join("commands/service_o2cb_status")).unwrap();
        });
        assert_eq!(v.status, Status::Skip, "{}", v.summary);
        assert_eq!(v.code, Some("no-heartbeat-evidence"));
    }
}
