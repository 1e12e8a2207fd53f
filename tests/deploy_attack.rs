//! Issue 9's critical finding, end to end: a second local user (nobody, through
//! `setpriv`) plants an "o2check" where root's self-deploy looks, and `run
//! --cluster` and `scenario run` must refuse the place instead of running it.
//! The nodes are this host, reached through a stand-in ssh that runs the remote
//! command with sh, as sshd would.

mod support;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_o2check");

fn fake_ssh(dir: &Path) -> PathBuf {
    let path = dir.join("fake-ssh");
    // Not std::fs::write: see support/stand_in.rs (ETXTBSY under load).
    support::stand_in::write_executable(&path, "#!/bin/sh\nwhile [ $# -gt 0 ] && [ \"$1\" != -- ]; do [ \"$1\" = -O ] && exit 0; shift; done\nshift 2\n[ $# -eq 0 ] && exit 0\nexec sh -c \"$*\"\n");
    path
}

/// A /var/tmp look-alike (root's, 1777) in which nobody planted a private-looking
/// directory `o2check.0` holding a script that records it ran, both under the
/// name the copy would have and directly in the directory (the old layout).
struct Planted {
    tmp: tempfile::TempDir,
    marker: PathBuf,
}

fn plant() -> Option<Planted> {
    if !nix::unistd::geteuid().is_root() {
        eprintln!("skipped: needs root to act as a second user");
        return None;
    }
    let tmp = tempfile::Builder::new()
        .prefix("o2check-deploy-")
        .tempdir_in("/tmp")
        .unwrap();
    std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o1777)).unwrap();
    let marker = tmp.path().join("planted-script-ran");
    let script = format!(
        "#!/bin/sh\ntouch {}\necho 'o2check {}'\n",
        marker.display(),
        env!("CARGO_PKG_VERSION")
    );
    let src = tmp.path().join("script");
    std::fs::write(&src, script).unwrap();
    std::fs::set_permissions(&src, std::fs::Permissions::from_mode(0o644)).unwrap();
    let d = tmp.path().display();
    let plant = format!(
        "mkdir -m 755 {d}/o2check.0 && for n in o2check o2check-{v}; do cp {s} {d}/o2check.0/$n; cp {s} {d}/$n; done; chmod 777 {d}/o2check.0/* {d}/o2check*",
        s = src.display(),
        v = env!("CARGO_PKG_VERSION"),
    );
    let st = Command::new("setpriv")
        .args([
            "--reuid=nobody",
            "--regid=nogroup",
            "--clear-groups",
            "sh",
            "-c",
            &plant,
        ])
        .status()
        .unwrap();
    assert!(st.success());
    Some(Planted { tmp, marker })
}

fn show(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[test]
fn run_cluster_refuses_a_planted_deploy_directory() {
    let Some(p) = plant() else { return };
    let out = p.tmp.path().join("reports");
    let o = Command::new(BIN)
        .args([
            "run", "--color", "never", "--deploy", "always", "--nodes", "n1",
        ])
        .arg("--ssh-program")
        .arg(fake_ssh(p.tmp.path()))
        .arg("--remote-dir")
        .arg(p.tmp.path())
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        !p.marker.exists(),
        "the planted script ran as root: {}",
        show(&o)
    );
    let report = std::fs::read_to_string(out.join("results.json")).unwrap();
    assert!(report.contains("refusing to deploy o2check"), "{report}");
    assert!(report.contains("not ours with mode 0700"), "{report}");
}

#[test]
fn scenario_run_refuses_a_planted_deploy_directory() {
    let Some(p) = plant() else { return };
    let mount = p.tmp.path().join("mnt");
    std::fs::create_dir(&mount).unwrap();
    let o = Command::new(BIN)
        .args(["scenario", "run", "flock-exclusion", "--deploy", "always"])
        .args(["--nodes", "n1", "--allow-non-ocfs2"])
        .arg("--ssh-program")
        .arg(fake_ssh(p.tmp.path()))
        .arg("--remote-dir")
        .arg(p.tmp.path())
        .arg("--mount")
        .arg(&mount)
        .arg("--out")
        .arg(p.tmp.path().join("reports"))
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert!(
        !p.marker.exists(),
        "the planted script ran as root: {}",
        show(&o)
    );
    assert!(
        show(&o).contains("refusing to deploy o2check"),
        "{}",
        show(&o)
    );
}
