//! why/ reads kernel lines only as the events kernlog/event.rs recognises (the
//! one recogniser, with the upstream printk of every wording). The only patterns
//! why/ may compile read the error text a user types or pastes (mount.ocfs2's
//! message), never the kernel log: this test fails on any other regex in why/.

use std::path::Path;

/// (file, function) of why/'s regexes over user-typed error text.
const USER_TEXT_PATTERNS: &[(&str, &str)] = &[
    // mount.ocfs2's error messages (ocfs2-tools mount.ocfs2.c, com_err tables).
    ("messages.rs", "patterns"),
    // `... while mounting DEV on DIR` in the same message.
    ("names.rs", "mount_from_error"),
];

/// Where a regex is compiled: `Regex::new`, `RegexSet::new`, builders, `regex!`.
const COMPILES: &[&str] = &[
    "Regex::new",
    "RegexSet::new",
    "RegexBuilder::new",
    "regex!(",
];

/// The name of the last `fn` before byte `at` of `source`.
fn enclosing_fn(source: &str, at: usize) -> String {
    let head = &source[..at];
    head.rmatch_indices("fn ")
        .map(|(i, _)| &head[i + 3..])
        .find_map(|rest| {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            (!name.is_empty()).then_some(name)
        })
        .unwrap_or_default()
}

/// Every (file, function) of `dir`'s sources that compiles a regex.
fn regex_sites(dir: &Path) -> Vec<(String, String)> {
    let mut sites = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let source = std::fs::read_to_string(&path).unwrap();
        let file = path.file_name().unwrap().to_string_lossy().into_owned();
        for pattern in COMPILES {
            for (at, _) in source.match_indices(pattern) {
                sites.push((file.clone(), enclosing_fn(&source, at)));
            }
        }
    }
    sites.sort();
    sites.dedup();
    sites
}

#[test]
fn why_compiles_no_pattern_over_kernel_lines() {
    let why = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/why");
    let sites = regex_sites(&why);
    let foreign: Vec<_> = sites
        .iter()
        .filter(|(file, func)| {
            !USER_TEXT_PATTERNS
                .iter()
                .any(|(f, n)| f == file && n == func)
        })
        .collect();
    assert!(
        foreign.is_empty(),
        "why/ compiles its own patterns in {foreign:?}: recognise kernel lines in \
         kernlog/event.rs (with the printk's upstream file and function) and read \
         the events"
    );
    // The allowed sites still exist: a renamed function must be looked at again.
    for (file, func) in USER_TEXT_PATTERNS {
        assert!(
            sites.iter().any(|(f, n)| f == file && n == func),
            "{file}: {func} no longer compiles a pattern: update USER_TEXT_PATTERNS"
        );
    }
}

#[test]
fn a_regex_in_another_function_is_found() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("facts.rs"),
        "fn connected() -> Regex {\n    Regex::new(r\"o2net: connected to node\").unwrap()\n}\n",
    )
    .unwrap();
    assert_eq!(
        regex_sites(dir.path()),
        [("facts.rs".to_string(), "connected".to_string())]
    );
}
