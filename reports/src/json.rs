//! The JSON report: the [`RunReport`] itself, so a saved report can be read back
//! and re-rendered offline.

use crate::model::RunReport;

/// Pretty-printed JSON with a final newline.
pub fn to_json(report: &RunReport) -> Vec<u8> {
    // Serializing plain data with string keys cannot fail.
    let mut bytes = serde_json::to_vec_pretty(report).unwrap_or_default();
    bytes.push(b'\n');
    bytes
}

/// Read a report written by [`to_json`].
pub fn from_json(bytes: &[u8]) -> Result<RunReport, serde_json::Error> {
    serde_json::from_slice(bytes)
}
