//! The field-format parsers on the real outputs of the iSCSI + multipath lab
//! (fixtures/captures/lab-iscsi, see its PROVENANCE: open-iscsi 2.1.8 and
//! multipath-tools 0.9.4 in the guests, two portals, one shared LUN and a scratch
//! LUN). The hand-derived and public samples test each form; these say that the
//! parsers read what the real tools printed in each state the lab produced.

use o2check_checks::parse::{iscsiadm_session, multipath_ll, multipathd_log};
use o2check_checks::Text;
use std::path::Path;

fn capture(state: &str, node: &str, file: &str) -> Text {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fixtures/captures/lab-iscsi")
        .join(state)
        .join(node)
        .join(file);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    Text::from_bytes(path.display().to_string(), &bytes)
}

fn shared_map(state: &str, node: &str, file: &str) -> multipath_ll::MpMap {
    multipath_ll::parse(&capture(state, node, file))
        .into_iter()
        .find(|m| m.name == "o2lab_shared")
        .unwrap_or_else(|| panic!("{state}/{node}/{file}: no o2lab_shared map"))
}

fn sessions(state: &str, node: &str, level: &str) -> iscsiadm_session::Sessions {
    let text = capture(state, node, &format!("iscsiadm-m-session-{level}.txt"));
    iscsiadm_session::parse(&text, "", Some(0))
}

#[test]
fn healthy_stack_has_two_good_paths_and_two_logged_in_sessions_at_every_print_level() {
    for node in ["node1", "node2"] {
        let maps = multipath_ll::parse(&capture("healthy", node, "multipath-ll.txt"));
        assert_eq!(maps.len(), 2, "{node}: {maps:?}");
        let shared = shared_map("healthy", node, "multipath-ll.txt");
        assert_eq!(shared.dm, "dm-1");
        assert_eq!(shared.paths.len(), 2, "{node}: {shared:?}");
        assert!(shared.paths.iter().all(|p| p.is_good()), "{shared:?}");
        for level in ["P0", "P1", "P3"] {
            let s = sessions("healthy", node, level);
            assert_eq!(s.sessions.len(), 2, "{node} {level}: {s:?}");
            assert!(
                s.sessions.iter().all(|x| x.is_logged_in()),
                "{node} {level}: {s:?}"
            );
            assert!(s.unparsed.is_empty(), "{node} {level}: {s:?}");
        }
        let records =
            iscsiadm_session::parse_nodes(&capture("healthy", node, "iscsiadm-m-node.txt"));
        assert_eq!(records.len(), 2, "{node}: {records:?}");
    }
}

#[test]
fn one_portal_down_leaves_one_good_path_and_one_session_reopening() {
    let shared = shared_map("path-down", "node2", "multipath-ll.txt");
    let good: Vec<_> = shared.paths.iter().filter(|p| p.is_good()).collect();
    assert_eq!(good.len(), 1, "{shared:?}");
    let bad: Vec<_> = shared.paths.iter().filter(|p| !p.is_good()).collect();
    assert_eq!(bad.len(), 1);
    assert_eq!(
        (bad[0].scsi.as_str(), bad[0].device.as_str()),
        ("0:0:0:1", "sdb")
    );
    assert!(!bad[0].is_recovering(), "failed faulty is not recovering");
    // -P 3 shows the session behind the dead portal is not logged in, which
    // -P 0 cannot say.
    let p3 = sessions("path-down", "node2", "P3");
    assert_eq!(p3.sessions.len(), 2, "{p3:?}");
    let down: Vec<_> = p3.sessions.iter().filter(|s| !s.is_logged_in()).collect();
    assert_eq!(down.len(), 1, "{p3:?}");
    let log = multipathd_log::parse(&capture("path-down", "node2", "multipathd-log.txt"));
    assert!(
        log.iter()
            .any(|l| matches!(&l.event, multipathd_log::PathEvent::CheckerDown { .. })),
        "the checker's `path is down` line: {log:?}"
    );
}

#[test]
fn a_recovering_path_is_failed_ready_then_active_ready() {
    let caught = shared_map("path-recovering", "node2", "multipath-ll-failed-ready.txt");
    let sdb = caught
        .paths
        .iter()
        .find(|p| p.device == "sdb")
        .expect("sdb");
    assert!(sdb.is_recovering(), "{sdb:?}");
    assert!(!sdb.is_good());
    let after = shared_map("path-recovering", "node2", "multipath-ll.txt");
    assert!(after.paths.iter().all(|p| p.is_good()), "{after:?}");
}

#[test]
fn a_logged_out_session_leaves_one_session_and_both_node_records() {
    let p0 = sessions("session-logout", "node2", "P0");
    assert_eq!(p0.sessions.len(), 1, "{p0:?}");
    assert!(p0.sessions[0].is_logged_in());
    let records =
        iscsiadm_session::parse_nodes(&capture("session-logout", "node2", "iscsiadm-m-node.txt"));
    assert_eq!(records.len(), 2, "{records:?}");
}

#[test]
fn a_removed_lun_fails_every_path_of_its_map_only() {
    let maps = multipath_ll::parse(&capture("lun-removed", "node2", "multipath-ll.txt"));
    let scratch = maps.iter().find(|m| m.name == "o2lab_scratch").unwrap();
    assert_eq!(scratch.paths.len(), 2, "{scratch:?}");
    assert!(scratch.paths.iter().all(|p| !p.is_good()), "{scratch:?}");
    let shared = maps.iter().find(|m| m.name == "o2lab_shared").unwrap();
    assert!(shared.paths.iter().all(|p| p.is_good()), "{shared:?}");
}
