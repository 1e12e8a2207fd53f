//! `multipath-failover-time`: how long the storage stack can hold a heartbeat
//! write, against the disk heartbeat's RUNNING dead time. Two clocks: with every
//! path down, multipath queues for `no_path_retry` × `polling_interval` (or for
//! ever); with one path down, the iSCSI session holds I/O for its noop-out
//! detection plus `replacement_timeout` before multipath can fail over. If the
//! first reaches the dead time the node fences instead of failing I/O; if the
//! second reaches half of it, o2hb already negotiates (linux
//! fs/ocfs2/cluster/heartbeat.c, o2hb_nego_timeout(): `hb write hung for %ds`,
//! logged by the lab at 9 s of a 12 s dead time) and a slower path fences.

use super::common::{configfs_cluster, o2cb_config};
use crate::check::{Check, CheckError, Verdict};
use crate::context::NodeCtx;
use crate::needs::{self, Need, Needs, O2CB_STATUS, OS_RELEASE};
use crate::parse::o2cb_status;
use o2check_reports::{Evidence, Layer, Severity};

pub const CHECK: Check = Check {
    id: "multipath-failover-time",
    layer: Layer::Storage,
    severity: Severity::Warning,
    title: "multipath and iSCSI give up on dead paths before the heartbeat dead time",
    rationale: "with queue_if_no_path or a long no_path_retry, heartbeat writes queue instead of \
                failing; o2hb then reaches the dead threshold and ocfs2 fences (reboots) the node \
                (`multipath users typically set it to 120 secs`, o2cb.sysconfig(5))",
    needs: NEEDS,
    run,
};

/// The evidence it reads: `collect` gathers it (see [`crate::needs`]).
const NEEDS: Needs = &[
    needs::CONFIGFS,
    needs::O2CB_SETTINGS,
    &[
        O2CB_STATUS,
        Need::File("/etc/multipath.conf"),
        Need::Tree("/etc/iscsi/nodes"),
        OS_RELEASE,
    ],
];

/// linux fs/ocfs2/cluster/heartbeat.h: O2HB_REGION_TIMEOUT_MS, one heartbeat.
const REGION_TIMEOUT_MS: u64 = 2000;

/// The dead time o2hb runs with, in ms, and where it was read: configfs (the
/// kernel's value), `service o2cb status` (the running threshold as the init
/// script prints it), else the o2cb config file (what the next start will use).
fn dead_time(ctx: &NodeCtx) -> Option<(u64, String, Evidence)> {
    let ms = |t: u32| u64::from(t.saturating_sub(1)) * REGION_TIMEOUT_MS;
    if let Some(c) = configfs_cluster(ctx).ok().flatten() {
        if let Some(t) = c.dead_threshold {
            let path = format!("{}/heartbeat/dead_threshold", c.path);
            return Some((
                ms(t),
                "configfs".into(),
                Evidence::new(path, None, t.to_string()),
            ));
        }
    }
    if let Ok(out) = ctx.command(&["service", "o2cb", "status"]) {
        if let Some(t) = o2cb_status::parse(&out.stdout).dead_threshold {
            let ev = out.stdout.evidence_matching("dead threshold", 1);
            let ev = ev
                .into_iter()
                .next()
                .unwrap_or_else(|| Evidence::note("service o2cb status", t.to_string()));
            return Some((ms(t), "`service o2cb status`".into(), ev));
        }
    }
    let (text, conf) = o2cb_config(ctx).ok()?;
    let dead = u64::from(conf.heartbeat_timeout_ms()?);
    let ev = text.evidence_matching("HEARTBEAT_THRESHOLD", 1);
    let ev = ev
        .into_iter()
        .next()
        .unwrap_or_else(|| Evidence::note(text.origin.clone(), "default threshold"));
    Some((dead, "the o2cb config file (not running)".into(), ev))
}

