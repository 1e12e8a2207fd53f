//! The lab's fault list, read as data from the lab's own scripts so the README's
//! fault table cannot drift from what `lab/o2lab fault NAME` injects: the names
//! come from `FAULTS="..."` (lab/faults.sh) and `STORAGE_FAULTS="..."`
//! (lab/faults-storage.sh), which `o2lab` and the acceptance suite iterate, and
//! each one's description from the comment that opens its `case` branch.

use std::path::Path;

/// One fault `lab/o2lab fault NAME` can inject.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabFault {
    pub name: String,
    /// Which lab: the script that injects it (`lab/faults.sh`, ...).
    pub script: &'static str,
    /// The first sentence of the comment opening its `case` branch, if any.
    pub about: Option<String>,
}

/// Why the lab's fault list could not be read.
#[derive(Debug, thiserror::Error)]
pub enum LabFaultsError {
    #[error("cannot read {}: {source}", path.display())]
    Read {
        path: std::path::PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{script} has no {variable}=\"...\" line")]
    NoList {
        script: &'static str,
        variable: String,
    },
    /// The list promises a fault the script cannot inject.
    #[error("{script} lists {name} in {variable} but has no `{name})` case")]
    NoCase {
        script: &'static str,
        variable: String,
        name: String,
    },
}

/// The lab scripts and the variable each lists its faults in.
pub const SCRIPTS: [(&str, &str); 2] = [
    ("lab/faults.sh", "FAULTS"),
    ("lab/faults-storage.sh", "STORAGE_FAULTS"),
];

/// Every fault of every lab script under `repo`, in the scripts' order.
pub fn read(repo: &Path) -> Result<Vec<LabFault>, LabFaultsError> {
    let mut all = Vec::new();
    for (script, variable) in SCRIPTS {
        let path = repo.join(script);
        let text = std::fs::read_to_string(&path)
            .map_err(|source| LabFaultsError::Read { path, source })?;
        all.extend(parse(script, variable, &text)?);
    }
    Ok(all)
}

/// The faults `script` lists in `variable="a b c"`, each with its case comment.
/// A listed fault without a `case` branch is an error: the list would promise a
/// fault the script cannot inject.
pub fn parse(
    script: &'static str,
    variable: &str,
    text: &str,
) -> Result<Vec<LabFault>, LabFaultsError> {
    let prefix = format!("{variable}=\"");
    let list = text
        .lines()
        .find_map(|l| l.strip_prefix(&prefix)?.split('"').next())
        .ok_or_else(|| LabFaultsError::NoList {
            script,
            variable: variable.to_string(),
        })?;
    let lines: Vec<&str> = text.lines().collect();
    list.split_whitespace()
        .map(|name| {
            let label = format!("{name})");
            let at = lines
                .iter()
                .position(|l| l.trim() == label)
                .ok_or_else(|| LabFaultsError::NoCase {
                    script,
                    variable: variable.to_string(),
                    name: name.to_string(),
                })?;
            Ok(LabFault {
                name: name.to_string(),
                script,
                about: case_comment(&lines[at + 1..]),
            })
        })
        .collect()
}

/// The first sentence of the `#` lines right after a case label.
fn case_comment(after_label: &[&str]) -> Option<String> {
    let words: Vec<&str> = after_label
        .iter()
        .map(|l| l.trim())
        .take_while(|l| l.starts_with('#'))
        .map(|l| l.trim_start_matches('#').trim())
        .collect();
    let comment = words.join(" ");
    let first = match comment.find(". ") {
        Some(end) => &comment[..=end],
        None => comment.as_str(),
    };
    (!first.is_empty()).then(|| first.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The shape of lab/faults.sh: the list, then `case "$name" in` branches.
    const SCRIPT: &str = r#"FAULTS="a-fault b-fault"
fault() {
  case "$name" in
    a-fault)
      # Cut the link, as a switch would. Then more detail
      # on a second line.
      mon 2 "set_link n0 off" ;;
    b-fault)
      reset_node2 ;;
  esac
}
"#;

    #[test]
    fn names_come_from_the_list_and_descriptions_from_the_case_comment() {
        let faults = parse("lab/faults.sh", "FAULTS", SCRIPT).unwrap();
        let got: Vec<(&str, Option<&str>)> = faults
            .iter()
            .map(|f| (f.name.as_str(), f.about.as_deref()))
            .collect();
        assert_eq!(
            got,
            [
                ("a-fault", Some("Cut the link, as a switch would.")),
                ("b-fault", None)
            ]
        );
    }

    #[test]
    fn a_listed_fault_without_its_case_or_a_missing_list_is_an_error() {
        let text = SCRIPT.replace("b-fault)", "c-fault)");
        let e = parse("lab/faults.sh", "FAULTS", &text).unwrap_err();
        assert!(matches!(e, LabFaultsError::NoCase { ref name, .. } if name == "b-fault"));
        let text = e.to_string();
        assert!(
            text.contains("lists b-fault in FAULTS but has no `b-fault)` case"),
            "{text}"
        );
        let e = parse("lab/faults.sh", "STORAGE_FAULTS", SCRIPT).unwrap_err();
        assert!(matches!(e, LabFaultsError::NoList { .. }), "{e}");
        assert!(e.to_string().contains("no STORAGE_FAULTS="), "{e}");
    }

    #[test]
    fn the_real_lab_scripts_list_their_faults() {
        let faults = read(Path::new(env!("CARGO_MANIFEST_DIR"))).unwrap();
        let names: Vec<&str> = faults.iter().map(|f| f.name.as_str()).collect();
        // Two the README's fix-verification table names, one per script.
        assert!(names.contains(&"port-blocked"), "{names:?}");
        assert!(names.contains(&"path-down"), "{names:?}");
    }
}
