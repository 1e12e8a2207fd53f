//! `o2check fleet --bundle-dir`: nodes placed by the cluster their own
//! cluster.conf names, each cluster checked as `run --bundle` would check it, and
//! the fleet summary. Built from the real lab bundles; the second cluster is a
//! copy of a lab node whose cluster.conf and hostname are rewritten (said below).

mod support;

use std::path::Path;
use std::process::{Command, Output};

fn o2check(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_o2check"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .output()
        .expect("o2check runs")
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), &target).unwrap();
        }
    }
}

fn fixture(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/bundles")
        .join(name)
}

fn json(path: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

/// `(check, node, status)` of every result, sorted, to compare two runs.
fn verdicts(report: &serde_json::Value) -> Vec<(String, String, String)> {
    let mut v: Vec<_> = report["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["check"].as_str().unwrap().to_string(),
                r["node"].as_str().unwrap().to_string(),
                r["status"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    v.sort();
    v
}

/// The healthy lab node n150 renamed to `host` in a one-node cluster `cluster`
/// (cluster.conf written in o2cb's layout, meta.json's host rewritten).
fn renamed_node(dir: &Path, host: &str, cluster: &str) {
    copy_dir(&fixture("lab-cluster-healthy-n150"), dir);
    let conf = format!(
        "cluster:\n\tnode_count = 1\n\theartbeat_mode = local\n\tname = {cluster}\n\nnode:\n\tip_port = 7777\n\tip_address = 10.77.0.150\n\tnumber = 1\n\tname = {host}\n\tcluster = {cluster}\n"
    );
    std::fs::write(dir.join("etc/ocfs2/cluster.conf"), conf).unwrap();
    let meta_path = dir.join("meta.json");
    let mut meta = json(&meta_path);
    meta["host"] = host.into();
    std::fs::write(&meta_path, serde_json::to_vec(&meta).unwrap()).unwrap();
}

#[test]
fn fleet_partitions_by_cluster_conf_and_checks_each_cluster_like_run() {
    let tmp = tempfile::tempdir().unwrap();
    let bundles = tmp.path().join("bundles");
    copy_dir(&fixture("lab-cluster-healthy-n150"), &bundles.join("a"));
    // n151 as the fleet playbook fetches it: an archive of the bundle.
    let n151 = fixture("lab-cluster-healthy-n151");
    std::fs::create_dir_all(&bundles).unwrap();
    tar(&[
        "-C",
        n151.to_str().unwrap(),
        "-czf",
        bundles.join("b.tar.gz").to_str().unwrap(),
        ".",
    ]);
    renamed_node(&bundles.join("c"), "beta1.example", "beta");
    // A node with no cluster.conf in its evidence belongs to no cluster.
    renamed_node(&bundles.join("d"), "lost1.example", "beta");
    std::fs::remove_file(bundles.join("d/etc/ocfs2/cluster.conf")).unwrap();
    let out = tmp.path().join("out");
    let o = o2check(&[
        "fleet",
        "--bundle-dir",
        bundles.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    let stdout = String::from_utf8_lossy(&o.stdout);
    // Every cluster passes, but one node was in no cluster: exit 1.
    assert_eq!(
        o.status.code(),
        Some(1),
        "{stdout}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let s = json(&out.join("fleet.json"));
    let clusters: Vec<(String, Vec<String>)> = s["clusters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let nodes = c["nodes"]
                .as_array()
                .unwrap()
                .iter()
                .map(|n| n.as_str().unwrap().to_string());
            (c["name"].as_str().unwrap().to_string(), nodes.collect())
        })
        .collect();
    assert_eq!(
        clusters,
        [
            ("beta".to_string(), vec!["beta1.example".to_string()]),
            (
                "o2lab".to_string(),
                vec!["n150.ocfs2.test".to_string(), "n151.ocfs2.test".to_string()]
            ),
        ]
    );
    assert_eq!(s["unplaced"][0]["node"], "lost1.example");
    assert_eq!(s["unplaced"][0]["kind"], "no-cluster");
    assert!(
        stdout.contains("NOT CHECKED lost1.example (no-cluster)"),
        "{stdout}"
    );
    assert!(out.join("fleet.html").is_file() && out.join("fleet.txt").is_file());
    assert!(out.join("o2lab/junit.xml").is_file());

    // The o2lab cluster's report says what `run --bundle` of its two nodes says.
    let alone = tmp.path().join("alone.json");
    let r = o2check(&[
        "run",
        "--no-reports",
        "-q",
        "--bundle",
        bundles.join("a").to_str().unwrap(),
        "--bundle",
        n151.to_str().unwrap(),
        "--json",
        alone.to_str().unwrap(),
    ]);
    assert_eq!(
        r.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&r.stdout)
    );
    let fleet_o2lab = json(&out.join("o2lab/results.json"));
    assert_eq!(verdicts(&fleet_o2lab), verdicts(&json(&alone)));
    // Cross-node checks ran between o2lab's nodes only, never with beta's.
    assert!(verdicts(&fleet_o2lab)
        .iter()
        .any(|(c, n, _)| c == "cluster-conf-identical" && n == "cluster"));
    let beta = json(&out.join("beta/results.json"));
    assert!(verdicts(&beta).iter().all(|(_, n, _)| n == "beta1.example"));

    // The node in no cluster still had its own checks run, as `run --bundle`
    // of it alone would, and the summary shows them.
    let lost = tmp.path().join("lost.json");
    o2check(&[
        "run",
        "--no-reports",
        "-q",
        "--bundle",
        bundles.join("d").to_str().unwrap(),
        "--json",
        lost.to_str().unwrap(),
    ]);
    let fleet_lost = json(&out.join("nodes-alone/lost1.example/results.json"));
    assert_eq!(verdicts(&fleet_lost), verdicts(&json(&lost)));
    let own = &s["unplaced"][0]["alone"];
    assert_eq!(own["json"], "nodes-alone/lost1.example/results.json");
    let count = |status: &str| {
        verdicts(&fleet_lost)
            .iter()
            .filter(|(_, _, s)| s == status)
            .count()
    };
    assert!(count("pass") > 0, "its own checks ran: {fleet_lost}");
    for (key, status) in [("passed", "pass"), ("failed", "fail"), ("skipped", "skip")] {
        assert_eq!(own[key], count(status), "{key}");
    }
    assert!(stdout.contains("      its own checks: "), "{stdout}");
}

#[test]
fn a_failing_cluster_fails_the_fleet_and_is_counted_by_check() {
    let tmp = tempfile::tempdir().unwrap();
    let bundles = tmp.path().join("bundles");
    copy_dir(&fixture("lab-capture-healthy-node1"), &bundles.join("n1"));
    copy_dir(
        &fixture("lab-capture-hostname-mismatch-node2"),
        &bundles.join("n2"),
    );
    let out = tmp.path().join("out");
    let o = o2check(&[
        "fleet",
        "--bundle-dir",
        bundles.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    let s = json(&out.join("fleet.json"));
    // n151.test.com is listed nowhere, but boots o2lab: checked with it, and fails there.
    assert_eq!(s["clusters"][0]["nodes"].as_array().unwrap().len(), 2);
    assert!(s["unplaced"].as_array().unwrap().is_empty());
    let by_check = s["failures_by_check"].as_array().unwrap();
    assert!(
        by_check
            .iter()
            .any(|f| f["check"] == "hostname-in-cluster-conf" && f["failed"] == 1),
        "{by_check:?}"
    );
}

#[test]
fn fleet_without_a_source_is_a_usage_error() {
    let o = o2check(&["fleet"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--inventory"));
}

#[test]
fn line_format_is_one_line_identical_on_identical_healthy_nodes() {
    let line = |name: &str, extra: &[&str]| {
        let b = fixture(name);
        let mut args = vec![
            "run",
            "--no-reports",
            "--format",
            "line",
            "--bundle",
            b.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        let o = o2check(&args);
        (o.status.code(), String::from_utf8(o.stdout).unwrap())
    };
    // Two different healthy lab nodes (n150, n151): what clush -b folds.
    let (c1, a) = line("lab-capture-healthy-node1", &[]);
    let (c2, b) = line("lab-capture-healthy-node2", &[]);
    assert_eq!((c1, c2), (Some(0), Some(0)));
    assert_eq!(a, b);
    assert!(
        a.starts_with("OK ") && a.ends_with('\n') && a.lines().count() == 1,
        "{a:?}"
    );
    let (c3, bad) = line("lab-capture-hostname-mismatch-node2", &[]);
    assert_eq!(c3, Some(1));
    assert!(
        bad.starts_with("FAIL ")
            && bad.contains("hostname-in-cluster-conf")
            && bad.lines().count() == 1,
        "{bad:?}"
    );
    // libtest's filters still select checks.
    let (c4, skipped) = line(
        "lab-capture-hostname-mismatch-node2",
        &[
            "--skip",
            "hostname-in-cluster-conf",
            "--skip",
            "cluster-online",
        ],
    );
    assert_eq!(c4, Some(0), "{skipped}");
}

fn tar(args: &[&str]) {
    let s = Command::new("tar").args(args).status().expect("tar runs");
    assert!(s.success(), "tar {args:?}");
}

#[test]
fn run_reads_bundle_archives_as_it_reads_the_directories() {
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path();
    let dir = fixture("lab-capture-hostname-mismatch-node2");
    let (parent, name) = (dir.parent().unwrap(), dir.file_name().unwrap());
    let gz = t.join("node2.tar.gz");
    let xz = t.join("node2.tar.xz");
    let flat = t.join("node2.tar");
    // `tar czf` of the directory (one top directory), `tar cJf`, and a flat tar
    // with the files at the top as `o2check collect --out - > node2.tar` writes it.
    tar(&[
        "-C",
        parent.to_str().unwrap(),
        "-czf",
        gz.to_str().unwrap(),
        name.to_str().unwrap(),
    ]);
    tar(&[
        "-C",
        parent.to_str().unwrap(),
        "-cJf",
        xz.to_str().unwrap(),
        name.to_str().unwrap(),
    ]);
    tar(&[
        "-C",
        dir.to_str().unwrap(),
        "-cf",
        flat.to_str().unwrap(),
        ".",
    ]);
    let verdicts_of = |bundle: &Path| {
        let out = t.join("r.json");
        let o = o2check(&[
            "run",
            "--no-reports",
            "-q",
            "--bundle",
            bundle.to_str().unwrap(),
            "--json",
            out.to_str().unwrap(),
        ]);
        assert_eq!(
            o.status.code(),
            Some(1),
            "{}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        );
        verdicts(&json(&out))
    };
    let want = verdicts_of(&dir);
    assert!(want
        .iter()
        .any(|(c, _, s)| c == "hostname-in-cluster-conf" && s == "fail"));
    for archive in [&gz, &xz, &flat] {
        assert_eq!(verdicts_of(archive), want, "{}", archive.display());
    }
}

#[test]
fn a_sosreport_tar_xz_is_read_like_its_directory_and_its_symlinks_are_left_out() {
    let tmp = tempfile::tempdir().unwrap();
    // A sosreport-layout tree from the real lab node (host files at their paths,
    // command outputs under sos_commands/<plugin>/, sos's top-level symlinks).
    let sos = tmp.path().join("sosreport-n150-2026-12-01-abcdefg");
    let lab = fixture("lab-capture-healthy-node1");
    copy_dir(&lab.join("etc"), &sos.join("etc"));
    copy_dir(&lab.join("proc"), &sos.join("proc"));
    copy_dir(&lab.join("commands"), &sos.join("sos_commands/ocfs2"));
    std::fs::create_dir_all(sos.join("sos_commands/host")).unwrap();
    std::fs::write(sos.join("sos_commands/host/hostname"), "n150.ocfs2.test\n").unwrap();
    std::os::unix::fs::symlink("sos_commands/host/hostname", sos.join("hostname")).unwrap();
    std::os::unix::fs::symlink("/etc/shadow", sos.join("shadow")).unwrap();
    let xz = tmp.path().join("sosreport-n150.tar.xz");
    tar(&[
        "-C",
        tmp.path().to_str().unwrap(),
        "-cJf",
        xz.to_str().unwrap(),
        sos.file_name().unwrap().to_str().unwrap(),
    ]);
    let run = |bundle: &Path| {
        let out = tmp.path().join("r.json");
        let o = o2check(&[
            "run",
            "--no-reports",
            "-q",
            "--bundle",
            bundle.to_str().unwrap(),
            "--json",
            out.to_str().unwrap(),
        ]);
        assert!(
            matches!(o.status.code(), Some(0 | 1)),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
        json(&out)
    };
    let from_dir = run(&sos);
    let from_archive = run(&xz);
    assert_eq!(verdicts(&from_archive), verdicts(&from_dir));
    assert_eq!(from_archive["nodes"][0]["name"], "n150.ocfs2.test");
    assert!(verdicts(&from_archive)
        .iter()
        .any(|(c, _, s)| c == "cluster-conf-syntax" && s == "pass"));
}

#[test]
fn an_archive_that_escapes_is_refused_with_exit_2() {
    let tmp = tempfile::tempdir().unwrap();
    // A raw ustar header naming ../escaped (tar tools refuse to write one).
    let mut h = [0u8; 512];
    h[..12].copy_from_slice(b"../escaped.x");
    h[100..108].copy_from_slice(b"0000644\0");
    h[124..136].copy_from_slice(b"00000000001\0");
    h[156] = b'0';
    h[257..263].copy_from_slice(b"ustar\0");
    h[263..265].copy_from_slice(b"00");
    h[148..156].copy_from_slice(b"        ");
    let sum: u32 = h.iter().map(|&b| b as u32).sum();
    h[148..155].copy_from_slice(format!("{sum:06o}\0").as_bytes());
    let mut bytes = h.to_vec();
    bytes.extend_from_slice(&[b'x'; 512]);
    bytes.extend_from_slice(&[0; 1024]);
    let evil = tmp.path().join("sub/evil.tar");
    std::fs::create_dir_all(evil.parent().unwrap()).unwrap();
    std::fs::write(&evil, bytes).unwrap();
    let o = o2check(&[
        "run",
        "--no-reports",
        "-q",
        "--bundle",
        evil.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("outside the destination"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(!tmp.path().join("escaped.x").exists());
}

/// A stand-in for ssh (as tests/cluster_cli.rs has): `n150` serves the real lab
/// bundle as `o2check collect --out -` would; every other node is refused.
fn fake_ssh(dir: &Path) -> std::path::PathBuf {
    let served = dir.join("served");
    std::fs::create_dir_all(&served).unwrap();
    std::os::unix::fs::symlink(fixture("lab-collect-healthy-node1"), served.join("n150")).unwrap();
    serving_ssh(dir, &served)
}

/// `o2check fleet --nodes NODES` over the stand-in `ssh`, which must find
/// something to fail (exit 1); its stderr.
fn fleet_over_ssh(ssh: &Path, nodes: &str, out: &Path) -> String {
    let o = Command::new(env!("CARGO_BIN_EXE_o2check"))
        .args(["fleet", "--deploy", "never", "--nodes", nodes])
        .arg("--ssh-program")
        .arg(ssh)
        .arg("--out")
        .arg(out)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr).into_owned();
    assert_eq!(o.status.code(), Some(1), "{stderr}");
    stderr
}

#[test]
fn an_unreachable_node_lands_in_the_cluster_whose_cluster_conf_lists_it() {
    let tmp = tempfile::tempdir().unwrap();
    let ssh = fake_ssh(tmp.path());
    let out = tmp.path().join("out");
    fleet_over_ssh(&ssh, "n150,n151.ocfs2.test,down1", &out);
    let s = json(&out.join("fleet.json"));
    assert_eq!(s["clusters"].as_array().unwrap().len(), 1);
    assert_eq!(s["clusters"][0]["name"], "o2lab");
    assert_eq!(s["unplaced"][0]["node"], "down1");
    assert_eq!(s["unplaced"][0]["kind"], "unreachable");
    let o2lab = verdicts(&json(&out.join("o2lab/results.json")));
    assert!(
        o2lab.contains(&(
            "node-reachable".into(),
            "n150.ocfs2.test".into(),
            "pass".into()
        )),
        "{o2lab:?}"
    );
    assert!(
        o2lab.contains(&(
            "node-reachable".into(),
            "n151.ocfs2.test".into(),
            "error".into()
        )),
        "{o2lab:?}"
    );
    assert!(o2lab.iter().all(|(_, n, _)| n != "down1"));
}

/// A stand-in for ssh serving one bundle directory per destination from
/// `bundles/<destination>`; a destination with none is refused like a host
/// that is down.
fn serving_ssh(dir: &Path, bundles: &Path) -> std::path::PathBuf {
    let body = format!(
        r#"[ -d "{bundles}/$node" ] || {{ echo "ssh: connect to host $node port 22: Connection refused" >&2; exit 255; }}
case "$cmd" in
  *" clock"*) date +%s%N ;;
  *" collect "*) tar -C "{bundles}/$node" -cf - . ;;
  *) exit 127 ;;
esac
"#,
        bundles = bundles.display()
    );
    let path = dir.join("ssh");
    support::stand_in::write_ssh(&path, &body);
    path
}

/// What a cluster's report says, without timings and without what only a
/// fetch over ssh has (node-reachable, the coordinator's clock-skew).
fn said(report: &serde_json::Value) -> Vec<String> {
    report["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["check"] != "node-reachable" && r["check"] != "clock-skew")
        .map(|r| {
            let mut r = r.clone();
            r.as_object_mut().unwrap().remove("duration_ms");
            r.to_string()
        })
        .collect()
}

/// Over ssh, a cluster is checked as soon as the nodes its cluster.conf lists
/// are in; its report must be what checking at the end gives (`--bundle-dir`
/// over the same bundles). The port-blocked pair has a per-node check that
/// consults the peer; with that cluster's second node down, it can only be
/// checked at the end, and the one-node cluster still goes early.
#[test]
fn clusters_checked_as_their_nodes_come_in_report_what_checking_at_the_end_does() {
    let tmp = tempfile::tempdir().unwrap();
    let bundles = tmp.path().join("bundles");
    copy_dir(
        &fixture("lab-cluster-port-blocked-n150"),
        &bundles.join("n150.ocfs2.test"),
    );
    copy_dir(
        &fixture("lab-cluster-port-blocked-n151"),
        &bundles.join("n151.ocfs2.test"),
    );
    renamed_node(&bundles.join("beta1.example"), "beta1.example", "beta");
    let at_end = tmp.path().join("at-end");
    o2check(&[
        "fleet",
        "--bundle-dir",
        bundles.to_str().unwrap(),
        "--out",
        at_end.to_str().unwrap(),
    ]);
    let ssh = serving_ssh(tmp.path(), &bundles);
    let fleet = |nodes: &str, out: &Path| fleet_over_ssh(&ssh, nodes, out);
    let early = tmp.path().join("early");
    let stderr = fleet("n150.ocfs2.test,n151.ocfs2.test,beta1.example", &early);
    assert!(
        stderr.contains(
            "2 cluster(s) checked as their nodes came in; checking 0 more and 0 node(s) alone"
        ),
        "{stderr}"
    );
    for cluster in ["o2lab", "beta"] {
        let report = format!("{cluster}/results.json");
        assert_eq!(
            said(&json(&early.join(&report))),
            said(&json(&at_end.join(&report))),
            "{cluster}"
        );
    }
    // n151 down: o2lab waits for the end (and names n151 unreachable there).
    std::fs::rename(bundles.join("n151.ocfs2.test"), tmp.path().join("n151")).unwrap();
    let partly = tmp.path().join("partly");
    let stderr = fleet("n150.ocfs2.test,n151.ocfs2.test,beta1.example", &partly);
    assert!(
        stderr.contains(
            "1 cluster(s) checked as their nodes came in; checking 1 more and 0 node(s) alone"
        ),
        "{stderr}"
    );
    let o2lab = json(&partly.join("o2lab/results.json"));
    assert!(verdicts(&o2lab).contains(&(
        "node-reachable".into(),
        "n151.ocfs2.test".into(),
        "error".into()
    )));
    assert_eq!(
        said(&json(&partly.join("beta/results.json"))),
        said(&json(&at_end.join("beta/results.json")))
    );
}