/// Seconds an iSCSI path failure holds I/O before the session fails it up to
/// multipath, over the node records: noop-out interval + timeout (detection)
/// + replacement_timeout. The largest of the records, with its evidence.
fn iscsi_failover(ctx: &NodeCtx) -> Option<(u64, Evidence)> {
    let mut worst: Option<(u64, Evidence)> = None;
    for target in ctx.source.list_dir("/etc/iscsi/nodes").ok()? {
        let tdir = format!("/etc/iscsi/nodes/{target}");
        for portal in ctx.source.list_dir(&tdir).unwrap_or_default() {
            let pdir = format!("{tdir}/{portal}");
            // open-iscsi keeps a record as a file `default` (or an iface name)
            // in the portal directory, or as the portal file itself (old layout).
            let files = match ctx.source.list_dir(&pdir) {
                Ok(f) if !f.is_empty() => f.into_iter().map(|f| format!("{pdir}/{f}")).collect(),
                _ => vec![pdir.clone()],
            };
            for f in files {
                let Ok(text) = ctx.file(&f) else { continue };
                let value = |key: &str| {
                    text.content.lines().find_map(|l| {
                        let (k, v) = l.split_once('=')?;
                        (k.trim() == key)
                            .then(|| v.trim().parse::<u64>().ok())
                            .flatten()
                    })
                };
                let Some(replacement) = value("node.session.timeo.replacement_timeout") else {
                    continue;
                };
                let secs = replacement
                    + value("node.conn[0].timeo.noop_out_interval").unwrap_or(0)
                    + value("node.conn[0].timeo.noop_out_timeout").unwrap_or(0);
                if worst.as_ref().is_none_or(|(w, _)| secs > *w) {
                    let ev = text
                        .evidence_matching("replacement_timeout", 1)
                        .into_iter()
                        .next()
                        .unwrap_or_else(|| Evidence::note(f.clone(), format!("{secs} s")));
                    worst = Some((secs, ev));
                }
            }
        }
    }
    worst
}

/// Seconds multipath keeps queueing I/O with no path (`None` = forever).
fn queue_seconds(conf: &str) -> Option<Option<u64>> {
    let mut retry: Option<String> = None;
    let mut polling: u64 = 5; // multipath.conf(5) default polling_interval
    for line in conf.lines() {
        let l = line.split('#').next().unwrap_or("").trim();
        let mut w = l.split_whitespace();
        match (w.next(), w.next()) {
            (Some("no_path_retry"), Some(v)) => retry = Some(v.trim_matches('"').to_string()),
            (Some("polling_interval"), Some(v)) => polling = v.parse().unwrap_or(polling),
            (Some("features"), _) if l.contains("queue_if_no_path") && retry.is_none() => {
                retry = Some("queue".into())
            }
            _ => {}
        }
    }
    match retry?.as_str() {
        "queue" => Some(None),
        "fail" => Some(Some(0)),
        n => n.parse::<u64>().ok().map(|n| Some(n * polling)),
    }
}

