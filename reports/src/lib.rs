//! o2check's run schema and the renderers that turn a finished run into JUnit XML,
//! JSON, console text, Nagios plugin output and Prometheus textfiles. Renderers are pure functions of a [`RunReport`]; only
//! [`write::atomic_write`] touches the filesystem, so reports can be re-rendered
//! offline from a saved `results.json`.

pub mod cause;
pub mod console;
pub mod diagnosis;
pub mod diagnosis_html;
pub mod diagnosis_text;
pub mod diff;
pub mod facts;
pub mod fleet;
pub mod json;
pub mod junit;
pub mod line;
pub mod model;
pub mod nagios;
pub mod prometheus;
pub mod untrusted_text;
pub mod write;
pub mod xml_text;

pub use model::{CheckResult, Evidence, Layer, NodeInfo, RunMeta, RunReport, Severity, Status};
