//! A bundle's tree held in memory: what a node's `collect --out -` stream
//! unpacks into in a cluster run, so 255 nodes do not create (and remove) 56
//! files each on this host's disk, where the metadata writes cost more than
//! everything else the run does. Only small files are held (the unpacker puts
//! larger ones on disk and records them here as [`Entry::OnDisk`]), so memory
//! stays bounded per node whatever the node sends. Read through
//! [`super::confined::Confined::over_memory`], exactly like a bundle directory.

use std::collections::BTreeMap;

/// One path of the tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    Dir,
    File(Vec<u8>),
    /// A regular file at the same relative path under the tree's disk directory.
    OnDisk,
}

/// Why an entry cannot be added: something is already at that path, or a file
/// is where a directory should be (as O_EXCL and mkdir would refuse on disk).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Occupied {
    pub path: String,
}

/// Paths (plain names joined by `/`, no leading `/`) to entries.
#[derive(Debug, Default, Clone)]
pub struct MemoryTree {
    entries: BTreeMap<String, Entry>,
    /// Bytes of the files held in memory.
    held: u64,
}

impl MemoryTree {
    pub fn new() -> MemoryTree {
        MemoryTree::default()
    }

    /// Bytes of file content held in memory.
    pub fn held_bytes(&self) -> u64 {
        self.held
    }

    /// Make the directory `parts` and any above it missing.
    pub fn add_dir(&mut self, parts: &[String]) -> Result<(), Occupied> {
        for end in 1..=parts.len() {
            let path = parts[..end].join("/");
            match self.entries.get(&path) {
                Some(Entry::Dir) => {}
                Some(_) => return Err(Occupied { path }),
                None => {
                    self.entries.insert(path, Entry::Dir);
                }
            }
        }
        Ok(())
    }

    /// Add a file (its parent directories made as needed); a path already
    /// holding anything is [`Occupied`].
    pub fn add_file(&mut self, parts: &[String], entry: Entry) -> Result<(), Occupied> {
        let Some((_, dirs)) = parts.split_last() else {
            return Err(Occupied {
                path: String::new(),
            });
        };
        self.add_dir(dirs)?;
        let path = parts.join("/");
        if self.entries.contains_key(&path) {
            return Err(Occupied { path });
        }
        if let Entry::File(bytes) = &entry {
            self.held += bytes.len() as u64;
        }
        self.entries.insert(path, entry);
        Ok(())
    }

    /// Replace (or add) the top-level file `name` with `bytes` held in memory:
    /// how the coordinator records the clock sample in meta.json.
    pub fn replace_file(&mut self, name: &str, bytes: Vec<u8>) {
        self.held += bytes.len() as u64;
        if let Some(Entry::File(old)) = self.entries.insert(name.to_string(), Entry::File(bytes)) {
            self.held -= old.len() as u64;
        }
    }

    /// The entry at `path` (`""` is the root, always a directory).
    pub fn get(&self, path: &str) -> Option<&Entry> {
        const ROOT: &Entry = &Entry::Dir;
        if path.is_empty() {
            return Some(ROOT);
        }
        self.entries.get(path)
    }

    /// The names directly in directory `path`, sorted; `None` when it is not one.
    pub fn list(&self, path: &str) -> Option<Vec<String>> {
        if self.get(path)? != &Entry::Dir {
            return None;
        }
        let prefix = if path.is_empty() {
            String::new()
        } else {
            format!("{path}/")
        };
        let names = self
            .entries
            .range(prefix.clone()..)
            .take_while(|(p, _)| p.starts_with(&prefix))
            .filter_map(|(p, _)| {
                let rest = &p[prefix.len()..];
                (!rest.contains('/')).then(|| rest.to_string())
            })
            .collect();
        Some(names)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(p: &str) -> Vec<String> {
        p.split('/').map(str::to_string).collect()
    }

    #[test]
    fn files_make_their_directories_and_listings_are_one_level() {
        let mut t = MemoryTree::new();
        t.add_file(&parts("etc/ocfs2/cluster.conf"), Entry::File(b"x".to_vec()))
            .unwrap();
        t.add_file(&parts("etc/hostname"), Entry::File(b"n1\n".to_vec()))
            .unwrap();
        t.add_file(&parts("var/log/kern.log"), Entry::OnDisk)
            .unwrap();
        t.add_dir(&parts("etc/ocfs2")).unwrap();
        assert_eq!(t.list("").unwrap(), ["etc", "var"]);
        assert_eq!(t.list("etc").unwrap(), ["hostname", "ocfs2"]);
        assert_eq!(t.list("etc/ocfs2").unwrap(), ["cluster.conf"]);
        assert_eq!(t.list("etc/hostname"), None);
        assert_eq!(t.list("nowhere"), None);
        assert_eq!(t.get("var/log/kern.log"), Some(&Entry::OnDisk));
        assert_eq!(t.held_bytes(), 4);
    }

    #[test]
    fn a_path_is_taken_once() {
        let mut t = MemoryTree::new();
        t.add_file(&parts("a/b"), Entry::File(Vec::new())).unwrap();
        assert!(t.add_file(&parts("a/b"), Entry::OnDisk).is_err());
        assert!(t.add_dir(&parts("a/b")).is_err(), "a directory over a file");
        assert!(
            t.add_file(&parts("a/b/c"), Entry::OnDisk).is_err(),
            "a file under a file"
        );
        assert!(
            t.add_file(&parts("a"), Entry::OnDisk).is_err(),
            "a file over a directory"
        );
    }

    #[test]
    fn replacing_a_file_keeps_the_count_of_bytes_held() {
        let mut t = MemoryTree::new();
        t.add_file(&parts("meta.json"), Entry::File(vec![b'x'; 10]))
            .unwrap();
        t.replace_file("meta.json", vec![b'y'; 3]);
        assert_eq!(t.held_bytes(), 3);
        assert_eq!(t.get("meta.json"), Some(&Entry::File(vec![b'y'; 3])));
    }
}
