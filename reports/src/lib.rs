//! o2check's run schema and the renderers that turn a finished run into JUnit XML,
//! JSON and console text. Renderers are pure functions of a [`RunReport`]; only
//! [`write::atomic_write`] touches the filesystem, so reports can be re-rendered
//! offline from a saved `results.json`.

pub mod model;
pub mod write;

pub use model::{CheckResult, Evidence, Layer, NodeInfo, RunMeta, RunReport, Status};
