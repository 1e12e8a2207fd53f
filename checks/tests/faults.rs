//! Every check driven end to end through bundles: the real lab and seed bundles,
//! and copies of them with one fault injected (each case says what it changes).

mod common;

use common::{fixtures, Case};
use o2check_checks::rules;
use o2check_checks::source::{Bundle, Source};
use o2check_checks::{CheckError, NodeCtx, Options, Verdict};
use o2check_reports::Status;
use std::path::Path;

trait RunCheck {
    fn run(&self, id: &str) -> Verdict;
}

impl RunCheck for Case {
    fn run(&self, id: &str) -> Verdict {
        run_on(self.path(), id, &Options::default())
    }
}

fn run_on(dir: &Path, id: &str, options: &Options) -> Verdict {
    let bundle = Bundle::open(dir).unwrap();
    let check = rules::ALL
        .iter()
        .find(|c| c.id == id)
        .unwrap_or_else(|| panic!("no check {id}"));
    let ctx = NodeCtx::new(&bundle as &dyn Source, options);
    (check.run)(&ctx).unwrap_or_else(CheckError::into_verdict)
}

fn fixture(name: &str, id: &str) -> Verdict {
    run_on(&fixtures().join(name), id, &Options::default())
}

fn assert_status(v: &Verdict, want: Status) {
    assert_eq!(v.status, want, "{}\n{:#?}", v.summary, v.evidence);
}

/// Checks that read the kernel log's history rather than the current state.
const LOG_HISTORY: [&str; 2] = ["o2net-stability", "o2cb-timeouts-consistent"];

#[test]
fn node1_log_after_the_fault_scenarios_shows_the_rejected_peers() {
    // Real: node1's dmesg at the end of the lab run, after node2 was booted with
    // a 10000 ms idle timeout and a 21 heartbeat threshold.
    let v = fixture("lab-capture-healthy-node1-end", "o2net-stability");
    assert_status(&v, Status::Fail);
    assert!(
        v.summary
            .contains("IdleTimeout 10000 ms, this node 30000 ms"),
        "{}",
        v.summary
    );
    assert!(
        v.summary.contains("DeadCount 42000 ms, this node 62000 ms"),
        "{}",
        v.summary
    );
    let v = fixture("lab-capture-healthy-node1-end", "o2cb-timeouts-consistent");
    assert_status(&v, Status::Fail);
    assert!(v.evidence.iter().all(|e| e.line.is_some()));
    assert_status(
        &fixture("lab-capture-healthy-node1", "o2net-stability"),
        Status::Pass,
    );
    let v = fixture("lab-capture-idle-timeout-node2", "ocfs2-errors");
    assert_status(&v, Status::Fail);
    assert!(
        v.summary.contains("ocfs2_dlm_init = -107 (ENOTCONN)"),
        "{}",
        v.summary
    );
}

#[test]
fn healthy_lab_nodes_pass_every_check_that_applies() {
    for node in [
        "lab-capture-healthy-node1",
        "lab-capture-healthy-node2",
        "lab-capture-healthy-node1-end",
    ] {
        for check in rules::ALL {
            if node.ends_with("-end") && LOG_HISTORY.contains(&check.id) {
                continue;
            }
            let v = fixture(node, check.id);
            assert!(
                matches!(v.status, Status::Pass | Status::Skip),
                "{node} {}: {:?} {}",
                check.id,
                v.status,
                v.summary
            );
            assert!(!v.summary.is_empty());
        }
        for id in [
            "hostname-in-cluster-conf",
            "cluster-online",
            "heartbeat-active-after-mount",
            "dlm-membership",
            "disk-slots",
            "disk-cluster-stack",
            "o2cb-modules",
        ] {
            assert_status(&fixture(node, id), Status::Pass);
        }
    }
}

#[test]
fn hostname_mismatch_captures_fail_hostname_and_online() {
    for bundle in [
        "lab-capture-hostname-mismatch-node2",
        "seed-hostname-mismatch-n150",
    ] {
        let v = fixture(bundle, "hostname-in-cluster-conf");
        assert_status(&v, Status::Fail);
        assert!(v
            .summary
            .contains("Internal logic failure while trying to join the group"));
        assert!(v
            .evidence
            .iter()
            .any(|e| e.source == "/etc/ocfs2/cluster.conf" && e.line.is_some()));
        assert!(v
            .fix
            .as_deref()
            .unwrap()
            .contains("hostnamectl set-hostname"));
        assert_status(&fixture(bundle, "cluster-online"), Status::Fail);
    }
    let lab = fixture(
        "lab-capture-hostname-mismatch-node2",
        "hostname-in-cluster-conf",
    );
    assert!(
        lab.evidence
            .iter()
            .any(|e| e.source.ends_with("/local") && e.text == "0"),
        "configfs evidence"
    );
}

