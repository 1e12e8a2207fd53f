//! Facts about each node for report headers and JUnit properties. Best effort:
//! a fact that cannot be read is left out, never an error.

use o2check_checks::source::Source;
use o2check_reports::NodeInfo;

const CONFIGFS: &str = "/sys/kernel/config/cluster";

pub fn describe(source: &dyn Source) -> NodeInfo {
    let text = |path: &str| {
        source.read_file(path).ok().map(|b| String::from_utf8_lossy(&b).trim().to_string())
    };
    let output = |argv: &[&str]| {
        let out = source.command(argv).ok()?;
        Some(String::from_utf8_lossy(&out.stdout).trim().to_string()).filter(|s| !s.is_empty())
    };
    let registered = source.list_dir(CONFIGFS).ok().and_then(|d| d.into_iter().next());
    let sysconfig = text("/etc/sysconfig/o2cb").or_else(|| text("/etc/default/o2cb"));
    let boot_cluster = sysconfig.as_deref().and_then(|s| shell_value(s, "O2CB_BOOTCLUSTER"));
    let cluster = registered.clone().or(boot_cluster);
    let heartbeat_mode = registered
        .as_ref()
        .and_then(|c| text(&format!("{CONFIGFS}/{c}/heartbeat/mode")))
        .filter(|m| !m.is_empty());
    let stack = text("/sys/fs/ocfs2/cluster_stack")
        .or_else(|| sysconfig.as_deref().and_then(|s| shell_value(s, "O2CB_STACK")));
    let tools_version = output(&["o2cb_ctl", "-V"])
        .and_then(|v| v.split_whitespace().last().map(str::to_string));
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

/// `KEY=value` from a shell-sourced config file, last assignment wins.
fn shell_value(text: &str, key: &str) -> Option<String> {
    text.lines()
        .filter_map(|l| l.trim().strip_prefix(key)?.strip_prefix('='))
        .last()
        .map(|v| v.trim().trim_matches(|c| c == '"' || c == '\'').to_string())
        .filter(|v| !v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_shell_assignments() {
        let s = "# c\nO2CB_BOOTCLUSTER=one\nO2CB_BOOTCLUSTER=\"two\"\n";
        assert_eq!(shell_value(s, "O2CB_BOOTCLUSTER").as_deref(), Some("two"));
        assert_eq!(shell_value(s, "O2CB_STACK"), None);
    }
}
