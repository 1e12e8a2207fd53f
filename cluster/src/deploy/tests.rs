//! Deploying with the Local transport into temporary directories, including the
//! attacks of issue 9: a second local user (`setpriv --reuid=nobody`) planting a
//! copy, a directory or a symlink where root would look.

use super::*;
use crate::transport::Local;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A stand-in "o2check" script.
fn fake(version: &str) -> Payload {
    Payload::from_bytes(
        &format!("o2check {version}"),
        format!("#!/bin/sh\necho 'o2check {version}'\n").into_bytes(),
    )
}

/// A script that says it is o2check 9.9.9 and leaves `marker` behind when run.
fn planted(marker: &Path) -> String {
    format!(
        "#!/bin/sh\ntouch {}\necho 'o2check 9.9.9'\n",
        marker.display()
    )
}

/// A directory like /var/tmp: root's, mode 1777, where nobody may plant things.
fn shared_tmp() -> tempfile::TempDir {
    let dir = tempfile::Builder::new()
        .prefix("o2check-test-")
        .tempdir_in("/tmp")
        .unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o1777)).unwrap();
    dir
}

fn settings(dir: &Path, mode: DeployMode, installed: &str) -> (String, DeployMode, String) {
    (dir.display().to_string(), mode, installed.to_string())
}

fn deploy(s: &(String, DeployMode, String), p: &Payload) -> Result<Remote, TransportError> {
    ensure(
        &Local,
        &Node::named("n1"),
        p,
        &Deploy {
            mode: s.1,
            installed: &s.2,
            remote_dir: &s.0,
            timeout: Duration::from_secs(20),
        },
    )
}

fn is_root() -> bool {
    nix::unistd::geteuid().is_root()
}

/// Run `script` as the unprivileged user nobody.
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
        .expect("setpriv runs");
    assert!(st.success(), "as nobody: {script}");
}

fn my_uid() -> u32 {
    nix::unistd::geteuid().as_raw()
}

#[test]
fn copies_once_into_a_private_directory_then_reuses_it() {
    let tmp = shared_tmp();
    let s = settings(
        tmp.path(),
        DeployMode::Auto,
        "o2check-not-installed-anywhere",
    );
    let p = fake("9.9.9");
    let first = deploy(&s, &p).unwrap();
    assert!(first.copied);
    let dir = PathBuf::from(private_dir(&s.0, &my_uid().to_string()));
    assert_eq!(
        first.program,
        format!("{}/o2check-9.9.9-{}", dir.display(), p.hash)
    );
    let md = std::fs::symlink_metadata(&dir).unwrap();
    assert_eq!(
        md.permissions().mode() & 0o7777,
        0o700,
        "the directory is private"
    );
    // No temporary file is left next to the copy.
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);
    let second = deploy(&s, &p).unwrap();
    assert_eq!(second.program, first.program);
    assert!(!second.copied, "a second run copies nothing");
}

#[test]
fn a_binary_that_does_not_run_there_is_a_clear_error() {
    let tmp = shared_tmp();
    let s = settings(tmp.path(), DeployMode::Always, "o2check");
    let broken = Payload::from_bytes("o2check 1.0.0", b"\x7fELF garbage".to_vec());
    let err = deploy(&s, &broken).unwrap_err();
    assert!(err.to_string().contains("architecture"), "{err}");
}

#[test]
fn a_copy_that_does_not_hash_to_ours_is_replaced_not_run() {
    let tmp = shared_tmp();
    let s = settings(tmp.path(), DeployMode::Always, "o2check");
    let p = fake("9.9.9");
    let dir = PathBuf::from(private_dir(&s.0, &my_uid().to_string()));
    std::fs::create_dir(&dir).unwrap();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700)).unwrap();
    let marker = tmp.path().join("ran");
    let copy = dir.join(p.file_name());
    std::fs::write(&copy, planted(&marker)).unwrap();
    std::fs::set_permissions(&copy, std::fs::Permissions::from_mode(0o700)).unwrap();
    let r = deploy(&s, &p).unwrap();
    assert!(r.copied, "the wrong copy is overwritten");
    assert!(!marker.exists(), "the wrong copy was run");
    assert_eq!(std::fs::read(&copy).unwrap(), p.bytes);
}

