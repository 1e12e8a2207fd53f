//! `multipath-failover-time`: how long multipath can hold I/O when all paths are
//! down, against the disk heartbeat's dead time. If I/O can hang longer than the
//! heartbeat timeout, the node fences itself instead of failing over.

use super::common::o2cb_config;
use crate::check::{Check, CheckError, Verdict};
use crate::context::NodeCtx;
use o2check_reports::{Evidence, Layer, Severity};

pub const CHECK: Check = Check {
    id: "multipath-failover-time",
    layer: Layer::Storage,
    severity: Severity::Warning,
    title: "multipath gives up on dead paths before the heartbeat dead time",
    rationale: "with queue_if_no_path or a long no_path_retry, heartbeat writes queue instead of \
                failing; o2hb then reaches the dead threshold and ocfs2 fences (reboots) the node \
                (`multipath users typically set it to 120 secs`, o2cb.sysconfig(5))",
    run,
};

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
    let dead_ms = o2cb_config(ctx)
        .ok()
        .and_then(|(_, c)| c.heartbeat_timeout_ms())
        .unwrap_or(60_000);
    let ev = conf
        .evidence_matching("no_path_retry", 2)
        .into_iter()
        .chain(conf.evidence_matching("queue_if_no_path", 2))
        .collect::<Vec<Evidence>>();
    let dead_s = u64::from(dead_ms) / 1000;
    match queue {
        Some(secs) if secs < dead_s => Ok(Verdict::pass(format!("multipath fails I/O after ~{secs} s, before the heartbeat dead time of {dead_s} s")).with(ev)),
        other => Ok(Verdict::fail(
            match other {
                None => format!("multipath queues I/O forever when all paths are down (queue_if_no_path / no_path_retry queue), longer than the heartbeat dead time of {dead_s} s: the node will fence instead of failing I/O"),
                Some(secs) => format!("multipath queues I/O for ~{secs} s with no path, not less than the heartbeat dead time of {dead_s} s"),
            },
            format!("either make multipath fail sooner (`no_path_retry` × `polling_interval` < {dead_s} s, or `no_path_retry fail`) or raise O2CB_HEARTBEAT_THRESHOLD on every node (e.g. 61 = 120 s) with the cluster offline"),
        ).code("queues-past-dead-time")
        .with(ev)),
    }
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
