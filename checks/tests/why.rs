//! `o2check why` on the real lab and seed bundles, and on copies of them with the
//! kernel lines and outputs of the causes the lab cannot show, written from the
//! kernel's and ocfs2-tools' format strings (each case cites its source). Each
//! must name the right cause first, or say undetermined.

use o2check_checks::source::{Bundle, Source};
use o2check_checks::why::{diagnose, gather};
use o2check_checks::Options;
use o2check_reports::diagnosis::{Confidence, Diagnosis};
use std::path::{Path, PathBuf};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/bundles")
}

fn why(dirs: &[PathBuf], error: Option<&str>) -> Diagnosis {
    let sources: Vec<Box<dyn Source>> = dirs
        .iter()
        .map(|d| Box::new(Bundle::open(d).unwrap()) as Box<dyn Source>)
        .collect();
    let (evidence, _) = gather(&sources, &Options::default());
    diagnose(&evidence, error)
}

fn first(d: &Diagnosis) -> &str {
    d.causes.first().map_or("(none)", |c| c.cause.as_str())
}

const JOIN: &str = "mount.ocfs2: Internal logic failure while trying to join the group";
const E107: &str = "mount.ocfs2: Internal logic failure while mounting /dev/vda on /mnt/ocfs2. Check 'dmesg' for more information on this error 107.";

/// A writable copy of a fixture bundle with files added or replaced.
fn modified(base: &str, files: &[(&str, &str)]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("b");
    copy(&fixtures().join(base), &root);
    for (rel, content) in files {
        let p = root.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, content).unwrap();
    }
    (dir, root)
}

fn copy(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_dir() {
            copy(&e.path(), &to.join(e.file_name()));
        } else {
            std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    }
}

#[test]
fn lab_hostname_mismatch_names_the_hostname_first_with_configfs_evidence() {
    let d = why(
        &[
            fixtures().join("lab-capture-healthy-node1"),
            fixtures().join("lab-capture-hostname-mismatch-node2"),
        ],
        Some(JOIN),
    );
    assert_eq!(first(&d), "hostname-not-in-cluster-conf");
    let c = &d.causes[0];
    assert_eq!(
        (c.confidence, c.nodes.as_slice()),
        (Confidence::Strong, ["n151.test.com".to_string()].as_slice())
    );
    assert!(c
        .evidence
        .iter()
        .any(|e| e.source.ends_with("n151.ocfs2.test/local")));
    assert!(!d.undetermined);
    // The mount transcript the lab captured says exactly this error.
    let transcript = std::fs::read_to_string(
        fixtures()
            .join("lab-capture-hostname-mismatch-node2/var/log/o2check-note-mount-attempt.txt"),
    )
    .unwrap();
    assert!(transcript.contains(JOIN));
}

#[test]
fn seed_names_the_hostname_first() {
    let d = why(
        &[fixtures().join("seed-hostname-mismatch-n150")],
        Some("Internal logic failure while trying to join the group"),
    );
    assert_eq!(first(&d), "hostname-not-in-cluster-conf");
}

#[test]
fn lab_timeout_mismatches_name_timeouts_with_the_kernel_lines() {
    for (bundle, line) in [
        (
            "lab-capture-idle-timeout-node2",
            "uses a network idle timeout of 30000 ms, but we use 10000 ms locally",
        ),
        (
            "lab-capture-hb-threshold-node2",
            "uses a heartbeat timeout of 60000 ms, but we use 40000 ms locally",
        ),
    ] {
        let d = why(&[fixtures().join(bundle)], Some(E107));
        assert_eq!(first(&d), "timeout-mismatch", "{bundle}");
        assert!(
            d.causes[0]
                .evidence
                .iter()
                .any(|e| e.text.contains(line) && e.line.is_some()),
            "{bundle}"
        );
        assert!(
            d.ruled_out.iter().any(|r| r.cause == "network-unreachable"),
            "the connection failures are its symptom"
        );
    }
}

