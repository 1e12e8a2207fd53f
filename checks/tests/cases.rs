//! Fixture cases as data: each directory under `fixtures/cases/` holds one or more
//! node bundles (one subdirectory per node, bundle layout), a PROVENANCE file
//! saying where the evidence comes from, and `expected.toml` listing, per check and
//! node, the status and finding code the checks must give. One trial per case.
//! `O2CHECK_BLESS=1 cargo test -p o2check-checks --test cases` rewrites each
//! `expected.toml` from what the checks say now (same entries, new verdicts), for a
//! deliberate change of expectations reviewed in the diff.

use libtest_mimic::{Arguments, Failed, Trial};
use o2check_checks::rules;
use o2check_checks::source::{Bundle, Source};
use o2check_checks::{CheckError, NodeCtx, Options};
use serde::Deserialize;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

#[derive(Debug, Deserialize)]
struct Expected {
    /// `--multipath-map` values the case runs with.
    #[serde(default)]
    multipath_maps: Vec<String>,
    expect: Vec<Entry>,
}

#[derive(Debug, Deserialize, Clone)]
struct Entry {
    check: String,
    node: String,
    status: String,
    /// The finding code; absent when the verdict has none.
    finding: Option<String>,
}

fn cases_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/cases")
}

/// The verdict of `check` on the bundle `case/node`.
fn verdict(
    case: &Path,
    node: &str,
    check: &str,
    options: &Options,
) -> Result<(String, Option<String>, String), String> {
    let bundle = Bundle::open(&case.join(node)).map_err(|e| format!("bundle {node}: {e}"))?;
    let c = rules::ALL
        .iter()
        .find(|c| c.id == check)
        .ok_or_else(|| format!("no check {check}"))?;
    let ctx = NodeCtx::new(&bundle as &dyn Source, options);
    let v = (c.run)(&ctx).unwrap_or_else(CheckError::into_verdict);
    Ok((
        v.status.name().to_string(),
        v.code.map(str::to_string),
        v.summary,
    ))
}

fn run_case(case: &Path, bless: bool) -> Result<(), Failed> {
    let path = case.join("expected.toml");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let expected: Expected =
        toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    if !case.join("PROVENANCE").is_file() {
        return Err(format!("{}: no PROVENANCE", case.display()).into());
    }
    let options = Options {
        multipath_maps: expected.multipath_maps.clone(),
        ..Options::default()
    };
    let mut wrong = Vec::new();
    let mut blessed = Vec::new();
    for e in &expected.expect {
        let (status, finding, summary) = verdict(case, &e.node, &e.check, &options)?;
        if status != e.status || finding != e.finding {
            wrong.push(format!(
                "{}@{}: expected {} {:?}, got {status} {finding:?}: {summary}",
                e.check, e.node, e.status, e.finding
            ));
        }
        blessed.push(Entry {
            status,
            finding,
            ..e.clone()
        });
    }
    if bless {
        std::fs::write(&path, render(&text, &expected, &blessed)).map_err(|e| e.to_string())?;
        return Ok(());
    }
    if wrong.is_empty() {
        Ok(())
    } else {
        Err(wrong.join("\n").into())
    }
}

/// `expected.toml` again: its leading comment kept, entries with today's verdicts.
fn render(old: &str, expected: &Expected, entries: &[Entry]) -> String {
    let mut out: String = old
        .lines()
        .take_while(|l| l.starts_with('#') || l.trim().is_empty())
        .map(|l| format!("{l}\n"))
        .collect();
    if !expected.multipath_maps.is_empty() {
        let maps: Vec<String> = expected
            .multipath_maps
            .iter()
            .map(|m| format!("{m:?}"))
            .collect();
        let _ = writeln!(out, "multipath_maps = [{}]\n", maps.join(", "));
    }
    for e in entries {
        let _ = writeln!(
            out,
            "[[expect]]\ncheck = {:?}\nnode = {:?}\nstatus = {:?}",
            e.check, e.node, e.status
        );
        if let Some(f) = &e.finding {
            let _ = writeln!(out, "finding = {f:?}");
        }
        out.push('\n');
    }
    out.trim_end().to_string() + "\n"
}

fn main() {
    let args = Arguments::from_args();
    let bless = std::env::var_os("O2CHECK_BLESS").is_some_and(|v| v == "1");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(cases_dir())
        .expect("fixtures/cases exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("expected.toml").is_file())
        .collect();
    dirs.sort();
    let trials = dirs
        .into_iter()
        .map(|dir| {
            let name = dir.file_name().unwrap().to_string_lossy().into_owned();
            Trial::test(name, move || run_case(&dir, bless))
        })
        .collect();
    libtest_mimic::run(&args, trials).exit();
}
