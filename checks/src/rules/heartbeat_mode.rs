//! `heartbeat-mode`: the heartbeat mode cluster.conf asks for is the one the
//! running cluster uses, and a global-mode cluster has heartbeat regions defined
//! and started. The mode is fixed when the cluster is registered (ocfs2-tools
//! `o2cb_ctl/op_cluster.c` writes `heartbeat/mode` in configfs from cluster.conf's
//! `heartbeat_mode`), so editing cluster.conf on a running cluster changes nothing
//! until the next online; in global mode the regions come from cluster.conf's
//! `heartbeat:` stanzas (`o2cb add-heartbeat`) and start with `o2cb start-heartbeat`
//! (`vendor/common/o2cb.init.sh`, `start_global_heartbeat_o2cb`), not with mounts.

use super::common::{boot_cluster, cluster_conf, configfs_cluster, CLUSTER_CONF};
use crate::check::{Check, CheckError, Verdict};
use crate::context::NodeCtx;
use crate::kernlog::event::O2Event;
use crate::kernlog::node_events::dmesg_events;
use crate::needs::{self, Needs, O2CB_STATUS};
use crate::parse::{cluster_conf as conf_parser, o2cb_status};
use o2check_reports::{Evidence, Layer, Severity};

pub const CHECK: Check = Check {
    id: "heartbeat-mode",
    layer: Layer::Heartbeat,
    severity: Severity::Critical,
    title: "the configured heartbeat mode is running, and global mode has its regions",
    rationale: "a node whose running mode differs from cluster.conf's (or from the other nodes') \
                cannot mount: `Heartbeat mode is invalid while trying to join the group`; global \
                mode without a region has no disk heartbeat at all, so no node can mount and \
                quorum has nothing to count",
    needs: NEEDS,
    run,
};

/// The evidence it reads: `collect` gathers it (see [`crate::needs`]).
const NEEDS: Needs = &[
    needs::CONFIGFS,
    needs::CLUSTER_CONF,
    needs::O2CB_SETTINGS,
    needs::KERNEL_LOG,
    &[O2CB_STATUS],
];

/// The mode the running cluster uses, and the evidence saying so: configfs first,
/// then `service o2cb status`, then this boot's `o2hb: Heartbeat mode set to`.
pub(crate) fn running_mode(ctx: &NodeCtx) -> Option<(String, Evidence)> {
    if let Ok(Some(c)) = configfs_cluster(ctx) {
        if let Some(m) = &c.heartbeat_mode {
            let path = format!("{}/heartbeat/mode", c.path);
            return Some((m.to_lowercase(), Evidence::new(path, None, m.clone())));
        }
    }
    if let Ok(s) = ctx.command(&["service", "o2cb", "status"]) {
        let p = o2cb_status::parse(&s.stdout);
        if let (Some(m), Some(line)) = (p.heartbeat_mode, p.heartbeat_mode_line) {
            return Some((m, s.stdout.evidence_at(line)));
        }
    }
    dmesg_events(ctx)?
        .events
        .iter()
        .rev()
        .find_map(|e| match &e.event {
            O2Event::HbMode { mode } => Some((
                mode.clone(),
                Evidence::new(
                    e.line.origin.clone(),
                    Some(e.line.line),
                    e.line.message.trim_end(),
                ),
            )),
            _ => None,
        })
}

/// Global regions cluster.conf defines for `cluster` (`heartbeat:` stanzas).
fn configured_regions(ctx: &NodeCtx, cluster: &str) -> Vec<(String, Evidence)> {
    let Ok(text) = ctx.file(CLUSTER_CONF) else {
        return Vec::new();
    };
    let Ok(conf) = conf_parser::parse(&text.origin, &text.content) else {
        return Vec::new();
    };
    conf.of_kind("heartbeat")
        .filter(|s| s.get("cluster").is_none_or(|c| c.value == cluster))
        .filter_map(|s| {
            let r = s.get("region")?;
            Some((r.value.to_uppercase(), text.evidence_at(r.line)))
        })
        .collect()
}

