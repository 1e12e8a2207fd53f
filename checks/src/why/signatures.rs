//! Which kernel events point at which cause: a table from `O2Event`s (the one
//! recogniser of kernel-log wording, kernlog/event.rs, in both the 2.6.39 and the
//! current wording) to a signature name and the cause it supports.

use crate::kernlog::event::{recognize, HbIo, MountRefusal, O2Event, Rejection, Setting};

/// A named kind of kernel event and the cause it supports.
pub struct Signature {
    pub name: &'static str,
    pub cause: &'static str,
    /// Is this event one of this signature's kind?
    pub is: fn(&O2Event) -> bool,
}

fn mismatch(e: &O2Event, want: Setting) -> bool {
    matches!(e, O2Event::NetMismatch { setting, .. } if *setting == want)
}

pub const SIGNATURES: &[Signature] = &[
    Signature {
        name: "idle timeout mismatch",
        cause: "timeout-mismatch",
        is: |e| mismatch(e, Setting::IdleTimeout),
    },
    Signature {
        name: "keepalive mismatch",
        cause: "timeout-mismatch",
        is: |e| mismatch(e, Setting::Keepalive),
    },
    Signature {
        name: "heartbeat timeout mismatch",
        cause: "timeout-mismatch",
        is: |e| mismatch(e, Setting::HeartbeatTimeout),
    },
    Signature {
        name: "dead count mismatch",
        cause: "timeout-mismatch",
        is: |e| mismatch(e, Setting::DeadCount),
    },
    Signature {
        name: "no o2net connection",
        cause: "network-unreachable",
        is: |e| matches!(e, O2Event::NetNoConnection { .. }),
    },
    Signature {
        name: "connect refused or unreachable",
        cause: "network-unreachable",
        // The state is the socket's sk_state (linux fs/ocfs2/cluster/tcp.c,
        // o2net_state_change()): 7 is TCP_CLOSE, the connect was refused or unreachable.
        is: |e| matches!(e, O2Event::NetShutdown { state: 7, .. }),
    },
    Signature {
        name: "cluster check failed",
        cause: "network-unreachable",
        is: |e| matches!(e, O2Event::NetClusterCheckFailed { .. }),
    },
    Signature {
        name: "DLM join message failed",
        cause: "network-unreachable",
        is: |e| matches!(e, O2Event::DlmSendFailed { errno: -107 }),
    },
    Signature {
        name: "connect attempt failed",
        cause: "network-unreachable",
        is: |e| matches!(e, O2Event::NetConnectFailed { .. }),
    },
    Signature {
        name: "unknown peer",
        cause: "cluster-conf-differs",
        is: |e| {
            matches!(
                e,
                O2Event::NetRejected {
                    reason: Rejection::UnknownNode,
                    ..
                }
            )
        },
    },
    Signature {
        name: "unexpected peer",
        cause: "cluster-conf-differs",
        is: |e| {
            matches!(
                e,
                O2Event::NetRejected {
                    reason: Rejection::UnexpectedConnect,
                    ..
                }
            )
        },
    },
    Signature {
        name: "node registered on one side only",
        cause: "cluster-conf-differs",
        is: |e| matches!(e, O2Event::DlmRegionMismatch { .. }),
    },
    Signature {
        name: "sector size mismatch",
        cause: "sector-size-mismatch",
        is: |e| matches!(e, O2Event::HbBlocksize { .. }),
    },
    Signature {
        name: "heartbeat did not stabilise",
        cause: "storage-io",
        is: |e| matches!(e, O2Event::HbUnstable { .. }),
    },
    Signature {
        name: "heartbeat I/O error",
        cause: "storage-io",
        // A bad crc is a corrupt slot, not a failed write.
        is: |e| {
            matches!(
                e,
                O2Event::HbIoError {
                    kind: HbIo::WriteError | HbIo::IoError,
                    ..
                }
            )
        },
    },
    Signature {
        name: "heartbeat write timeout",
        cause: "storage-io",
        is: |e| matches!(e, O2Event::HbWriteTimeout { .. }),
    },
    Signature {
        name: "listener cannot bind",
        cause: "local-ip-missing",
        // -99 EADDRNOTAVAIL: the node's cluster.conf address is not on this host.
        is: |e| matches!(e, O2Event::NetBindFailed { errno: -99 }),
    },
    Signature {
        name: "no local node at mount",
        cause: "no-local-node",
        is: |e| refused(e, MountRefusal::NodeNotConfigured),
    },
    Signature {
        name: "another stack in use",
        cause: "disk-cluster-mismatch",
        is: |e| refused(e, MountRefusal::OtherStack),
    },
    Signature {
        name: "heartbeat modes differ",
        cause: "disk-cluster-mismatch",
        is: |e| refused(e, MountRefusal::HeartbeatModes),
    },
    Signature {
        name: "no free slot",
        cause: "too-few-slots",
        is: |e| refused(e, MountRefusal::NoFreeSlot),
    },
    Signature {
        name: "locking protocol refused",
        cause: "version-mismatch",
        is: |e| matches!(e, O2Event::DlmProtocolRefused { .. }),
    },
    Signature {
        name: "fencing",
        cause: "fenced",
        is: |e| {
            matches!(
                e,
                O2Event::Fence {
                    by_quorum: false,
                    ..
                }
            )
        },
    },
];

fn refused(e: &O2Event, want: MountRefusal) -> bool {
    matches!(e, O2Event::MountRefused { reason } if *reason == want)
}

/// The signatures a kernel message matches (the event event.rs reads in it).
pub fn matching(message: &str) -> impl Iterator<Item = &'static Signature> {
    let event = recognize(message);
    SIGNATURES
        .iter()
        .filter(move |s| event.as_ref().is_some_and(|e| (s.is)(e)))
}

/// The signatures of an event already recognised (the facts layer's).
pub fn signatures_of(event: &O2Event) -> impl Iterator<Item = &'static Signature> + '_ {
    SIGNATURES.iter().filter(move |s| (s.is)(event))
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

    /// Every text file under fixtures/ (real captures, and kernel-messages/ built
    /// from the format strings where no capture has the message).
    fn fixture_files() -> Vec<std::path::PathBuf> {
        let mut dirs = vec![std::path::PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../fixtures"
        ))];
        let mut files = Vec::new();
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(&dir).unwrap().flatten() {
                let Ok(kind) = entry.file_type() else {
                    continue;
                };
                if kind.is_dir() {
                    dirs.push(entry.path());
                } else if kind.is_file() {
                    files.push(entry.path());
                }
            }
        }
        files
    }

    #[test]
    fn every_signature_names_an_event_a_fixture_line_produces() {
        let mut seen = vec![false; SIGNATURES.len()];
        for file in fixture_files() {
            let Ok(bytes) = std::fs::read(&file) else {
                continue;
            };
            let text = String::from_utf8_lossy(&bytes).into_owned();
            let log = crate::kernlog::lines::from_text(&crate::text::Text::new("fixture", text));
            for event in log.iter().filter_map(|l| recognize(&l.message)) {
                for (i, s) in SIGNATURES.iter().enumerate() {
                    seen[i] |= (s.is)(&event);
                }
            }
        }
        let missing: Vec<_> = SIGNATURES
            .iter()
            .zip(&seen)
            .filter(|(_, seen)| !**seen)
            .map(|(s, _)| s.name)
            .collect();
        assert!(
            missing.is_empty(),
            "no fixture line gives the event of {missing:?}"
        );
    }
}