fn run(ctx: &NodeCtx) -> Result<Verdict, CheckError> {
    let conf = ctx.file("/etc/multipath.conf")?;
    let Some(queue) = queue_seconds(&conf.content) else {
        return Ok(Verdict::skip("multipath.conf sets neither no_path_retry nor queue_if_no_path (hardware defaults apply and are not known offline)").code("no-queue-setting"));
    };
    let Some((dead_ms, dead_from, dead_ev)) = dead_time(ctx) else {
        return Ok(Verdict::skip("no heartbeat dead threshold in the evidence (configfs, `service o2cb status` or the o2cb config file): collect them").code("dead-time-unknown"));
    };
    let mut ev = conf
        .evidence_matching("no_path_retry", 2)
        .into_iter()
        .chain(conf.evidence_matching("queue_if_no_path", 2))
        .collect::<Vec<Evidence>>();
    ev.push(dead_ev);
    let dead_s = dead_ms / 1000;
    let dead = format!("the heartbeat dead time of {dead_s} s (from {dead_from})");
    let raise = "or raise O2CB_HEARTBEAT_THRESHOLD on every node (e.g. 61 = 120 s) with the cluster offline";
    match queue {
        None => {
            return Ok(Verdict::fail(
                format!("multipath queues I/O forever when all paths are down (queue_if_no_path / no_path_retry queue), longer than {dead}: the node will fence instead of failing I/O"),
                format!("make multipath fail: `no_path_retry` × `polling_interval` < {dead_s} s, or `no_path_retry fail`, {raise}"),
            ).code("queues-forever").with(ev));
        }
        Some(secs) if secs >= dead_s => {
            return Ok(Verdict::fail(
                format!("multipath queues I/O for ~{secs} s with no path, not less than {dead}"),
                format!("make multipath fail sooner (`no_path_retry` × `polling_interval` < {dead_s} s, or `no_path_retry fail`) {raise}"),
            ).code("queues-past-dead-time").with(ev));
        }
        Some(_) => {}
    }
    let queue_s = queue.unwrap_or_default();
    if let Some((secs, iscsi_ev)) = iscsi_failover(ctx) {
        ev.push(iscsi_ev);
        if secs * 2 >= dead_s {
            return Ok(Verdict::fail(
                format!("an iSCSI path failure holds I/O for up to {secs} s (noop-out interval + timeout + replacement_timeout) before multipath fails over: {}% of {dead}; o2hb negotiates from 50 % and the node fences if the other path is slow too", secs * 100 / dead_s.max(1)),
                format!("lower node.session.timeo.replacement_timeout and the noop-out interval/timeout in /etc/iscsi/iscsid.conf and the node records (`iscsiadm -m node -o update -n node.session.timeo.replacement_timeout -v N`) below {} s in all, {raise}", dead_s / 2),
            ).code("path-failover-near-dead-time").with(ev));
        }
        return Ok(Verdict::pass(format!("multipath fails I/O after ~{queue_s} s and an iSCSI path fails over within {secs} s, both before {dead}")).with(ev));
    }
    Ok(Verdict::pass(format!(
        "multipath fails I/O after ~{queue_s} s, before {dead}"
    ))
    .with(ev))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queue_time_from_conf() {
        let seed = include_str!(
            "../../../fixtures/bundles/seed-hostname-mismatch-n150/etc/multipath.conf"
        );
        assert_eq!(
            queue_seconds(seed),
            Some(Some(0)),
            "the seed sets no_path_retry fail"
        );
        assert_eq!(
            queue_seconds("defaults {\n polling_interval 10\n no_path_retry 12\n}\n"),
            Some(Some(120))
        );
        assert_eq!(
            queue_seconds("devices {\n device {\n features \"1 queue_if_no_path\"\n }\n}\n"),
            Some(None)
        );
        assert_eq!(queue_seconds("defaults {\n}\n"), None);
    }
}

#[cfg(test)]
mod lab_tests {
    use super::*;
    use crate::context::Options;
    use crate::source::{Bundle, Source};
    use o2check_reports::Status;
    use std::path::Path;

    fn verdict(bundle: &str) -> Verdict {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../fixtures/bundles")
            .join(bundle);
        let bundle = Bundle::open(&dir).unwrap();
        let options = Options::default();
        run(&NodeCtx::new(&bundle as &dyn Source, &options))
            .unwrap_or_else(CheckError::into_verdict)
    }

    /// The lab's real node 2 before its fence: `no_path_retry queue` against
    /// the running threshold 7 (12 s) read from configfs.
    #[test]
    fn queueing_for_ever_against_the_running_dead_time() {
        let v = verdict("lab-iscsi-fence-before-node2");
        assert_eq!(
            (v.status, v.code),
            (Status::Fail, Some("queues-forever")),
            "{v:?}"
        );
        assert!(v.summary.contains("12 s (from configfs)"), "{}", v.summary);
    }

    /// The survivor (no_path_retry 4, 1 s polling) had the lab's first iSCSI
    /// timeouts, noop-out 2 + 2 s and replacement_timeout 5 s: 9 s of a 12 s
    /// dead time, and the lab logged `hb write hung for 6s` on one path down.
    #[test]
    fn iscsi_path_failover_near_the_dead_time() {
        let v = verdict("lab-iscsi-fence-survivor-node1");
        assert_eq!(
            (v.status, v.code),
            (Status::Fail, Some("path-failover-near-dead-time")),
            "{v:?}"
        );
        assert!(v.summary.contains("up to 9 s"), "{}", v.summary);
    }
}
