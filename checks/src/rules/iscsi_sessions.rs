//! `iscsi-sessions`: when the node uses iSCSI, it has logged-in sessions.

use crate::check::{Check, CheckError, Verdict};
use crate::context::NodeCtx;
use o2check_reports::Layer;

pub const CHECK: Check = Check {
    id: "iscsi-sessions",
    layer: Layer::Storage,
    title: "iSCSI sessions are logged in",
    rationale: "with no session the SAN LUN and its multipath map disappear and the OCFS2 volume \
                cannot be mounted (`Internal logic failure` opening the device, or `I/O error on channel`)",
    run,
};

fn run(ctx: &NodeCtx) -> Result<Verdict, CheckError> {
    let out = ctx.command(&["iscsiadm", "-m", "session"])?;
    // open-iscsi: one `tcp: [N] portal,tpgt target` line per session; exit 21
    // (ISCSI_ERR_NO_OBJS_FOUND) with `iscsiadm: No active sessions.` when none.
    let sessions: Vec<u32> = out
        .stdout
        .numbered_lines()
        .filter(|(_, l)| l.contains("iqn.") || l.contains("eui.") || l.starts_with("tcp:"))
        .map(|(n, _)| n)
        .collect();
    if !sessions.is_empty() {
        return Ok(
            Verdict::pass(format!("{} iSCSI session(s) logged in", sessions.len()))
                .with(sessions.iter().map(|l| out.stdout.evidence_at(*l))),
        );
    }
    let said = format!("{}{}", out.stdout.content, out.stderr);
    let uses_iscsi =
        ctx.file("/etc/iscsi/initiatorname.iscsi").is_ok() || said.contains("No active sessions");
    if !uses_iscsi {
        return Ok(Verdict::skip("iSCSI is not configured on this node"));
    }
    Ok(Verdict::fail(
        "no iSCSI session is logged in",
        "discover and log in: `iscsiadm -m discovery -t st -p <portal>` then `iscsiadm -m node -T <target> --login`, and make it automatic (`iscsiadm -m node -T <target> -o update -n node.startup -v automatic`)",
    )
    .with(crate::text::Text::new(out.stdout.origin.clone(), said.trim().to_string()).evidence_matching("", 2)))
}
