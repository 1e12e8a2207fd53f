//! `cluster-stack`: which cluster stack OCFS2 runs on here, and whether another
//! stack runs beside it. OCFS2 reaches its cluster through the stack glue
//! (linux fs/ocfs2/stackglue.c: `/sys/fs/ocfs2/cluster_stack` names the active
//! stack, `o2cb` or a user stack such as `pcmk`); each mount records it in its
//! options (`cluster_stack=`, `heartbeat=local|global|none`, fs/ocfs2/super.c,
//! `ocfs2_show_options`). The pacemaker/cman stack's DLM is fs/dlm (module `dlm`,
//! kernel lines `dlm: <lockspace>: ...`, `dlm_controld`/`ocfs2_controld.pcmk`):
//! next to o2cb it is either a second cluster on the node or a half-migrated one.

use super::common::{mounts, o2cb_config};
use crate::check::{Check, CheckError, Verdict};
use crate::context::NodeCtx;
use crate::kernlog::event::O2Event;
use crate::kernlog::node_events::dmesg_events;
use crate::needs::{self, Need, Needs, O2CB_STATUS};
use crate::parse::{modules, o2cb_status};
use o2check_reports::{Evidence, Layer, Severity};

pub const CHECK: Check = Check {
    id: "cluster-stack",
    layer: Layer::O2cb,
    severity: Severity::Warning,
    title: "OCFS2 runs on one cluster stack (o2cb), reported with its heartbeat mode",
    rationale: "a node where fs/dlm (pacemaker, cman) runs beside o2cb has two cluster \
                memberships that fence independently; a volume formatted for the other stack \
                does not mount on o2cb (`Cluster stack is invalid`)",
    needs: NEEDS,
    run,
};

/// The evidence it reads: `collect` gathers it (see [`crate::needs`]).
const NEEDS: Needs = &[
    needs::KERNEL_LOG,
    needs::O2CB_SETTINGS,
    needs::MOUNTS,
    &[
        Need::Command(&["lsmod"]),
        O2CB_STATUS,
        Need::File("/sys/fs/ocfs2/cluster_stack"),
    ],
];

/// What the evidence says about the stack in use.
struct Seen {
    stack: Option<(String, Evidence)>,
    heartbeat: Vec<(String, Evidence)>,
    other: Vec<Evidence>,
    /// `Driver for "ocfs2_dlmfs": Not loaded` in `service o2cb status`.
    dlmfs_missing: Option<Evidence>,
}

fn seen(ctx: &NodeCtx) -> Seen {
    let mut s = Seen {
        stack: None,
        heartbeat: Vec::new(),
        other: Vec::new(),
        dlmfs_missing: None,
    };
    if let Ok(t) = ctx.file("/sys/fs/ocfs2/cluster_stack") {
        let v = t.content.trim().to_string();
        if !v.is_empty() {
            s.stack = Some((v.clone(), Evidence::new(t.origin.clone(), Some(1), v)));
        }
    }
    if let Ok((text, entries)) = mounts(ctx) {
        for e in crate::parse::mount_table::ocfs2(&entries) {
            if let Some(hb) = e.option("heartbeat") {
                s.heartbeat.push((hb.to_string(), text.evidence_at(e.line)));
            }
            if let (None, Some(cs)) = (&s.stack, e.option("cluster_stack")) {
                s.stack = Some((cs.to_string(), text.evidence_at(e.line)));
            }
        }
    }
    if let Ok(st) = ctx.command(&["service", "o2cb", "status"]) {
        let p = o2cb_status::parse(&st.stdout);
        if let Some((false, line)) = p.dlmfs_loaded {
            s.dlmfs_missing = Some(st.stdout.evidence_at(line));
        }
        if let (None, Some((plugin, true))) = (&s.stack, &p.stack_plugin) {
            let line = st.stdout.evidence_matching("Stack plugin", 1);
            if let Some(ev) = line.into_iter().next() {
                s.stack = Some((plugin.clone(), ev));
            }
        }
        if let Some((daemon, line)) = p.control_daemon {
            let ev = st.stdout.evidence_at(line);
            if s.stack.is_none() {
                let name = if daemon.contains("cman") {
                    "cman"
                } else {
                    "pcmk"
                };
                s.stack = Some((name.to_string(), ev));
            }
        }
    }
    if s.stack.is_none() {
        if let Ok((text, c)) = o2cb_config(ctx) {
            if let Some(st) = c.stack {
                s.stack = Some((st.value.clone(), text.evidence_at(st.line)));
            }
        }
    }
    if let Ok(out) = ctx.command(&["lsmod"]) {
        for (name, line) in modules::parse(&out.stdout) {
            if name == "dlm" || name == "ocfs2_stack_user" {
                s.other.push(out.stdout.evidence_at(line));
            }
        }
    }
    if let Some(dmesg) = dmesg_events(ctx) {
        s.other.extend(
            dmesg
                .events
                .iter()
                .filter(|e| matches!(e.event, O2Event::OtherStackDlm { .. }))
                .take(3)
                .map(|e| {
                    Evidence::new(
                        e.line.origin.clone(),
                        Some(e.line.line),
                        e.line.message.trim_end(),
                    )
                }),
        );
    }
    s
}