fn run(ctx: &NodeCtx) -> Result<Verdict, CheckError> {
    let configured = cluster_conf(ctx).ok().and_then(|(text, model)| {
        let c = boot_cluster(ctx, &model)?.clone();
        Some((c, text))
    });
    let running = running_mode(ctx);
    let Some((cluster, text)) = configured else {
        let Some((mode, ev)) = running else {
            // Nothing to judge: say why cluster.conf is not there (absent,
            // not collected, unreadable, or no boot cluster in it).
            cluster_conf(ctx)?;
            return Ok(Verdict::skip(
                "cluster.conf names no cluster this node brings online (O2CB_BOOTCLUSTER)",
            )
            .code("no-boot-cluster"));
        };
        return Ok(Verdict::skip(format!(
            "the running cluster uses {mode} heartbeat; no cluster.conf to compare it with"
        ))
        .code("no-cluster-conf")
        .with([ev]));
    };
    let conf_ev = text.evidence_at(cluster.line);
    let wanted = cluster.heartbeat_mode.to_lowercase();
    if let Some((mode, ev)) = &running {
        if *mode != wanted {
            return Ok(Verdict::fail(
                format!(
                    "cluster.conf asks for {wanted} heartbeat for cluster {} but the running cluster uses {mode}",
                    cluster.name
                ),
                "the mode is read when the cluster is registered: unmount its volumes on this node, \
                 `service o2cb offline` (`o2cb unregister-cluster <cluster>`), then `service o2cb online`; \
                 make cluster.conf identical on every node first",
            )
            .code("mode-mismatch")
            .with([conf_ev, ev.clone()]));
        }
    }
    if wanted != "global" {
        let mut v = Verdict::pass(format!(
            "local heartbeat for cluster {} ({})",
            cluster.name,
            if running.is_some() {
                "configured and running"
            } else {
                "configured; the running mode was not collected"
            }
        ));
        v = v.with([conf_ev]).with(running.map(|r| r.1));
        return Ok(v);
    }
    let regions = configured_regions(ctx, &cluster.name);
    if regions.is_empty() {
        return Ok(Verdict::fail(
            format!(
                "cluster {} is in global heartbeat mode but cluster.conf defines no heartbeat region",
                cluster.name
            ),
            "add at least one (three or more are recommended) region on every node: \
             `o2cb add-heartbeat <cluster> <device>` (writes a `heartbeat:` stanza), \
             copy cluster.conf to all nodes, then `o2cb start-heartbeat <cluster>`",
        )
        .code("global-no-region")
        .with([conf_ev]));
    }
    let region_ev: Vec<Evidence> = regions.iter().map(|(_, e)| e.clone()).collect();
    // The regions that heartbeat: configfs (dev and pid set), else the list
    // `service o2cb status` prints after `Checking O2CB heartbeat: Active`.
    let mut running_ev = Vec::new();
    let live: Vec<String> = match configfs_cluster(ctx) {
        Ok(Some(live)) => live
            .regions
            .iter()
            .filter(|r| r.dev.is_some() && r.pid.is_some())
            .map(|r| r.uuid.to_uppercase())
            .collect(),
        _ => {
            let Ok(st) = ctx.command(&["service", "o2cb", "status"]) else {
                return Ok(Verdict::skip(format!(
                    "global heartbeat configured with {} region(s); neither configfs nor `service o2cb status` was collected to see them run",
                    regions.len()
                ))
                .code("regions-not-collected")
                .with([conf_ev])
                .with(region_ev));
            };
            let p = o2cb_status::parse(&st.stdout);
            running_ev.extend(p.regions.iter().map(|r| st.stdout.evidence_at(r.line)));
            if let Some((_, line)) = p.heartbeat_active {
                running_ev.push(st.stdout.evidence_at(line));
            }
            p.regions.into_iter().map(|r| r.uuid).collect()
        }
    };
    let started: Vec<&str> = regions
        .iter()
        .filter(|(u, _)| live.iter().any(|l| l.eq_ignore_ascii_case(u)))
        .map(|(u, _)| u.as_str())
        .collect();
    if started.is_empty() {
        return Ok(Verdict::fail(
            format!(
                "global heartbeat: none of the {} region(s) of cluster {} is heartbeating in configfs",
                regions.len(),
                cluster.name
            ),
            "start it: `o2cb start-heartbeat <cluster>` (or `service o2cb online`); if that fails, \
             check that every region device exists on this node (`o2cb list-heartbeats <cluster>`)",
        )
        .code("global-not-started")
        .with([conf_ev])
        .with(region_ev)
        .with(running_ev));
    }
    Ok(Verdict::pass(format!(
        "global heartbeat on {} of {} configured region(s): {}",
        started.len(),
        regions.len(),
        started.join(", ")
    ))
    .with([conf_ev])
    .with(region_ev))
}

