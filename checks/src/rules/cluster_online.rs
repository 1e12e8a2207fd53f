//! `cluster-online`: the boot cluster is registered with a local node. The init
//! script's `status` and `online` exit 0 even when the cluster is offline (seen in
//! the lab), so only `o2cb cluster-status` and configfs are trusted.

use super::common::{configfs_cluster, distro_fix};
use crate::check::{Check, CheckError, Verdict};
use crate::context::NodeCtx;
use crate::parse::o2cb_status;
use o2check_reports::{Evidence, Layer};

pub const CHECK: Check = Check {
    id: "cluster-online",
    layer: Layer::O2cb,
    title: "the o2cb cluster is online (registered, with a local node)",
    rationale:
        "mount.ocfs2 joins the cluster registered in configfs; with none it fails with \
                `Cluster name is invalid` (≥1.8.2) or `Unable to access cluster service` (≤1.6), \
                and with no local node with `Internal logic failure while trying to join the group`",
    run,
};

fn run(ctx: &NodeCtx) -> Result<Verdict, CheckError> {
    let mut evidence = Vec::new();
    let status_cmd = ctx.command(&["o2cb", "cluster-status"]);
    if let Ok(out) = &status_cmd {
        evidence.extend(out.stdout.evidence_matching("Cluster", 2));
        evidence.extend(
            out.stdout
                .evidence_matching("offline", 1)
                .into_iter()
                .filter(|e| !e.text.contains("Cluster")),
        );
    }
    let service = ctx.command(&["service", "o2cb", "status"]).ok();
    let text_state = service.as_ref().map(|s| (o2cb_status::parse(&s.stdout), s));
    if let Some((st, s)) = &text_state {
        if let Some((_, line)) = st.online {
            evidence.push(s.stdout.evidence_at(line));
        }
    }
    let configfs = configfs_cluster(ctx);
    let online_fix = distro_fix(
        ctx,
        "service o2cb online   (and `chkconfig o2cb on`; check O2CB_BOOTCLUSTER in /etc/sysconfig/o2cb)",
        "set O2CB_ENABLED=true and O2CB_BOOTCLUSTER in /etc/default/o2cb, then `systemctl restart o2cb` or `o2cb register-cluster <name>`",
    );
    match configfs {
        Ok(Some(c)) => match c.local_node() {
            Some(n) => Ok(Verdict::pass(format!("cluster `{}` is online; local node `{}` (number {})", c.name, n.name, n.num.map_or("?".into(), |v| v.to_string())))
                .with([Evidence::new(format!("{}/node/{}/local", c.path, n.name), None, "1")])),
            None => Ok(Verdict::fail(
                format!("cluster `{}` is registered but no node has local = 1, so o2cb reports it offline and mounts fail with `Internal logic failure while trying to join the group`; the hostname most likely matches no node name (see hostname-in-cluster-conf)", c.name),
                "make the hostname match a node name in cluster.conf, then re-register: `service o2cb offline; service o2cb online` (Debian: `o2cb unregister-cluster <name>; o2cb register-cluster <name>`)",
            )
            .with(evidence)
            .with(c.nodes.iter().map(|n| Evidence::new(format!("{}/node/{}/local", c.path, n.name), None, if n.local { "1" } else { "0" })))),
        },
        Ok(None) => Ok(Verdict::fail("no cluster is registered in configfs: o2cb is offline; mounts fail with `Cluster name is invalid while trying to join the group`", online_fix).with(evidence)),
        Err(e) if e.is_missing() => {
            // Offline bundles without a configfs copy (a sosreport) still have the tools' words.
            let said_online = status_cmd.as_ref().ok().map(|o| (o.exit_code, o.stdout.content.contains("is online")));
            let text_online = text_state.as_ref().and_then(|(st, _)| st.online.map(|o| o.0));
            match (said_online, text_online) {
                (Some((Some(0), true)), _) | (None, Some(true)) => Ok(Verdict::pass("o2cb reports the cluster online (configfs not available to confirm)").with(evidence)),
                (Some(_), _) | (None, Some(false)) => Ok(Verdict::fail("o2cb reports the cluster offline", online_fix).with(evidence)),
                (None, None) => Ok(Verdict::skip(format!("no configfs, `o2cb cluster-status` or status output available ({e})"))),
            }
        }
        Err(e) => Err(e.into()),
    }
}