fn run(ctx: &NodeCtx) -> Result<Verdict, CheckError> {
    let s = seen(ctx);
    let heartbeat: Vec<String> = {
        let mut h: Vec<String> = s.heartbeat.iter().map(|(m, _)| m.clone()).collect();
        h.sort();
        h.dedup();
        h
    };
    let hb_text = if heartbeat.is_empty() {
        String::new()
    } else {
        format!(", mounts with heartbeat={}", heartbeat.join(","))
    };
    let mut evidence: Vec<Evidence> = s.stack.iter().map(|(_, e)| e.clone()).collect();
    evidence.extend(s.heartbeat.iter().map(|(_, e)| e.clone()));
    let Some((stack, _)) = &s.stack else {
        if s.other.is_empty() {
            // Say why nothing was seen: evidence absent, not collected or unreadable.
            ctx.file("/sys/fs/ocfs2/cluster_stack")?;
            mounts(ctx)?;
            return Ok(Verdict::skip(
                "the cluster stack is not in the evidence (/sys/fs/ocfs2/cluster_stack, mount options, o2cb status)",
            )
            .code("no-stack-evidence"));
        }
        return Ok(Verdict::fail(
            "fs/dlm (the pacemaker/cman stack's DLM) is active on this node and no o2cb stack was seen",
            "if OCFS2 is meant to run on o2cb, stop the other stack's OCFS2 use (`ocfs2_controld`, `dlm_controld`) and bring o2cb online; if it is meant to run on pacemaker, o2check's o2cb checks do not apply",
        )
        .code("other-stack-only")
        .with(s.other));
    };
    if stack != "o2cb" {
        return Ok(Verdict::skip(format!(
            "OCFS2 runs on the `{stack}` user stack here{hb_text}; o2check judges the o2cb stack"
        ))
        .code("user-stack")
        .with(evidence));
    }
    if !s.other.is_empty() {
        let n = s.other.len();
        evidence.extend(s.other);
        return Ok(Verdict::fail(
            format!("OCFS2 runs on o2cb{hb_text}, but {n} line(s) show fs/dlm (the pacemaker/cman stack) active beside it"),
            "one node should have one cluster membership for OCFS2: if pacemaker/cman serves something else (GFS2, clvmd), make sure no OCFS2 volume is formatted for it (`mounted.ocfs2 -d` Stack column) and that both stacks' fencing agree; otherwise stop it (`systemctl disable --now pacemaker corosync dlm`) and `rmmod ocfs2_stack_user dlm`",
        )
        .code("other-stack-beside-o2cb")
        .with(evidence));
    }
    if let Some(ev) = s.dlmfs_missing {
        evidence.push(ev);
        return Ok(Verdict::fail(
            format!("OCFS2 runs on o2cb{hb_text}, but `service o2cb status` says `Driver for \"ocfs2_dlmfs\": Not loaded`: the init script stops there, before the cluster is brought online, and /dlm (o2cb's user-space locking for fsck.ocfs2/tunefs.ocfs2) is missing"),
            "load it: `service o2cb load` (or `modprobe ocfs2_dlmfs` and mount it: `mount -t ocfs2_dlmfs ocfs2_dlmfs /dlm`), then `service o2cb online`; if modprobe fails the kernel package lacks the OCFS2 modules",
        )
        .code("dlmfs-not-loaded")
        .with(evidence));
    }
    Ok(Verdict::pass(format!("OCFS2 runs on the o2cb stack{hb_text}")).with(evidence))
}

#[cfg(test)]
mod tests {
    use super::*;
    use o2check_reports::Status;

    fn run_in(files: &[(&str, &str)]) -> Verdict {
        crate::rules::test_bundle::judge(run, files)
    }

    const MOUNTS: (&str, &str) = (
        "proc/mounts",
        "/dev/mapper/mpatha /vms ocfs2 rw,relatime,_netdev,heartbeat=global,nointr,data=ordered,errors=remount-ro,atime_quantum=60,cluster_stack=o2cb,coherency=full,user_xattr,acl 0 0\n",
    );

    #[test]
    fn o2cb_with_global_heartbeat_from_mount_options() {
        let v = run_in(&[MOUNTS]);
        assert_eq!((v.status, v.code), (Status::Pass, None), "{}", v.summary);
        assert!(v.summary.contains("heartbeat=global"), "{}", v.summary);
    }

    #[test]
    fn fs_dlm_beside_o2cb_and_a_user_stack() {
        let v = run_in(&[
            MOUNTS,
            ("commands/dmesg", "[  40.1] dlm: clvmd: joining the lockspace group...\n[  40.2] dlm: clvmd: group event done 0 0\n"),
        ]);
        assert_eq!(
            (v.status, v.code),
            (Status::Fail, Some("other-stack-beside-o2cb")),
            "{}",
            v.summary
        );
        let status = "Driver for \"configfs\": Loaded\nFilesystem \"configfs\": Mounted\nStack glue driver: Loaded\nStack plugin \"o2cb\": Loaded\nDriver for \"ocfs2_dlmfs\": Not loaded\n";
        let v = run_in(&[("commands/service_o2cb_status", status)]);
        assert_eq!(
            (v.status, v.code),
            (Status::Fail, Some("dlmfs-not-loaded")),
            "{}",
            v.summary
        );
        let v = run_in(&[("sys/fs/ocfs2/cluster_stack", "pcmk\n")]);
        assert_eq!(
            (v.status, v.code),
            (Status::Skip, Some("user-stack")),
            "{}",
            v.summary
        );
        assert_eq!(run_in(&[]).status, Status::Skip);
    }
}
