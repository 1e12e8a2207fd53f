//! Fixture bundles for the integration tests: the real lab and seed bundles, and
//! writable copies of them with one fault injected.
#![allow(dead_code)] // each test binary uses a different part

use std::path::{Path, PathBuf};

pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/bundles")
}

/// Every fixture bundle directory, sorted.
pub fn bundle_dirs() -> Vec<PathBuf> {
    let mut dirs: Vec<_> = std::fs::read_dir(fixtures())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs
}

/// A writable copy of a fixture bundle.
pub struct Case {
    dir: tempfile::TempDir,
}

impl Case {
    pub fn from(name: &str) -> Case {
        let dir = tempfile::tempdir().unwrap();
        copy_tree(&fixtures().join(name), dir.path());
        Case { dir }
    }
    pub fn write(self, rel: &str, content: &str) -> Case {
        let p = self.dir.path().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, content).unwrap();
        self
    }
    pub fn edit(self, rel: &str, from: &str, to: &str) -> Case {
        let p = self.dir.path().join(rel);
        let text = std::fs::read_to_string(&p).unwrap();
        assert!(text.contains(from), "{rel} does not contain {from:?}");
        std::fs::write(&p, text.replace(from, to)).unwrap();
        self
    }
    pub fn remove(self, rel: &str) -> Case {
        let p = self.dir.path().join(rel);
        if p.is_dir() {
            std::fs::remove_dir_all(p).unwrap();
        } else {
            std::fs::remove_file(p).unwrap();
        }
        self
    }
    /// Remove `host_path` from the bundle and record in its manifest that collect
    /// looked and the node did not have it (observed absence).
    pub fn absent(self, host_path: &str) -> Case {
        let rel = host_path.trim_start_matches('/');
        let p = self.dir.path().join(rel);
        if p.is_dir() {
            std::fs::remove_dir_all(&p).unwrap();
        } else if p.exists() {
            std::fs::remove_file(&p).unwrap();
        }
        let mpath = self.dir.path().join("manifest.json");
        let mut manifest: serde_json::Value = std::fs::read(&mpath)
            .map(|b| serde_json::from_slice(&b).unwrap())
            .unwrap_or_else(|_| serde_json::json!({"version": 1}));
        manifest["files"][host_path] = serde_json::json!({"state": "absent"});
        std::fs::write(&mpath, serde_json::to_vec(&manifest).unwrap()).unwrap();
        self
    }
    /// Replace the tree `rel` with the one of another bundle.
    pub fn copy_tree_from(self, other: &Path, rel: &str) -> Case {
        let target = self.dir.path().join(rel);
        let _ = std::fs::remove_dir_all(&target);
        std::fs::create_dir_all(&target).unwrap();
        copy_tree(&other.join(rel), &target);
        self
    }
    pub fn path(&self) -> &Path {
        self.dir.path()
    }
}

fn copy_tree(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}