#[cfg(test)]
mod tests {
    use super::*;
    use o2check_reports::Status;

    fn run_in(files: &[(&str, &str)]) -> Verdict {
        crate::rules::test_bundle::judge(run, files)
    }

    const GLOBAL: &str = "cluster:\n\tname = web\n\theartbeat_mode = global\n\tnode_count = 1\n\nnode:\n\tname = n1\n\tcluster = web\n\tnumber = 0\n\tip_address = 10.0.0.1\n\tip_port = 7777\n";

    #[test]
    fn global_without_region_fails_and_with_region_passes() {
        let v = run_in(&[("etc/ocfs2/cluster.conf", GLOBAL)]);
        assert_eq!(
            (v.status, v.code),
            (Status::Fail, Some("global-no-region")),
            "{}",
            v.summary
        );
        let with = format!(
            "{GLOBAL}\nheartbeat:\n\tregion = 8F1A3C5E7D9B4F21A3C5E7D9B4F21A3C\n\tcluster = web\n"
        );
        let v = run_in(&[("etc/ocfs2/cluster.conf", &with)]);
        assert_eq!(
            (v.status, v.code),
            (Status::Skip, Some("regions-not-collected")),
            "{}",
            v.summary
        );
        let status = "Checking O2CB cluster \"web\": Online\n  Heartbeat mode: Global\nChecking O2CB heartbeat: Active\n  8F1A3C5E7D9B4F21A3C5E7D9B4F21A3C /dev/dm-3\n";
        let v = run_in(&[
            ("etc/ocfs2/cluster.conf", &with),
            ("commands/service_o2cb_status", status),
        ]);
        assert_eq!((v.status, v.code), (Status::Pass, None), "{}", v.summary);
        let v = run_in(&[
            ("etc/ocfs2/cluster.conf", &with),
            (
                "commands/service_o2cb_status",
                &status.replace("8F1A", "0000"),
            ),
        ]);
        assert_eq!(
            (v.status, v.code),
            (Status::Fail, Some("global-not-started")),
            "{}",
            v.summary
        );
    }

    #[test]
    fn configured_global_running_local_is_a_mismatch() {
        let status = "Checking O2CB cluster \"web\": Online\n  Heartbeat mode: Local\nChecking O2CB heartbeat: Not active\n";
        let v = run_in(&[
            ("etc/ocfs2/cluster.conf", GLOBAL),
            ("commands/service_o2cb_status", status),
        ]);
        assert_eq!(
            (v.status, v.code),
            (Status::Fail, Some("mode-mismatch")),
            "{}",
            v.summary
        );
        assert!(v
            .evidence
            .iter()
            .any(|e| e.text.contains("Heartbeat mode: Local")));
    }

    #[test]
    fn local_mode_from_the_kernel_log_passes_and_nothing_skips() {
        let local = GLOBAL.replace("heartbeat_mode = global", "heartbeat_mode = local");
        let v = run_in(&[
            ("etc/ocfs2/cluster.conf", &local),
            (
                "commands/dmesg",
                "[   5.1] o2hb: Heartbeat mode set to local\n",
            ),
        ]);
        assert_eq!((v.status, v.code), (Status::Pass, None), "{}", v.summary);
        assert_eq!(run_in(&[]).status, Status::Skip);
    }
}