#[test]
fn hostname_matching_two_nodes_fails() {
    let conf = "cluster:\n\tnode_count = 2\n\tname = o2lab\n\nnode:\n\tip_port = 7777\n\tip_address = 10.77.0.150\n\tnumber = 1\n\tname = n150\n\tcluster = o2lab\n\nnode:\n\tip_port = 7777\n\tip_address = 10.77.0.151\n\tnumber = 2\n\tname = N150.ocfs2.test\n\tcluster = o2lab\n";
    let v = Case::from("lab-capture-healthy-node1")
        .write("etc/ocfs2/cluster.conf", conf)
        .run("hostname-in-cluster-conf");
    assert_status(&v, Status::Fail);
    assert!(v.summary.contains("matches 2 nodes"), "{}", v.summary);
}

#[test]
fn cluster_conf_faults() {
    let crlf = std::fs::read_to_string(
        fixtures().join("lab-capture-healthy-node1/etc/ocfs2/cluster.conf"),
    )
    .unwrap()
    .replace('\n', "\r\n");
    let v = Case::from("lab-capture-healthy-node1")
        .write("etc/ocfs2/cluster.conf", &crlf)
        .run("cluster-conf-syntax");
    assert_status(&v, Status::Fail);
    assert!(
        v.summary
            .contains("line 1: Trailing garbage on stanza name declaration"),
        "{}",
        v.summary
    );
    let v = Case::from("lab-capture-healthy-node1")
        .edit("etc/ocfs2/cluster.conf", "number = 2", "number = 1")
        .run("cluster-conf-syntax");
    assert_status(&v, Status::Fail);
    assert!(v.summary.contains("same number `1`"), "{}", v.summary);
    // Seen absent on the node (the manifest says collect looked): a failure.
    let v = Case::from("lab-capture-healthy-node1")
        .absent("/etc/ocfs2/cluster.conf")
        .run("cluster-conf-syntax");
    assert_status(&v, Status::Fail);
    assert_eq!(v.code, Some("file-absent"));
    // Merely not in the bundle: nothing is known about the node, so skip and say
    // exactly what to collect.
    let v = Case::from("lab-capture-healthy-node1")
        .remove("etc/ocfs2/cluster.conf")
        .run("cluster-conf-syntax");
    assert_status(&v, Status::Skip);
    assert_eq!(v.code, Some("not-collected"));
    assert!(
        v.summary.contains("/etc/ocfs2/cluster.conf") && v.summary.contains("collect"),
        "{}",
        v.summary
    );
    // The other checks cannot decide without it: they skip, they do not fail.
    let v = Case::from("lab-capture-healthy-node1")
        .write("etc/ocfs2/cluster.conf", "\u{0}garbage:\n\tx\n")
        .run("hostname-in-cluster-conf");
    assert_status(&v, Status::Error);
}

#[test]
fn o2cb_stack_faults() {
    let v = Case::from("lab-capture-healthy-node1")
        .remove("sys/kernel/config/cluster/o2lab")
        .run("cluster-online");
    assert_status(&v, Status::Fail);
    assert!(v.summary.contains("Cluster name is invalid"));
    let v = Case::from("lab-capture-healthy-node1")
        .edit("commands/lsmod", "ocfs2_dlm ", "other_mod ")
        .run("o2cb-modules");
    assert_status(&v, Status::Fail);
    assert!(v.summary.contains("ocfs2_dlm"));
    let v = Case::from("lab-capture-healthy-node1")
        .edit(
            "proc/mounts",
            "ocfs2_dlmfs /dlm ocfs2_dlmfs rw,relatime 0 0\n",
            "",
        )
        .run("o2cb-filesystems");
    assert_status(&v, Status::Fail);
    let v = Case::from("lab-capture-healthy-node1")
        .edit(
            "etc/default/o2cb",
            "O2CB_ENABLED=true",
            "O2CB_ENABLED=false",
        )
        .edit(
            "etc/default/o2cb",
            "O2CB_HEARTBEAT_THRESHOLD=31",
            "O2CB_HEARTBEAT_THRESHOLD=3",
        )
        .run("o2cb-config");
    assert_status(&v, Status::Fail);
    assert!(
        v.summary.contains("O2CB_ENABLED") && v.summary.contains("below the minimum 7"),
        "{}",
        v.summary
    );
    // No settings file: fails only when collect saw that neither path exists.
    let v = Case::from("lab-capture-healthy-node1")
        .remove("etc/default/o2cb")
        .run("o2cb-config");
    assert_status(&v, Status::Skip);
    let v = Case::from("lab-capture-healthy-node1")
        .absent("/etc/default/o2cb")
        .run("o2cb-config");
    assert_status(&v, Status::Skip);
    let v = Case::from("lab-capture-healthy-node1")
        .absent("/etc/default/o2cb")
        .absent("/etc/sysconfig/o2cb")
        .run("o2cb-config");
    assert_status(&v, Status::Fail);
    assert_eq!(v.code, Some("file-absent"));
}

