//! Every scenario, defined once: its name, what it is for, the preset section it
//! reads, what it writes, how it is judged, what each node's agent does and the
//! verdict over all nodes' reports. The coordinator, the agents, the judge,
//! `scenario list` and the README's table all read [`Scenario::ALL`], as the
//! checks read `rules::ALL`: a new scenario is its agent's file, its verdict's
//! file, one definition here and its [`Report`] variant.

use crate::append::{self, AppendReport};
use crate::checksum::{self, ChecksumReport};
use crate::counter::{self, CounterReport};
use crate::ctx::Ctx;
use crate::error::{JudgeError, ScenarioError};
use crate::judge;
use crate::preset::Preset;
use crate::tail::{self, StreamVerdict, TailWriterReport};
use crate::visible::{self, FollowerReport, Kind, LeaderReport};
use o2check_reports::CheckResult;
use serde::{Deserialize, Serialize};
use std::fmt;

/// One scenario's definition.
pub struct ScenarioDef {
    /// The check id in reports and the name on the command line.
    pub id: &'static str,
    /// One line for `scenario list`.
    pub about: &'static str,
    /// Why it matters, in every result.
    pub rationale: &'static str,
    /// The preset section (`scenarios/quick.toml`) its parameters are in.
    pub params: &'static str,
    /// What it writes in its directory `<mount>/.o2check-<run id>/<id>/`.
    pub writes: &'static str,
    /// What it does and when it passes (the README's scenario table).
    pub judged: &'static str,
    /// Scenarios with a leader and followers need someone to follow.
    pub min_nodes: usize,
    /// Why `all` leaves it out with this preset (it still runs by name).
    pub left_out_of_all: fn(&Preset) -> Option<&'static str>,
    /// This node's part (the context says whether it leads).
    pub run: fn(&Ctx) -> Result<Report, ScenarioError>,
    /// Every node's report (the leader's among them) to one result.
    pub verdict: Verdict,
}

/// A scenario's verdict: the preset, the leader's name and every node's report.
pub type Verdict =
    fn(Scenario, &Preset, &str, &[(String, Report)]) -> Result<CheckResult, JudgeError>;

/// What one node's agent found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Report {
    Append(AppendReport),
    TailWriter(TailWriterReport),
    TailFollower(StreamVerdict),
    Counter(CounterReport),
    VisibleLeader(LeaderReport),
    VisibleFollower(FollowerReport),
    Checksum(ChecksumReport),
}

/// A scenario: a handle on its definition, compared by id.
#[derive(Clone, Copy)]
pub struct Scenario(&'static ScenarioDef);

fn in_all(_: &Preset) -> Option<&'static str> {
    None
}

impl Scenario {
    pub const CONCURRENT_APPEND: Scenario = Scenario(&ScenarioDef {
        id: "concurrent-append",
        about: "every node appends records to one file with plain O_APPEND at once; counts lost, torn, duplicated, reordered (loses records on OCFS2: runs by name or with expect_loss)",
        rationale: "applications that append to one file from several nodes (logs, journals) lose or tear lines on OCFS2 unless they serialise; this shows whether it happens here",
        params: "concurrent_append",
        writes: "one shared file every node appends to, and each writer's done marker",
        judged: "every node appends self-checking records (writer, sequence, length, CRC-32) with plain O_APPEND at once; counts lost, torn, duplicated, out-of-order. On OCFS2 this loses records (O_APPEND uses the node's cached size), so `all` runs it only with `expect_loss = true` / `--expect-loss`: then loss passes (\"loss shown as expected\") and no loss fails (\"did not exercise the race\"). Run by name without it, loss fails with the fix",
        min_nodes: 1,
        left_out_of_all: |p| (!p.concurrent_append.expect_loss).then_some(
            "plain O_APPEND is expected to lose records on OCFS2, so `all` runs it only with expect_loss = true (or --expect-loss); run it by name to see the loss",
        ),
        run: |ctx| append::agent(ctx, false).map(Report::Append),
        verdict: judge::append::verdict,
    });

