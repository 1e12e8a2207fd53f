//! `iscsi-sessions`: when the node uses iSCSI, it has logged-in sessions.
//!
//! "No active sessions" alone is not a fault (open-iscsi may be installed and unused);
//! it is one when something on the node expects SAN storage: multipath maps named
//! on the command line, an OCFS2 entry in /etc/fstab on a /dev/mapper or by-path/by-id
//! device, or configured node records under /etc/iscsi/nodes.

use super::common::distro_fix;
use crate::check::{Check, CheckError, Verdict};
use crate::context::{CommandText, NodeCtx};
use crate::needs::{self, Need, Needs};
use crate::parse::iscsi_node_record::{self, NodeRecord};
use crate::parse::{iscsiadm_session, mount_table};
use crate::text::Text;
use o2check_reports::{Evidence, Layer, Severity};

pub const CHECK: Check = Check {
    id: "iscsi-sessions",
    layer: Layer::Storage,
    severity: Severity::Critical,
    title: "iSCSI sessions are logged in",
    rationale: "with no session the SAN LUN and its multipath map disappear and the OCFS2 volume \
                cannot be mounted (`Internal logic failure` opening the device, or `I/O error on channel`)",
    needs: NEEDS,
    run,
};

/// The evidence it reads: `collect` gathers it (see [`crate::needs`]).
const NEEDS: Needs = &[
    super::volumes::NEEDS,
    needs::HOSTNAME,
    needs::CONFIGFS,
    needs::KERNEL_LOG,
    &[
        Need::Command(&["iscsiadm", "-m", "session"]),
        Need::Command(&["iscsiadm", "-m", "session", "-P", "3"]),
        Need::Command(&["iscsiadm", "-m", "node"]),
        Need::Tree("/etc/iscsi/nodes"),
    ],
];

/// Reasons this node expects SAN storage, each with its evidence.
fn san_expectations(ctx: &NodeCtx) -> Vec<(String, Evidence)> {
    let mut why = Vec::new();
    for map in &ctx.options.multipath_maps {
        why.push((
            format!("multipath map `{map}` is expected (--multipath-map)"),
            Evidence::new("options", None, map.clone()),
        ));
    }
    if let Ok(fstab) = ctx.file("/etc/fstab") {
        let entries = mount_table::parse(&fstab);
        for e in mount_table::ocfs2(&entries) {
            let dev = e.device.as_str();
            if [
                "/dev/mapper/",
                "/dev/disk/by-path/",
                "/dev/disk/by-id/",
                "/dev/dm-",
            ]
            .iter()
            .any(|p| dev.starts_with(p))
            {
                why.push((
                    format!("/etc/fstab mounts OCFS2 from SAN device {dev}"),
                    fstab.evidence_at(e.line),
                ));
            }
        }
    }
    if let Ok(out) = ctx.command(&["iscsiadm", "-m", "node"]) {
        let records = iscsiadm_session::parse_nodes(&out.stdout);
        if let Some(first) = records.first() {
            why.push((
                format!("`iscsiadm -m node` lists {} node record(s)", records.len()),
                out.stdout.evidence_at(first.line),
            ));
            return why;
        }
    }
    if let Ok(nodes) = ctx.source.list_dir("/etc/iscsi/nodes") {
        if !nodes.is_empty() {
            why.push((
                format!("{} target(s) recorded under /etc/iscsi/nodes", nodes.len()),
                Evidence::new("/etc/iscsi/nodes", None, nodes.join(" ")),
            ));
        }
    }
    why
}

/// The sessions as the most detailed listing collected shows them: `-P 3` names
/// each session's state (a session behind a dead portal stays listed at level 0
/// while iscsid reopens it, so level 0 alone would pass it), else level 0.
fn sessions(ctx: &NodeCtx) -> Result<(CommandText, iscsiadm_session::Sessions), CheckError> {
    if let Ok(out) = ctx.command(&["iscsiadm", "-m", "session", "-P", "3"]) {
        let parsed = iscsiadm_session::parse(&out.stdout, &out.stderr, out.exit_code);
        if !parsed.sessions.is_empty() {
            return Ok((out, parsed));
        }
    }
    // Missing command output (iscsiadm not installed / not collected) => skip via `?`.
    let out = ctx.command(&["iscsiadm", "-m", "session"])?;
    let parsed = iscsiadm_session::parse(&out.stdout, &out.stderr, out.exit_code);
    Ok((out, parsed))
}

