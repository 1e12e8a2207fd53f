//! `flock-exclusion`: every node increments one shared counter K times, each time
//! under a cluster-wide flock(2): lock, reopen the counter, read, write n+1, fsync,
//! close, unlock. With real exclusion the final value is N*K and every value
//! 1..=N*K was written exactly once; a value written twice is an update lost
//! because two nodes read the same count.

use crate::ctx::Ctx;
use crate::error::{io_error, ScenarioError};
use crate::stats::ms;
use crate::sync;
use nix::fcntl::{Flock, FlockArg};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fs::OpenOptions;
use std::io::Read;
use std::os::unix::fs::FileExt;
use std::path::Path;
use std::time::{Duration, Instant};

pub const FILE: &str = "counter";
const LOCK: &str = "counter.lock";

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CounterReport {
    /// The values this node wrote, in order.
    pub values: Vec<u64>,
    /// Time each flock(LOCK_EX) waited, ms.
    pub wait_ms: Vec<f64>,
    /// The leader: the counter after every node finished.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub final_value: Option<u64>,
}

/// The counter file's text for `n`: fixed width, so a write replaces it whole.
fn encode(n: u64) -> String {
    format!("{n:020}\n")
}

fn decode(text: &str) -> Option<u64> {
    text.trim().parse().ok()
}

pub fn read_counter(dir: &Path) -> Result<u64, ScenarioError> {
    let path = dir.join(FILE);
    let text = std::fs::read_to_string(&path)
        .map_err(io_error(format!("cannot read {}", path.display())))?;
    decode(&text).ok_or_else(|| ScenarioError::NotANumber {
        what: path.display().to_string(),
        text: text.trim().to_string(),
    })
}

/// One increment under the lock; returns the value written and the lock wait.
fn increment(dir: &Path, hold: Duration) -> Result<(u64, Duration), ScenarioError> {
    let lock =
        sync::open_or_create(&dir.join(LOCK), false).map_err(io_error("open the lock file"))?;
    let t = Instant::now();
    let guard =
        Flock::lock(lock, FlockArg::LockExclusive).map_err(|(_, e)| io_error("flock")(e.into()))?;
    let waited = t.elapsed();
    // Reopened under the lock, so this node reads the current contents.
    let mut f = OpenOptions::new()
        .read(true)
        .write(true)
        .open(dir.join(FILE))
        .map_err(io_error("open the counter"))?;
    let mut text = String::new();
    f.read_to_string(&mut text)
        .map_err(io_error("read the counter"))?;
    let n = decode(&text).ok_or_else(|| ScenarioError::NotANumber {
        what: "the counter".into(),
        text: text.trim().to_string(),
    })?;
    if !hold.is_zero() {
        std::thread::sleep(hold);
    }
    f.write_all_at(encode(n + 1).as_bytes(), 0)
        .map_err(io_error("write the counter"))?;
    f.sync_all().map_err(io_error("fsync the counter"))?;
    drop(f);
    drop(guard);
    Ok((n + 1, waited))
}

pub fn agent(ctx: &Ctx) -> Result<CounterReport, ScenarioError> {
    let p = ctx.preset.flock_exclusion.clone();
    if ctx.is_leader() {
        std::fs::write(ctx.dir.join(FILE), encode(0))
            .map_err(io_error("cannot create the counter"))?;
        sync::open_or_create(&ctx.dir.join(LOCK), false)
            .map_err(io_error("cannot create the lock file"))?;
    }
    sync::ready(ctx)?;
    let mut r = CounterReport::default();
    let hold = Duration::from_millis(p.hold_ms);
    for k in 0..p.increments {
        ctx.check()?;
        let (v, waited) = increment(&ctx.dir, hold)?;
        r.values.push(v);
        r.wait_ms.push(ms(waited));
        ctx.progress("increment", k + 1, p.increments);
    }
    if ctx.is_leader() {
        sync::wait_done(ctx)?;
        r.final_value = Some(read_counter(&ctx.dir)?);
    }
    Ok(r)
}

/// What the counter and the values the nodes wrote say.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CounterVerdict {
    pub expected: u64,
    pub final_value: u64,
    /// expected - final: increments that vanished.
    pub lost_updates: u64,
    /// Values written more than once, with who wrote them.
    pub duplicates: Vec<(u64, Vec<String>)>,
}

impl CounterVerdict {
    pub fn is_perfect(&self) -> bool {
        self.final_value == self.expected && self.duplicates.is_empty()
    }
}

/// `values` per node; `expected` = nodes x increments.
pub fn verify(
    final_value: u64,
    values: &BTreeMap<String, Vec<u64>>,
    expected: u64,
) -> CounterVerdict {
    let mut writers: BTreeMap<u64, Vec<String>> = BTreeMap::new();
    for (node, vs) in values {
        for &v in vs {
            writers.entry(v).or_default().push(node.clone());
        }
    }
    CounterVerdict {
        expected,
        final_value,
        lost_updates: expected.saturating_sub(final_value),
        duplicates: writers.into_iter().filter(|(_, w)| w.len() > 1).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::preset::Preset;

    #[test]
    fn exclusive_increments_add_up() {
        let dir = tempfile::tempdir().unwrap();
        let mut preset = Preset::default();
        preset.flock_exclusion.increments = 40;
        let nodes = ["a", "b", "c"];
        let reports: Vec<CounterReport> = std::thread::scope(|s| {
            let hs: Vec<_> = nodes
                .iter()
                .map(|me| {
                    let ctx = Ctx::for_test(
                        dir.path(),
                        me,
                        &nodes,
                        preset.clone(),
                        Duration::from_secs(30),
                    );
                    s.spawn(move || {
                        let r = agent(&ctx);
                        if !ctx.is_leader() {
                            sync::done(&ctx, "ok").unwrap();
                        }
                        r.unwrap()
                    })
                })
                .collect();
            hs.into_iter().map(|h| h.join().unwrap()).collect()
        });
        let values: BTreeMap<String, Vec<u64>> = nodes
            .iter()
            .zip(&reports)
            .map(|(n, r)| (n.to_string(), r.values.clone()))
            .collect();
        let v = verify(reports[0].final_value.unwrap(), &values, 120);
        assert!(v.is_perfect(), "{v:?}");
    }

    #[test]
    fn a_lost_update_is_named() {
        let values = BTreeMap::from([
            ("a".to_string(), vec![1, 2, 4]),
            ("b".to_string(), vec![3, 4, 5]),
        ]);
        let v = verify(5, &values, 6);
        assert_eq!(v.lost_updates, 1);
        assert_eq!(
            v.duplicates,
            vec![(4, vec!["a".to_string(), "b".to_string()])]
        );
        assert!(!v.is_perfect());
        let fine = BTreeMap::from([("a".to_string(), vec![1, 3]), ("b".to_string(), vec![2, 4])]);
        assert!(verify(4, &fine, 4).is_perfect());
        assert!(
            !verify(3, &fine, 4).is_perfect(),
            "a final value short of N*K fails alone"
        );
    }
}