#[test]
fn heartbeat_and_dlm_faults() {
    let region = "sys/kernel/config/cluster/o2lab/heartbeat/F47217E35EA246069E452DD9DC166B05";
    let v = Case::from("lab-capture-healthy-node1")
        .remove(region)
        .run("heartbeat-active-after-mount");
    assert_status(&v, Status::Fail);
    // Real end-of-run log (node 2 left the domain) with a stale slot map that still
    // lists node 2 as mounting: node 2 is missing from the domain.
    let v = Case::from("lab-capture-healthy-node1-end")
        .edit(
            "commands/mounted.ocfs2_-f",
            "n150.ocfs2.test\n",
            "n150.ocfs2.test, n151.ocfs2.test\n",
        )
        .run("dlm-membership");
    assert_status(&v, Status::Fail);
    assert!(
        v.summary.contains("n151.ocfs2.test (node 2)"),
        "{}",
        v.summary
    );
    assert!(v
        .evidence
        .iter()
        .any(|e| e.text.contains("Node 2 leaves domain")));
}

#[test]
fn storage_faults() {
    let stats = "commands/debugfs.ocfs2_-R_stats_%2Fdev%2Fvda";
    let v = Case::from("lab-capture-healthy-node1")
        .edit(stats, "Max Node Slots: 4", "Max Node Slots: 1")
        .run("disk-slots");
    assert_status(&v, Status::Fail);
    assert!(v.fix.unwrap().contains("tunefs.ocfs2 -N 2"));
    let v = Case::from("lab-capture-healthy-node1")
        .edit(stats, "Cluster name: o2lab", "Cluster name: other")
        .run("disk-cluster-stack");
    assert_status(&v, Status::Fail);
    assert!(v.summary.contains("Cluster name is invalid"));
    let v = Case::from("lab-capture-healthy-node1")
        .edit(
            stats,
            "Cluster flags: 0 ",
            "Cluster flags: 1 Globalheartbeat",
        )
        .run("disk-cluster-stack");
    assert_status(&v, Status::Fail);
    assert!(v.summary.contains("Heartbeat mode is invalid"));
    let mp = "commands/multipath_-ll";
    let v = Case::from("seed-hostname-mismatch-n150")
        .edit(
            mp,
            "5:0:0:0 sdb 8:16  active ready  running",
            "5:0:0:0 sdb 8:16  failed faulty running",
        )
        .run("multipath-paths");
    assert_status(&v, Status::Fail);
    assert!(
        v.summary.contains("5:0:0:0 sdb") && v.summary.contains("1 healthy path(s), 2 required"),
        "{}",
        v.summary
    );
    assert_status(
        &fixture("seed-hostname-mismatch-n150", "multipath-paths"),
        Status::Pass,
    );
    let three = Options {
        min_paths: 3,
        ..Options::default()
    };
    assert_status(
        &run_on(
            &fixtures().join("seed-hostname-mismatch-n150"),
            "multipath-paths",
            &three,
        ),
        Status::Fail,
    );
    let v = Case::from("seed-hostname-mismatch-n150")
        .edit(
            "etc/multipath.conf",
            "no_path_retry           fail",
            "no_path_retry           queue",
        )
        .run("multipath-failover-time");
    assert_status(&v, Status::Fail);
    let v = Case::from("seed-hostname-mismatch-n150")
        .write("commands/iscsiadm_-m_session", "")
        .write(
            "commands/iscsiadm_-m_session.stderr",
            "iscsiadm: No active sessions.\n",
        )
        .run("iscsi-sessions");
    assert_status(&v, Status::Fail);
}

