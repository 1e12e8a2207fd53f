//! `o2cb-config`: /etc/default/o2cb or /etc/sysconfig/o2cb enables o2cb at boot for
//! a cluster that exists, with timeouts the init script accepts.

use super::common::{cluster_conf, o2cb_config};
use crate::check::{Check, CheckError, Verdict};
use crate::context::NodeCtx;
use crate::needs::{self, Needs, OS_RELEASE};
use crate::parse::o2cb_sysconfig::{
    Setting, MIN_IDLE_MS, MIN_KEEPALIVE_MS, MIN_RECONNECT_MS, MIN_THRESHOLD,
};
use o2check_reports::{Evidence, Layer, Severity};

pub const CHECK: Check = Check {
    id: "o2cb-config",
    layer: Layer::Config,
    severity: Severity::Warning,
    title: "o2cb is enabled at boot for an existing cluster with valid timeouts",
    rationale: "with O2CB_ENABLED other than `true` the cluster never comes online at boot and \
                _netdev mounts fail; timeouts below the minimums are rejected, and the kernel \
                ignores a keepalive not smaller than the idle timeout",
    needs: NEEDS,
    run,
};

/// The evidence it reads: `collect` gathers it (see [`crate::needs`]).
const NEEDS: Needs = &[needs::CLUSTER_CONF, needs::O2CB_SETTINGS, &[OS_RELEASE]];

