//! `create-unlink-visible` and `rename-visible`: the leader changes the shared
//! directory one step at a time (create a file, unlink it; rename `r-i` to
//! `r-i+1`); every other node polls until it sees the step (by stat(2) and in a
//! directory listing, as `ls` would) and acks it. The leader waits for every ack
//! before the next step and measures the round trip on its own clock.

use crate::ctx::Ctx;
use crate::error::{io_error, ScenarioError};
use crate::stats::ms;
use crate::sync::{self, AckReader, AckWriter};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io;
use std::path::Path;
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    CreateUnlink,
    Rename,
}

impl Kind {
    fn steps(self, ctx: &Ctx) -> u64 {
        match self {
            Kind::CreateUnlink => 2 * ctx.preset.create_unlink_visible.files,
            Kind::Rename => ctx.preset.rename_visible.renames,
        }
    }

    fn give_up(self, ctx: &Ctx) -> Duration {
        Duration::from_millis(match self {
            Kind::CreateUnlink => ctx.preset.create_unlink_visible.give_up_ms,
            Kind::Rename => ctx.preset.rename_visible.give_up_ms,
        })
    }

    /// What step `i` does, for reports.
    pub fn describe(self, i: u64) -> String {
        match self {
            Kind::CreateUnlink if i % 2 == 0 => format!("create f-{}", i / 2),
            Kind::CreateUnlink => format!("unlink f-{}", i / 2),
            Kind::Rename => format!("rename r-{i} -> r-{}", i + 1),
        }
    }
}

fn content(run_id: &str) -> String {
    format!("o2check {run_id}\n")
}

/// The leader makes step `i`.
fn apply(kind: Kind, dir: &Path, run_id: &str, i: u64) -> io::Result<()> {
    match kind {
        Kind::CreateUnlink if i % 2 == 0 => {
            std::fs::write(dir.join(format!("f-{}", i / 2)), content(run_id))
        }
        Kind::CreateUnlink => std::fs::remove_file(dir.join(format!("f-{}", i / 2))),
        Kind::Rename => {
            std::fs::rename(dir.join(format!("r-{i}")), dir.join(format!("r-{}", i + 1)))
        }
    }
}

fn exists(dir: &Path, name: &str) -> io::Result<bool> {
    match std::fs::symlink_metadata(dir.join(name)) {
        Ok(_) => Ok(true),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(e),
    }
}

