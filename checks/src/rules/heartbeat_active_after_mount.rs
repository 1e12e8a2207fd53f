//! `heartbeat-active-after-mount`: every mounted OCFS2 volume has its disk
//! heartbeat running. In local mode the heartbeat starts with the first mount, so
//! `Checking O2CB heartbeat: Not active` with nothing mounted is normal (the seed's
//! own confusion, FORMATS.md §2.1).

use super::common::configfs_cluster;
use super::volumes::volumes;
use crate::check::{Check, CheckError, Verdict};
use crate::context::NodeCtx;
use crate::parse::o2cb_status;
use o2check_reports::{Evidence, Layer, Severity};

pub const CHECK: Check = Check {
    id: "heartbeat-active-after-mount",
    layer: Layer::Heartbeat,
    severity: Severity::Critical,
    title: "each mounted OCFS2 volume has an active disk heartbeat region",
    rationale: "a node that mounts without heartbeating is invisible to the others: they neither \
                connect to it nor count it in quorum, and its writes are not protected by fencing",
    run,
};

fn run(ctx: &NodeCtx) -> Result<Verdict, CheckError> {
    // Without the mount table, "nothing mounted" would be a guess.
    super::common::mounts(ctx)?;
    let mounted: Vec<_> = volumes(ctx)
        .into_iter()
        .filter(|v| v.mount_point.is_some())
        .collect();
    let status = ctx.command(&["service", "o2cb", "status"]).ok();
    let parsed = status.as_ref().map(|s| o2cb_status::parse(&s.stdout));
    let status_line = parsed
        .as_ref()
        .and_then(|p| p.heartbeat_active)
        .zip(status.as_ref())
        .map(|((active, line), s)| (active, s.stdout.evidence_at(line)));
    if mounted.is_empty() {
        let ev: Vec<Evidence> = status_line.iter().map(|(_, e)| e.clone()).collect();
        return Ok(Verdict::pass("no OCFS2 volume is mounted, so `Not active` is expected: in local mode the heartbeat starts with the first mount").with(ev));
    }
    let cluster = configfs_cluster(ctx).ok().flatten();
    let mut bad = Vec::new();
    let mut evidence = Vec::new();
    for v in &mounted {
        evidence.extend(v.evidence.iter().take(1).cloned());
        let Some(c) = &cluster else { continue };
        let region = v
            .uuid
            .as_ref()
            .and_then(|u| c.regions.iter().find(|r| r.uuid.eq_ignore_ascii_case(u)));
        match region {
            Some(r) if r.dev.is_some() && r.pid.is_some() => evidence.push(Evidence::new(
                format!("{}/heartbeat/{}", c.path, r.uuid),
                None,
                format!(
                    "dev = {}, pid = {}",
                    r.dev.as_deref().unwrap_or(""),
                    r.pid.as_deref().unwrap_or("")
                ),
            )),
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
    if bad.is_empty() {
        return Ok(Verdict::pass(format!(
            "{} mounted volume(s), heartbeat active",
            mounted.len()
        ))
        .with(evidence));
    }
    let global = cluster.as_ref().and_then(|c| c.heartbeat_mode.as_deref()) == Some("global");
    let fix = if global {
        "global heartbeat: start it with `o2cb start-heartbeat <cluster>` (regions come from the heartbeat: stanzas of cluster.conf)"
    } else {
        "local heartbeat is started by mount.ocfs2: unmount and mount the volume again with mount.ocfs2 (not a raw mount(2) or busybox mount); check dmesg for o2hb errors"
    };
    Ok(Verdict::fail(bad.join("; "), fix)
        .code("heartbeat-inactive")
        .with(evidence))
}
