//! `cluster-online`: the boot cluster is registered with a local node. The init
//! script's `status` and `online` exit 0 even when the cluster is offline (seen in
//! the lab), so only `o2cb cluster-status` and configfs are trusted.

use super::common::{configfs_cluster, distro_fix};
use crate::check::{Check, CheckError, Verdict};
use crate::context::NodeCtx;
use crate::needs::{self, Need, Needs, O2CB_STATUS, OS_RELEASE};
use crate::parse::o2cb_cluster_status::parse_cluster_status;
use crate::parse::o2cb_status;
use o2check_reports::{Evidence, Layer, Severity};

pub const CHECK: Check = Check {
    id: "cluster-online",
    layer: Layer::O2cb,
    severity: Severity::Critical,
    title: "the o2cb cluster is online (registered, with a local node)",
    rationale:
        "mount.ocfs2 joins the cluster registered in configfs; with none it fails with \
                `Cluster name is invalid` (≥1.8.2) or `Unable to access cluster service` (≤1.6), \
                and with no local node with `Internal logic failure while trying to join the group`",
    needs: NEEDS,
    run,
};

/// The evidence it reads: `collect` gathers it (see [`crate::needs`]).
const NEEDS: Needs = &[
    needs::CONFIGFS,
    &[
        Need::Command(&["o2cb", "cluster-status"]),
        O2CB_STATUS,
        OS_RELEASE,
    ],
];

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
        "set O2CB_ENABLED=true and O2CB_BOOTCLUSTER in /etc/default/o2cb, then `/etc/init.d/o2cb online <name>` (or `systemctl restart o2cb`); not `o2cb register-cluster`, which leaves the kernel's default timeouts and the next mount fails with error 107",
    );
    match configfs {
        Ok(Some(c)) => match c.local_node() {
            Some(n) => Ok(Verdict::pass(format!("cluster `{}` is online; local node `{}` (number {})", c.name, n.name, n.num.map_or("?".into(), |v| v.to_string())))
                .with([Evidence::new(format!("{}/node/{}/local", c.path, n.name), None, "1")])),
            None => Ok(Verdict::fail(
                format!("cluster `{}` is registered but no node has local = 1, so o2cb reports it offline and mounts fail with `Internal logic failure while trying to join the group`; the hostname most likely matches no node name (see hostname-in-cluster-conf)", c.name),
                format!("make the hostname match a node name in cluster.conf, then re-register with the init script, which also sets the configured timeouts: `service o2cb offline {0}; service o2cb online {0}` (Debian: `/etc/init.d/o2cb offline {0}; /etc/init.d/o2cb online {0}`)", c.name),
            ).code("no-local-node")
            .with(evidence)
            .with(c.nodes.iter().map(|n| Evidence::new(format!("{}/node/{}/local", c.path, n.name), None, if n.local { "1" } else { "0" })))),
        },
        Ok(None) => Ok(Verdict::fail("no cluster is registered in configfs: o2cb is offline; mounts fail with `Cluster name is invalid while trying to join the group`", online_fix).code("not-registered").with(evidence)),
        Err(e) if e.is_missing() => {
            // Offline bundles without a configfs copy (a sosreport) still have the tools' words.
            // `o2cb cluster-status`: text and exit code must agree (FORMATS §2.2).
            let said = status_cmd.as_ref().ok().map(|o| parse_cluster_status(&o.stdout, &o.stderr, o.exit_code));
            let text_online = text_state.as_ref().and_then(|(st, _)| st.online.map(|o| o.0));
            let unavailable = said.as_ref().is_some_and(|r| r.service_unavailable);
            let offline_summary = if unavailable {
                "o2cb reports the cluster offline: `Unable to access cluster service` (configfs not mounted or o2cb modules not loaded, see o2cb-modules and o2cb-filesystems)"
            } else {
                "o2cb reports the cluster offline"
            };
            match (said.as_ref().map(|r| r.is_online()), text_online) {
                (Some(true), _) | (None, Some(true)) => Ok(Verdict::pass("o2cb reports the cluster online (configfs not available to confirm)").with(evidence)),
                (Some(false), _) | (None, Some(false)) => Ok(Verdict::fail(offline_summary, online_fix).code("reported-offline").with(evidence)),
                (None, None) => Ok(Verdict::skip(format!("no configfs, `o2cb cluster-status` or status output available ({e})")).code("no-state-evidence")),
            }
        }
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::context::Options;
    use crate::source::{Bundle, Source};
    use o2check_reports::Status;

    /// A bundle with no configfs copy (like a sosreport): only the tool's words count.
    fn run_status_only(stdout: &str, stderr: &str, rc: i32) -> Verdict {
        let dir = tempfile::tempdir().unwrap();
        let cmds = dir.path().join("commands");
        std::fs::create_dir_all(&cmds).unwrap();
        std::fs::write(cmds.join("o2cb_cluster-status"), stdout).unwrap();
        std::fs::write(cmds.join("o2cb_cluster-status.stderr"), stderr).unwrap();
        let meta = format!(
            r#"{{"host":"n1","commands":{{"o2cb_cluster-status":{{"argv":["o2cb","cluster-status"],"exit_code":{rc}}}}}}}"#
        );
        std::fs::write(dir.path().join("meta.json"), meta).unwrap();
        let bundle = Bundle::open(dir.path()).unwrap();
        let options = Options::default();
        run(&NodeCtx::new(&bundle as &dyn Source, &options))
            .unwrap_or_else(CheckError::into_verdict)
    }

    #[test]
    fn online_text_and_rc0_pass_without_configfs() {
        let v = run_status_only("Cluster 'o2lab' is online\n", "", 0);
        assert_eq!(v.status, Status::Pass, "{}", v.summary);
    }

    #[test]
    fn online_text_with_nonzero_rc_is_not_trusted() {
        let v = run_status_only("Cluster 'o2lab' is online\n", "", 1);
        assert_eq!(v.status, Status::Fail, "{}", v.summary);
    }

    #[test]
    fn real_no_configfs_output_names_the_missing_service() {
        let v = run_status_only(
            include_str!("../../../fixtures/runtime/cluster-status-host-no-configfs.stdout"),
            include_str!("../../../fixtures/runtime/cluster-status-host-no-configfs.stderr"),
            1,
        );
        assert_eq!(v.status, Status::Fail, "{}", v.summary);
        assert!(
            v.summary.contains("Unable to access cluster service"),
            "{}",
            v.summary
        );
        assert!(v.fix.is_some());
    }
}