fn listed(dir: &Path, name: &str) -> io::Result<bool> {
    for entry in std::fs::read_dir(dir)? {
        if entry?.file_name() == name {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Is `name`'s presence `want`, both by stat and in the listing?
fn is(dir: &Path, name: &str, want: bool) -> io::Result<bool> {
    Ok(exists(dir, name)? == want && listed(dir, name)? == want)
}

/// Does a follower see step `i` done? Also returns a content anomaly when the
/// file that appeared does not hold what the leader wrote.
fn observed(kind: Kind, dir: &Path, run_id: &str, i: u64) -> io::Result<(bool, Option<String>)> {
    let (name, want, old) = match kind {
        Kind::CreateUnlink => (format!("f-{}", i / 2), i % 2 == 0, None),
        Kind::Rename => (format!("r-{}", i + 1), true, Some(format!("r-{i}"))),
    };
    if !is(dir, &name, want)? {
        return Ok((false, None));
    }
    if let Some(old) = old {
        if !is(dir, &old, false)? {
            return Ok((false, None));
        }
    }
    if want {
        let got = std::fs::read(dir.join(&name))?;
        let expected = content(run_id);
        if got != expected.as_bytes() {
            // Created but not yet written (creat, then write): not seen yet.
            if expected.as_bytes().starts_with(&got) {
                return Ok((false, None));
            }
            return Ok((
                true,
                Some(format!("{name} holds {:?}", String::from_utf8_lossy(&got))),
            ));
        }
    }
    Ok((true, None))
}

/// The leader's side.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LeaderReport {
    pub steps: u64,
    /// Round trip step -> every follower's ack, per step seen by all, ms.
    pub rtt_ms: Vec<f64>,
    /// Steps some follower did not ack within give_up_ms: step -> those nodes.
    pub unseen: BTreeMap<u64, Vec<String>>,
}

/// A follower's side.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FollowerReport {
    pub seen: u64,
    /// Steps it gave up waiting for.
    pub missed: Vec<u64>,
    /// Files that appeared with the wrong contents.
    pub anomalies: Vec<String>,
}

pub fn leader(ctx: &Ctx, kind: Kind) -> Result<LeaderReport, ScenarioError> {
    let steps = kind.steps(ctx);
    if kind == Kind::Rename {
        std::fs::write(ctx.dir.join("r-0"), content(&ctx.run_id))
            .map_err(io_error("cannot create r-0"))?;
    }
    sync::ready(ctx)?;
    let mut readers: Vec<AckReader> = ctx
        .followers()
        .iter()
        .map(|f| AckReader::new(&ctx.dir, f))
        .collect();
    let give_up = kind.give_up(ctx);
    let mut r = LeaderReport {
        steps,
        ..LeaderReport::default()
    };
    for i in 0..steps {
        ctx.check()?;
        apply(kind, &ctx.dir, &ctx.run_id, i)
            .map_err(io_error(format!("{} failed", kind.describe(i))))?;
        let t = Instant::now();
        let (took, missing) = sync::wait_acks(ctx, &mut readers, i, t, give_up)?;
        if missing.is_empty() {
            r.rtt_ms.push(ms(took));
        } else {
            r.unseen.insert(i, missing);
        }
        ctx.progress("change", i + 1, steps);
    }
    sync::wait_done(ctx)?;
    Ok(r)
}

pub fn follower(ctx: &Ctx, kind: Kind) -> Result<FollowerReport, ScenarioError> {
    let steps = kind.steps(ctx);
    let give_up = kind.give_up(ctx);
    let mut acks =
        AckWriter::create(&ctx.dir, &ctx.me).map_err(io_error("cannot create ack file"))?;
    sync::ready(ctx)?;
    let mut r = FollowerReport::default();
    for i in 0..steps {
        let t = Instant::now();
        loop {
            ctx.check()?;
            let (seen, anomaly) = observed(kind, &ctx.dir, &ctx.run_id, i)
                .map_err(io_error(format!("watching for {}", kind.describe(i))))?;
            if seen {
                r.anomalies.extend(anomaly);
                r.seen += 1;
                acks.ack(i).map_err(io_error("cannot write ack"))?;
                break;
            }
            if t.elapsed() >= give_up {
                r.missed.push(i);
                break;
            }
            std::thread::sleep(ctx.poll());
        }
        ctx.progress("watch", i + 1, steps);
    }
    Ok(r)
}

/// What the leader's and the followers' reports say together.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct VisibleVerdict {
    pub steps: u64,
    /// (step, node) pairs never seen.
    pub unseen: Vec<(u64, String)>,
    /// Round trips over the bound.
    pub over_bound: usize,
    pub max_ms: Option<f64>,
    pub anomalies: Vec<String>,
}

impl VisibleVerdict {
    pub fn is_perfect(&self) -> bool {
        self.unseen.is_empty() && self.over_bound == 0 && self.anomalies.is_empty()
    }
}