#[test]
fn config_and_network_faults() {
    let v = Case::from("seed-hostname-mismatch-n150")
        .edit("etc/fstab", "/dev/mapper/test_block_a", "/dev/sdb")
        .run("fstab");
    assert_status(&v, Status::Fail);
    assert!(
        v.summary.contains("no _netdev") && v.summary.contains("/dev/sdX"),
        "{}",
        v.summary
    );
    assert_status(&fixture("lab-capture-healthy-node1", "fstab"), Status::Pass);
    let v = Case::from("lab-capture-healthy-node1")
        .edit("etc/hosts", "10.77.0.151 n151", "10.77.0.99 n151")
        .run("name-resolution");
    assert_status(&v, Status::Fail);
    assert!(
        v.summary
            .contains("resolves to 10.77.0.99 but cluster.conf says 10.77.0.151"),
        "{}",
        v.summary
    );
    let v = Case::from("lab-capture-healthy-node1")
        .write("commands/ip_-o_addr", "1: lo    inet 127.0.0.1/8 scope host lo\n2: eth0    inet 10.77.0.99/24 scope global eth0\n")
        .run("name-resolution");
    assert_status(&v, Status::Fail);
    assert!(v.summary.contains("no interface has that address"));
    let v = Case::from("lab-capture-healthy-node1")
        .write(
            "commands/iptables-save",
            "*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -p tcp -m tcp --dport 7777 -j DROP\nCOMMIT\n",
        )
        .run("o2net-port");
    assert_status(&v, Status::Fail);
    assert_eq!(
        v.evidence
            .iter()
            .find(|e| e.source.contains("iptables"))
            .unwrap()
            .line,
        Some(3)
    );
}

/// meta.json with one recorded TCP probe.
fn probe_meta(host: &str, addr: &str, ok: bool) -> String {
    let error = if ok {
        "null"
    } else {
        "\"Connection refused (os error 111)\""
    };
    format!(
        r#"{{"host":"{host}","tcp_probes":[{{"addr":"{addr}","connected":{ok},"error":{error},"millis":3}}]}}"#
    )
}

#[test]
fn o2net_port_uses_probes_recorded_in_the_bundle() {
    // Node 2 connects to node 1's port, as o2net does (higher to lower number).
    let v = Case::from("lab-capture-healthy-node2")
        .write(
            "meta.json",
            &probe_meta("n151.ocfs2.test", "10.77.0.150:7777", false),
        )
        .run("o2net-port");
    assert_status(&v, Status::Fail);
    assert!(v.summary.contains("Connection refused"));
    let v = Case::from("lab-capture-healthy-node2")
        .write(
            "meta.json",
            &probe_meta("n151.ocfs2.test", "10.77.0.150:7777", true),
        )
        .run("o2net-port");
    assert_status(&v, Status::Pass);
    assert!(v.summary.starts_with("1 peer port(s) reachable"));
}

#[test]
fn o2net_port_tries_only_what_o2net_itself_connects_to() {
    // Node 1 never connects to node 2's port (node 2 connects to it), so a failed
    // probe that way is not a fault, and a new collect does not make it.
    let v = Case::from("lab-capture-healthy-node1")
        .write(
            "meta.json",
            &probe_meta("n150.ocfs2.test", "10.77.0.151:7777", false),
        )
        .run("o2net-port");
    // Nothing probed and no firewall ruleset in the bundle: nothing supports a pass.
    assert_status(&v, Status::Skip);
    assert_eq!(v.code, Some("no-evidence"));
    assert!(v.summary.contains("iptables-save"), "{}", v.summary);
    // With the ruleset read, "no rule blocks the port" is evidence.
    let v = Case::from("lab-capture-healthy-node1")
        .write(
            "meta.json",
            &probe_meta("n150.ocfs2.test", "10.77.0.151:7777", false),
        )
        .write(
            "commands/iptables-save",
            "*filter\n:INPUT ACCEPT [0:0]\nCOMMIT\n",
        )
        .run("o2net-port");
    assert_status(&v, Status::Pass);
    assert!(
        v.summary.contains("higher- to lower-numbered") && v.summary.contains("(iptables-save)"),
        "{}",
        v.summary
    );
    // A hung iptables-save is no evidence either: with nothing else, an error.
    let v = Case::from("lab-capture-healthy-node1")
        .write(
            "meta.json",
            r#"{"host":"n150.ocfs2.test","commands":{"iptables-save":{"argv":["iptables-save"],"timed_out":true}}}"#,
        )
        .run("o2net-port");
    assert_status(&v, Status::Error);
    // An o2net connection established in /proc/net/tcp (the real cluster-mode
    // bundle of node 2) proves the port without a probe, whatever a probe said.
    let v = Case::from("lab-cluster-healthy-n151")
        .write(
            "meta.json",
            &probe_meta("n151.ocfs2.test", "10.77.0.150:7777", false),
        )
        .run("o2net-port");
    assert_status(&v, Status::Pass);
    assert!(
        v.evidence
            .iter()
            .any(|e| e.source.contains("/proc/net/tcp")),
        "{:#?}",
        v.evidence
    );
}

