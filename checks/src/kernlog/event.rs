//! The o2 stack's kernel messages as typed events, in the 2.6.39 and the current
//! wording (the printk strings of linux fs/ocfs2/cluster/tcp.c, heartbeat.c, quorum.c,
//! fs/ocfs2/dlm/dlmdomain.c, dlmrecovery.c and fs/ocfs2/super.c; matched case-insensitively where the wording changed).
//! A line that names an o2 subsystem but matches no known message is kept as
//! `Unknown`, never dropped; fs/dlm (the pacemaker stack's DLM) is recognised
//! as another stack, not as o2dlm.

use regex::{Captures, Regex, RegexSet};
use std::sync::OnceLock;

/// A peer as o2net prints it: `node NAME (num N) at IP:PORT`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Peer {
    pub name: String,
    pub num: u32,
    pub addr: String,
}

/// Which handshake value two nodes disagree on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Setting {
    IdleTimeout,
    Keepalive,
    HeartbeatTimeout,
    /// o2hb's own "dead count" comparison on the disk.
    DeadCount,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum O2Event {
    NetConnected {
        peer: Peer,
        accepted: bool,
    },
    NetDisconnected {
        peer: Peer,
    },
    NetShutdown {
        peer: Peer,
        state: u32,
    },
    NetIdle {
        peer: Peer,
        secs: String,
    },
    NetConnectFailed {
        peer: Peer,
        errno: i32,
    },
    NetNoConnection {
        node: u32,
        secs: String,
    },
    NetMismatch {
        peer: Option<Peer>,
        node: Option<u32>,
        setting: Setting,
        theirs: u64,
        ours: u64,
    },
    NetRejected {
        text: String,
    },
    HbMode {
        mode: String,
    },
    HbRegion {
        region: String,
        started: bool,
    },
    HbWriteTimeout {
        device: String,
        ms: u64,
    },
    HbIoError {
        text: String,
    },
    HbUnstable {
        region: String,
    },
    DlmJoin {
        domain: String,
        node: Option<u32>,
        nodes: Vec<u32>,
    },
    DlmLeave {
        domain: String,
        node: Option<u32>,
        nodes: Vec<u32>,
    },
    DlmNodes {
        domain: String,
        nodes: Vec<u32>,
    },
    DlmRecovery {
        domain: String,
        text: String,
    },
    FsMount {
        device: String,
        node: String,
        slot: u32,
    },
    FsUnmount {
        device: String,
        node: String,
    },
    FsReplay {
        text: String,
    },
    FsError {
        function: String,
        status: i32,
    },
    Fence {
        text: String,
    },
    OtherStackDlm {
        text: String,
    },
    Unknown {
        text: String,
    },
}

struct Rule {
    re: &'static str,
    make: fn(&Captures) -> O2Event,
}

fn s(c: &Captures, i: usize) -> String {
    c.get(i).map_or(String::new(), |m| m.as_str().to_string())
}

fn n<T: std::str::FromStr + Default>(c: &Captures, i: usize) -> T {
    c.get(i)
        .and_then(|m| m.as_str().parse().ok())
        .unwrap_or_default()
}

fn nodes(c: &Captures, i: usize) -> Vec<u32> {
    c.get(i).map_or(Vec::new(), |m| {
        m.as_str()
            .split_whitespace()
            .filter_map(|x| x.parse().ok())
            .collect()
    })
}

fn peer(c: &Captures, i: usize) -> Peer {
    Peer {
        name: s(c, i),
        num: n(c, i + 1),
        addr: s(c, i + 2),
    }
}

const PEER: &str = r"node (\S+) \(num (\d+)\) at ([\d.]+:\d+)";

fn setting(word: &str) -> Setting {
    match word {
        "network idle timeout" => Setting::IdleTimeout,
        "keepalive delay" => Setting::Keepalive,
        _ => Setting::HeartbeatTimeout,
    }
}

/// A compiled message pattern and the event it builds.
type Compiled = (Regex, fn(&Captures) -> O2Event);

