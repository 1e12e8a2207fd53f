//! `multipath-paths`: every multipath map under an OCFS2 volume has enough healthy
//! paths. A single remaining path is one cable away from the heartbeat write
//! timeout that fences the node. A path whose checker is ready again while
//! device-mapper still has it failed is recovering (its own finding, no re-cabling);
//! an orphan placeholder has lost its SCSI device; a map named with
//! `--multipath-map` that is absent fails. multipathd's logged path failures are
//! quoted as history: they do not change today's verdict.

use super::volumes::volumes;
use crate::check::{Check, CheckError, Verdict};
use crate::context::NodeCtx;
use crate::kernlog::lines;
use crate::needs::{self, Need, Needs};
use crate::parse::multipath_ll::MpMap;
use crate::parse::multipathd_log::{self, PathEvent};
use crate::text::Text;
use o2check_reports::{Evidence, Layer, Severity};

pub const CHECK: Check = Check {
    id: "multipath-paths",
    layer: Layer::Storage,
    severity: Severity::Warning,
    title: "multipath maps backing OCFS2 have enough `active ready running` paths",
    rationale: "when the last path fails, heartbeat writes stall; after the dead threshold the \
                node fences itself (`Heartbeat write timeout to device dm-N`) and mounts elsewhere \
                see `I/O error on channel`",
    needs: NEEDS,
    run,
};

/// multipathd's journal, as declared and as read: one argv, so the two cannot drift.
const MULTIPATHD_JOURNAL: &[&str] = &[
    "journalctl",
    "-u",
    "multipathd",
    "-o",
    "short-iso",
    "--no-pager",
];

/// The evidence it reads: `collect` gathers it (see [`crate::needs`]).
const NEEDS: Needs = &[
    super::volumes::NEEDS,
    needs::CONFIGFS,
    needs::HOSTNAME,
    needs::KERNEL_LOG,
    &[
        Need::Command(&["multipath", "-ll"]),
        Need::Command(MULTIPATHD_JOURNAL),
        Need::EachEntry {
            dir: "/sys/block",
            prefix: "dm-",
            file: "dm/name",
        },
    ],
];

/// Does `map` back `device` (`/dev/mapper/<alias>`, `/dev/dm-N`, `/dev/mapper/<wwid>`)?
fn backs(map: &MpMap, device: &str, dm_name: Option<&str>) -> bool {
    let base = device.rsplit('/').next().unwrap_or(device);
    base == map.name || base == map.wwid || base == map.dm || dm_name == Some(map.name.as_str())
}

/// multipathd's logged events for the devices of `maps` (history, not state).
fn logged_history(ctx: &NodeCtx, maps: &[&MpMap]) -> Vec<Evidence> {
    let ours = |name: &str| {
        maps.iter()
            .any(|m| m.name == name || m.paths.iter().any(|p| p.device == name || p.dev_t == name))
    };
    let mut texts: Vec<Text> = Vec::new();
    if let Ok(j) = ctx.command(MULTIPATHD_JOURNAL) {
        texts.push(j.stdout);
    }
    for f in lines::log_files(ctx) {
        if let Ok(bytes) = ctx.source.read_file(&f) {
            texts.push(lines::decode(&f, &bytes));
        }
    }
    let mut out = Vec::new();
    for t in &texts {
        for l in multipathd_log::parse(t) {
            let down = match &l.event {
                PathEvent::CheckerDown { path } | PathEvent::Failed { path, .. } => ours(path),
                PathEvent::Remaining { map, .. } => ours(map),
                _ => false,
            };
            if down {
                out.push(t.evidence_at(l.line));
            }
        }
        if !out.is_empty() {
            break; // the newest source that has them
        }
    }
    out
}

