//! A node's facts, parsed once per run: every check, cluster check, `why` and
//! `timeline` that asks for cluster.conf, the o2cb settings, configfs, the mount
//! table, the hostname, the multipath maps, the volumes or the kernel log (its lines and the
//! events recognised in each source) of a node gets the same parsed value; so
//! do the report's node properties and monitoring measurements ([`crate::measure`]).
//! The kernel log in particular is read and scanned once per node, however many
//! checks judge it. Each fact is computed on first use (a check that needs none
//! costs nothing) and kept by the node's [`crate::source::Cached`] source.

use crate::check::CheckError;
use crate::context::CommandText;
use crate::context::NodeCtx;
use crate::error::EvidenceError;
use crate::kernlog::lines::NodeLog;
use crate::kernlog::node_events::NodeEvents;
use crate::parse::cluster_conf_rules::Model;
use crate::parse::configfs::ConfigfsCluster;
use crate::parse::mount_table::MountEntry;
use crate::parse::multipath_ll::MpMap;
use crate::parse::o2cb_sysconfig::O2cbConfig;
use crate::rules::volumes::Volume;
use crate::text::Text;
use std::sync::{Arc, OnceLock};

/// `multipath -ll` as read, and the maps parsed from it.
pub type Multipath = (CommandText, Vec<MpMap>);

/// One slot per fact.
#[derive(Default)]
pub struct Facts {
    pub(crate) cluster_conf: OnceLock<Result<(Text, Model), CheckError>>,
    pub(crate) o2cb_config: OnceLock<Result<(Text, O2cbConfig), EvidenceError>>,
    pub(crate) configfs: OnceLock<Result<Vec<ConfigfsCluster>, EvidenceError>>,
    pub(crate) mounts: OnceLock<Result<(Text, Vec<MountEntry>), EvidenceError>>,
    pub(crate) hostname: OnceLock<Result<Text, EvidenceError>>,
    pub(crate) kernel_log: OnceLock<Arc<NodeLog>>,
    pub(crate) multipath: OnceLock<Result<Arc<Multipath>, EvidenceError>>,
    pub(crate) events_by_source: OnceLock<Result<Arc<Vec<Arc<NodeEvents>>>, EvidenceError>>,
    /// Ten checks judge the volumes; each read and parsed five sources for them.
    pub(crate) volumes: OnceLock<Arc<Vec<Volume>>>,
}

impl NodeCtx<'_> {
    /// The cluster registered in configfs (`Ok(None)`: configfs, none registered).
    pub fn registered_cluster(&self) -> Result<Option<ConfigfsCluster>, EvidenceError> {
        crate::rules::common::configfs_cluster(self)
    }

    /// The o2cb settings file (/etc/sysconfig/o2cb or /etc/default/o2cb), parsed.
    pub fn o2cb_settings(&self) -> Result<(Text, O2cbConfig), EvidenceError> {
        crate::rules::common::o2cb_config(self)
    }

    /// `multipath -ll`, and its maps (multipath-tools libmultipath/print.c layout).
    pub fn multipath_maps(&self) -> Result<Arc<Multipath>, EvidenceError> {
        self.fact(
            |f| &f.multipath,
            || {
                let out = self.command(&["multipath", "-ll"])?;
                let maps = crate::parse::multipath_ll::parse(&out.stdout);
                Ok(Arc::new((out, maps)))
            },
        )
    }

    /// The fact in `slot` of this node, computed by `compute` on first use; a
    /// source without a memo computes it every time.
    pub fn fact<T: Clone>(
        &self,
        slot: impl FnOnce(&Facts) -> &OnceLock<T>,
        compute: impl FnOnce() -> T,
    ) -> T {
        match self.source.facts() {
            Some(facts) => slot(facts).get_or_init(compute).clone(),
            None => compute(),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::context::{NodeCtx, Options};
    use crate::kernlog::lines::read_node_log;
    use crate::kernlog::node_events::node_events_now;
    use crate::source::{Bundle, Cached, Source};
    use std::sync::Arc;

    #[test]
    fn the_kernel_log_is_read_and_scanned_once_per_node() {
        let dir = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../fixtures/bundles/lab-capture-healthy-node1-end"
        );
        let source = Cached::new(Bundle::open(std::path::Path::new(dir)).unwrap());
        let options = Options::default();
        // Two contexts, as two checks get them.
        let (a, b) = (
            NodeCtx::new(&source as &dyn Source, &options),
            NodeCtx::new(&source as &dyn Source, &options),
        );
        assert!(Arc::ptr_eq(&read_node_log(&a), &read_node_log(&b)));
        let (ea, eb) = (node_events_now(&a).unwrap(), node_events_now(&b).unwrap());
        assert!(Arc::ptr_eq(&ea, &eb));
        assert!(!ea.events.is_empty());
    }
}
