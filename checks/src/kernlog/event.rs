//! The o2 stack's kernel messages as typed events, in the 2.6.39 and the current
//! wording (the printk strings of linux fs/ocfs2/cluster/tcp.c, heartbeat.c, quorum.c,
//! fs/ocfs2/dlm/dlmdomain.c, dlmrecovery.c and fs/ocfs2/super.c; matched case-insensitively where the wording changed).
//! A line that names an o2 subsystem but matches no known message is kept as
//! `Unknown`, never dropped; fs/dlm (the pacemaker stack's DLM) is recognised
//! as another stack, not as o2dlm.

use regex::{Captures, Regex, RegexSet};
use std::sync::{LazyLock, OnceLock};

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

/// Why o2net refused a peer's connection (linux fs/ocfs2/cluster/tcp.c,
/// o2net_accept_one() and o2net_check_handshake()).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rejection {
    /// "attempt to connect from unknown node at IP:PORT": not in our cluster.conf.
    UnknownNode,
    /// "unexpected connect attempt seen at node ...": the lower-numbered node connected.
    UnexpectedConnect,
    /// "advertised net protocol version": the peer runs another o2net protocol.
    ProtocolVersion,
    /// "attempt to connect from node '...' but it already has ...": a duplicate socket.
    AlreadyConnected,
}

/// Which heartbeat I/O failure o2hb printed (linux fs/ocfs2/cluster/heartbeat.c).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HbIo {
    /// "write error %d on device %s" (o2hb_bio_end_io() in 2.6.39-era kernels).
    WriteError,
    /// "o2hb ... IO Error %d" (o2hb_bio_end_io(), o2hb_do_disk_heartbeat()).
    IoError,
    /// "Node %d has written a bad crc to %s" (o2hb_check_slot()): corrupt, not failed I/O.
    BadCrc,
}

/// Which step of recovering a dead node a DLM message is, with that node.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recovering {
    /// "o2dlm has evicted node %d from domain %.*s" (linux fs/ocfs2/stack_o2cb.c, o2dlm_eviction_cb()).
    Evicted(u32),
    /// "Begin recovery on domain %s for node %u" (linux fs/ocfs2/dlm/dlmrecovery.c, dlm_do_recovery()).
    Begin(u32),
}