#[test]
fn lab_link_down_names_the_network() {
    let d = why(
        &[fixtures().join("lab-capture-link-down-node2")],
        Some(E107),
    );
    assert_eq!(first(&d), "network-unreachable");
    assert!(d.causes[0]
        .evidence
        .iter()
        .any(|e| e.text.contains("shutdown, state 7")));
    // ≤1.8.5 prints strerror instead of the errno: same answer.
    let d = why(&[fixtures().join("lab-capture-link-down-node2")], Some("mount.ocfs2: Transport endpoint is not connected while mounting /dev/vda on /mnt/ocfs2. Check 'dmesg' for more information on this error."));
    assert_eq!(first(&d), "network-unreachable");
}

#[test]
fn a_wrong_error_text_rules_causes_out_and_says_undetermined() {
    let d = why(
        &[fixtures().join("seed-hostname-mismatch-n150")],
        Some(E107),
    );
    assert!(d.undetermined);
    assert!(d
        .ruled_out
        .iter()
        .any(|r| r.cause == "hostname-not-in-cluster-conf"
            && r.findings.iter().any(|f| f == "message:mount-enotconn")));
    assert!(d.collect.iter().any(|c| c.contains("o2check collect")));
}

#[test]
fn no_evidence_is_undetermined_not_a_guess() {
    let d = why(&[fixtures().join("lab-capture-healthy-node1")], Some(JOIN));
    assert!(
        d.undetermined,
        "{:?}",
        d.causes
            .iter()
            .map(|c| (&c.cause, c.confidence))
            .collect::<Vec<_>>()
    );
    assert!(d.causes.is_empty());
    // This healthy node joined its domain and its o2net connection is up: the
    // causes below those layers are out on the facts, and its passing checks
    // rule out their own causes.
    let out = |id: &str| d.ruled_out.iter().find(|r| r.cause == id);
    assert!(out("hostname-not-in-cluster-conf").is_some_and(|r| r
        .findings
        .iter()
        .any(|f| f.starts_with("hostname-in-cluster-conf/"))));
    assert!(out("cluster-offline").is_some_and(|r| r
        .findings
        .iter()
        .any(|f| f.starts_with("fact:domain-joined@"))));
    // It holds a dmesg: undetermined does not ask for it again.
    assert!(!d.collect.iter().any(|c| c == "dmesg"), "{:?}", d.collect);
    assert!(!d.collect.is_empty());
}

#[test]
fn an_empty_bundle_is_undetermined_and_asks_for_everything() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("meta.json"), r#"{"host":"n1"}"#).unwrap();
    for error in [None, Some(JOIN)] {
        let d = why(&[dir.path().to_path_buf()], error);
        assert!(
            d.undetermined,
            "{error:?}: {:?}",
            d.causes.iter().map(|c| &c.cause).collect::<Vec<_>>()
        );
        assert!(d.causes.is_empty());
        for wanted in [
            "dmesg",
            "/etc/ocfs2/cluster.conf (file or tree)",
            "o2cb cluster-status",
        ] {
            assert!(
                d.collect.iter().any(|c| c == wanted),
                "{wanted} in {:?}",
                d.collect
            );
        }
        assert_eq!(
            d.collect.iter().any(|c| c.contains("the exact error")),
            error.is_none()
        );
    }
}

#[test]
fn summaries_do_not_decide() {
    // Reword every summary of every check result: the same causes, in the same
    // order, with the same strength.
    let dirs = [
        fixtures().join("lab-capture-healthy-node1"),
        fixtures().join("lab-capture-hostname-mismatch-node2"),
    ];
    let sources: Vec<Box<dyn Source>> = dirs
        .iter()
        .map(|d| Box::new(Bundle::open(d).unwrap()) as Box<dyn Source>)
        .collect();
    let (mut evidence, _) = gather(&sources, &Options::default());
    let rank = |e: &[o2check_checks::why::NodeEvidence]| {
        let d = diagnose(e, Some(JOIN));
        (
            d.causes
                .iter()
                .map(|c| (c.cause.clone(), c.confidence))
                .collect::<Vec<_>>(),
            d.ruled_out
                .iter()
                .map(|r| r.cause.clone())
                .collect::<Vec<_>>(),
        )
    };
    let before = rank(&evidence);
    assert!(!before.0.is_empty());
    for n in &mut evidence {
        for (i, r) in n.results.iter_mut().enumerate() {
            r.summary =
                format!("reworded summary {i}: no local node, offline, configfs, cannot be loaded");
        }
    }
    assert_eq!(rank(&evidence), before);
}

