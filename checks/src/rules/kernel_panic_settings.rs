//! `kernel-panic-settings`: kernel.panic_on_oops = 1 and kernel.panic > 0 (or
//! < 0), the two sysctls ocfs2-tools' o2cb(7) ("KERNEL CONFIGURATION") says o2cb
//! needs: an oops in an o2cb kernel thread must become a panic, and a panic (or
//! `fence_method panic`) must reset the node rather than hang it.

use crate::check::{Check, CheckError, Verdict};
use crate::context::NodeCtx;
use crate::needs::{Need, Needs, OS_RELEASE};
use crate::text::Text;
use o2check_reports::{Layer, Severity};

pub const CHECK: Check = Check {
    id: "kernel-panic-settings",
    layer: Layer::Heartbeat,
    severity: Severity::Warning,
    title: "kernel.panic_on_oops = 1 and kernel.panic set to reboot, as o2cb(7) requires",
    rationale: "if an o2cb kernel thread oopses without panic_on_oops the node stops \
                heartbeating or answering yet keeps its locks: the other nodes cannot tell a \
                dead node from a slow one and the cluster hangs; with kernel.panic = 0 a \
                panicked (or panic-fenced) node never comes back without a person",
    needs: NEEDS,
    run,
};

/// The evidence it reads: `collect` gathers it (see [`crate::needs`]).
const NEEDS: Needs = &[&[
    Need::File("/proc/sys/kernel/panic"),
    Need::File("/proc/sys/kernel/panic_on_oops"),
    OS_RELEASE,
]];

/// The value of a /proc/sys file, or why there is none.
fn sysctl(ctx: &NodeCtx, path: &str) -> Result<Option<(Text, i64)>, CheckError> {
    match ctx.file(path) {
        Ok(t) => {
            let v = t.content.trim().parse::<i64>().ok();
            Ok(v.map(|v| (t, v)))
        }
        Err(e) if e.is_missing() => Ok(None),
        Err(e) => Err(e.into()),
    }
}

fn run(ctx: &NodeCtx) -> Result<Verdict, CheckError> {
    let oops = sysctl(ctx, "/proc/sys/kernel/panic_on_oops")?;
    let panic = sysctl(ctx, "/proc/sys/kernel/panic")?;
    let (Some((oops_text, oops)), Some((panic_text, panic))) = (oops, panic) else {
        return Ok(Verdict::skip(
            "/proc/sys/kernel/panic_on_oops or /proc/sys/kernel/panic is not in the evidence (or not a number): collect both",
        )
        .code("sysctl-not-collected"));
    };
    let evidence = [oops_text.evidence_at(1), panic_text.evidence_at(1)];
    let fix = "`sysctl -w kernel.panic_on_oops=1 kernel.panic=30`, and the same two lines (`kernel.panic_on_oops = 1`, `kernel.panic = 30`) in /etc/sysctl.conf or /etc/sysctl.d/ so they hold after a reboot";
    let summary = format!("kernel.panic_on_oops = {oops}, kernel.panic = {panic}");
    if oops != 1 {
        return Ok(Verdict::fail(
            format!("{summary}: an oops in an o2cb thread would not panic the node, and the cluster could hang on it"),
            fix,
        )
        .code("panic-on-oops-off")
        .with(evidence));
    }
    if panic == 0 {
        return Ok(Verdict::fail(
            format!("{summary}: a panicked node stays down until someone resets it"),
            fix,
        )
        .code("panic-no-reboot")
        .with(evidence));
    }
    Ok(Verdict::pass(summary).with(evidence))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::context::Options;
    use crate::source::{Bundle, Source};
    use o2check_reports::Status;

    fn verdict(files: &[(&str, &str)]) -> Verdict {
        let dir = tempfile::tempdir().unwrap();
        for (path, content) in files {
            let p = dir.path().join(path.trim_start_matches('/'));
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, content).unwrap();
        }
        let bundle = Bundle::open(dir.path()).unwrap();
        let options = Options::default();
        run(&NodeCtx::new(&bundle as &dyn Source, &options))
            .unwrap_or_else(CheckError::into_verdict)
    }

    const OOPS: &str = "/proc/sys/kernel/panic_on_oops";
    const PANIC: &str = "/proc/sys/kernel/panic";

    #[test]
    fn verdicts() {
        assert_eq!(
            verdict(&[(OOPS, "1\n"), (PANIC, "30\n")]).status,
            Status::Pass
        );
        // The lab boots with panic=-1: reboot at once, also a reboot.
        assert_eq!(
            verdict(&[(OOPS, "1\n"), (PANIC, "-1\n")]).status,
            Status::Pass
        );
        // Debian's and RHEL's defaults.
        assert_eq!(
            verdict(&[(OOPS, "0\n"), (PANIC, "0\n")]).code,
            Some("panic-on-oops-off")
        );
        assert_eq!(
            verdict(&[(OOPS, "1\n"), (PANIC, "0\n")]).code,
            Some("panic-no-reboot")
        );
    }

    #[test]
    fn not_collected_or_garbage_is_a_skip_not_a_failure() {
        let v = verdict(&[(PANIC, "30\n")]);
        assert_eq!(
            (v.status, v.code),
            (Status::Skip, Some("sysctl-not-collected"))
        );
        let v = verdict(&[(OOPS, "\u{fffd}x"), (PANIC, "30\n")]);
        assert_eq!(v.status, Status::Skip);
    }
}