/// Why a mount was refused before it joined the cluster.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MountRefusal {
    /// "o2cb: This node has not been configured." (linux fs/ocfs2/stack_o2cb.c, o2cb_cluster_connect()).
    NodeNotConfigured,
    /// "A different cluster stack is in use" (linux fs/ocfs2/stackglue.c, ocfs2_stack_driver_get()).
    OtherStack,
    /// "Mismatching o2cb heartbeat modes" (linux fs/ocfs2/super.c, ocfs2_verify_heartbeat()).
    HeartbeatModes,
    /// "no free slots available!" (linux fs/ocfs2/slot_map.c, ocfs2_find_slot()).
    NoFreeSlot,
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
        reason: Rejection,
    },
    /// o2net could not bind its listening socket (-99: the node's IP is not on this host).
    NetBindFailed {
        errno: i32,
    },
    /// o2cb's cluster check at mount: some configured nodes are not connected.
    NetClusterCheckFailed {
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
        kind: HbIo,
    },
    /// The device's logical block size is not the one the region was set up with.
    HbBlocksize {
        got: u32,
        expected: u32,
    },
    HbUnstable {
        region: String,
    },
    /// This node's heartbeat write hung for half the dead time; it asks node
    /// `asked` to negotiate a longer timeout.
    HbWriteHung {
        node: u32,
        secs: u64,
        device: String,
        asked: u32,
    },
    /// A peer told this node its heartbeat write hung on `device`.
    HbPeerWriteHung {
        node: u32,
        device: String,
    },
    /// o2hbmonitor: this node's last heartbeat write is this old.
    HbLastPing {
        msecs: u64,
        device: String,
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
        /// The dead node, where the message names it in a known place.
        of: Option<Recovering>,
    },
    /// An o2dlm message to a node failed with this errno (-107: not connected).
    DlmSendFailed {
        errno: i32,
    },
    /// Two nodes joining a domain disagree on the heartbeat regions (global heartbeat).
    DlmRegionMismatch {
        text: String,
    },
    /// A joining node's DLM or filesystem locking protocol was refused.
    DlmProtocolRefused {
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
        /// `Begin replay journal (node N, slot S)`: whose journal, from which slot.
        journal: Option<(u32, u32)>,
    },
    FsError {
        function: String,
        status: i32,
    },
    /// A mount-time refusal by the stack glue or the filesystem.
    MountRefused {
        reason: MountRefusal,
    },
    Fence {
        text: String,
        /// o2quo_fence_self()'s `by restarting` / `by panicing`.
        method: Option<String>,
        /// o2quo_make_decision()'s reason ("fencing this node because ..."), not
        /// o2quo_fence_self()'s "ocfs2 is very sorry to be fencing this system".
        by_quorum: bool,
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
            Rule { re: r"attempt to connect from unknown node", make: |c| O2Event::NetRejected { text: s(c, 0), reason: Rejection::UnknownNode } },
            Rule { re: r"unexpected connect attempt seen", make: |c| O2Event::NetRejected { text: s(c, 0), reason: Rejection::UnexpectedConnect } },
            Rule { re: r"advertised net protocol version", make: |c| O2Event::NetRejected { text: s(c, 0), reason: Rejection::ProtocolVersion } },
            Rule { re: r"attempt to connect from node '.*' but it already has", make: |c| O2Event::NetRejected { text: s(c, 0), reason: Rejection::AlreadyConnected } },
            Rule { re: r"o2hb: heartbeat mode set to (\w+)", make: |c| O2Event::HbMode { mode: s(c, 1).to_lowercase() } },
            Rule { re: r"o2hb: heartbeat started on region (\w+)", make: |c| O2Event::HbRegion { region: s(c, 1), started: true } },
            Rule { re: r"o2hb: heartbeat (?:stopped|start aborted) on region (\w+)", make: |c| O2Event::HbRegion { region: s(c, 1), started: false } },
            Rule { re: r"heartbeat write timeout to device (\S+) after (\d+) milliseconds", make: |c| O2Event::HbWriteTimeout { device: s(c, 1), ms: n(c, 2) } },
            Rule { re: r"o2hb: unable to stabilize heartbea\w* on region (\w+)", make: |c| O2Event::HbUnstable { region: s(c, 1) } },
            Rule { re: r"(write error -?\d+ on device.*)", make: |c| O2Event::HbIoError { text: s(c, 1), kind: HbIo::WriteError } },
            Rule { re: r"(o2hb.*io error -?\d+.*)", make: |c| O2Event::HbIoError { text: s(c, 1), kind: HbIo::IoError } },
            Rule { re: r"(node \d+ has written a bad crc.*)", make: |c| O2Event::HbIoError { text: s(c, 1), kind: HbIo::BadCrc } },
            Rule { re: r"(?:o2dlm|ocfs2_dlm): (?:joining domain|node (\d+) joins domain) ([0-9A-F]{32})\s*(?:\(([\d ]*)\))?", make: |c| O2Event::DlmJoin { domain: s(c, 2).to_uppercase(), node: c.get(1).and_then(|m| m.as_str().parse().ok()), nodes: nodes(c, 3) } },
            Rule { re: r"(?:o2dlm|ocfs2_dlm): node (\d+) leaves domain ([0-9A-F]{32})\s*(?:\(([\d ]*)\))?", make: |c| O2Event::DlmLeave { domain: s(c, 2).to_uppercase(), node: Some(n(c, 1)), nodes: nodes(c, 3) } },
            Rule { re: r"(?:o2dlm|ocfs2_dlm): leaving domain ([0-9A-F]{32})", make: |c| O2Event::DlmLeave { domain: s(c, 1).to_uppercase(), node: None, nodes: Vec::new() } },
            Rule { re: r#"(?:o2dlm|ocfs2_dlm): nodes in domain \(?"?([0-9A-F]{32})"?\)?: ([\d ]*)"#, make: |c| O2Event::DlmNodes { domain: s(c, 1).to_uppercase(), nodes: nodes(c, 2) } },
            // The two recovery lines that name the dead node; text as the general rule below has it.
            Rule { re: r"(has evicted node (\d+) from domain ([0-9A-F]{32}))", make: |c| O2Event::DlmRecovery { domain: s(c, 3).to_uppercase(), text: s(c, 1), of: Some(Recovering::Evicted(n(c, 2))) } },
            Rule { re: r"(begin recovery on domain ([0-9A-F]{32})) for node (\d+)", make: |c| O2Event::DlmRecovery { domain: s(c, 2).to_uppercase(), text: s(c, 1), of: Some(Recovering::Begin(n(c, 3))) } },
            Rule { re: r"((?:begin|end) recovery on domain|is the recovery master for the dead node|waiting on the (?:death|recovery) of node|has evicted node)\D*.*?([0-9A-F]{32})", make: |c| O2Event::DlmRecovery { domain: s(c, 2).to_uppercase(), text: s(c, 0), of: None } },
            Rule { re: r"ocfs2: mounting device \((\d+,\d+)\) on \(node (\w+), slot (\d+)\)", make: |c| O2Event::FsMount { device: s(c, 1), node: s(c, 2), slot: n(c, 3) } },
            Rule { re: r"ocfs2: unmounting device \((\d+,\d+)\) on \(node (\w+)\)", make: |c| O2Event::FsUnmount { device: s(c, 1), node: s(c, 2) } },
            // linux fs/ocfs2/journal.c, ocfs2_replay_journal(): "Begin replay journal (node %d, slot %d) on device (%u,%u)".
            Rule { re: r"(begin replay journal \(node (\d+), slot (\d+)\).*)", make: |c| O2Event::FsReplay { text: s(c, 1), journal: Some((n(c, 2), n(c, 3))) } },
            Rule { re: r"((?:begin|end) replay journal.*|recovering node \d+ from slot.*|was not unmounted cleanly, recovering it.*)", make: |c| O2Event::FsReplay { text: s(c, 1), journal: None } },
            Rule { re: r"\):(\w+):\d+ ERROR: status = (-?\d+)", make: |c| O2Event::FsError { function: s(c, 1), status: n(c, 2) } },
            Rule { re: r"(ocfs2 is very sorry to be fencing this system(?: by (\w+))?.*)", make: |c| O2Event::Fence { text: s(c, 1), method: c.get(2).map(|m| m.as_str().to_string()), by_quorum: false } },
            Rule { re: r"(fencing this node because .*)", make: |c| O2Event::Fence { text: s(c, 1), method: None, by_quorum: true } },
            // The rules below came from why's signatures; they sit after the rules
            // above so that a line keeps the event it had before they were added.
            // linux fs/ocfs2/cluster/tcp.c, o2net_open_listening_sock(): "o2net: Error %d while
            // binding socket at %pI4:%u" (current), "unable to bind socket at %pI4:%u, ret=%d" (2.6.39).
            Rule { re: r"error (-?\d+) while binding socket|unable to bind socket at .* ret=(-?\d+)", make: |c| O2Event::NetBindFailed { errno: c.get(1).or(c.get(2)).and_then(|m| m.as_str().parse().ok()).unwrap_or_default() } },
            // linux fs/ocfs2/stack_o2cb.c, o2cb_cluster_check(): "o2cb: This node could not connect to nodes:".
            Rule { re: r"this node could not connect to nodes.*", make: |c| O2Event::NetClusterCheckFailed { text: s(c, 0) } },
            // linux fs/ocfs2/dlm/dlmdomain.c, dlm_request_join() (and o2dlm's other senders):
            // "Error %d when sending message %u (key 0x%x) to node %u", both wordings.
            Rule { re: r"error (-?\d+) when sending message", make: |c| O2Event::DlmSendFailed { errno: n(c, 1) } },
            // linux fs/ocfs2/dlm/dlmdomain.c, dlm_match_regions(): "Domain %s: Region '%.*s'
            // registered in joining node %d but not in local node %d" (and local/joining swapped).
            Rule { re: r"registered in (?:joining|local) node \d+ but not in.*", make: |c| O2Event::DlmRegionMismatch { text: s(c, 0) } },
            // linux fs/ocfs2/cluster/heartbeat.c, o2hb_region_dev_store() (2.6.39: o2hb_region_dev_write()):
            // "blocksize %u incorrect for device, expected %d".
            Rule { re: r"blocksize (\d+) incorrect for device, expected (\d+)", make: |c| O2Event::HbBlocksize { got: n(c, 1), expected: n(c, 2) } },
            Rule { re: r"o2cb: this node has not been configured", make: |_| O2Event::MountRefused { reason: MountRefusal::NodeNotConfigured } },
            Rule { re: r"a different cluster stack is in use", make: |_| O2Event::MountRefused { reason: MountRefusal::OtherStack } },
            Rule { re: r"mismatching o2cb heartbeat modes", make: |_| O2Event::MountRefused { reason: MountRefusal::HeartbeatModes } },
            Rule { re: r"no free slots available", make: |_| O2Event::MountRefused { reason: MountRefusal::NoFreeSlot } },
            // linux fs/ocfs2/dlm/dlmdomain.c, dlm_query_join_handler() ("... locking protocol %u.%u,
            // but we have %u.%u, disallowing") and dlm_request_join() ("This node requested DLM locking
            // protocol %u.%u and filesystem locking protocol %u.%u.  At least one of the protocol
            // versions on node %d is not compatible, disconnecting").
            // linux fs/ocfs2/cluster/heartbeat.c, o2hb_nego_timeout(): "node %d hb write hung for %ds on
            // region %s (%pg), negotiate timeout with node %d."; o2hb_nego_timeout_handler(): "receive
            // negotiate timeout message from node %d on region %s (%pg)." (kernels since 4.6).
            Rule { re: r"node (\d+) hb write hung for (\d+)s on region \S+ \(([^)]+)\), negotiate timeout with node (\d+)", make: |c| O2Event::HbWriteHung { node: n(c, 1), secs: n(c, 2), device: s(c, 3), asked: n(c, 4) } },
            Rule { re: r"receive negotiate timeout message from node (\d+) on region \S+ \(([^)]+)\)", make: |c| O2Event::HbPeerWriteHung { node: n(c, 1), device: s(c, 2) } },
            // ocfs2-tools o2monitor/o2hbmonitor.c, process_elapsed_time(): "Last ping %lu msecs ago on /dev/%s, %s".
            Rule { re: r"last ping (\d+) msecs ago on (\S+), ([0-9A-F]+)", make: |c| O2Event::HbLastPing { msecs: n(c, 1), device: s(c, 2).trim_start_matches("/dev/").to_string(), region: s(c, 3) } },
            Rule { re: r"locking protocol \d+\.\d+, but we have \d+\.\d+, disallowing.*|protocol versions on node \d+ is not compatible.*", make: |c| O2Event::DlmProtocolRefused { text: s(c, 0) } },
        ];
        let patterns: Vec<String> = table.iter().map(|r| format!("(?i){}", r.re.replace("NODE", PEER))).collect();
        // The set is compiled on a thread of its own beside the rules: the first
        // line a scan recognises waits for both (tens of ms on one core). A
        // scoped thread, not rayon: a rayon worker may be the one blocked on
        // this initialisation, and a job queued to the pool would never run.
        let (compiled, set) = std::thread::scope(|scope| {
            let set = scope.spawn(|| RegexSet::new(&patterns).expect("valid regex set"));
            let compiled: Vec<Regex> = patterns.iter().map(|p| Regex::new(p).expect("valid regex")).collect();
            (compiled, set.join().expect("the regex set compiles"))
        });
        let _ = RULE_SET.set(set);
        compiled.into_iter().zip(table).map(|(re, r)| (re, r.make)).collect()
    })
}