#[test]
fn cluster_never_onlined_gives_cluster_name_is_invalid() {
    // ocfs2-tools vendor/common/o2cb.init.sh status: no cluster in configfs, `o2cb cluster-status` prints `offline`.
    let (_d, b) = modified(
        "lab-capture-hostname-mismatch-node2",
        &[
            ("commands/uname_-n", "n151.ocfs2.test\n"),
            ("etc/hostname", "n151.ocfs2.test\n"),
            ("commands/o2cb_cluster-status", "offline\n"),
        ],
    );
    std::fs::remove_dir_all(b.join("sys/kernel/config/cluster/o2lab")).unwrap();
    let d = why(
        &[b],
        Some("mount.ocfs2: Cluster name is invalid while trying to join the group"),
    );
    assert_eq!(first(&d), "cluster-offline");
}

#[test]
fn configfs_missing_gives_unable_to_access_cluster_service() {
    // ocfs2-tools mount.ocfs2 -> libo2cb o2cb_init(): configfs not mounted / ocfs2_nodemanager not loaded.
    let mounts = std::fs::read_to_string(fixtures().join("lab-capture-healthy-node1/proc/mounts"))
        .unwrap()
        .lines()
        .filter(|l| !l.contains("configfs") && !l.contains(" ocfs2 "))
        .map(|l| format!("{l}\n"))
        .collect::<String>();
    let (_d, b) = modified(
        "lab-capture-healthy-node1",
        &[
            ("proc/mounts", &mounts),
            (
                "commands/lsmod",
                "Module                  Size  Used by\nvirtio_blk             28672  2\n",
            ),
        ],
    );
    std::fs::remove_dir_all(b.join("sys/kernel/config")).unwrap();
    let d = why(
        &[b],
        Some("mount.ocfs2: Unable to access cluster service while trying initialize cluster"),
    );
    assert_eq!(first(&d), "o2cb-stack-not-loaded");
}

#[test]
fn sector_size_line_names_the_sector_size() {
    // linux fs/ocfs2/cluster/heartbeat.c, o2hb_region_dev_store()'s blocksize message.
    let dmesg = "[   20.100000] (mount.ocfs2,301,0):o2hb_region_dev_store:1776 ERROR: blocksize 512 incorrect for device, expected 4096\n";
    let (_d, b) = modified(
        "lab-capture-idle-timeout-node2",
        &[("commands/dmesg", dmesg)],
    );
    let d = why(&[b], Some(JOIN));
    assert_eq!(first(&d), "sector-size-mismatch");
}

#[test]
fn dead_paths_give_io_error_on_channel() {
    // libo2cb o2cb_start_heartbeat() and linux heartbeat.c: heartbeat cannot stabilise on a LUN whose paths failed.
    let dmesg = "[   30.000000] (o2hb-F47217E35E,201,0):o2hb_do_disk_heartbeat:1000 ERROR: Write error -5 on device \"dm-0\"\n[   31.000000] o2hb: Unable to stabilize heartbeat on region F47217E35EA246069E452DD9DC166B05 (dm-0)\n";
    let mp = "mpatha (36001) dm-0 NETAPP,LUN\nsize=1G features='0' hwhandler='0' wp=rw\n`-+- policy='service-time 0' prio=0 status=enabled\n  |- 3:0:0:1 sdc 8:32 failed faulty running\n  `- 4:0:0:1 sdd 8:48 failed faulty running\n";
    let (_d, b) = modified(
        "lab-capture-idle-timeout-node2",
        &[
            ("commands/dmesg", dmesg),
            ("commands/multipath_-ll", mp),
            (
                "etc/fstab",
                "/dev/mapper/mpatha /mnt/ocfs2 ocfs2 _netdev 0 0\n",
            ),
        ],
    );
    let d = why(
        &[b],
        Some("mount.ocfs2: I/O error on channel while trying to join the group"),
    );
    assert_eq!(first(&d), "storage-io");
    assert_eq!(
        d.causes[0].confidence,
        Confidence::Strong,
        "the failing multipath check shows it"
    );
}