/// Largest number of node records read: a node has a handful; a crafted bundle
/// must not make the check read thousands of files.
const MAX_RECORDS: usize = 256;

/// `ip:port`, as iscsiadm's `-p` takes it.
fn portal_of(r: &NodeRecord) -> String {
    match r.port {
        Some(port) => format!("{}:{port}", r.address),
        None => r.address.clone(),
    }
}

/// Node records under /etc/iscsi/nodes that iscsid logs in to at start-up
/// (`node.startup = automatic`) and that no listed session, in any state, is for.
/// A record is `<target>/<ip>,<port>[,<tpgt>]`: a file (records made with
/// `iscsiadm -m node -o new`), or a directory of one file per interface (made by
/// discovery); open-iscsi usr/idbm.c. Records o2check cannot read are left out:
/// they cannot support a failure.
fn records_without_session(
    ctx: &NodeCtx,
    sessions: &[iscsiadm_session::Session],
) -> Vec<(NodeRecord, Evidence)> {
    const ROOT: &str = "/etc/iscsi/nodes";
    let mut files = Vec::new();
    for target in ctx.source.list_dir(ROOT).unwrap_or_default() {
        let target_dir = format!("{ROOT}/{target}");
        for portal in ctx.source.list_dir(&target_dir).unwrap_or_default() {
            let path = format!("{target_dir}/{portal}");
            match ctx.source.list_dir(&path) {
                Ok(ifaces) => files.extend(ifaces.into_iter().map(|i| format!("{path}/{i}"))),
                Err(_) => files.push(path),
            }
            if files.len() >= MAX_RECORDS {
                break;
            }
        }
    }
    files.truncate(MAX_RECORDS);
    files
        .iter()
        .filter_map(|path| {
            let text = ctx.file(path).ok()?;
            let record = iscsi_node_record::parse(&text)?;
            let has_session = sessions.iter().any(|s| {
                s.target == record.target
                    && s.portal == record.address
                    && (s.port.is_none() || record.port.is_none() || s.port == record.port)
            });
            (record.logs_in_at_start() && !has_session).then(|| {
                let e = text.evidence_at(record.startup_line);
                (record, e)
            })
        })
        .collect()
}