pub fn verify(
    leader: &LeaderReport,
    followers: &BTreeMap<String, FollowerReport>,
    bound_ms: f64,
) -> VisibleVerdict {
    let mut unseen: Vec<(u64, String)> = leader
        .unseen
        .iter()
        .flat_map(|(&i, nodes)| nodes.iter().map(move |n| (i, n.clone())))
        .collect();
    for (node, f) in followers {
        for &i in &f.missed {
            if !unseen.contains(&(i, node.clone())) {
                unseen.push((i, node.clone()));
            }
        }
    }
    unseen.sort();
    VisibleVerdict {
        steps: leader.steps,
        over_bound: leader.rtt_ms.iter().filter(|&&x| x > bound_ms).count(),
        max_ms: leader.rtt_ms.iter().copied().reduce(f64::max),
        unseen,
        anomalies: followers
            .iter()
            .flat_map(|(n, f)| f.anomalies.iter().map(move |a| format!("{n}: {a}")))
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::preset::Preset;

    fn run_all(kind: Kind, preset: Preset) -> (LeaderReport, BTreeMap<String, FollowerReport>) {
        let dir = tempfile::tempdir().unwrap();
        let nodes = ["l", "f1", "f2"];
        std::thread::scope(|s| {
            let mk = Ctx::test_maker(dir.path(), &nodes, &preset);
            let lctx = mk("l");
            let l = s.spawn(move || leader(&lctx, kind).unwrap());
            let fs: Vec<_> = ["f1", "f2"]
                .into_iter()
                .map(|me| {
                    let ctx = mk(me);
                    s.spawn(move || {
                        let r = follower(&ctx, kind).unwrap();
                        sync::done(&ctx, "ok").unwrap();
                        (me.to_string(), r)
                    })
                })
                .collect();
            let followers = fs.into_iter().map(|h| h.join().unwrap()).collect();
            (l.join().unwrap(), followers)
        })
    }

    #[test]
    fn every_change_is_seen_locally() {
        let mut preset = Preset::default();
        preset.create_unlink_visible.files = 5;
        preset.rename_visible.renames = 5;
        for kind in [Kind::CreateUnlink, Kind::Rename] {
            let (l, f) = run_all(kind, preset.clone());
            let v = verify(&l, &f, 2000.0);
            assert!(v.is_perfect(), "{kind:?}: {v:?}");
            assert_eq!(l.rtt_ms.len() as u64, l.steps);
            assert_eq!(f["f2"].seen, l.steps);
        }
    }

    #[test]
    fn a_change_never_seen_or_too_slow_fails() {
        let leader = LeaderReport {
            steps: 4,
            rtt_ms: vec![1.0, 2.0, 3000.0],
            unseen: BTreeMap::from([(3, vec!["f2".to_string()])]),
        };
        let followers = BTreeMap::from([
            (
                "f1".to_string(),
                FollowerReport {
                    seen: 4,
                    ..Default::default()
                },
            ),
            (
                "f2".to_string(),
                FollowerReport {
                    seen: 3,
                    missed: vec![3],
                    anomalies: vec!["f-1 holds \"\"".into()],
                },
            ),
        ]);
        let v = verify(&leader, &followers, 2000.0);
        assert_eq!(v.unseen, vec![(3, "f2".to_string())], "counted once");
        assert_eq!(v.over_bound, 1);
        assert_eq!(v.max_ms, Some(3000.0));
        assert_eq!(v.anomalies.len(), 1);
        assert!(!v.is_perfect());
    }

    #[test]
    fn a_file_seen_before_its_contents_is_not_seen_yet_and_wrong_contents_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        assert_eq!(
            observed(Kind::CreateUnlink, d, "r", 0).unwrap(),
            (false, None)
        );
        std::fs::write(d.join("f-0"), "").unwrap();
        assert_eq!(
            observed(Kind::CreateUnlink, d, "r", 0).unwrap(),
            (false, None)
        );
        std::fs::write(d.join("f-0"), "o2check").unwrap();
        assert_eq!(
            observed(Kind::CreateUnlink, d, "r", 0).unwrap(),
            (false, None)
        );
        std::fs::write(d.join("f-0"), content("r")).unwrap();
        assert_eq!(
            observed(Kind::CreateUnlink, d, "r", 0).unwrap(),
            (true, None)
        );
        std::fs::write(d.join("f-0"), "garbage\n").unwrap();
        let (seen, anomaly) = observed(Kind::CreateUnlink, d, "r", 0).unwrap();
        assert!(seen && anomaly.unwrap().contains("garbage"));
        assert_eq!(
            observed(Kind::CreateUnlink, d, "r", 1).unwrap(),
            (false, None)
        );
        // A rename is seen when the new name is there and the old one gone.
        std::fs::write(d.join("r-0"), content("r")).unwrap();
        assert_eq!(observed(Kind::Rename, d, "r", 0).unwrap(), (false, None));
        std::fs::write(d.join("r-1"), content("r")).unwrap();
        assert_eq!(
            observed(Kind::Rename, d, "r", 0).unwrap(),
            (false, None),
            "r-0 still there"
        );
        std::fs::remove_file(d.join("r-0")).unwrap();
        assert_eq!(observed(Kind::Rename, d, "r", 0).unwrap(), (true, None));
    }

    #[test]
    fn a_follower_that_never_sees_a_step_reports_it_missed() {
        let dir = tempfile::tempdir().unwrap();
        let mut preset = Preset::default();
        preset.create_unlink_visible.files = 1;
        preset.create_unlink_visible.give_up_ms = 50;
        preset.run.start_timeout_s = 5;
        let ctx = Ctx::for_test(
            dir.path(),
            "f1",
            &["l", "f1"],
            preset,
            Duration::from_secs(10),
        );
        sync::mark(dir.path(), "ready-l", "ready\n").unwrap();
        // Nobody creates f-0: step 0 is missed; step 1 (f-0 gone) is seen at once.
        let r = follower(&ctx, Kind::CreateUnlink).unwrap();
        assert_eq!(r.missed, vec![0]);
        assert_eq!(r.seen, 1);
    }
}