#[test]
fn disk_cluster_name_mismatch() {
    // libo2cb o2cb_validate_cluster_name() via mount.ocfs2: volume formatted for another cluster.
    let stats = std::fs::read_to_string(
        fixtures().join("lab-capture-healthy-node1/commands/debugfs.ocfs2_-R_stats_%2Fdev%2Fvda"),
    )
    .unwrap()
    .replace("Cluster name: o2lab", "Cluster name: oldclu");
    let (_d, b) = modified(
        "lab-capture-healthy-node1",
        &[("commands/debugfs.ocfs2_-R_stats_%2Fdev%2Fvda", &stats)],
    );
    let d = why(
        &[b],
        Some("mount.ocfs2: Cluster name is invalid while trying to join the group"),
    );
    assert_eq!(first(&d), "disk-cluster-mismatch");
}

#[test]
fn stale_region_and_too_few_slots() {
    // linux fs/ocfs2/cluster/heartbeat.c, o2hb_region_dev_store(): a region dir left with a device after the volume
    // was unmounted (here: the healthy node's configfs with the volume unmounted).
    let mounts = std::fs::read_to_string(fixtures().join("lab-capture-healthy-node1/proc/mounts"))
        .unwrap()
        .lines()
        .filter(|l| !l.contains(" ocfs2 "))
        .map(|l| format!("{l}\n"))
        .collect::<String>();
    let (_d, b) = modified("lab-capture-healthy-node1", &[("proc/mounts", &mounts)]);
    let d = why(&[b], Some(JOIN));
    assert_eq!(first(&d), "stale-heartbeat-region");
    // linux fs/ocfs2/super.c, ocfs2_fill_super() (slot map full): more nodes than slots; the kernel mount fails with EINVAL.
    let stats = std::fs::read_to_string(
        fixtures().join("lab-capture-healthy-node1/commands/debugfs.ocfs2_-R_stats_%2Fdev%2Fvda"),
    )
    .unwrap()
    .replace("Max Node Slots: 4", "Max Node Slots: 1");
    let (_d, b) = modified(
        "lab-capture-healthy-node1",
        &[("commands/debugfs.ocfs2_-R_stats_%2Fdev%2Fvda", &stats)],
    );
    let d = why(&[b], Some("mount.ocfs2: Invalid argument while mounting /dev/vda on /mnt/ocfs2. Check 'dmesg' for more information on this error."));
    assert_eq!(first(&d), "too-few-slots");
}

#[test]
fn global_heartbeat_flag_on_disk_against_local_mode() {
    // libo2cb o2cb_validate_cluster_flags() and configfs (`Cluster flags: 1 Globalheartbeat`, the real
    // mkfs.ocfs2 --global-heartbeat output in fixtures/mkfs/debugfs-stats-c.txt):
    // the lab volume's superblock with that flag, the lab cluster in local mode.
    let stats = "commands/debugfs.ocfs2_-R_stats_%2Fdev%2Fvda";
    let real = std::fs::read_to_string(fixtures().join("lab-capture-healthy-node1").join(stats))
        .unwrap()
        .replace("Cluster flags: 0 ", "Cluster flags: 1 Globalheartbeat");
    assert!(real.contains("Globalheartbeat"));
    let (_d, b) = modified("lab-capture-healthy-node1", &[(stats, &real)]);
    let d = why(
        &[b],
        Some("mount.ocfs2: Heartbeat mode is invalid while trying to join the group"),
    );
    assert_eq!(first(&d), "disk-cluster-mismatch");
    let top = &d.causes[0];
    assert!(
        top.evidence
            .iter()
            .any(|e| e.text.contains("global heartbeat on disk, `local` running")),
        "{:#?}",
        top.evidence
    );
}

/// Compare a rendering with its golden file; `O2CHECK_BLESS=1` rewrites it.
fn golden(name: &str, got: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden/why")
        .join(name);
    if std::env::var_os("O2CHECK_BLESS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, got).unwrap();
        return;
    }
    let want = std::fs::read_to_string(&path)
        .unwrap_or_else(|_| panic!("{} missing: run with O2CHECK_BLESS=1", path.display()));
    assert!(
        want == got,
        "{name} differs from {} (O2CHECK_BLESS=1 rewrites it)\n--- got ---\n{got}",
        path.display()
    );
}

