//! Scenario parameters from TOML presets (`scenarios/quick.toml`,
//! `scenarios/nightly.toml`) that users copy and tune for their nightly runs.
//! Every section and field is optional; what is left out takes the quick preset's
//! value. Unknown sections and fields are errors, so a typo cannot silently fall
//! back to a default.

use crate::error::PresetError;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// The quick preset, built in: what `scenario run` uses without `--preset`.
pub const QUICK: &str = include_str!("../quick.toml");

/// `[run]`: how agents wait for each other and for the filesystem.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct RunParams {
    /// How often a node polls the shared files or directory for another node's
    /// change, in milliseconds (inotify does not see other nodes' writes).
    pub poll_ms: u64,
    /// Seconds the agents wait for each other at the start barrier.
    pub start_timeout_s: u64,
    /// Seconds one scenario may take on a node; past it the agent stops and the
    /// scenario is an error (a hung mount must not hang the run).
    pub timeout_s: u64,
}

impl Default for RunParams {
    fn default() -> Self {
        RunParams {
            poll_ms: 5,
            start_timeout_s: 30,
            timeout_s: 120,
        }
    }
}

/// `[concurrent_append]`, for `concurrent-append` and `concurrent-append-flock`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct AppendParams {
    /// Records each node appends.
    pub records: u64,
    /// Payload bytes per record (a record is about 30 bytes longer).
    pub payload: usize,
    /// Pause between two appends of one node, in milliseconds.
    pub pause_ms: u64,
    /// Plain O_APPEND is expected to lose records on OCFS2: with this set,
    /// `concurrent-append` passes when it shows the loss and fails when it does not
    /// (the race was not exercised), and `all` includes it.
    pub expect_loss: bool,
}

impl Default for AppendParams {
    fn default() -> Self {
        AppendParams {
            records: 60,
            payload: 60,
            pause_ms: 10,
            expect_loss: false,
        }
    }
}

/// `[tail_follow]`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct TailParams {
    /// Records the writer appends.
    pub records: u64,
    /// Payload bytes per record.
    pub payload: usize,
    /// Records the writer may be ahead of the slowest follower's ack (1: strict
    /// ping-pong, each round trip measured alone).
    pub window: u64,
    /// Write each record in two write(2) calls a poll interval apart, so followers
    /// meet partial lines as `tail -f` does.
    pub split: bool,
    /// Pass bound on the write -> every follower's ack round trip, milliseconds.
    pub max_latency_ms: u64,
    /// A follower that sees no new byte for this long stops waiting (the missing
    /// records are lost); the writer stops waiting for an ack after it too.
    pub give_up_ms: u64,
}

impl Default for TailParams {
    fn default() -> Self {
        TailParams {
            records: 30,
            payload: 60,
            window: 1,
            split: true,
            max_latency_ms: 2000,
            give_up_ms: 10_000,
        }
    }
}

/// `[flock_exclusion]`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct FlockParams {
    /// Increments of the shared counter each node makes under the lock.
    pub increments: u64,
    /// Milliseconds to hold the lock between reading and writing the counter
    /// (widens the window a broken lock would let another node into).
    pub hold_ms: u64,
}

impl Default for FlockParams {
    fn default() -> Self {
        FlockParams {
            increments: 30,
            hold_ms: 0,
        }
    }
}

/// `[create_unlink_visible]`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct CreateUnlinkParams {
    /// Files the leader creates and then unlinks, one change at a time (two
    /// changes per file).
    pub files: u64,
    /// Pass bound on change -> every follower's ack, milliseconds.
    pub max_latency_ms: u64,
    /// A change not seen by then is reported as never seen.
    pub give_up_ms: u64,
}

impl Default for CreateUnlinkParams {
    fn default() -> Self {
        CreateUnlinkParams {
            files: 10,
            max_latency_ms: 2000,
            give_up_ms: 10_000,
        }
    }
}

/// `[rename_visible]`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct RenameParams {
    /// Renames the leader makes, one at a time (`r-0` -> `r-1` -> ...).
    pub renames: u64,
    pub max_latency_ms: u64,
    pub give_up_ms: u64,
}

impl Default for RenameParams {
    fn default() -> Self {
        RenameParams {
            renames: 10,
            max_latency_ms: 2000,
            give_up_ms: 10_000,
        }
    }
}