static RULE_SET: OnceLock<RegexSet> = OnceLock::new();

/// [`rules`] as one set, in the same order (built with them).
fn rule_set() -> &'static RegexSet {
    rules();
    RULE_SET.get().expect("built with the rules")
}

/// Does this message belong to the o2 stack (or the other stack's DLM) at all?
/// A cheap test done before any regex.
pub fn is_candidate(message: &str) -> bool {
    // Built once: `memmem::find` builds its searcher on every call, which cost
    // more than the search on every kernel line of every node.
    static KEYWORDS: LazyLock<[memchr::memmem::Finder<'static>; 5]> = LazyLock::new(|| {
        [
            "o2".as_bytes(),
            b"ocfs2",
            b"OCFS2",
            // 2.6.39 o2dlm mlog lines carry only the function name (`):dlm_do_recovery:`).
            b"):dlm_",
            // o2quo_make_decision()'s reason, pasted without its mlog prefix, names no o2.
            b"fencing this node because",
        ]
        .map(memchr::memmem::Finder::new)
    });
    let m = message.as_bytes();
    message.starts_with("dlm: ") || KEYWORDS.iter().any(|k| k.find(m).is_some())
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
    // run again for its captures (trying 40 regexes in turn cost more than the
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
    fn mount_refusals_and_join_failures_in_both_wordings() {
        // Built from the format strings (fixtures/kernel-messages/PROVENANCE).
        for line in [
            "o2net: Error -99 while binding socket at 10.77.0.151:7777",
            "(o2net,2987,0):o2net_open_listening_sock:1890 ERROR: unable to bind socket at 10.10.10.2:7777, ret=-99",
        ] {
            assert_eq!(recognize(line), Some(O2Event::NetBindFailed { errno: -99 }));
        }
        assert_eq!(
            recognize("(mount.ocfs2,9,0):o2hb_region_dev_store:1 ERROR: blocksize 512 incorrect for device, expected 4096"),
            Some(O2Event::HbBlocksize { got: 512, expected: 4096 })
        );
        assert_eq!(
            recognize("(mount.ocfs2,2201,1):dlm_request_join:1477 ERROR: Error -107 when sending message 510 (key 0x666c6172) to node 1"),
            Some(O2Event::DlmSendFailed { errno: -107 })
        );
        assert_eq!(
            recognize("o2cb: This node has not been configured."),
            Some(O2Event::MountRefused {
                reason: MountRefusal::NodeNotConfigured
            })
        );
        assert!(matches!(
            recognize("(o2net,1,0):o2net_accept_one:1 attempt to connect from unknown node at 10.10.10.3:40312"),
            Some(O2Event::NetRejected { reason: Rejection::UnknownNode, .. })
        ));
        // o2quo_make_decision()'s reason is a fence too, but not the self-fence line.
        assert!(matches!(
            recognize("(kworker/u2:1,50,0):o2quo_make_decision:144 ERROR: fencing this node because it is connected to a half-quorum of 1 out of 2 nodes which doesn't include the lowest active node 1"),
            Some(O2Event::Fence { by_quorum: true, .. })
        ));
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
