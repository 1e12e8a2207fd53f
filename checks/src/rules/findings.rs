//! The finding-code table (the `FINDINGS` file next to the checks): every code a
//! check or the runner can give, so `why`, monitoring and the docs key on
//! `check/code` rather than on summary wording.

use o2check_reports::Status;

/// The table as written (`checks/src/rules/FINDINGS`).
pub const TABLE: &str = include_str!("FINDINGS");

/// One row of the table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// Check id, or `*` for the runner's codes (the same for every check).
    pub check: &'static str,
    pub code: &'static str,
    pub status: Status,
    pub meaning: &'static str,
}

/// Every row, in file order. Malformed rows are a bug the tests catch.
pub fn all() -> Vec<Finding> {
    TABLE
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .filter_map(row)
        .collect()
}

fn row(line: &'static str) -> Option<Finding> {
    let (key, rest) = line.split_once(char::is_whitespace)?;
    let rest = rest.trim_start();
    let (status, meaning) = rest.split_once(char::is_whitespace)?;
    let (check, code) = key.split_once('/')?;
    let status = match status {
        "fail" => Status::Fail,
        "skip" => Status::Skip,
        "error" => Status::Error,
        _ => return None,
    };
    Some(Finding {
        check,
        code,
        status,
        meaning: meaning.trim(),
    })
}