fn rules() -> &'static [Compiled] {
    static RULES: OnceLock<Vec<Compiled>> = OnceLock::new();
    RULES.get_or_init(|| {
        let table: Vec<Rule> = vec![
            Rule { re: r"o2net: (connected to|accepted connection from) NODE", make: |c| O2Event::NetConnected { peer: peer(c, 2), accepted: s(c, 1).to_lowercase().starts_with("accepted") } },
            Rule { re: r"o2net: no longer connected to NODE", make: |c| O2Event::NetDisconnected { peer: peer(c, 1) } },
            Rule { re: r"o2net: connection to NODE shutdown, state (\d+)", make: |c| O2Event::NetShutdown { peer: peer(c, 1), state: n(c, 4) } },
            Rule { re: r"connection to NODE has been idle for ([\d.]+) sec", make: |c| O2Event::NetIdle { peer: peer(c, 1), secs: s(c, 4) } },
            Rule { re: r"connect attempt to NODE failed with errno (-?\d+)", make: |c| O2Event::NetConnectFailed { peer: peer(c, 1), errno: n(c, 4) } },
            Rule { re: r"no connection established with node (\d+) after ([\d.]+) seconds", make: |c| O2Event::NetNoConnection { node: n(c, 1), secs: s(c, 2) } },
            Rule { re: r"NODE uses a (network idle timeout|keepalive delay|heartbeat timeout) of (\d+) ms, but we use (\d+) ms locally", make: |c| O2Event::NetMismatch { peer: Some(peer(c, 1)), node: None, setting: setting(&s(c, 4).to_lowercase()), theirs: n(c, 5), ours: n(c, 6) } },
            Rule { re: r"Node (\d+) on device \S+ has a dead count of (\d+) ms, but our count is (\d+) ms", make: |c| O2Event::NetMismatch { peer: None, node: Some(n(c, 1)), setting: Setting::DeadCount, theirs: n(c, 2), ours: n(c, 3) } },
            Rule { re: r"(attempt to connect from unknown node|unexpected connect attempt seen|advertised net protocol version|attempt to connect from node '.*' but it already has)", make: |c| O2Event::NetRejected { text: s(c, 0) } },
            Rule { re: r"o2hb: heartbeat mode set to (\w+)", make: |c| O2Event::HbMode { mode: s(c, 1).to_lowercase() } },
            Rule { re: r"o2hb: heartbeat started on region (\w+)", make: |c| O2Event::HbRegion { region: s(c, 1), started: true } },
            Rule { re: r"o2hb: heartbeat (?:stopped|start aborted) on region (\w+)", make: |c| O2Event::HbRegion { region: s(c, 1), started: false } },
            Rule { re: r"heartbeat write timeout to device (\S+) after (\d+) milliseconds", make: |c| O2Event::HbWriteTimeout { device: s(c, 1), ms: n(c, 2) } },
            Rule { re: r"o2hb: unable to stabilize heartbea\w* on region (\w+)", make: |c| O2Event::HbUnstable { region: s(c, 1) } },
            Rule { re: r"(write error -?\d+ on device.*|o2hb.*io error -?\d+.*|node \d+ has written a bad crc.*)", make: |c| O2Event::HbIoError { text: s(c, 1) } },
            Rule { re: r"(?:o2dlm|ocfs2_dlm): (?:joining domain|node (\d+) joins domain) ([0-9A-F]{32})\s*(?:\(([\d ]*)\))?", make: |c| O2Event::DlmJoin { domain: s(c, 2).to_uppercase(), node: c.get(1).and_then(|m| m.as_str().parse().ok()), nodes: nodes(c, 3) } },
            Rule { re: r"(?:o2dlm|ocfs2_dlm): node (\d+) leaves domain ([0-9A-F]{32})\s*(?:\(([\d ]*)\))?", make: |c| O2Event::DlmLeave { domain: s(c, 2).to_uppercase(), node: Some(n(c, 1)), nodes: nodes(c, 3) } },
            Rule { re: r"(?:o2dlm|ocfs2_dlm): leaving domain ([0-9A-F]{32})", make: |c| O2Event::DlmLeave { domain: s(c, 1).to_uppercase(), node: None, nodes: Vec::new() } },
            Rule { re: r#"(?:o2dlm|ocfs2_dlm): nodes in domain \(?"?([0-9A-F]{32})"?\)?: ([\d ]*)"#, make: |c| O2Event::DlmNodes { domain: s(c, 1).to_uppercase(), nodes: nodes(c, 2) } },
            Rule { re: r"((?:begin|end) recovery on domain|is the recovery master for the dead node|waiting on the (?:death|recovery) of node|has evicted node)\D*.*?([0-9A-F]{32})", make: |c| O2Event::DlmRecovery { domain: s(c, 2).to_uppercase(), text: s(c, 0) } },
            Rule { re: r"ocfs2: mounting device \((\d+,\d+)\) on \(node (\w+), slot (\d+)\)", make: |c| O2Event::FsMount { device: s(c, 1), node: s(c, 2), slot: n(c, 3) } },
            Rule { re: r"ocfs2: unmounting device \((\d+,\d+)\) on \(node (\w+)\)", make: |c| O2Event::FsUnmount { device: s(c, 1), node: s(c, 2) } },
            Rule { re: r"((?:begin|end) replay journal.*|recovering node \d+ from slot.*|was not unmounted cleanly, recovering it.*)", make: |c| O2Event::FsReplay { text: s(c, 1) } },
            Rule { re: r"\):(\w+):\d+ ERROR: status = (-?\d+)", make: |c| O2Event::FsError { function: s(c, 1), status: n(c, 2) } },
            Rule { re: r"(ocfs2 is very sorry to be fencing this system.*|fencing this node because .*)", make: |c| O2Event::Fence { text: s(c, 1) } },
        ];
        table
            .into_iter()
            .map(|r| (Regex::new(&format!("(?i){}", r.re.replace("NODE", PEER))).expect("valid regex"), r.make))
            .collect()
    })
}

