//! Issue 9's scenario-directory findings: another local user (nobody, through
//! `setpriv`) plants `.o2check-<id>` on the mount, as a symlink or as a directory
//! of their own, before the run or between `prepare` and the agents. Root must
//! write nothing there and remove nothing of theirs.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_o2check");

struct Mount {
    _tmp: tempfile::TempDir,
    mount: PathBuf,
    /// nobody's directory, where root must write nothing.
    theirs: PathBuf,
}

/// A mount like a shared /tmp (root's, 1777); nobody owns `theirs` in it.
fn mount() -> Option<Mount> {
    if !nix::unistd::geteuid().is_root() {
        eprintln!("skipped: needs root to act as a second user");
        return None;
    }
    let tmp = tempfile::Builder::new()
        .prefix("o2check-scn-")
        .tempdir_in("/tmp")
        .unwrap();
    std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let mount = tmp.path().join("mnt");
    std::fs::create_dir(&mount).unwrap();
    std::fs::set_permissions(&mount, std::fs::Permissions::from_mode(0o1777)).unwrap();
    let theirs = mount.join("theirs");
    as_nobody(&format!("mkdir -m 777 {}", theirs.display()));
    Some(Mount {
        _tmp: tmp,
        mount,
        theirs,
    })
}

fn as_nobody(script: &str) {
    let st = Command::new("setpriv")
        .args([
            "--reuid=nobody",
            "--regid=nogroup",
            "--clear-groups",
            "sh",
            "-c",
            script,
        ])
        .status()
        .unwrap();
    assert!(st.success(), "{script}");
}

fn show(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn empty(dir: &Path) -> bool {
    std::fs::read_dir(dir).unwrap().count() == 0
}

#[test]
fn a_planted_run_directory_is_refused_by_scenario_run() {
    let Some(m) = mount() else { return };
    for (id, plant) in [
        (
            "linked",
            format!(
                "ln -s {} {}/.o2check-linked",
                m.theirs.display(),
                m.mount.display()
            ),
        ),
        (
            "owned",
            format!("mkdir -m 777 {}/.o2check-owned", m.mount.display()),
        ),
    ] {
        as_nobody(&plant);
        let o = Command::new(BIN)
            .args([
                "scenario",
                "run",
                "flock-exclusion",
                "--local-transport",
                "--nodes",
                "n[1-2]",
            ])
            .args(["--allow-non-ocfs2", "--run-id", id, "--mount"])
            .arg(&m.mount)
            .arg("--out")
            .arg(m.mount.parent().unwrap().join("reports"))
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(2), "{id}: {}", show(&o));
        assert!(empty(&m.theirs), "{id}: root wrote into nobody's directory");
        let planted = m.mount.join(format!(".o2check-{id}"));
        assert!(
            std::fs::symlink_metadata(&planted).is_ok(),
            "{id}: root removed nobody's entry"
        );
        if id == "owned" {
            assert!(empty(&planted), "root wrote into the planted directory");
        }
    }
}

#[test]
fn an_agent_refuses_a_directory_planted_after_prepare() {
    // The watcher that won the race: the run id was read from `ps`, the directory
    // planted before the agent got to it.
    let Some(m) = mount() else { return };
    let preset = serde_json::to_string(&o2check_scenarios::preset::quick()).unwrap();
    for (id, plant) in [
        (
            "raced1",
            format!(
                "ln -s {} {}/.o2check-raced1",
                m.theirs.display(),
                m.mount.display()
            ),
        ),
        (
            "raced2",
            format!("mkdir -m 700 {}/.o2check-raced2", m.mount.display()),
        ),
    ] {
        as_nobody(&plant);
        let o = Command::new(BIN)
            .args([
                "scenario",
                "agent",
                "--scenario",
                "flock-exclusion",
                "--node",
                "n1",
                "--nodes",
                "n1,n2",
            ])
            .args([
                "--allow-non-ocfs2",
                "--run-id",
                id,
                "--preset-json",
                &preset,
                "--mount",
            ])
            .arg(&m.mount)
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap();
        assert_ne!(o.status.code(), Some(0), "{id}: {}", show(&o));
        assert!(show(&o).contains("refusing"), "{id}: {}", show(&o));
        assert!(empty(&m.theirs), "{id}: root wrote through the symlink");
        let cleanup = Command::new(BIN)
            .args(["scenario", "cleanup", "--run-id", id, "--mount"])
            .arg(&m.mount)
            .output()
            .unwrap();
        assert_ne!(
            cleanup.status.code(),
            Some(0),
            "{id}: cleanup removed nobody's entry"
        );
        assert!(std::fs::symlink_metadata(m.mount.join(format!(".o2check-{id}"))).is_ok());
    }
}
