//! Facts about each node for report headers and JUnit properties. Best effort:
//! a fact that cannot be read is left out, never an error. Read through the
//! node's facts (o2check_checks::facts), so configfs and the o2cb settings are
//! parsed once, the same way the checks parse them.

use o2check_checks::source::Source;
use o2check_checks::{NodeCtx, Options};
use o2check_reports::NodeInfo;

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
    let heartbeat_mode = registered
        .as_ref()
        .and_then(|c| c.heartbeat_mode.clone())
        .filter(|m| !m.is_empty());
    let stack = ctx
        .file("/sys/fs/ocfs2/cluster_stack")
        .ok()
        .map(|t| t.content.trim().to_string())
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
