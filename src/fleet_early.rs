//! `o2check fleet`'s pipelining: a cluster is checked, and its reports written,
//! as soon as every node its members' cluster.conf files list is in, in the
//! worker of the node that came last, while other clusters still collect.
//! Which nodes make a cluster is only final once the whole fleet is in (a node
//! listed nowhere may still boot that cluster, a same-named cluster may share
//! a member), so the final partition decides: a cluster whose nodes and
//! reachability are exactly what was checked early keeps that report, any
//! other is checked again at the end (see [`EarlyClusters::take`]).

use crate::cluster_sources::{Arrival, Reach};
use crate::early::Early;
use crate::{cmd_run, trials};
use chrono::{DateTime, Utc};
use o2check_checks::rules::{self, local_node_names, o2cb_node_is_local};
use o2check_checks::source::Source;
use o2check_checks::Options;
use o2check_cluster::fleet::{self, Placement};
use o2check_reports::RunReport;
use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// A cluster checked before the fleet was in.
pub struct Checked {
    /// Its nodes' positions in the node list, ascending.
    pub indices: Vec<usize>,
    pub report: RunReport,
    /// The directory its reports were written to, beneath `--out`.
    pub dir: PathBuf,
}

/// One arrived node, as the clusters are checked from.
struct Arrived {
    source: Arc<dyn Source>,
    placement: Placement,
    reach: Reach,
    early: Option<Early>,
}

/// The clusters checked so far, and the nodes that are in.
pub struct EarlyClusters<'a> {
    options: &'a Options,
    mode: &'static str,
    started: DateTime<Utc>,
    out: &'a Path,
    /// Writes a report to a directory beneath `out` (the fleet's own writer).
    write: fn(&Path, &str, &RunReport) -> bool,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    arrived: BTreeMap<usize, Arrived>,
    checked: Vec<Checked>,
    /// Every node name that names an arrived node (see [`local_node_names`]).
    present: HashSet<String>,
}

impl<'a> EarlyClusters<'a> {
    pub fn new(
        options: &'a Options,
        mode: &'static str,
        started: DateTime<Utc>,
        out: &'a Path,
        write: fn(&Path, &str, &RunReport) -> bool,
    ) -> Self {
        EarlyClusters {
            options,
            mode,
            started,
            out,
            write,
            state: Mutex::default(),
        }
    }

    /// `a` is in: check its cluster now if that completes it.
    pub fn arrived(&self, a: &Arrival, placement: Placement, early: Option<Early>) {
        let group = {
            let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
            let state = &mut *state;
            state.present.extend(local_node_names(a.source.node()));
            // Only a node whose own cluster.conf members are all in can be the
            // one that completes its cluster: a set lookup per member, so the
            // partition below runs about once per cluster, not once per node.
            let may_complete = match &placement {
                Placement::Cluster { members, .. } => members
                    .iter()
                    .all(|m| state.present.contains(&m.to_ascii_lowercase())),
                _ => false,
            };
            state.arrived.insert(
                a.index,
                Arrived {
                    source: Arc::clone(a.source),
                    placement,
                    reach: a.reach.clone(),
                    early,
                },
            );
            match may_complete
                .then(|| complete_group(&state.arrived, a.index))
                .flatten()
            {
                Some((label, indices)) if !state.checked.iter().any(|c| c.indices == indices) => {
                    let node = |i: &usize| &state.arrived[i];
                    let inputs = trials::Inputs {
                        sources: indices
                            .iter()
                            .map(|i| Box::new(Arc::clone(&node(i).source)) as Box<dyn Source>)
                            .collect(),
                        early: indices.iter().map(|i| node(i).early.clone()).collect(),
                        options: self.options.clone(),
                        reach: indices.iter().map(|i| node(i).reach.clone()).collect(),
                    };
                    Some((label, indices, inputs))
                }
                _ => None,
            }
        };
        let Some((label, indices, inputs)) = group else {
            return;
        };
        let inputs = Arc::new(inputs);
        let jobs = trials::jobs(&inputs, rules::ALL, rules::CLUSTER);
        let report = cmd_run::assemble(&inputs, trials::evaluate(jobs), self.mode, self.started);
        let dir = crate::cluster_sources::dir_name(&label);
        if (self.write)(self.out, &dir, &report) {
            let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
            state.checked.push(Checked {
                indices,
                report,
                dir: PathBuf::from(dir),
            });
        }
    }

    /// The clusters checked early, for the final partition to take or drop.
    pub fn take(self) -> Vec<Checked> {
        self.state
            .into_inner()
            .unwrap_or_else(|p| p.into_inner())
            .checked
    }
}

/// The cluster `index` belongs to among the nodes in so far, with its label
/// and node positions, when every node its cluster.conf files list is in.
fn complete_group(
    arrived: &BTreeMap<usize, Arrived>,
    index: usize,
) -> Option<(String, Vec<usize>)> {
    let positions: Vec<usize> = arrived.keys().copied().collect();
    let placements: Vec<Placement> = arrived.values().map(|a| a.placement.clone()).collect();
    let partition = fleet::partition(&placements);
    let (label, members) = partition
        .clusters
        .iter()
        .find(|(_, idx)| idx.iter().any(|&k| positions[k] == index))?;
    let listed = members.iter().flat_map(|&k| match &placements[k] {
        Placement::Cluster { members, .. } => members.as_slice(),
        _ => &[],
    });
    let mut all_in = true;
    for name in listed {
        all_in &= members
            .iter()
            .any(|&k| o2cb_node_is_local(name, arrived[&positions[k]].source.node()));
    }
    all_in.then(|| {
        (
            label.clone(),
            members.iter().map(|&k| positions[k]).collect(),
        )
    })
}
