//! Scenario parameters from TOML presets (`scenarios/quick.toml`,
//! `scenarios/nightly.toml`) that users copy and tune for their nightly runs.

use serde::Deserialize;
use std::path::Path;

/// `[concurrent_append]` of a preset.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct AppendParams {
    /// Records each node appends.
    pub records: u64,
    /// Payload bytes per record (a record is about 30 bytes longer).
    pub payload: usize,
    /// Pause between two appends of one node, in milliseconds.
    #[serde(default)]
    pub pause_ms: u64,
}

#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Preset {
    pub concurrent_append: AppendParams,
}

pub fn load(path: &Path) -> Result<Preset, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_presets_load() {
        for name in ["quick.toml", "nightly.toml"] {
            let p = load(&Path::new(env!("CARGO_MANIFEST_DIR")).join(name)).unwrap();
            assert!(p.concurrent_append.records > 0);
        }
        let bad = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(
            bad.path(),
            "[concurrent_append]\nrecords = 1\npayload = 2\ntypo = 3\n",
        )
        .unwrap();
        assert!(load(bad.path()).unwrap_err().contains("typo"));
    }
}