/// [`rules`] as one set, in the same order.
fn rule_set() -> &'static RegexSet {
    static SET: OnceLock<RegexSet> = OnceLock::new();
    SET.get_or_init(|| {
        RegexSet::new(rules().iter().map(|(re, _)| re.as_str())).expect("valid regex set")
    })
}

/// Does this message belong to the o2 stack (or the other stack's DLM) at all?
/// A cheap test done before any regex.
pub fn is_candidate(message: &str) -> bool {
    let m = message.as_bytes();
    // 2.6.39 o2dlm mlog lines carry only the function name (`):dlm_do_recovery:`).
    ["o2".as_bytes(), b"ocfs2", b"OCFS2", b"):dlm_"]
        .iter()
        .any(|k| memchr::memmem::find(m, k).is_some())
        || message.starts_with("dlm: ")
}

/// The event a kernel message describes, or `None` for messages of other subsystems.
pub fn recognize(message: &str) -> Option<O2Event> {
    // The boot command line may name ocfs2 options or hosts: it is no o2 event.
    if !is_candidate(message)
        || message.starts_with("Command line:")
        || message.starts_with("Kernel command line:")
    {
        return None;
    }
    // One pass of all patterns finds the first that matches; only that one is
    // run again for its captures (trying 25 regexes in turn cost more than the
    // whole keyword search over a log).
    if let Some(i) = rule_set().matches(message).iter().next() {
        let (re, make) = &rules()[i];
        if let Some(c) = re.captures(message) {
            return Some(make(&c));
        }
    }
    // fs/dlm (pacemaker/cman stacks) prints "dlm: <lockspace>: ..." with no "o2".
    if message.starts_with("dlm: ") {
        return Some(O2Event::OtherStackDlm {
            text: message.to_string(),
        });
    }
    let lower = message.to_lowercase();
    [
        "o2net", "o2hb", "o2dlm", "o2quo", "o2cb", "ocfs2", "(o2", "):dlm_",
    ]
    .iter()
    .any(|k| lower.contains(k))
    .then(|| O2Event::Unknown {
        text: message.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn current_wording_from_the_lab() {
        let e = recognize("o2net: Connected to node n150.ocfs2.test (num 1) at 10.77.0.150:7777")
            .unwrap();
        assert_eq!(
            e,
            O2Event::NetConnected {
                peer: Peer {
                    name: "n150.ocfs2.test".into(),
                    num: 1,
                    addr: "10.77.0.150:7777".into()
                },
                accepted: false
            }
        );
        let e = recognize("o2net: node n150.ocfs2.test (num 1) at 10.77.0.150:7777 uses a network idle timeout of 30000 ms, but we use 10000 ms locally. Disconnecting.").unwrap();
        assert!(matches!(
            e,
            O2Event::NetMismatch {
                setting: Setting::IdleTimeout,
                theirs: 30000,
                ours: 10000,
                ..
            }
        ));
        let e = recognize("(o2hb-F47217E35E,178,0):o2hb_check_slot:1055 ERROR: Node 2 on device vda has a dead count of 42000 ms, but our count is 62000 ms.").unwrap();
        assert!(matches!(
            e,
            O2Event::NetMismatch {
                setting: Setting::DeadCount,
                node: Some(2),
                ..
            }
        ));
        assert!(matches!(
            recognize("(mount.ocfs2,241,0):ocfs2_dlm_init:3373 ERROR: status = -107"),
            Some(O2Event::FsError { status: -107, .. })
        ));
        assert!(matches!(
            recognize("ocfs2: Mounting device (254,0) on (node 1, slot 0) with ordered data mode."),
            Some(O2Event::FsMount { slot: 0, .. })
        ));
        assert!(
            matches!(recognize("o2dlm: Joining domain F47217E35EA246069E452DD9DC166B05 ( 1 2 ) 2 nodes"), Some(O2Event::DlmJoin { ref nodes, .. }) if nodes == &[1, 2])
        );
        assert!(matches!(recognize("o2net: No connection established with node 1 after 10.0 seconds, check network and cluster configuration."), Some(O2Event::NetNoConnection { node: 1, .. })));
    }

    #[test]
    fn old_2_6_39_wording() {
        // Built from the format strings of linux v2.6.39 fs/ocfs2/cluster/tcp.c and fs/ocfs2/dlm/dlmdomain.c (no real 2.6.39 log at hand).
        assert!(matches!(
            recognize("o2net: connected to node node1 (num 0) at 10.10.10.1:7777"),
            Some(O2Event::NetConnected { .. })
        ));
        assert!(matches!(recognize("(o2net,2987,0):o2net_check_handshake:1305 node node2 (num 1) at 10.10.10.2:7777 uses a network idle timeout of 60000 ms, but we use 30000 ms locally.  disconnecting"), Some(O2Event::NetMismatch { theirs: 60000, .. })));
        assert!(matches!(recognize("o2net: connection to node node2 (num 1) at 10.10.10.2:7777 has been idle for 30.0 seconds, shutting it down."), Some(O2Event::NetIdle { .. })));
        assert!(matches!(recognize("(o2net,1,0):o2net_connect_expired:1 ERROR: no connection established with node 1 after 30.0 seconds, giving up and returning errors."), Some(O2Event::NetNoConnection { node: 1, .. })));
        assert!(matches!(
            recognize("o2dlm: Nodes in domain 77D95EF51C0149D2823674FCC162CF8B: 0 1 "),
            Some(O2Event::DlmNodes { .. })
        ));
        assert!(matches!(recognize("(dlm_reco_thread,5,0):dlm_do_recovery:521 (5) Node 0 is the Recovery Master for the Dead Node 1 for Domain 77D95EF51C0149D2823674FCC162CF8B"), Some(O2Event::DlmRecovery { .. })));
    }

    #[test]
    fn fencing_other_stack_unknown_and_unrelated() {
        assert!(matches!(
            recognize("*** ocfs2 is very sorry to be fencing this system by restarting ***"),
            Some(O2Event::Fence { .. })
        ));
        assert!(matches!(
            recognize("dlm: clustername: joining the lockspace group..."),
            Some(O2Event::OtherStackDlm { .. })
        ));
        assert!(matches!(
            recognize("o2net: some future message"),
            Some(O2Event::Unknown { .. })
        ));
        assert_eq!(recognize("usb 1-1: new high-speed USB device"), None);
        assert_eq!(
            recognize("OCFS2 User DLM kernel interface loaded"),
            Some(O2Event::Unknown {
                text: "OCFS2 User DLM kernel interface loaded".into()
            })
        );
    }

    #[test]
    fn ocfs2_1_2_wording_from_a_real_2_6_20_dmesg() {
        let text = std::fs::read_to_string(format!(
            "{}/../fixtures/public/dmesg-2.6.20-feisty-ocfs2.txt",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap();
        let log = super::super::lines::from_text(&crate::text::Text::new("dmesg", text));
        let events: Vec<O2Event> = log.iter().filter_map(|l| recognize(&l.message)).collect();
        assert!(
            matches!(&events[0], O2Event::NetConnected { accepted: true, peer } if peer.num == 1)
        );
        assert!(matches!(&events[1], O2Event::DlmNodes { nodes, .. } if nodes == &[0, 1]));
        assert!(
            matches!(&events[2], O2Event::FsError { function, status: -75 } if function == "ocfs2_broadcast_vote")
        );
        assert!(matches!(events[8], O2Event::FsUnmount { .. }));
        assert!(matches!(events[9], O2Event::NetDisconnected { .. }));
        assert_eq!(
            events.len(),
            10,
            "kjournald and the prompts are not o2 events"
        );
    }
}
