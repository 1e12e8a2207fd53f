//! Facts about each node for report headers and JUnit properties. Best effort:
//! a fact that cannot be read is left out, never an error.

use o2check_checks::parse::{mount_table, o2cb_status, o2cb_sysconfig};
use o2check_checks::source::Source;
use o2check_checks::Text;
use o2check_reports::NodeInfo;

const CONFIGFS: &str = "/sys/kernel/config/cluster";

pub fn describe(source: &dyn Source) -> NodeInfo {
    let text = |path: &str| {
        source
            .read_file(path)
            .ok()
            .map(|b| String::from_utf8_lossy(&b).trim().to_string())
    };
    let output = |argv: &[&str]| {
        let out = source.command(argv).ok()?;
        Some(String::from_utf8_lossy(&out.stdout).trim().to_string()).filter(|s| !s.is_empty())
    };
    let registered = source
        .list_dir(CONFIGFS)
        .ok()
        .and_then(|d| d.into_iter().next());
    let sysconfig = ["/etc/sysconfig/o2cb", "/etc/default/o2cb"]
        .iter()
        .find_map(|p| {
            let bytes = source.read_file(p).ok()?;
            Some(o2cb_sysconfig::parse(&Text::from_bytes(*p, &bytes)))
        });
    let boot_cluster = sysconfig
        .as_ref()
        .and_then(|c| c.boot_cluster.as_ref().map(|s| s.value.clone()));
    let cluster = registered.clone().or(boot_cluster);
    // Mount options say what each mounted volume runs with (fs/ocfs2/super.c,
    // ocfs2_show_options: `heartbeat=local|global|none`, `cluster_stack=`).
    let mounted: Vec<mount_table::MountEntry> = source
        .read_file("/proc/mounts")
        .map(|b| mount_table::parse(&Text::from_bytes("/proc/mounts", &b)))
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
        let out = source.command(&["service", "o2cb", "status"]).ok()?;
        Some(o2cb_status::parse(&Text::from_bytes("status", &out.stdout)))
    };
    let heartbeat_mode = registered
        .as_ref()
        .and_then(|c| text(&format!("{CONFIGFS}/{c}/heartbeat/mode")))
        .filter(|m| !m.is_empty())
        .or_else(|| status().and_then(|s| s.heartbeat_mode))
        .or_else(|| from_mounts("heartbeat"));
    let stack = text("/sys/fs/ocfs2/cluster_stack")
        .filter(|s| !s.is_empty())
        .or_else(|| from_mounts("cluster_stack"))
        .or_else(|| {
            sysconfig
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
    use o2check_checks::source::Bundle;

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
