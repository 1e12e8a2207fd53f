//! Before the first scenario: get o2check onto every node (deploy, or one
//! program for all) and check the mount there (`scenario prepare`: OCFS2, run
//! directory not in use), sorting each node's failure into refused (a usage
//! error) or unusable (the node is reported and its scenarios are not run).

use super::agent::tail;
use super::run::{Coordinator, Programs};
use super::CoordinatorError;
use crate::workspace::{self, Probe};
use o2check_cluster::deploy;
use o2check_cluster::{fanout, Node};
use o2check_reports::{CheckResult, Layer, Status};

/// Why a node cannot take part.
pub(super) enum NodeProblem {
    /// A usage error: the path is not OCFS2, the run id is in use.
    Refused(String),
    /// Unreachable, deploy failed, the mount does not answer.
    Unusable(String),
}

pub(super) fn node_error(node: &str, e: &str) -> CheckResult {
    CheckResult {
        check: "scenario-node".into(),
        node: node.into(),
        layer: Layer::Scenario,
        status: Status::Error,
        summary: e.into(),
        finding: None,
        severity: None,
        evidence: Vec::new(),
        fix: Some("make the node reachable (ssh with keys, BatchMode) and the mount present on it, or leave it out with --nodes".into()),
        rationale: "every scenario needs every node: a node that cannot be reached cannot take part".into(),
        duration_ms: 0,
    }
}

impl Coordinator<'_> {
    /// Per node: the o2check to call there, once it is deployed and the mount
    /// checked. Err when the run directory cannot be created.
    pub(super) fn prepare(
        &self,
        programs: &Programs,
    ) -> Result<Vec<Result<String, NodeProblem>>, CoordinatorError> {
        let ready = fanout::map_nodes(self.nodes, self.o.parallel, |node| {
            let program = match programs {
                Programs::Same(p) => p.clone(),
                Programs::Deploy { payload, deploy } => {
                    deploy::ensure(self.t, node, payload, deploy)
                        .map_err(|e| NodeProblem::Unusable(e.to_string()))?
                        .program
                }
            };
            self.probe(node, &program, false)?;
            Ok(program)
        });
        // One node makes the run directory (the mount is shared) before any agent
        // starts; the agents only join it once they verified it is this run's.
        if let Some((node, Ok(program))) = self.nodes.iter().zip(&ready).find(|(_, r)| r.is_ok()) {
            match self.probe(node, program, true) {
                Ok(()) => {}
                Err(NodeProblem::Refused(e)) | Err(NodeProblem::Unusable(e)) => {
                    return Err(CoordinatorError::RunDirectory {
                        node: node.name.clone(),
                        reason: e,
                    })
                }
            }
        }
        Ok(ready)
    }

    fn probe(&self, node: &Node, program: &str, create: bool) -> Result<(), NodeProblem> {
        let mut argv = vec![program.to_string(), "scenario".into(), "prepare".into()];
        argv.extend(self.common());
        if create {
            argv.push("--create".into());
        }
        let out = self
            .t
            .run(node, &argv, None, self.o.node_timeout)
            .map_err(|e| NodeProblem::Unusable(e.to_string()))?;
        let text = String::from_utf8_lossy(&out.stdout);
        let probe: Probe = text
            .lines()
            .rev()
            .find_map(|l| serde_json::from_str(l).ok())
            .ok_or_else(|| {
                NodeProblem::Unusable(format!(
                    "`{program} scenario prepare` gave no answer (exit {:?}): {}",
                    out.exit_code,
                    tail(&out.stderr)
                ))
            })?;
        let why = || probe.error.clone().unwrap_or_default();
        if probe.refused {
            return Err(NodeProblem::Refused(why()));
        }
        if !probe.ok {
            return Err(NodeProblem::Unusable(why()));
        }
        if probe.exists {
            return Err(NodeProblem::Refused(format!(
                "{} already exists: choose another --run-id, or remove it with `o2check scenario cleanup --mount {} --run-id {}`",
                workspace::dir_of(&self.o.mount, &self.o.run_id).display(),
                self.o.mount.display(),
                self.o.run_id
            )));
        }
        Ok(())
    }
}
