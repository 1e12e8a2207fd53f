//! `stale-heartbeat-region`: in local heartbeat mode a configfs region exists only
//! while its volume is mounted (mount.ocfs2 creates it, umount removes it). A
//! region left behind by a crashed mount or umount makes the next mount of that
//! volume fail: the region already has a device, the kernel returns EINVAL, and
//! mount.ocfs2 says `Internal logic failure while trying to join the group`.

use super::common::configfs_cluster;
use super::heartbeat_mode::running_mode;
use super::volumes::volumes;
use crate::check::{Check, CheckError, Verdict};
use crate::context::NodeCtx;
use crate::needs::{self, Needs};
use o2check_reports::{Evidence, Layer, Severity};

pub const CHECK: Check = Check {
    id: "stale-heartbeat-region",
    layer: Layer::Heartbeat,
    severity: Severity::Warning,
    title: "no heartbeat region without its mounted volume (local mode)",
    rationale: "a stale region keeps the heartbeat of an unmounted volume going and makes the \
                next mount of that volume fail with `Internal logic failure while trying to join \
                the group` (o2hb_region_dev_store: region already has a device)",
    needs: NEEDS,
    run,
};

/// The evidence it reads: `collect` gathers it (see [`crate::needs`]).
const NEEDS: Needs = &[super::volumes::NEEDS, needs::CONFIGFS];

fn run(ctx: &NodeCtx) -> Result<Verdict, CheckError> {
    let Some(c) = configfs_cluster(ctx)? else {
        return Ok(Verdict::skip("no cluster registered in configfs").code("not-registered"));
    };
    let global = c.heartbeat_mode.as_deref() == Some("global")
        || running_mode(ctx).is_some_and(|(m, _)| m == "global");
    if global {
        return Ok(Verdict::skip(
            "global heartbeat: regions are started by `o2cb start-heartbeat`, not by mounts",
        )
        .code("global-heartbeat"));
    }
    if ctx.file("/proc/mounts").is_err() {
        return Ok(Verdict::skip("no /proc/mounts to compare the regions with").code("no-mounts"));
    }
    let mounted: Vec<String> = volumes(ctx)
        .into_iter()
        .filter(|v| v.is_mounted())
        .filter_map(|v| v.uuid)
        .collect();
    let stale: Vec<_> = c
        .regions
        .iter()
        .filter(|r| !mounted.iter().any(|u| u.eq_ignore_ascii_case(&r.uuid)))
        .collect();
    if stale.is_empty() {
        return Ok(Verdict::pass(format!(
            "{} region(s), each with its volume mounted",
            c.regions.len()
        )));
    }
    let uuids: Vec<&str> = stale.iter().map(|r| r.uuid.as_str()).collect();
    Ok(Verdict::fail(
        format!("heartbeat region(s) without a mounted volume: {}", uuids.join(", ")),
        format!("stop the stale heartbeat: `ocfs2_hb_ctl -K -u {}` (or `ocfs2_hb_ctl -I -u <uuid>` to see its references first), then mount again", uuids[0]),
    )
    .code("stale-region")
    .with(stale.iter().map(|r| Evidence::new(format!("{}/heartbeat/{}", c.path, r.uuid), None, format!("dev = {}", r.dev.as_deref().unwrap_or(""))))))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_bundle::{edit, fixture, fixture_copy, judge_node};
    use o2check_reports::Status;

    const REGION: &str = "F47217E35EA246069E452DD9DC166B05";

    #[test]
    fn the_mounted_lab_volumes_region_passes() {
        let v = judge_node(run, &[&fixture("bundles/lab-capture-healthy-node1")]);
        assert_eq!(v.status, Status::Pass, "{}", v.summary);
        assert_eq!(v.summary, "1 region(s), each with its volume mounted");
    }

    /// The lab node's region with its volume's UUID changed on disk: the
    /// region belongs to no mounted volume.
    #[test]
    fn a_region_of_no_mounted_volume_fails() {
        let b = fixture_copy("bundles/lab-capture-healthy-node1");
        for f in [
            "commands/debugfs.ocfs2_-R_stats_%2Fdev%2Fvda",
            "commands/mounted.ocfs2_-d",
        ] {
            edit(b.path(), f, REGION, "0123456789ABCDEF0123456789ABCDEF");
        }
        let v = judge_node(run, &[b.path()]);
        assert_eq!(v.status, Status::Fail, "{}", v.summary);
        assert_eq!(v.code, Some("stale-region"));
        assert_eq!(
            v.summary,
            format!("heartbeat region(s) without a mounted volume: {REGION}")
        );
        assert!(v
            .fix
            .as_deref()
            .unwrap_or("")
            .contains(&format!("ocfs2_hb_ctl -K -u {REGION}")));
    }

    #[test]
    fn global_heartbeat_and_no_configfs_skip() {
        let b = fixture_copy("bundles/lab-capture-healthy-node1");
        edit(
            b.path(),
            "sys/kernel/config/cluster/o2lab/heartbeat/mode",
            "local",
            "global",
        );
        let v = judge_node(run, &[b.path()]);
        assert_eq!(v.code, Some("global-heartbeat"), "{}", v.summary);
        let v = judge_node(run, &[&fixture("bundles/lab-capture-hb-threshold-node2")]);
        assert_eq!(v.status, Status::Skip, "{}", v.summary);
        assert_eq!(v.code, Some("not-collected"));
    }
}