fn renderings(name: &str, d: &Diagnosis) {
    use o2check_reports::{diagnosis_html, diagnosis_text};
    golden(&format!("{name}.md"), &diagnosis_text::markdown(d));
    golden(&format!("{name}.html"), &diagnosis_html::html(d));
    golden(&format!("{name}.txt"), &diagnosis_text::console(d));
    golden(
        &format!("{name}.json"),
        &(serde_json::to_string_pretty(d).unwrap() + "\n"),
    );
}

#[test]
fn golden_reports_on_real_lab_bundles() {
    let d = why(
        &[
            fixtures().join("lab-capture-healthy-node1"),
            fixtures().join("lab-capture-hostname-mismatch-node2"),
        ],
        Some(JOIN),
    );
    renderings("hostname-mismatch", &d);
    let d = why(
        &[fixtures().join("lab-capture-idle-timeout-node2")],
        Some(E107),
    );
    renderings("idle-timeout", &d);
    let d = why(&[fixtures().join("lab-capture-healthy-node1")], Some(JOIN));
    renderings("healthy-undetermined", &d);
}

#[test]
fn reports_escape_markup_from_bundles() {
    // A host name with markup (meta.json `host`, the node's name in every report).
    let (_d, b) = modified(
        "lab-capture-hostname-mismatch-node2",
        &[(
            "meta.json",
            r#"{"host":"n151<img src=x onerror=alert(1)>*[x](y)*"}"#,
        )],
    );
    let d = why(&[b], Some(JOIN));
    assert_eq!(first(&d), "hostname-not-in-cluster-conf");
    let md = o2check_reports::diagnosis_text::markdown(&d);
    let html = o2check_reports::diagnosis_html::html(&d);
    // Outside fenced blocks (literal there) no markup from the bundle survives.
    let prose: String = md.split("```").step_by(2).collect::<Vec<_>>().join("");
    assert!(!prose.contains("<img"), "{prose}");
    assert!(!html.contains("<img"), "{html}");
    assert!(md.contains("n151&lt;img src=x onerror=alert\\(1\\)&gt;\\*\\[x\\]\\(y\\)\\*"));
    assert!(!html.contains('`'), "inline code is <code>, not backticks");
}

#[test]
fn lab_cluster_removed_names_the_emptied_cluster_conf_and_says_to_copy_it_back() {
    // Real bundle of lab fault cluster-removed (remove-cluster, then offline).
    let d = why(
        &[fixtures().join("lab-collect-cluster-removed-node2")],
        Some("mount.ocfs2: Cluster name is invalid while trying to join the group"),
    );
    assert_eq!(first(&d), "cluster-conf-invalid", "{d:#?}");
    assert_eq!(d.causes[0].confidence, Confidence::Strong);
    let fix = &d.causes[0].fix;
    // No node of the cluster is left in the file to rebuild it from: the fix
    // says where it must come from, then brings the cluster up and mounts.
    assert!(
        fix.debian[0]
            .contains("does not define cluster `o2lab`: copy the file from another node first"),
        "{fix:?}"
    );
    let runs: Vec<&str> = fix.commands.iter().map(|c| c.run.as_str()).collect();
    assert_eq!(
        runs,
        ["/etc/init.d/o2cb online o2lab", "mount /dev/vda /mnt/ocfs2"]
    );
}

#[test]
fn every_message_a_lab_fault_produced_is_known_and_produced_by_its_cause() {
    // fixtures/lab-messages: the exact mount error each lab fault gave on the real
    // kernel (lab/o2lab acceptance writes them to fault-messages.tsv).
    let tsv = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/lab-messages/fault-messages.tsv"),
    )
    .unwrap();
    let mut seen = 0;
    for line in tsv
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
    {
        let mut f = line.splitn(3, '\t');
        let (fault, cause, message) = (f.next().unwrap(), f.next().unwrap(), f.next().unwrap());
        let m = o2check_checks::why::messages::classify(message)
            .unwrap_or_else(|| panic!("{fault}: `{message}` is not in the message catalogue"));
        let def = o2check_checks::why::catalogue::by_id(cause).unwrap();
        assert!(
            def.produces.contains(&m.id),
            "{fault}: `{cause}` does not list `{}` ({message})",
            m.id
        );
        seen += 1;
    }
    assert!(seen >= 8, "{seen} lab messages");
}
