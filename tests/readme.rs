//! The README's reference tables (checks, why's catalogue, lab faults, scenarios)
//! are generated from the registries; this fails when README.md differs from what
//! `o2check generate-readme` writes, and says to run it.

use std::process::Command;

#[test]
fn readme_tables_are_what_generate_readme_writes() {
    let out = Command::new(env!("CARGO_BIN_EXE_o2check"))
        .args([
            "generate-readme",
            "--check",
            "--repo",
            env!("CARGO_MANIFEST_DIR"),
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
}

#[test]
fn a_stale_table_is_reported_with_the_command_and_left_alone() {
    let repo = tempfile::tempdir().unwrap();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    std::fs::create_dir(repo.path().join("lab")).unwrap();
    for script in ["lab/faults.sh", "lab/faults-storage.sh"] {
        std::fs::copy(root.join(script), repo.path().join(script)).unwrap();
    }
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    // A check row edited by hand: the generator must notice and restore it.
    let stale = readme.replacen("| `fstab` | config |", "| `fstab` | storage |", 1);
    assert_ne!(stale, readme, "README.md has no generated fstab row");
    std::fs::write(repo.path().join("README.md"), &stale).unwrap();
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_o2check"))
            .arg("generate-readme")
            .args(args)
            .arg("--repo")
            .arg(repo.path())
            .output()
            .unwrap()
    };
    let check = run(&["--check"]);
    let stderr = String::from_utf8_lossy(&check.stderr);
    assert_eq!(check.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("check-table") && stderr.contains("cargo run -q -- generate-readme"),
        "{stderr}"
    );
    let read = || std::fs::read_to_string(repo.path().join("README.md")).unwrap();
    // Compared without printing: a README diff is thousands of lines.
    assert!(read() == stale, "--check changed README.md");
    let write = run(&[]);
    let stderr = String::from_utf8_lossy(&write.stderr);
    assert!(write.status.success(), "{stderr}");
    let written = read();
    assert!(written.contains("| `fstab` | config |"), "row not restored");
    assert!(!written.contains("| `fstab` | storage |"), "stale row kept");
    let again = run(&["--check"]);
    let stderr = String::from_utf8_lossy(&again.stderr);
    assert!(again.status.success(), "{stderr}");
}

/// The hand-kept list under the generated check table (what each check reads)
/// must not keep a check the registry no longer has.
#[test]
fn the_hand_kept_check_notes_name_registered_checks() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let after = readme
        .split("<!-- check-table:end -->")
        .nth(1)
        .expect("README.md has the check-table markers");
    let known: Vec<&str> = o2check_checks::rules::ALL
        .iter()
        .map(|c| c.id)
        .chain(o2check_checks::rules::CLUSTER.iter().map(|c| c.id))
        // Not a rule: the cluster runner's own result for each node it reached.
        .chain(["node-reachable"])
        .collect();
    let noted: Vec<&str> = after
        .lines()
        .skip_while(|l| !l.starts_with("- `"))
        .take_while(|l| l.starts_with("- `"))
        .filter_map(|l| l.strip_prefix("- `")?.split('`').next())
        .collect();
    assert!(
        noted.len() > 10,
        "the list under the check table is gone: {noted:?}"
    );
    for id in noted {
        assert!(
            known.contains(&id),
            "README.md notes check `{id}`, which is not registered"
        );
    }
}