fn run(ctx: &NodeCtx) -> Result<Verdict, CheckError> {
    let (text, c) = match o2cb_config(ctx) {
        Ok(x) => x,
        Err(e) if e.is_absent() => {
            return Ok(Verdict::fail(
                "no /etc/sysconfig/o2cb or /etc/default/o2cb: o2cb will not start at boot",
                "RHEL/OL: `service o2cb configure`; Debian/Ubuntu: `dpkg-reconfigure ocfs2-tools` (writes O2CB_ENABLED=true and O2CB_BOOTCLUSTER)",
            ).code("file-absent"))
        }
        Err(e) => return Err(e.into()),
    };
    let at = |s: &Option<Setting>| s.as_ref().map(|s| text.evidence_at(s.line));
    let mut problems: Vec<(String, Option<Evidence>)> = Vec::new();
    if c.enabled.as_ref().map(|s| s.value.as_str()) != Some("true") {
        problems.push((
            "O2CB_ENABLED is not `true`: the init script does nothing at boot".into(),
            at(&c.enabled),
        ));
    }
    match &c.boot_cluster {
        None => problems.push((
            "O2CB_BOOTCLUSTER is empty: `online` says `Cluster not known`".into(),
            None,
        )),
        Some(b) => {
            if let Ok((_, model)) = cluster_conf(ctx) {
                if !model.clusters.iter().any(|cl| cl.name == b.value) {
                    problems.push((format!("O2CB_BOOTCLUSTER=`{}` is not a cluster in cluster.conf (o2cb: Unknown cluster)", b.value), at(&c.boot_cluster)));
                }
            }
        }
    }
    if let Some(s) = c.stack.as_ref().filter(|s| s.value != "o2cb") {
        problems.push((
            format!(
                "O2CB_STACK=`{}`: this node runs a userspace stack, not o2cb",
                s.value
            ),
            at(&c.stack),
        ));
    }
    let limits = [
        (
            &c.heartbeat_threshold,
            c.threshold(),
            MIN_THRESHOLD,
            "O2CB_HEARTBEAT_THRESHOLD",
        ),
        (
            &c.idle_timeout_ms,
            c.idle_ms(),
            MIN_IDLE_MS,
            "O2CB_IDLE_TIMEOUT_MS",
        ),
        (
            &c.keepalive_delay_ms,
            c.keepalive_ms(),
            MIN_KEEPALIVE_MS,
            "O2CB_KEEPALIVE_DELAY_MS",
        ),
        (
            &c.reconnect_delay_ms,
            c.reconnect_ms(),
            MIN_RECONNECT_MS,
            "O2CB_RECONNECT_DELAY_MS",
        ),
    ];
    for (setting, value, min, key) in limits {
        match value {
            None => problems.push((format!("{key} is not a number"), at(setting))),
            Some(v) if v < min => {
                problems.push((format!("{key}={v} is below the minimum {min}"), at(setting)))
            }
            _ => {}
        }
    }
    if let (Some(k), Some(i)) = (c.keepalive_ms(), c.idle_ms()) {
        if k >= i {
            problems.push((format!("keepalive delay {k} ms is not smaller than the idle timeout {i} ms (the kernel rejects it)"), at(&c.keepalive_delay_ms)));
        }
    }
    if problems.is_empty() {
        return Ok(Verdict::pass(format!(
            "enabled for `{}`; threshold {}, idle {} ms, keepalive {} ms, reconnect {} ms",
            c.boot_cluster.as_ref().map_or("", |b| b.value.as_str()),
            c.threshold().unwrap_or_default(),
            c.idle_ms().unwrap_or_default(),
            c.keepalive_ms().unwrap_or_default(),
            c.reconnect_ms().unwrap_or_default()
        )));
    }
    let summary = problems
        .iter()
        .map(|(p, _)| p.as_str())
        .collect::<Vec<_>>()
        .join("; ");
    Ok(Verdict::fail(
        summary,
        format!("edit {} (RHEL/OL: `service o2cb configure`; Debian/Ubuntu: `dpkg-reconfigure ocfs2-tools`); timeouts must be identical on all nodes", text.origin),
    ).code("settings-invalid")
    .with(problems.into_iter().filter_map(|(_, e)| e)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_bundle::{edit, fixture, fixture_copy, judge_node};
    use o2check_reports::Status;

    const FILE: &str = "etc/default/o2cb";

    /// The lab node's real /etc/default/o2cb, with `from` replaced by `to`.
    fn lab_file_with(from: &str, to: &str) -> Verdict {
        let b = fixture_copy("bundles/lab-capture-healthy-node1");
        edit(b.path(), FILE, from, to);
        judge_node(run, &[b.path()])
    }

    #[test]
    fn the_lab_configuration_passes() {
        let v = judge_node(run, &[&fixture("bundles/lab-capture-healthy-node1")]);
        assert_eq!(v.status, Status::Pass, "{}", v.summary);
        assert_eq!(
            v.summary,
            "enabled for `o2lab`; threshold 31, idle 30000 ms, keepalive 2000 ms, reconnect 2000 ms"
        );
    }

    #[test]
    fn disabled_at_boot_fails() {
        let v = lab_file_with("O2CB_ENABLED=true", "O2CB_ENABLED=false");
        assert_eq!(v.status, Status::Fail, "{}", v.summary);
        assert_eq!(v.code, Some("settings-invalid"));
        assert!(
            v.summary.starts_with("O2CB_ENABLED is not `true`"),
            "{}",
            v.summary
        );
        assert!(
            v.evidence.iter().any(|e| e.text == "O2CB_ENABLED=false"),
            "{:?}",
            v.evidence
        );
    }

    #[test]
    fn a_boot_cluster_cluster_conf_does_not_have_fails() {
        let v = lab_file_with("O2CB_BOOTCLUSTER=o2lab", "O2CB_BOOTCLUSTER=ocfs2");
        assert_eq!(v.code, Some("settings-invalid"), "{}", v.summary);
        assert!(
            v.summary
                .contains("O2CB_BOOTCLUSTER=`ocfs2` is not a cluster in cluster.conf"),
            "{}",
            v.summary
        );
    }

    #[test]
    fn a_keepalive_not_below_the_idle_timeout_fails() {
        let v = lab_file_with(
            "O2CB_KEEPALIVE_DELAY_MS=2000",
            "O2CB_KEEPALIVE_DELAY_MS=30000",
        );
        assert_eq!(v.code, Some("settings-invalid"), "{}", v.summary);
        assert!(
            v.summary
                .contains("keepalive delay 30000 ms is not smaller than the idle timeout 30000 ms"),
            "{}",
            v.summary
        );
    }

    /// Missing from a bundle is not missing on the host: only a collect that
    /// saw both files absent (its manifest) earns the failure.
    #[test]
    fn an_uncollected_file_skips_and_an_absent_one_fails() {
        let b = fixture_copy("bundles/lab-capture-healthy-node1");
        std::fs::remove_file(b.path().join(FILE)).unwrap();
        let v = judge_node(run, &[b.path()]);
        assert_eq!(v.status, Status::Skip, "{}", v.summary);
        assert_eq!(v.code, Some("not-collected"));
        std::fs::write(
            b.path().join("manifest.json"),
            r#"{"version":1,"files":{"/etc/default/o2cb":{"state":"absent"},"/etc/sysconfig/o2cb":{"state":"absent"}}}"#,
        )
        .unwrap();
        let v = judge_node(run, &[b.path()]);
        assert_eq!(v.status, Status::Fail, "{}", v.summary);
        assert_eq!(v.code, Some("file-absent"));
    }
}