    pub const CONCURRENT_APPEND_FLOCK: Scenario = Scenario(&ScenarioDef {
        id: "concurrent-append-flock",
        about: "the same under a cluster flock, the file reopened under the lock: nothing may be lost",
        rationale: "appends serialised by a cluster flock, the file reopened under the lock, must all arrive whole, once, in each writer's order",
        params: "concurrent_append",
        writes: "one shared file and its lock file, and each writer's done marker",
        judged: "the same, each append under a cluster flock with the file reopened under the lock; nothing may be lost, torn or reordered",
        min_nodes: 1,
        left_out_of_all: in_all,
        run: |ctx| append::agent(ctx, true).map(Report::Append),
        verdict: judge::append::verdict,
    });

    pub const TAIL_FOLLOW: Scenario = Scenario(&ScenarioDef {
        id: "tail-follow",
        about: "one node appends, the others follow like tail -f and ack; every record seen once, in order; write->ack round trip",
        rationale: "a reader on another node (tail -f, a log shipper) must see every appended line once and in order, within a bounded time",
        params: "tail_follow",
        writes: "the leader's file of records and one ack file per follower",
        judged: "the leader appends records (each in two writes, so followers see partial lines); the others follow as `tail -f` (fstat, read the new bytes, keep a partial line); every record seen once, whole, in order, and the write → all-acks round trip (p50/p99/max) within `max_latency_ms`",
        min_nodes: 2,
        left_out_of_all: in_all,
        run: |ctx| {
            if ctx.is_leader() {
                tail::leader(ctx).map(Report::TailWriter)
            } else {
                tail::follower(ctx).map(Report::TailFollower)
            }
        },
        verdict: judge::tail::verdict,
    });

    pub const FLOCK_EXCLUSION: Scenario = Scenario(&ScenarioDef {
        id: "flock-exclusion",
        about: "every node increments a shared counter under a cluster flock; final value N*K, no lost update; lock wait",
        rationale: "flock(2) on OCFS2 with o2cb is cluster-wide: a read-modify-write under it must never lose an update",
        params: "flock_exclusion",
        writes: "one shared counter file, its lock file and a log of the values each node wrote",
        judged: "every node increments one counter K times under a cluster flock (reopen, read, write, fsync); final value N×K and no value written twice (a lost update names both writers); lock wait p50/p99",
        min_nodes: 1,
        left_out_of_all: in_all,
        run: |ctx| counter::agent(ctx).map(Report::Counter),
        verdict: judge::flock::verdict,
    });

    pub const CREATE_UNLINK_VISIBLE: Scenario = Scenario(&ScenarioDef {
        id: "create-unlink-visible",
        about: "one node creates then unlinks files one at a time; the others must see each change; round trip",
        rationale: "files created or removed on one node must appear and disappear on the others (stat and readdir) within a bounded time",
        params: "create_unlink_visible",
        writes: "small files the leader creates and unlinks one at a time, and the followers' ack files",
        judged: "the leader creates then unlinks files one at a time; followers must see each change (stat and readdir, with the contents) within the bound",
        min_nodes: 2,
        left_out_of_all: in_all,
        run: |ctx| {
            if ctx.is_leader() {
                visible::leader(ctx, Kind::CreateUnlink).map(Report::VisibleLeader)
            } else {
                visible::follower(ctx, Kind::CreateUnlink).map(Report::VisibleFollower)
            }
        },
        verdict: judge::visible::verdict,
    });

    pub const RENAME_VISIBLE: Scenario = Scenario(&ScenarioDef {
        id: "rename-visible",
        about: "one node renames a file step by step; the others must see each rename; round trip",
        rationale: "a rename on one node (the atomic-replace idiom) must be seen by the others, with the file's contents, within a bounded time",
        params: "rename_visible",
        writes: "one small file the leader renames step by step, and the followers' ack files",
        judged: "the leader renames `r-0` → `r-1` → …; followers must see each rename (new name there, old gone, contents intact) within the bound",
        min_nodes: 2,
        left_out_of_all: in_all,
        run: |ctx| {
            if ctx.is_leader() {
                visible::leader(ctx, Kind::Rename).map(Report::VisibleLeader)
            } else {
                visible::follower(ctx, Kind::Rename).map(Report::VisibleFollower)
            }
        },
        verdict: judge::visible::verdict,
    });