#[test]
fn a_directory_planted_by_another_user_is_refused_and_nothing_in_it_runs() {
    if !is_root() {
        eprintln!("skipped: needs root to act as a second user");
        return;
    }
    let tmp = shared_tmp();
    let s = settings(tmp.path(), DeployMode::Always, "o2check");
    let p = fake("9.9.9");
    let dir = private_dir(&s.0, &my_uid().to_string());
    let marker = tmp.path().join("ran");
    let src = tmp.path().join("src");
    std::fs::write(&src, planted(&marker)).unwrap();
    std::fs::set_permissions(&src, std::fs::Permissions::from_mode(0o644)).unwrap();
    // Both where the copy goes now and where the old versions put it.
    as_nobody(&format!(
        "mkdir -m 700 {dir} && cp {src} {dir}/{name} && cp {src} {old} && chmod 755 {dir}/{name} {old}",
        src = src.display(),
        name = p.file_name(),
        old = tmp.path().join(p.file_name()).display(),
    ));
    let err = deploy(&s, &p).unwrap_err();
    assert!(err.to_string().contains("refusing"), "{err}");
    assert!(err.to_string().contains("not ours"), "{err}");
    assert!(!marker.exists(), "the planted script ran as root");
}

#[test]
fn a_symlinked_directory_planted_by_another_user_is_refused() {
    if !is_root() {
        eprintln!("skipped: needs root to act as a second user");
        return;
    }
    let tmp = shared_tmp();
    let s = settings(tmp.path(), DeployMode::Always, "o2check");
    let p = fake("9.9.9");
    let dir = private_dir(&s.0, &my_uid().to_string());
    let elsewhere = tmp.path().join("elsewhere");
    as_nobody(&format!(
        "mkdir {} && ln -s {} {dir}",
        elsewhere.display(),
        elsewhere.display()
    ));
    let err = deploy(&s, &p).unwrap_err();
    assert!(err.to_string().contains("symlink"), "{err}");
    assert_eq!(
        std::fs::read_dir(&elsewhere).unwrap().count(),
        0,
        "root wrote through the link"
    );
}

#[test]
fn a_world_writable_directory_on_the_way_is_refused() {
    let tmp = shared_tmp();
    let open = tmp.path().join("open");
    std::fs::create_dir(&open).unwrap();
    std::fs::set_permissions(&open, std::fs::Permissions::from_mode(0o777)).unwrap();
    let s = settings(&open, DeployMode::Always, "o2check");
    let err = deploy(&s, &fake("9.9.9")).unwrap_err();
    assert!(err.to_string().contains("writable by others"), "{err}");
}

#[test]
fn an_installed_copy_is_used_only_when_it_is_ours_and_nobody_else_can_write_it() {
    let tmp = shared_tmp();
    let p = fake("9.9.9");
    let bin = tempfile::tempdir().unwrap();
    let installed = bin.path().join("o2check");
    std::fs::write(&installed, &p.bytes).unwrap();
    std::fs::set_permissions(&installed, std::fs::Permissions::from_mode(0o755)).unwrap();
    let path = installed.display().to_string();
    let s = settings(tmp.path(), DeployMode::Auto, &path);
    let r = deploy(&s, &p).unwrap();
    assert_eq!((r.program.as_str(), r.copied), (path.as_str(), false));
    // Writable by others: not used, a private copy instead.
    std::fs::set_permissions(&installed, std::fs::Permissions::from_mode(0o757)).unwrap();
    let r = deploy(&s, &p).unwrap();
    assert!(r.copied && r.program != path, "{r:?}");
    // Another program that prints our version: never run, never used.
    let marker = tmp.path().join("ran");
    std::fs::write(&installed, planted(&marker)).unwrap();
    std::fs::set_permissions(&installed, std::fs::Permissions::from_mode(0o755)).unwrap();
    let r = deploy(&s, &p).unwrap();
    assert_ne!(r.program, path);
    assert!(!marker.exists(), "the installed impostor ran");
}

#[test]
fn a_relative_or_dotted_remote_dir_is_refused() {
    for dir in ["var/tmp", "/var/tmp/../etc", "/var/tmp/$(x)"] {
        let s = settings(Path::new(dir), DeployMode::Always, "o2check");
        let err = deploy(&s, &fake("9.9.9")).unwrap_err();
        assert!(err.to_string().contains("absolute path"), "{dir}: {err}");
    }
}