fn run(ctx: &NodeCtx) -> Result<Verdict, CheckError> {
    let (out, parsed) = sessions(ctx)?;
    let (up, down): (Vec<_>, Vec<_>) = parsed.sessions.iter().partition(|s| s.is_logged_in());
    if !down.is_empty() {
        let which: Vec<String> = down
            .iter()
            .map(|s| {
                format!(
                    "sid {} {} {} is {}",
                    s.sid,
                    s.portal,
                    s.target,
                    s.state.as_deref().unwrap_or("?")
                )
            })
            .collect();
        let relogin: Vec<String> = down
            .iter()
            .map(|s| {
                let portal = match s.port {
                    Some(port) => format!("{}:{port}", s.portal),
                    None => s.portal.clone(),
                };
                format!(
                    "`iscsiadm -m node -T {} -p {portal} --logout` then `--login`",
                    s.target
                )
            })
            .collect();
        return Ok(Verdict::fail(
            format!(
                "{} of {} iSCSI session(s) not logged in: {}",
                down.len(),
                parsed.sessions.len(),
                which.join("; ")
            ),
            format!(
                "the initiator is retrying (iscsid reopens the session until node.session.timeo.replacement_timeout): \
             check the portal's network path (`ping`, `iscsiadm -m session -P 1` again) and the target; \
             once the portal answers, log the session in again: {}",
                relogin.join("; ")
            ),
        )
        .code("session-not-logged-in")
        .with(down.iter().map(|s| out.stdout.evidence_at(s.line))));
    }
    // With no session at all, `no-session` below says more than a list of records.
    let missing = if up.is_empty() {
        Vec::new()
    } else {
        records_without_session(ctx, &parsed.sessions)
    };
    if !missing.is_empty() {
        let which: Vec<String> = missing
            .iter()
            .map(|(r, _)| format!("{} {}", portal_of(r), r.target))
            .collect();
        let login: Vec<String> = missing
            .iter()
            .map(|(r, _)| {
                format!(
                    "`iscsiadm -m node -T {} -p {} --login`",
                    r.target,
                    portal_of(r)
                )
            })
            .collect();
        return Ok(Verdict::fail(
            format!(
                "{} node record(s) set to log in at start-up have no session: {} ({} session(s) logged in)",
                missing.len(),
                which.join("; "),
                up.len()
            ),
            format!(
                "log in again once the portal answers (`ping`, the target's ACLs): {}; if the portal is \
                 gone for good, delete its record (`iscsiadm -m node -T <target> -p <portal> -o delete`) \
                 so iscsid stops waiting for it at boot",
                login.join("; ")
            ),
        )
        .code("record-without-session")
        .with(up.iter().map(|s| out.stdout.evidence_at(s.line)))
        .with(missing.into_iter().map(|(_, e)| e)));
    }
    if !up.is_empty() {
        let portals: Vec<String> = up
            .iter()
            .map(|s| format!("{} {}", s.portal, s.target))
            .collect();
        return Ok(Verdict::pass(format!(
            "{} iSCSI session(s) logged in: {}",
            up.len(),
            portals.join(", ")
        ))
        .with(up.iter().map(|s| out.stdout.evidence_at(s.line))));
    }
    let said = Text::new(
        out.stdout.origin.clone(),
        format!("{}{}", out.stdout.content, out.stderr)
            .trim()
            .to_string(),
    );
    let mut evidence = said.evidence_matching("", 2);
    if !parsed.none_active {
        let exited = match out.exit_code {
            Some(code) => format!("exited {code}"),
            None => "(exit status not recorded)".to_string(),
        };
        return Ok(Verdict::error(format!(
            "`iscsiadm -m session` {exited} with output that is neither a session (print level 0 to 3) nor `No active sessions`"
        ))
        .code("unrecognised-output")
        .with(evidence));
    }
    let expected = san_expectations(ctx);
    if expected.is_empty() {
        return Ok(Verdict::skip(
            "open-iscsi has no session and nothing on this node (fstab, multipath maps, \
             /etc/iscsi/nodes) expects SAN storage",
        )
        .code("no-san-expected")
        .with(evidence));
    }
    let reasons: Vec<String> = expected.iter().map(|(r, _)| r.clone()).collect();
    evidence.extend(expected.into_iter().map(|(_, e)| e));
    let fix = distro_fix(
        ctx,
        "`iscsiadm -m discovery -t st -p <portal>`, `iscsiadm -m node --login` (or `-T <target> --login`), \
         make it permanent with `iscsiadm -m node -o update -n node.startup -v automatic` and \
         `chkconfig iscsi on; chkconfig iscsid on`, then `multipath -r`",
        "`iscsiadm -m discovery -t st -p <portal>`, `iscsiadm -m node --login` (or `-T <target> --login`), \
         make it permanent with `iscsiadm -m node -o update -n node.startup -v automatic` and \
         `systemctl enable --now iscsid open-iscsi`, then `multipath -r`",
    );
    Ok(Verdict::fail(
        format!("no iSCSI session is logged in, but {}", reasons.join("; ")),
        fix,
    )
    .code("no-session")
    .with(evidence))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::context::Options;
    use crate::source::{Bundle, Source};
    use o2check_reports::Status;

    fn run_in(files: &[(&str, &str)], options: &Options) -> Verdict {
        let dir = tempfile::tempdir().unwrap();
        for (rel, content) in files {
            let p = dir.path().join(rel);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, content).unwrap();
        }
        let bundle = Bundle::open(dir.path()).unwrap();
        let ctx = NodeCtx::new(&bundle as &dyn Source, options);
        run(&ctx).unwrap_or_else(CheckError::into_verdict)
    }

    const NONE: (&str, &str) = (
        "commands/iscsiadm_-m_session.stderr",
        "iscsiadm: No active sessions.\n",
    );
    const EMPTY_OUT: (&str, &str) = ("commands/iscsiadm_-m_session", "");
    const META_RC21: (&str, &str) = (
        "meta.json",
        r#"{"host":"n1","commands":{"iscsiadm_-m_session":{"argv":["iscsiadm","-m","session"],"exit_code":21}}}"#,
    );
    const SAN_FSTAB: (&str, &str) = (
        "etc/fstab",
        "/dev/mapper/mpatha /vms ocfs2 _netdev,defaults 0 0\n",
    );

    #[test]
    fn sessions_pass() {
        let v = run_in(
            &[(
                "commands/iscsiadm_-m_session",
                "tcp: [1] 10.50.200.41:3260,1 iqn.1984-05.com.dell:pv (non-flash)\n",
            )],
            &Options::default(),
        );
        assert_eq!(v.status, Status::Pass, "{}", v.summary);
        assert!(v.summary.contains("10.50.200.41"));
    }

    #[test]
    fn no_sessions_with_san_fstab_fails_with_login_fix() {
        let v = run_in(
            &[EMPTY_OUT, NONE, META_RC21, SAN_FSTAB],
            &Options::default(),
        );
        assert_eq!(v.status, Status::Fail, "{}", v.summary);
        assert!(v.summary.contains("/dev/mapper/mpatha"));
        assert!(v
            .fix
            .as_deref()
            .unwrap_or("")
            .contains("iscsiadm -m node --login"));
        assert!(v
            .evidence
            .iter()
            .any(|e| e.source == "/etc/fstab" && e.line == Some(1)));
    }

    #[test]
    fn no_sessions_with_expected_multipath_map_fails() {
        let opts = Options {
            multipath_maps: vec!["mpatha".into()],
            ..Options::default()
        };
        let v = run_in(&[EMPTY_OUT, META_RC21], &opts);
        assert_eq!(v.status, Status::Fail, "{}", v.summary);
    }

    #[test]
    fn no_sessions_and_nothing_expects_san_is_skip() {
        let local = ("etc/fstab", "/dev/vdb /vms ocfs2 _netdev 0 0\n");
        let v = run_in(&[EMPTY_OUT, NONE, local], &Options::default());
        assert_eq!(v.status, Status::Skip, "{}", v.summary);
    }

    #[test]
    fn not_installed_is_skip_and_garbage_is_error() {
        assert_eq!(
            run_in(&[SAN_FSTAB], &Options::default()).status,
            Status::Skip
        );
        let v = run_in(
            &[("commands/iscsiadm_-m_session", "\u{1}\u{2}garbage\n")],
            &Options::default(),
        );
        assert_eq!(v.status, Status::Error, "{}", v.summary);
    }

    #[test]
    fn sosreport_print_level_3_passes_and_failed_session_fails() {
        let p3 = include_str!("../../../fixtures/public/iscsiadm-P3-flatcar-349.txt");
        let v = run_in(&[("commands/iscsiadm_-m_session", p3)], &Options::default());
        assert_eq!((v.status, v.code), (Status::Pass, None), "{}", v.summary);
        assert!(v.summary.contains("10.1.53.160"));
        let failed = p3.replace(
            "iSCSI Session State: LOGGED_IN",
            "iSCSI Session State: FAILED",
        );
        let v = run_in(
            &[("commands/iscsiadm_-m_session", &failed)],
            &Options::default(),
        );
        assert_eq!(
            (v.status, v.code),
            (Status::Fail, Some("session-not-logged-in")),
            "{}",
            v.summary
        );
    }

    #[test]
    fn unknown_output_without_exit_code_says_so_in_words() {
        let v = run_in(
            &[("commands/iscsiadm_-m_session", "\u{1}\u{2}garbage\n")],
            &Options::default(),
        );
        assert!(
            !v.summary.contains("None") && v.summary.contains("exit status not recorded"),
            "{}",
            v.summary
        );
    }

    /// The real path-down state of the iSCSI lab: its bundle was collected before
    /// collect ran `-P 3`, so the level-3 listing the lab captured in the same
    /// state is added beside it. Level 0 lists both sessions; level 3 shows the
    /// one behind the dropped portal reopening.
    #[test]
    fn a_session_reopening_behind_a_dead_portal_fails_from_level_3() {
        let repo = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let p0 = std::fs::read_to_string(
            repo.join("fixtures/bundles/lab-iscsi-path-down-node2/commands/iscsiadm_-m_session"),
        )
        .unwrap();
        let p3 = std::fs::read_to_string(
            repo.join("fixtures/captures/lab-iscsi/path-down/node2/iscsiadm-m-session-P3.txt"),
        )
        .unwrap();
        let level0 = run_in(
            &[("commands/iscsiadm_-m_session", &p0)],
            &Options::default(),
        );
        assert_eq!(level0.status, Status::Pass, "{}", level0.summary);
        let both = run_in(
            &[
                ("commands/iscsiadm_-m_session", &p0),
                ("commands/iscsiadm_-m_session_-P_3", &p3),
            ],
            &Options::default(),
        );
        assert_eq!(both.status, Status::Fail, "{}", both.summary);
        assert_eq!(both.code, Some("session-not-logged-in"));
        assert!(both.summary.contains("10.0.2.101"), "{}", both.summary);
        let fix = both.fix.unwrap();
        assert!(
            fix.contains("-T iqn.2026-12.test.ocfs2:o2lab -p 10.0.2.101:3260"),
            "{fix}"
        );
    }

    /// The lab's real session-logout state: one of the two portals logged out by
    /// hand (`iscsiadm -m node ... --logout`), its record still `automatic`. The
    /// session list of that state and the node records of the same node.
    #[test]
    fn an_automatic_record_without_its_session_fails() {
        let repo = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let read = |rel: &str| std::fs::read_to_string(repo.join(rel)).unwrap();
        let p0 = read("fixtures/captures/lab-iscsi/session-logout/node2/iscsiadm-m-session-P0.txt");
        let records =
            "fixtures/bundles/lab-iscsi-healthy-node2/etc/iscsi/nodes/iqn.2026-12.test.ocfs2:o2lab";
        let r100 = read(&format!("{records}/10.0.2.100,3260"));
        let r101 = read(&format!("{records}/10.0.2.101,3260"));
        let dir = "etc/iscsi/nodes/iqn.2026-12.test.ocfs2:o2lab";
        let (f100, f101) = (
            format!("{dir}/10.0.2.100,3260"),
            format!("{dir}/10.0.2.101,3260"),
        );
        let v = run_in(
            &[
                ("commands/iscsiadm_-m_session", &p0),
                (&f100, &r100),
                (&f101, &r101),
            ],
            &Options::default(),
        );
        assert_eq!(v.status, Status::Fail, "{}", v.summary);
        assert_eq!(v.code, Some("record-without-session"));
        assert!(v.summary.contains("10.0.2.101:3260"), "{}", v.summary);
        assert!(!v.summary.contains("10.0.2.100:3260"), "{}", v.summary);
        assert!(v.fix.unwrap().contains("-p 10.0.2.101:3260 --login"));
        // A record iscsid does not log in to at start-up is not expected to
        // have a session; a discovery-made record is a directory per interface.
        let manual = r101.replace("node.startup = automatic", "node.startup = manual");
        let iface = format!("{dir}/10.0.2.101,3260,1/default");
        let v = run_in(
            &[
                ("commands/iscsiadm_-m_session", &p0),
                (&f100, &r100),
                (&iface, &manual),
            ],
            &Options::default(),
        );
        assert_eq!(v.status, Status::Pass, "{}", v.summary);
        let v = run_in(
            &[
                ("commands/iscsiadm_-m_session", &p0),
                (&f100, &r100),
                (&iface, &r101),
            ],
            &Options::default(),
        );
        assert_eq!(v.code, Some("record-without-session"), "{}", v.summary);
    }
}
