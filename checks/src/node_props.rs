//! Facts about each node for report headers and JUnit properties (cluster,
//! kernel, tools version, stack, heartbeat mode). Best effort: a fact that
//! cannot be read is left out, never an error. Read through the node's facts
//! ([`crate::facts`]), so configfs, the o2cb settings and the mount table are
//! parsed once, the same way the checks parse them.

use crate::needs::{self, Need, Needs};
use crate::parse::mount_table::MountEntry;
use crate::parse::o2cb_status;
use crate::rules::common::mounts;
use crate::source::Source;
use crate::{NodeCtx, Options};
use o2check_reports::NodeInfo;

/// What [`describe`] reads.
pub const NEEDS: Needs = &[
    needs::CONFIGFS,
    needs::O2CB_SETTINGS,
    needs::MOUNTS,
    &[
        needs::O2CB_STATUS,
        Need::File("/sys/fs/ocfs2/cluster_stack"),
        Need::Command(&["o2cb_ctl", "-V"]),
        Need::Command(&["uname", "-r"]),
    ],
];

pub fn describe(source: &dyn Source) -> NodeInfo {
    let options = Options::default();
    let ctx = NodeCtx::new(source, &options);
    let output = |argv: &[&str]| {
        let out = ctx.command(argv).ok()?;
        Some(out.stdout.content.trim().to_string()).filter(|s| !s.is_empty())
    };
    let registered = ctx.registered_cluster().ok().flatten();
    let settings = ctx.o2cb_settings().ok().map(|(_, c)| c);
    let boot_cluster = settings
        .as_ref()
        .and_then(|c| c.boot_cluster.as_ref().map(|s| s.value.clone()));
    let cluster = registered.as_ref().map(|c| c.name.clone()).or(boot_cluster);
    // Mount options say what each mounted volume runs with (fs/ocfs2/super.c,
    // ocfs2_show_options: `heartbeat=local|global|none`, `cluster_stack=`).
    let mounted: Vec<MountEntry> = mounts(&ctx)
        .map(|(_, entries)| entries)
        .unwrap_or_default()
        .into_iter()
        .filter(|e| e.fs_type == "ocfs2")
        .collect();
    let from_mounts = |key: &str| {
        let mut values: Vec<String> = mounted
            .iter()
            .filter_map(|e| e.option(key).map(str::to_string))
            .collect();
        values.sort();
        values.dedup();
        (!values.is_empty()).then(|| values.join(","))
    };
    let status = || {
        let out = ctx.command(&["service", "o2cb", "status"]).ok()?;
        o2cb_status::parse(&out.stdout).heartbeat_mode
    };
    let heartbeat_mode = registered
        .as_ref()
        .and_then(|c| c.heartbeat_mode.clone())
        .filter(|m| !m.is_empty())
        .or_else(status)
        .or_else(|| from_mounts("heartbeat"));
    let stack = ctx
        .file("/sys/fs/ocfs2/cluster_stack")
        .ok()
        .map(|t| t.content.trim().to_string())
        .filter(|s| !s.is_empty())
        .or_else(|| from_mounts("cluster_stack"))
        .or_else(|| {
            settings
                .as_ref()
                .and_then(|c| c.stack.as_ref().map(|s| s.value.clone()))
        });
    let tools_version =
        output(&["o2cb_ctl", "-V"]).and_then(|v| v.split_whitespace().last().map(str::to_string));
    NodeInfo {
        name: source.node().to_string(),
        source: source.describe(),
        cluster,
        kernel: output(&["uname", "-r"]),
        tools_version,
        stack,
        heartbeat_mode,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Bundle;

    fn bundle(files: &[(&str, &str)]) -> (tempfile::TempDir, Bundle) {
        let dir = tempfile::tempdir().unwrap();
        for (rel, content) in files {
            let p = dir.path().join(rel);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, content).unwrap();
        }
        let b = Bundle::open(dir.path()).unwrap();
        (dir, b)
    }

    #[test]
    fn heartbeat_and_stack_from_mount_options_and_status() {
        let (_d, b) = bundle(&[(
            "proc/mounts",
            "/dev/mapper/a /a ocfs2 rw,heartbeat=global,cluster_stack=o2cb 0 0\n",
        )]);
        let n = describe(&b);
        assert_eq!(
            (n.heartbeat_mode.as_deref(), n.stack.as_deref()),
            (Some("global"), Some("o2cb"))
        );
        let (_d, b) = bundle(&[(
            "commands/service_o2cb_status",
            "Checking O2CB cluster \"c\": Online\n  Heartbeat mode: Local\n",
        )]);
        assert_eq!(describe(&b).heartbeat_mode.as_deref(), Some("local"));
        let (_d, b) = bundle(&[]);
        assert_eq!(describe(&b).heartbeat_mode, None);
    }
}