/// The row for `check`'s `code`, the runner's generic row when the check has none.
pub fn lookup(check: &str, code: &str) -> Option<Finding> {
    let rows = all();
    rows.iter()
        .find(|f| f.check == check && f.code == code)
        .or_else(|| rows.iter().find(|f| f.check == "*" && f.code == code))
        .cloned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;
    use std::path::Path;

    /// Index of the `)` closing the `(` at `open`, skipping string and char literals.
    fn closing(s: &[u8], open: usize) -> usize {
        let mut depth = 0;
        let mut i = open;
        while i < s.len() {
            match s[i] {
                b'"' => {
                    let raw_hashes = raw_prefix(s, i);
                    i += 1;
                    match raw_hashes {
                        Some(h) => {
                            let end: Vec<u8> = std::iter::once(b'"')
                                .chain(std::iter::repeat_n(b'#', h))
                                .collect();
                            while !s[i..].starts_with(&end) {
                                i += 1;
                            }
                            i += end.len() - 1;
                        }
                        None => {
                            while s[i] != b'"' {
                                if s[i] == b'\\' {
                                    i += 1;
                                }
                                i += 1;
                            }
                        }
                    }
                }
                b'\'' if s.get(i + 1) == Some(&b'\\') => {
                    i += 2;
                    while s[i] != b'\'' {
                        i += 1;
                    }
                }
                b'\'' if s.get(i + 2) == Some(&b'\'') => i += 2,
                b'(' => depth += 1,
                b')' => {
                    depth -= 1;
                    if depth == 0 {
                        return i;
                    }
                }
                _ => {}
            }
            i += 1;
        }
        panic!("unbalanced parentheses from byte {open}");
    }

    /// `Some(n)` when the `"` at `quote` opens a raw string `r#..#"` with n hashes.
    fn raw_prefix(s: &[u8], quote: usize) -> Option<usize> {
        let mut j = quote;
        let mut hashes = 0;
        while j > 0 && s[j - 1] == b'#' {
            hashes += 1;
            j -= 1;
        }
        let is_raw = j > 0
            && s[j - 1] == b'r'
            && (j < 2 || !(s[j - 2].is_ascii_alphanumeric() || s[j - 2] == b'_'));
        is_raw.then_some(hashes)
    }

    /// Each `Verdict::fail|skip|error(...)` of a source: its status, its line and
    /// the argument of `.code(...)` in its method chain, if any.
    fn verdicts(src: &str) -> Vec<(Status, usize, Option<String>)> {
        let s = src.as_bytes();
        let mut out = Vec::new();
        for (kind, status) in [
            ("Verdict::fail(", Status::Fail),
            ("Verdict::skip(", Status::Skip),
            ("Verdict::error(", Status::Error),
        ] {
            for (at, _) in src.match_indices(kind) {
                let line_start = src[..at].rfind('\n').map_or(0, |i| i + 1);
                if src[line_start..at].trim_start().starts_with("//") {
                    continue;
                }
                let mut end = closing(s, at + kind.len() - 1) + 1;
                let mut code = None;
                loop {
                    let rest = &src[end..];
                    let trimmed = rest.trim_start();
                    let Some(method) = trimmed.strip_prefix('.') else {
                        break;
                    };
                    let name_len = method
                        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                        .unwrap_or(method.len());
                    if !method[name_len..].starts_with('(') {
                        break;
                    }
                    let open = end + (rest.len() - trimmed.len()) + 1 + name_len;
                    let close = closing(s, open);
                    if &method[..name_len] == "code" {
                        code = Some(src[open + 1..close].trim().to_string());
                    }
                    end = close + 1;
                }
                out.push((status, src[..at].matches('\n').count() + 1, code));
            }
        }
        out
    }

    fn rule_sources() -> Vec<(String, String)> {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/rules");
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "rs"))
            .collect();
        files.sort();
        files
            .into_iter()
            .map(|p| {
                let name = p.file_name().unwrap().to_string_lossy().into_owned();
                (name, std::fs::read_to_string(&p).unwrap())
            })
            .filter(|(name, _)| name != "findings.rs")
            .collect()
    }

    fn check_id(src: &str) -> Option<&str> {
        let at = src.find("    id: \"")? + "    id: \"".len();
        Some(&src[at..at + src[at..].find('"')?])
    }

    #[test]
    fn the_table_is_well_formed_and_codes_are_unique_kebab_case() {
        let rows: Vec<&str> = TABLE
            .lines()
            .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
            .collect();
        assert_eq!(rows.len(), all().len(), "a FINDINGS row does not parse");
        let mut seen = HashSet::new();
        for f in all() {
            assert!(
                seen.insert((f.check, f.code)),
                "{}/{} twice",
                f.check,
                f.code
            );
            assert!(
                f.code
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
                "{}/{} is not kebab-case",
                f.check,
                f.code
            );
            assert!(!f.meaning.is_empty());
        }
        let ids: HashSet<&str> = super::super::ALL
            .iter()
            .map(|c| c.id)
            .chain(super::super::CLUSTER.iter().map(|c| c.id))
            .chain(["*", "node-reachable"])
            .collect();
        for f in all() {
            assert!(
                ids.contains(f.check),
                "FINDINGS names no such check: {}",
                f.check
            );
        }
    }

    #[test]
    fn every_verdict_a_check_builds_has_a_listed_code() {
        let rows = all();
        let mut checked = 0;
        for (file, src) in rule_sources() {
            for (status, line, code) in verdicts(&src) {
                checked += 1;
                let code = code.unwrap_or_else(|| {
                    panic!("{file}:{line}: a {status:?} verdict without .code()")
                });
                let Some(literal) = code.strip_prefix('"').and_then(|c| c.strip_suffix('"')) else {
                    continue; // chosen at run time from literals checked below
                };
                let id = check_id(&src)
                    .unwrap_or_else(|| panic!("{file}:{line}: a verdict outside a check file"));
                assert!(
                    rows.iter()
                        .any(|f| f.check == id && f.code == literal && f.status == status),
                    "{file}:{line}: {id}/{literal} ({status:?}) is not in rules/FINDINGS"
                );
            }
        }
        assert!(checked > 50, "the scan found only {checked} verdicts");
    }

    #[test]
    fn every_listed_code_is_in_its_checks_source() {
        let sources = rule_sources();
        for f in all()
            .iter()
            .filter(|f| f.check != "*" && f.check != "node-reachable")
        {
            let (file, src) = sources
                .iter()
                .find(|(_, s)| check_id(s) == Some(f.check))
                .unwrap_or_else(|| panic!("no source file for check {}", f.check));
            assert!(
                src.contains(&format!("\"{}\"", f.code)),
                "{}/{} is listed in FINDINGS but not used in {file}",
                f.check,
                f.code
            );
        }
    }

    #[test]
    fn the_scanner_sees_codes_through_method_chains() {
        let src = r#"Verdict::fail(format!("a ({})", x), "b)").with([e]).code("x-y")
            // Verdict::skip("commented out")
            Verdict::skip("y").with(f(g('(')))"#;
        let v = verdicts(src);
        assert_eq!(v.len(), 2);
        assert_eq!(v[0], (Status::Fail, 1, Some("\"x-y\"".to_string())));
        assert_eq!(v[1].2, None);
    }

    #[test]
    fn lookup_falls_back_to_the_runners_codes() {
        assert_eq!(
            lookup("hostname-in-cluster-conf", "no-local-node").map(|f| f.status),
            Some(Status::Fail)
        );
        assert_eq!(lookup("fstab", "not-collected").map(|f| f.check), Some("*"));
        assert!(lookup("fstab", "no-such-code").is_none());
    }
}
