//! Kernel log lines that point at a cause, in both the 2.6.39 and the current
//! wording (matched case-insensitively): kernel fs/ocfs2/cluster/tcp.c, heartbeat.c,
//! stack_o2cb.c, slot_map.c and dlm/dlmdomain.c.

use regex::Regex;
use std::sync::OnceLock;

/// A named pattern and the cause it supports.
pub struct Signature {
    pub name: &'static str,
    pub cause: &'static str,
    pattern: &'static str,
}

pub const SIGNATURES: &[Signature] = &[
    Signature {
        name: "idle timeout mismatch",
        cause: "timeout-mismatch",
        pattern: r"uses a network idle timeout of \d+ ms, but we use \d+ ms locally",
    },
    Signature {
        name: "keepalive mismatch",
        cause: "timeout-mismatch",
        pattern: r"uses a keepalive delay of \d+ ms, but we use \d+ ms locally",
    },
    Signature {
        name: "heartbeat timeout mismatch",
        cause: "timeout-mismatch",
        pattern: r"uses a heartbeat timeout of \d+ ms, but we use \d+ ms locally",
    },
    Signature {
        name: "dead count mismatch",
        cause: "timeout-mismatch",
        pattern: r"has a dead count of \d+ ms, but our count is \d+ ms",
    },
    Signature {
        name: "no o2net connection",
        cause: "network-unreachable",
        pattern: r"no connection established with node \d+ after",
    },
    Signature {
        name: "connect refused or unreachable",
        cause: "network-unreachable",
        pattern: r"connection to node .* shutdown, state 7",
    },
    Signature {
        name: "cluster check failed",
        cause: "network-unreachable",
        pattern: r"this node could not connect to nodes",
    },
    Signature {
        name: "DLM join message failed",
        cause: "network-unreachable",
        pattern: r"error -107 when sending message",
    },
    Signature {
        name: "connect attempt failed",
        cause: "network-unreachable",
        pattern: r"connect attempt to node .* failed with errno",
    },
    Signature {
        name: "unknown peer",
        cause: "cluster-conf-differs",
        pattern: r"attempt to connect from unknown node",
    },
    Signature {
        name: "unexpected peer",
        cause: "cluster-conf-differs",
        pattern: r"unexpected connect attempt seen at node",
    },
    Signature {
        name: "node registered on one side only",
        cause: "cluster-conf-differs",
        pattern: r"registered in (joining|local) node \d+ but not in",
    },
    Signature {
        name: "sector size mismatch",
        cause: "sector-size-mismatch",
        pattern: r"blocksize \d+ incorrect for device, expected \d+",
    },
    Signature {
        name: "heartbeat did not stabilise",
        cause: "storage-io",
        pattern: r"unable to stabilize heartbea",
    },
    Signature {
        name: "heartbeat I/O error",
        cause: "storage-io",
        pattern: r"(write error -?\d+ on device|o2hb.*io error -?\d+)",
    },
    Signature {
        name: "heartbeat write timeout",
        cause: "storage-io",
        pattern: r"heartbeat write timeout to device",
    },
    Signature {
        name: "listener cannot bind",
        cause: "local-ip-missing",
        pattern: r"(error -99 while binding socket|unable to bind socket at .* ret=-99)",
    },
    Signature {
        name: "no local node at mount",
        cause: "no-local-node",
        pattern: r"o2cb: this node has not been configured",
    },
    Signature {
        name: "another stack in use",
        cause: "disk-cluster-mismatch",
        pattern: r"a different cluster stack is in use",
    },
    Signature {
        name: "heartbeat modes differ",
        cause: "disk-cluster-mismatch",
        pattern: r"mismatching o2cb heartbeat modes",
    },
    Signature {
        name: "no free slot",
        cause: "too-few-slots",
        pattern: r"no free slots available",
    },
    Signature {
        name: "locking protocol refused",
        cause: "version-mismatch",
        pattern: r"(locking protocol \d+\.\d+, but we have \d+\.\d+, disallowing|protocol versions on node \d+ is not compatible)",
    },
    Signature {
        name: "fencing",
        cause: "fenced",
        pattern: r"ocfs2 is very sorry to be fencing this system",
    },
];

fn compiled() -> &'static Vec<Regex> {
    static RE: OnceLock<Vec<Regex>> = OnceLock::new();
    RE.get_or_init(|| {
        SIGNATURES
            .iter()
            .map(|s| Regex::new(&format!("(?i){}", s.pattern)).expect("valid regex"))
            .collect()
    })
}

/// The signatures a kernel message matches.
pub fn matching(message: &str) -> impl Iterator<Item = &'static Signature> + '_ {
    compiled()
        .iter()
        .zip(SIGNATURES)
        .filter(move |(re, _)| re.is_match(message))
        .map(|(_, s)| s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_wordings() {
        let new = "o2net: node n150.ocfs2.test (num 1) at 10.77.0.150:7777 uses a network idle timeout of 30000 ms, but we use 10000 ms locally. Disconnecting.";
        let old = "(o2net,2987,0):o2net_check_handshake:1305 node node2 (num 1) at 10.10.10.2:7777 uses a network idle timeout of 60000 ms, but we use 30000 ms locally.  disconnecting";
        for m in [new, old] {
            assert_eq!(
                matching(m).map(|s| s.cause).collect::<Vec<_>>(),
                ["timeout-mismatch"]
            );
        }
        assert_eq!(matching("(o2net,1,0):o2net_connect_expired:1 ERROR: no connection established with node 1 after 30.0 seconds, giving up and returning errors.").next().unwrap().cause, "network-unreachable");
        assert_eq!(matching("(mount.ocfs2,9,0):o2hb_region_dev_store:1 ERROR: blocksize 512 incorrect for device, expected 4096").next().unwrap().cause, "sector-size-mismatch");
        assert_eq!(
            matching("o2hb: Unable to stabilize heartbeart on region X (dm-3)")
                .next()
                .unwrap()
                .cause,
            "storage-io"
        );
        assert!(matching("o2dlm: Joining domain X").next().is_none());
    }
}
