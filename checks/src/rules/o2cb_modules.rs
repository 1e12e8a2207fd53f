//! `o2cb-modules`: the kernel modules of the o2cb stack are loaded.

use crate::check::{Check, CheckError, Verdict};
use crate::context::NodeCtx;
use crate::needs::{self, Need, Needs, OS_RELEASE};
use crate::parse::modules;
use o2check_reports::{Layer, Severity};

pub const CHECK: Check = Check {
    id: "o2cb-modules",
    layer: Layer::O2cb,
    severity: Severity::Critical,
    title:
        "configfs, ocfs2_nodemanager, ocfs2_dlm, ocfs2_stack_o2cb, ocfs2_dlmfs and ocfs2 are loaded",
    rationale:
        "without ocfs2_nodemanager there is no /sys/fs/o2cb/interface_revision and mount says \
                `Unable to access cluster service while trying initialize cluster`",
    needs: NEEDS,
    run,
};

/// The evidence it reads: `collect` gathers it (see [`crate::needs`]).
const NEEDS: Needs = &[
    needs::MOUNTS,
    &[
        Need::File("/proc/modules"),
        Need::File("/proc/filesystems"),
        Need::Command(&["lsmod"]),
        OS_RELEASE,
    ],
];

/// `ocfs2` itself is loaded on first mount (request_module "fs-ocfs2"), so it is
/// only required when something is mounted.
const STACK: [&str; 5] = [
    "configfs",
    "ocfs2_nodemanager",
    "ocfs2_dlm",
    "ocfs2_stack_o2cb",
    "ocfs2_dlmfs",
];

fn run(ctx: &NodeCtx) -> Result<Verdict, CheckError> {
    let text = match ctx.file("/proc/modules") {
        Ok(t) => t,
        Err(e) if e.is_missing() => ctx.command(&["lsmod"])?.stdout,
        Err(e) => return Err(e.into()),
    };
    let loaded = modules::parse(&text);
    let has = |m: &str| loaded.iter().any(|(n, _)| n == m);
    // configfs is often built in; its mount (checked elsewhere) is what counts then.
    // /proc/filesystems says so; a configfs mount proves it too. Without either,
    // a configfs that is no module is unknown, not missing.
    let filesystems = ctx.file("/proc/filesystems");
    let configfs_mounted = || {
        super::common::mounts(ctx)
            .map(|(_, m)| m.iter().any(|e| e.fs_type == "configfs"))
            .unwrap_or(false)
    };
    let configfs_known = match &filesystems {
        Ok(t) => Some(t.content.contains("configfs") || configfs_mounted()),
        Err(_) if configfs_mounted() => Some(true),
        Err(_) => None,
    };
    let missing: Vec<&str> = STACK
        .iter()
        .copied()
        .filter(|m| !(has(m) || *m == "configfs" && configfs_known != Some(false)))
        .collect();
    if missing.is_empty() && !has("configfs") && configfs_known.is_none() {
        if let Err(e) = filesystems {
            return Err(e.into());
        }
    }
    if missing.is_empty() {
        return Ok(Verdict::pass("the o2cb stack modules are loaded").with(
            loaded
                .iter()
                .filter(|(n, _)| STACK.contains(&n.as_str()) || n == "ocfs2")
                .map(|(_, l)| text.evidence_at(*l)),
        ));
    }
    Ok(Verdict::fail(
        format!("not loaded: {}", missing.join(", ")),
        format!("`service o2cb load` (or `modprobe -a {}`); if modprobe fails, install the kernel's ocfs2 modules (UEK or the distribution kernel with CONFIG_OCFS2_FS)", missing.join(" ")),
    ).code("not-loaded")
    .with(loaded.iter().filter(|(n, _)| n.starts_with("ocfs2") || n == "configfs").map(|(_, l)| text.evidence_at(*l))))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_bundle::judge;
    use o2check_reports::Status;

    fn module(name: &str) -> String {
        format!("{name} 16384 1 - Live 0x0000000000000000\n")
    }

    fn stack_without(gone: &[&str]) -> String {
        STACK
            .iter()
            .chain(&["ocfs2"])
            .filter(|m| !gone.contains(m))
            .map(|m| module(m))
            .collect()
    }

    #[test]
    fn the_whole_stack_loaded_passes() {
        let v = judge(run, &[("proc/modules", &stack_without(&[]))]);
        assert_eq!(v.status, Status::Pass, "{}", v.summary);
    }

    #[test]
    fn a_missing_nodemanager_fails_and_names_it() {
        let v = judge(
            run,
            &[("proc/modules", &stack_without(&["ocfs2_nodemanager"]))],
        );
        assert_eq!(v.status, Status::Fail, "{}", v.summary);
        assert!(v.summary.contains("ocfs2_nodemanager"), "{}", v.summary);
        assert!(v
            .fix
            .as_deref()
            .unwrap_or("")
            .contains("modprobe -a ocfs2_nodemanager"));
    }

    #[test]
    fn a_built_in_configfs_is_not_missing() {
        let modules = stack_without(&["configfs"]);
        let v = judge(
            run,
            &[
                ("proc/modules", &modules),
                ("proc/filesystems", "nodev\tconfigfs\n"),
            ],
        );
        assert_eq!(v.status, Status::Pass, "{}", v.summary);
        let v = judge(
            run,
            &[
                ("proc/modules", &modules),
                ("proc/filesystems", "nodev\tsysfs\n"),
            ],
        );
        assert_eq!(v.status, Status::Fail, "{}", v.summary);
        assert!(v.summary.contains("configfs"), "{}", v.summary);
    }

    #[test]
    fn no_module_list_at_all_is_a_skip() {
        assert_eq!(judge(run, &[]).status, Status::Skip);
    }
}
