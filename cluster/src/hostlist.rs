//! Hostlist expressions as pdsh and Slurm write them: `n[149-150].ocfs2.test`,
//! `n[01-10]` (zero padding kept), `n[1,3,5-7]`, several brackets in one name
//! (`r[1-2]n[1-3]`, every combination) and comma-separated lists of all of these.

/// Refuse expansions larger than this: a typo such as `n[1-1000000]` must not
/// make the harness try a million ssh connections.
pub const MAX_HOSTS: usize = 4096;

/// A hostlist expression that names no usable host; `reason` says what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("hostlist `{expr}`: {reason}")]
pub struct HostlistError {
    pub expr: String,
    pub reason: String,
}

/// A name that must not reach ssh or become a file name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a host name")]
pub struct NotAHostName(pub String);

/// Expand `expr` into host names, in order, without duplicates.
pub fn expand(expr: &str) -> Result<Vec<String>, HostlistError> {
    let err = |reason: String| HostlistError {
        expr: expr.to_string(),
        reason,
    };
    let mut out: Vec<String> = Vec::new();
    for item in split_top_level(expr).map_err(err)? {
        let item = item.trim();
        if item.is_empty() {
            continue;
        }
        for host in expand_one(item).map_err(err)? {
            if !out.contains(&host) {
                out.push(host);
            }
            if out.len() > MAX_HOSTS {
                return Err(err(format!("expands to more than {MAX_HOSTS} hosts")));
            }
        }
    }
    if out.is_empty() {
        return Err(err("names no host".into()));
    }
    Ok(out)
}

/// Split on commas that are not inside brackets.
fn split_top_level(expr: &str) -> Result<Vec<&str>, String> {
    let mut parts = Vec::new();
    let (mut depth, mut start) = (0usize, 0usize);
    for (i, c) in expr.char_indices() {
        match c {
            '[' if depth > 0 => return Err("nested `[`".into()),
            '[' => depth += 1,
            ']' if depth == 0 => return Err("`]` without `[`".into()),
            ']' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&expr[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    if depth != 0 {
        return Err("`[` without `]`".into());
    }
    parts.push(&expr[start..]);
    Ok(parts)
}

/// One name with zero or more bracket groups.
fn expand_one(item: &str) -> Result<Vec<String>, String> {
    let Some(open) = item.find('[') else {
        check_name(item).map_err(|e| e.to_string())?;
        return Ok(vec![item.to_string()]);
    };
    let close = open + item[open..].find(']').ok_or("`[` without `]`")?;
    let prefix = &item[..open];
    let choices = expand_range_list(&item[open + 1..close])?;
    let rests = expand_one(&item[close + 1..]).or_else(|e| {
        // A bare suffix such as `.ocfs2.test` is not a name on its own but is fine here.
        if item[close + 1..].is_empty() {
            Ok(vec![String::new()])
        } else {
            Err(e)
        }
    })?;
    let mut out = Vec::with_capacity(choices.len() * rests.len());
    for c in &choices {
        for r in &rests {
            let name = format!("{prefix}{c}{r}");
            check_name(&name).map_err(|e| e.to_string())?;
            out.push(name);
            if out.len() > MAX_HOSTS {
                return Err(format!("expands to more than {MAX_HOSTS} hosts"));
            }
        }
    }
    Ok(out)
}

/// `1,3,5-7` or `01-10` inside brackets.
fn expand_range_list(list: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    for part in list.split(',') {
        let part = part.trim();
        let (lo, hi) = match part.split_once('-') {
            Some((lo, hi)) => (lo, hi),
            None => (part, part),
        };
        let is_number = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if !is_number(lo) || !is_number(hi) {
            return Err(format!("`{part}` is not a number or a range a-b"));
        }
        let width = if lo.len() > 1 && lo.starts_with('0') {
            lo.len()
        } else {
            0
        };
        let (a, b): (u64, u64) = (
            lo.parse().map_err(|_| format!("`{lo}` is too large"))?,
            hi.parse().map_err(|_| format!("`{hi}` is too large"))?,
        );
        if a > b {
            return Err(format!("range `{part}` runs backwards"));
        }
        if b - a >= MAX_HOSTS as u64 {
            return Err(format!("range `{part}` is larger than {MAX_HOSTS}"));
        }
        out.extend((a..=b).map(|n| format!("{n:0width$}")));
    }
    Ok(out)
}

/// A host name must be usable as an ssh destination and a file name: no spaces,
/// no slashes, no shell or ssh option syntax. Every inventory's names pass here
/// before they reach ssh.
pub fn check_name(name: &str) -> Result<(), NotAHostName> {
    let ok = !name.is_empty()
        && !name.starts_with('-')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '@' | ':'));
    if ok {
        Ok(())
    } else {
        Err(NotAHostName(name.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(expr: &str) -> Vec<String> {
        expand(expr).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn the_seed_clusters_nodes() {
        assert_eq!(
            ok("n[149-150].ocfs2.test"),
            ["n149.ocfs2.test", "n150.ocfs2.test"]
        );
    }

    #[test]
    fn lists_padding_and_several_brackets() {
        assert_eq!(ok("n[1,3,5-6]"), ["n1", "n3", "n5", "n6"]);
        assert_eq!(ok("node[08-10]"), ["node08", "node09", "node10"]);
        assert_eq!(ok("r[1-2]n[1-2]"), ["r1n1", "r1n2", "r2n1", "r2n2"]);
        assert_eq!(ok("a, b,n[1-2],a"), ["a", "b", "n1", "n2"]);
        assert_eq!(ok("10.0.0.1,10.0.0.2"), ["10.0.0.1", "10.0.0.2"]);
    }

    #[test]
    fn bad_expressions_are_errors_not_panics() {
        for bad in [
            "",
            "n[",
            "n]",
            "n[2-1]",
            "n[a-b]",
            "n[[1]]",
            "n[1-]",
            "-oProxyCommand=x",
            "a b",
            "n[1-99999999999999999999999]",
            "n[1-100000]",
        ] {
            assert!(expand(bad).is_err(), "{bad:?} should be refused");
        }
    }
}