/// `[write_read_checksum]`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct ChecksumParams {
    /// Size of the file the leader writes, MiB.
    pub size_mib: u64,
    /// Bytes per write(2)/read(2), KiB.
    pub block_kib: u64,
}

impl Default for ChecksumParams {
    fn default() -> Self {
        ChecksumParams {
            size_mib: 16,
            block_kib: 1024,
        }
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct Preset {
    pub run: RunParams,
    pub concurrent_append: AppendParams,
    pub tail_follow: TailParams,
    pub flock_exclusion: FlockParams,
    pub create_unlink_visible: CreateUnlinkParams,
    pub rename_visible: RenameParams,
    pub write_read_checksum: ChecksumParams,
}

impl Preset {
    /// The first value that would make a scenario meaningless or divide by zero.
    pub fn zero_field(&self) -> Option<&'static str> {
        let nonzero = [
            ("run.poll_ms", self.run.poll_ms),
            ("run.start_timeout_s", self.run.start_timeout_s),
            ("run.timeout_s", self.run.timeout_s),
            ("concurrent_append.records", self.concurrent_append.records),
            ("tail_follow.records", self.tail_follow.records),
            ("tail_follow.window", self.tail_follow.window),
            ("tail_follow.give_up_ms", self.tail_follow.give_up_ms),
            (
                "flock_exclusion.increments",
                self.flock_exclusion.increments,
            ),
            (
                "create_unlink_visible.files",
                self.create_unlink_visible.files,
            ),
            (
                "create_unlink_visible.give_up_ms",
                self.create_unlink_visible.give_up_ms,
            ),
            ("rename_visible.renames", self.rename_visible.renames),
            ("rename_visible.give_up_ms", self.rename_visible.give_up_ms),
            (
                "write_read_checksum.size_mib",
                self.write_read_checksum.size_mib,
            ),
            (
                "write_read_checksum.block_kib",
                self.write_read_checksum.block_kib,
            ),
        ];
        nonzero.iter().find(|(_, v)| *v == 0).map(|(name, _)| *name)
    }
}

/// Parse preset text; `origin` names it in errors.
pub fn parse(origin: &str, text: &str) -> Result<Preset, PresetError> {
    let p: Preset = toml::from_str(text).map_err(|source| PresetError::Syntax {
        origin: origin.to_string(),
        source,
    })?;
    match p.zero_field() {
        Some(field) => Err(PresetError::Zero {
            origin: origin.to_string(),
            field,
        }),
        None => Ok(p),
    }
}

pub fn load(path: &Path) -> Result<Preset, PresetError> {
    let text = std::fs::read_to_string(path).map_err(|source| PresetError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    parse(&path.display().to_string(), &text)
}

/// The built-in quick preset.
pub fn quick() -> Preset {
    parse("quick.toml", QUICK).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_presets_load() {
        for name in ["quick.toml", "nightly.toml"] {
            let p = load(&Path::new(env!("CARGO_MANIFEST_DIR")).join(name)).unwrap();
            assert!(p.concurrent_append.records > 0);
            assert!(
                !p.concurrent_append.expect_loss,
                "{name}: a local fs must pass `all`"
            );
        }
        // The built-in copy is the file, and what a preset leaves out takes the
        // same values (serde fills missing fields from Default).
        assert_eq!(quick(), parse("q", QUICK).unwrap());
        assert_eq!(
            quick(),
            Preset::default(),
            "Default and quick.toml drifted apart"
        );
        let nightly = load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("nightly.toml")).unwrap();
        assert!(nightly.tail_follow.records > quick().tail_follow.records);
    }

    #[test]
    fn typos_and_zeroes_are_errors() {
        let bad = "[concurrent_append]\nrecords = 1\npayload = 2\ntypo = 3\n";
        assert!(parse("p", bad).unwrap_err().to_string().contains("typo"));
        assert!(parse("p", "[tail_folow]\nrecords = 1\n").is_err());
        let zero = parse("p", "[tail_follow]\nwindow = 0\n")
            .unwrap_err()
            .to_string();
        assert!(zero.contains("tail_follow.window"), "{zero}");
        // Sections left out take the defaults.
        let p = parse("p", "[flock_exclusion]\nincrements = 7\n").unwrap();
        assert_eq!(p.flock_exclusion.increments, 7);
        assert_eq!(p.tail_follow, TailParams::default());
    }
}