#[test]
fn garbage_everywhere_never_panics() {
    let mut case = Case::from("lab-capture-healthy-node1");
    let junk = "\u{0}\u{1b}[2J\u{FFFD}:\n\t= =\n(\n) nodes\n#:#:#:# x 1:2 failed\n".repeat(50);
    for rel in [
        "etc/ocfs2/cluster.conf",
        "etc/default/o2cb",
        "etc/hosts",
        "etc/fstab",
        "proc/mounts",
        "commands/dmesg",
        "commands/lsmod",
        "commands/service_o2cb_status",
        "commands/mounted.ocfs2_-d",
        "commands/mounted.ocfs2_-f",
        "commands/debugfs.ocfs2_-R_stats_%2Fdev%2Fvda",
        "commands/multipath_-ll",
        "commands/iptables-save",
    ] {
        case = case.write(rel, &junk);
    }
    for check in rules::ALL {
        let v = case.run(check.id);
        assert!(!v.summary.is_empty(), "{}", check.id);
    }
}

#[test]
fn one_wrong_direction_connect_at_start_up_is_noise_an_unknown_peer_is_not() {
    // Real line from node 2 of a cold lab start (both nodes mounting at once).
    let line = "[   14.849926] o2net: Unexpected connect attempt seen at node 'n151.ocfs2.test' (2, 10.77.0.151:7777) from node 'n150.ocfs2.test' (1, 10.77.0.150:50848)\n";
    let dmesg =
        std::fs::read_to_string(fixtures().join("lab-capture-healthy-node2/commands/dmesg"))
            .unwrap();
    let once =
        Case::from("lab-capture-healthy-node2").write("commands/dmesg", &format!("{dmesg}{line}"));
    assert_status(&once.run("o2net-stability"), Status::Pass);
    let thrice = Case::from("lab-capture-healthy-node2")
        .write("commands/dmesg", &format!("{dmesg}{line}{line}{line}"));
    assert_status(&thrice.run("o2net-stability"), Status::Fail);
    // linux fs/ocfs2/cluster/tcp.c, o2net_accept_one(): a peer address missing from this node's cluster.conf.
    let unknown = Case::from("lab-capture-healthy-node2").write(
        "commands/dmesg",
        &format!(
            "{dmesg}[   20.0] o2net: Attempt to connect from unknown node at 10.77.0.99:43210\n"
        ),
    );
    assert_status(&unknown.run("o2net-stability"), Status::Fail);
}

#[test]
fn a_configfs_built_in_is_not_a_missing_module() {
    // The real lab node with configfs built in (no lsmod line) and configfs not
    // mounted: whether it is there depends on /proc/filesystems.
    let built_in = || {
        Case::from("lab-capture-healthy-node1")
            .edit(
                "commands/lsmod",
                "configfs               57344  2 ocfs2_nodemanager\n",
                "",
            )
            .edit(
                "proc/mounts",
                "configfs /sys/kernel/config configfs rw,relatime 0 0\n",
                "",
            )
    };
    // Not collected (bundles before collect copied it): unknown, so no failure.
    let v = built_in().run("o2cb-modules");
    assert_status(&v, Status::Skip);
    assert!(v.summary.contains("/proc/filesystems"), "{}", v.summary);
    let v = built_in()
        .write(
            "proc/filesystems",
            "nodev\tsysfs\nnodev\tconfigfs\n\text4\n",
        )
        .run("o2cb-modules");
    assert_status(&v, Status::Pass);
    let v = built_in()
        .write("proc/filesystems", "nodev\tsysfs\n\text4\n")
        .run("o2cb-modules");
    assert_status(&v, Status::Fail);
    assert!(v.summary.contains("configfs"), "{}", v.summary);
    // Mounted: it is there whatever /proc/filesystems says.
    let v = Case::from("lab-capture-healthy-node1")
        .edit(
            "commands/lsmod",
            "configfs               57344  2 ocfs2_nodemanager\n",
            "",
        )
        .run("o2cb-modules");
    assert_status(&v, Status::Pass);
}