    pub const WRITE_READ_CHECKSUM: Scenario = Scenario(&ScenarioDef {
        id: "write-read-checksum",
        about: "one node writes a large pseudo-random file and fsyncs; the others read it back identical (SHA-256); MiB/s",
        rationale: "data written and fsynced on one node must read back bit-identical on every other node",
        params: "write_read_checksum",
        writes: "one large file of pseudo-random data the leader writes and the others read",
        judged: "the leader writes `size_mib` of pseudo-random data seeded by the run id, fsyncs, records its SHA-256; the others read it back, hash it and compare block by block (a mismatch is reported by offset); MiB/s for the write and each read",
        min_nodes: 2,
        left_out_of_all: in_all,
        run: |ctx| {
            if ctx.is_leader() {
                checksum::leader(ctx).map(Report::Checksum)
            } else {
                checksum::follower(ctx).map(Report::Checksum)
            }
        },
        verdict: judge::checksum::verdict,
    });

    /// Every scenario, in the order `all` runs them.
    pub const ALL: &'static [Scenario] = &[
        Scenario::CONCURRENT_APPEND,
        Scenario::CONCURRENT_APPEND_FLOCK,
        Scenario::TAIL_FOLLOW,
        Scenario::FLOCK_EXCLUSION,
        Scenario::CREATE_UNLINK_VISIBLE,
        Scenario::RENAME_VISIBLE,
        Scenario::WRITE_READ_CHECKSUM,
    ];

    /// Its whole definition.
    pub fn def(self) -> &'static ScenarioDef {
        self.0
    }

    /// The check id in reports and the name on the command line.
    pub fn id(self) -> &'static str {
        self.0.id
    }

    /// One line for `scenario list`.
    pub fn about(self) -> &'static str {
        self.0.about
    }

    pub fn min_nodes(self) -> usize {
        self.0.min_nodes
    }

    pub fn parse(id: &str) -> Option<Scenario> {
        Scenario::ALL.iter().copied().find(|s| s.id() == id)
    }
}

impl PartialEq for Scenario {
    fn eq(&self, other: &Scenario) -> bool {
        self.id() == other.id()
    }
}

impl Eq for Scenario {}

impl fmt::Debug for Scenario {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Scenario({})", self.id())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_plain_names_and_every_definition_is_filled_in() {
        for (i, s) in Scenario::ALL.iter().enumerate() {
            let d = s.def();
            assert!(
                d.id.chars().all(|c| c.is_ascii_lowercase() || c == '-'),
                "{}",
                d.id
            );
            assert!(
                Scenario::ALL[..i].iter().all(|o| o.id() != d.id),
                "{} twice",
                d.id
            );
            for text in [d.about, d.rationale, d.params, d.writes, d.judged] {
                assert!(!text.trim().is_empty(), "{}: an empty field", d.id);
            }
            assert!(
                toml::from_str::<toml::Table>(crate::preset::QUICK)
                    .unwrap()
                    .contains_key(d.params),
                "{}: no [{}] in quick.toml",
                d.id,
                d.params
            );
            assert!(d.min_nodes >= 1);
        }
    }

    #[test]
    fn only_plain_append_is_left_out_of_all_and_only_without_expect_loss() {
        let mut p = Preset::default();
        let out: Vec<&str> = Scenario::ALL
            .iter()
            .filter(|s| (s.def().left_out_of_all)(&p).is_some())
            .map(|s| s.id())
            .collect();
        assert_eq!(out, ["concurrent-append"]);
        p.concurrent_append.expect_loss = true;
        assert!(Scenario::ALL
            .iter()
            .all(|s| (s.def().left_out_of_all)(&p).is_none()));
    }
}
