//! After the last scenario (unless kept): `scenario cleanup` on one node
//! removes the run's directory from the shared mount, with a timeout.

use super::agent::tail;
use super::run::Coordinator;
use super::CleanupError;
use std::time::Duration;

const CLEANUP_TIMEOUT_S: u64 = 60;

impl Coordinator<'_> {
    /// Remove the run's directory from the first usable node.
    pub(super) fn cleanup(&self, programs: &[String]) -> Result<(), CleanupError> {
        let Some((node, program)) = self.nodes.iter().zip(programs).find(|(_, p)| !p.is_empty())
        else {
            return Ok(());
        };
        let mut argv = vec![
            program.clone(),
            "scenario".into(),
            "cleanup".into(),
            "--timeout".into(),
            CLEANUP_TIMEOUT_S.to_string(),
        ];
        argv.extend(
            self.common()
                .into_iter()
                .filter(|a| a != "--allow-non-ocfs2"),
        );
        let out = self.t.run(
            node,
            &argv,
            None,
            Duration::from_secs(CLEANUP_TIMEOUT_S + 30),
        )?;
        if out.exit_code == Some(0) {
            Ok(())
        } else {
            Err(CleanupError::Failed {
                node: node.name.clone(),
                detail: tail(&out.stderr),
            })
        }
    }
}