fn run(ctx: &NodeCtx) -> Result<Verdict, CheckError> {
    let multipath = ctx.multipath_maps()?;
    let (out, maps) = (&multipath.0, &multipath.1);
    let vols = volumes(ctx);
    let named = &ctx.options.multipath_maps;
    let missing: Vec<&String> = named
        .iter()
        .filter(|n| !maps.iter().any(|m| &m.name == *n || &m.wwid == *n))
        .collect();
    let wanted: Vec<&MpMap> = maps
        .iter()
        .filter(|m| !m.name.is_empty())
        .filter(|m| {
            named.iter().any(|n| n == &m.name || n == &m.wwid)
                || vols.iter().any(|v| {
                    let dm = v
                        .device
                        .strip_prefix("/dev/")
                        .filter(|d| d.starts_with("dm-"));
                    let alias = dm
                        .and_then(|d| ctx.file(&format!("/sys/block/{d}/dm/name")).ok())
                        .map(|t| t.content.trim().to_string());
                    backs(m, &v.device, alias.as_deref())
                })
        })
        .collect();
    if wanted.is_empty() && missing.is_empty() {
        return Ok(if maps.is_empty() {
            Verdict::skip("no multipath maps on this node").code("no-maps")
        } else {
            Verdict::skip(
                "no multipath map backs an OCFS2 volume here (name one with --multipath-map)",
            )
            .code("no-map")
        });
    }
    let min = ctx.options.min_paths.max(1);
    let mut problems = Vec::new();
    let mut evidence = Vec::new();
    let (mut down, mut orphans, mut recovering) = (0, 0, 0);
    let (mut short, mut below_min) = (false, false);
    for name in &missing {
        problems.push(format!(
            "expected map `{name}` (--multipath-map) is not in `multipath -ll`"
        ));
    }
    if !missing.is_empty() {
        evidence.extend(out.stdout.evidence_matching("", 1));
    }
    for m in &wanted {
        evidence.push(out.stdout.evidence_at(m.line));
        let good = m.paths.iter().filter(|p| p.is_good()).count();
        let coming_back = m.paths.iter().filter(|p| p.is_recovering()).count();
        for p in m.paths.iter().filter(|p| !p.is_good()) {
            let kind = if p.is_orphan() {
                orphans += 1;
                "orphan (device gone)"
            } else if p.is_recovering() {
                recovering += 1;
                "recovering (checker ready, not yet reinstated)"
            } else {
                down += 1;
                "bad"
            };
            problems.push(format!(
                "{}: {kind} path {} {} [{} {} {}]",
                m.name, p.scsi, p.device, p.dm_state, p.checker, p.online
            ));
            evidence.push(out.stdout.evidence_at(p.line));
        }
        if good < min {
            below_min = true;
            short |= good + coming_back < min;
            problems.push(format!(
                "{} ({}, {}) has {good} healthy path(s), {min} required",
                m.name, m.wwid, m.dm
            ));
        }
    }
    let history = logged_history(ctx, &wanted);
    let history_note = match history.last() {
        Some(last) => format!(
            "; multipathd logged {} path failure line(s), the last: `{}`",
            history.len(),
            last.text
        ),
        None => String::new(),
    };
    evidence.extend(history.iter().rev().take(3).rev().cloned());
    let paths: usize = wanted.iter().map(|m| m.paths.len()).sum();
    if problems.is_empty() {
        return Ok(Verdict::pass(format!(
            "{} map(s), {paths} path(s), all `active ready running`{history_note}",
            wanted.len()
        ))
        .with(evidence));
    }
    // Only recovering paths, and enough good ones without them: transient.
    if missing.is_empty() && down == 0 && orphans == 0 && !below_min {
        return Ok(Verdict::pass(format!(
            "{} map(s) with enough healthy paths; {recovering} path(s) recovering: {}{history_note}",
            wanted.len(),
            problems.join("; ")
        ))
        .with(evidence));
    }
    let summary = format!("{}{history_note}", problems.join("; "));
    let (code, fix) = if !missing.is_empty() {
        ("expected-map-missing", "the map the node should have is not there: check that its LUN is visible (`iscsiadm -m session -P 3` lists its disks, `lsblk`), that its WWID is not blacklisted and is in /etc/multipath/wwids (`multipath -a <dev>`), then `multipath -v2` (or `multipath -r`) and `multipath -ll <map>`")
    } else if down > 0 || (short && recovering == 0 && orphans == 0) {
        ("paths-down", "restore the paths: check cabling/switch ports and the iSCSI sessions (`iscsiadm -m session -P 3`), rescan (`iscsiadm -m session --rescan` or `rescan-scsi-bus.sh`), remove orphans (`multipath -f` stale maps / `echo 1 > /sys/block/sdX/device/delete`), then `multipath -r`; use --min-paths to set the expected count")
    } else if orphans > 0 {
        ("orphan-path", "the SCSI device behind the path is gone: remove the placeholder with `multipathd del path <dev>` (or `multipath -r` after the LUN is back), rescan the session (`iscsiadm -m session --rescan`) to bring the LUN back, then check `multipath -ll`")
    } else {
        ("path-recovering", "nothing to re-cable: the checker sees the path up and multipathd reinstates it at its next check (polling_interval); if it stays `failed ready` run `multipathd reinstate path <dev>` or `multipath -r`, and look at `multipathd show paths` for a flapping path (marginal_path_* settings)")
    };
    Ok(Verdict::fail(summary, fix).code(code).with(evidence))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::context::Options;
    use crate::source::{Bundle, Source};
    use o2check_reports::Status;

    fn run_in(files: &[(&str, &str)], maps: &[&str]) -> Verdict {
        let dir = tempfile::tempdir().unwrap();
        for (rel, content) in files {
            let p = dir.path().join(rel);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, content).unwrap();
        }
        let bundle = Bundle::open(dir.path()).unwrap();
        let options = Options {
            multipath_maps: maps.iter().map(|m| m.to_string()).collect(),
            ..Options::default()
        };
        let ctx = NodeCtx::new(&bundle as &dyn Source, &options);
        run(&ctx).unwrap_or_else(CheckError::into_verdict)
    }

    // Built from print.c's PRINT_PATH_INDENT layout.
    fn ll(second: &str) -> String {
        format!("mpatha (3600a0980) dm-2 NETAPP,LUN\nsize=10G features='1 queue_if_no_path' hwhandler='0' wp=rw\n|-+- policy='service-time 0' prio=50 status=active\n| `- 3:0:0:1 sdc 8:32 active ready running\n`-+- policy='service-time 0' prio=10 status=enabled\n  `- {second}\n")
    }
    const MOUNTED: (&str, &str) = (
        "proc/mounts",
        "/dev/mapper/mpatha /vms ocfs2 rw,heartbeat=local 0 0\n",
    );

    #[test]
    fn recovering_path_is_its_own_finding_not_the_cabling_fix() {
        let text = ll("4:0:0:1 sdd 8:48 failed ready running");
        let v = run_in(&[("commands/multipath_-ll", &text), MOUNTED], &[]);
        assert_eq!(
            (v.status, v.code),
            (Status::Fail, Some("path-recovering")),
            "{}",
            v.summary
        );
        assert!(!v.fix.unwrap().contains("cabling"));
        let v = run_in(&[("commands/multipath_-ll", &text), MOUNTED], &[]);
        assert!(v.summary.contains("recovering"), "{}", v.summary);
    }

    #[test]
    fn orphan_placeholder_and_dead_path() {
        let v = run_in(
            &[
                (
                    "commands/multipath_-ll",
                    &ll("#:#:#:# -   #:#   active faulty running"),
                ),
                MOUNTED,
            ],
            &[],
        );
        assert_eq!(
            (v.status, v.code),
            (Status::Fail, Some("orphan-path")),
            "{}",
            v.summary
        );
        let v = run_in(
            &[
                (
                    "commands/multipath_-ll",
                    &ll("4:0:0:1 sdd 8:48 failed faulty offline"),
                ),
                MOUNTED,
            ],
            &[],
        );
        assert_eq!(
            (v.status, v.code),
            (Status::Fail, Some("paths-down")),
            "{}",
            v.summary
        );
    }

    #[test]
    fn indented_paste_passes_and_logged_history_is_quoted() {
        let text: String = ll("4:0:0:1 sdd 8:48 active ready running")
            .lines()
            .map(|l| format!("    {l}\n"))
            .collect();
        let log = "Mar  3 10:00:01 n1 multipathd: sdd: tur checker reports path is down\nMar  3 10:00:09 n1 multipathd: sdd: tur checker reports path is up\n";
        let v = run_in(
            &[
                ("commands/multipath_-ll", &text),
                MOUNTED,
                ("var/log/messages", log),
            ],
            &[],
        );
        assert_eq!((v.status, v.code), (Status::Pass, None), "{}", v.summary);
        assert!(v.summary.contains("multipathd logged 1"), "{}", v.summary);
    }

    #[test]
    fn an_expected_map_that_is_absent_fails() {
        let text = ll("4:0:0:1 sdd 8:48 active ready running");
        let v = run_in(&[("commands/multipath_-ll", &text)], &["mpathz"]);
        assert_eq!(
            (v.status, v.code),
            (Status::Fail, Some("expected-map-missing")),
            "{}",
            v.summary
        );
        let v = run_in(&[("commands/multipath_-ll", "")], &["mpathz"]);
        assert_eq!(v.status, Status::Fail, "{}", v.summary);
        let v = run_in(&[("commands/multipath_-ll", &text)], &[]);
        assert_eq!(
            (v.status, v.code),
            (Status::Skip, Some("no-map")),
            "{}",
            v.summary
        );
    }
}
