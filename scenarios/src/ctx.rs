//! What a scenario agent knows: which node it is, the other nodes, its directory
//! on the shared mount, the preset, and when it has to give up.

use crate::error::ScenarioError;
use crate::preset::Preset;
use crate::workspace::stopping;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Reports progress: phase, done, total. The agent prints it for the coordinator.
pub type Progress = Arc<dyn Fn(&str, u64, u64) + Send + Sync>;

pub struct Ctx {
    /// `<mount>/.o2check-<run id>/<scenario>/`, shared by every node.
    pub dir: PathBuf,
    pub run_id: String,
    /// This node's name, as the coordinator calls it.
    pub me: String,
    /// Every node of the run, the leader first.
    pub nodes: Vec<String>,
    pub preset: Preset,
    /// Past it, every loop gives up with an error.
    pub deadline: Instant,
    /// Leave the scenario's files on the mount.
    pub keep: bool,
    pub progress: Progress,
}

impl Ctx {
    /// The node that writes (tail-follow, checksum), makes the changes (visible
    /// scenarios) and verifies the shared files: the first node.
    pub fn leader(&self) -> &str {
        &self.nodes[0]
    }

    pub fn is_leader(&self) -> bool {
        self.me == self.nodes[0]
    }

    /// Every node but the leader.
    pub fn followers(&self) -> &[String] {
        &self.nodes[1..]
    }

    pub fn poll(&self) -> Duration {
        Duration::from_millis(self.preset.run.poll_ms.max(1))
    }

    /// Err when the agent must stop now: asked to (Ctrl-C, stdin closed) or past
    /// its deadline.
    pub fn check(&self) -> Result<(), ScenarioError> {
        if stopping() {
            return Err(ScenarioError::Interrupted);
        }
        if Instant::now() >= self.deadline {
            return Err(ScenarioError::Deadline {
                timeout_s: self.preset.run.timeout_s,
            });
        }
        Ok(())
    }

    /// Sleep one poll interval, then [`Ctx::check`].
    pub fn nap(&self) -> Result<(), ScenarioError> {
        std::thread::sleep(self.poll());
        self.check()
    }

    pub fn progress(&self, phase: &str, done: u64, total: u64) {
        (self.progress)(phase, done, total)
    }

    /// Time left before the deadline.
    pub fn left(&self) -> Duration {
        self.deadline.saturating_duration_since(Instant::now())
    }

    /// A maker of test contexts for each of `nodes` in `dir`, 30 s deadline: the
    /// threaded local runs of every scenario start one per node.
    #[doc(hidden)]
    pub fn test_maker<'a>(
        dir: &'a std::path::Path,
        nodes: &'a [&'a str],
        preset: &'a Preset,
    ) -> impl Fn(&str) -> Ctx + 'a {
        move |me| Ctx::for_test(dir, me, nodes, preset.clone(), Duration::from_secs(30))
    }

    /// A context for tests: `me` among `nodes` in `dir`, the quick preset changed by `f`.
    #[doc(hidden)]
    pub fn for_test(
        dir: &std::path::Path,
        me: &str,
        nodes: &[&str],
        preset: Preset,
        timeout: Duration,
    ) -> Ctx {
        Ctx {
            dir: dir.to_path_buf(),
            run_id: "test".into(),
            me: me.into(),
            nodes: nodes.iter().map(|n| n.to_string()).collect(),
            preset,
            deadline: Instant::now() + timeout,
            keep: true,
            progress: Arc::new(|_, _, _| {}),
        }
    }
}
