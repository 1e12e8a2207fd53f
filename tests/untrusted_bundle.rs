//! Issue 9's bundle findings end to end: a bundle is a customer's (or a node's)
//! file tree, and reading it as root must not reach outside it, hang on a FIFO, or
//! panic on absurd values.

use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_o2check");

/// A copy of a real lab bundle in a temp dir.
fn bundle(tmp: &Path) -> PathBuf {
    let src =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/bundles/lab-collect-healthy-node1");
    let dst = tmp.join("bundle");
    let st = Command::new("cp")
        .arg("-a")
        .arg(&src)
        .arg(&dst)
        .status()
        .unwrap();
    assert!(st.success());
    dst
}

/// Run o2check, killed after 60 s, so a hang fails the test instead of the suite.
fn o2check(args: &[&str], extra: &[&Path]) -> (Output, Duration) {
    let started = Instant::now();
    let child = Command::new(BIN)
        .args(args)
        .args(extra)
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    let watchdog = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_secs(60));
        let _ = Command::new("kill").args(["-9", &pid.to_string()]).status();
    });
    let out = child.wait_with_output().unwrap();
    drop(watchdog);
    (out, started.elapsed())
}

fn all_output(out: &Output, reports: &Path) -> String {
    let mut s = String::from_utf8_lossy(&out.stdout).into_owned();
    s += &String::from_utf8_lossy(&out.stderr);
    for f in ["results.json", "junit.xml"] {
        s += &std::fs::read_to_string(reports.join(f)).unwrap_or_default();
    }
    s
}

#[test]
fn a_symlink_to_a_host_secret_does_not_reach_the_reports() {
    let tmp = tempfile::tempdir().unwrap();
    let secret = tmp.path().join("shadow");
    std::fs::write(&secret, "root:$6$SECRETHASH:19000:0:99999:7:::\n").unwrap();
    let b = bundle(tmp.path());
    let conf = b.join("etc/ocfs2/cluster.conf");
    std::fs::remove_file(&conf).unwrap();
    symlink(&secret, &conf).unwrap();
    // A directory symlink too: /etc/sysconfig -> a directory outside.
    std::fs::create_dir(tmp.path().join("outside")).unwrap();
    std::fs::copy(&secret, tmp.path().join("outside/o2cb")).unwrap();
    let _ = std::fs::remove_dir_all(b.join("etc/default"));
    symlink(tmp.path().join("outside"), b.join("etc/default")).unwrap();
    let reports = tmp.path().join("reports");
    let (out, _) = o2check(
        &["run", "--color", "never", "--bundle"],
        &[&b, Path::new("--out"), &reports],
    );
    let text = all_output(&out, &reports);
    assert!(
        !text.contains("SECRETHASH"),
        "the host's secret reached the output:\n{text}"
    );
    assert!(text.contains("leads out of"), "no clear refusal:\n{text}");
}

#[test]
fn a_fifo_in_a_bundle_hangs_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let b = bundle(tmp.path());
    for f in ["etc/ocfs2/cluster.conf", "commands/dmesg", "proc/uptime"] {
        let p = b.join(f);
        let _ = std::fs::remove_file(&p);
        nix::unistd::mkfifo(&p, nix::sys::stat::Mode::from_bits_truncate(0o644)).unwrap();
    }
    // A link to the coordinator's own stdin, as a node could send.
    let _ = std::fs::remove_file(b.join("etc/hosts"));
    symlink("/proc/self/fd/0", b.join("etc/hosts")).unwrap();
    let reports = tmp.path().join("reports");
    for args in [
        &["run", "--color", "never", "--bundle"][..],
        &["why", "--bundle"][..],
        &["timeline", "--bundle"][..],
    ] {
        let (out, took) = o2check(args, &[&b, Path::new("--out"), &reports]);
        assert!(took < Duration::from_secs(30), "{args:?} took {took:?}");
        assert_ne!(
            out.status.code(),
            Some(101),
            "{args:?} panicked: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(out.status.code().is_some(), "{args:?} was killed (hung)");
    }
    let text = all_output(
        &o2check(
            &["run", "--color", "never", "--bundle"],
            &[&b, Path::new("--out"), &reports],
        )
        .0,
        &reports,
    );
    assert!(
        text.contains("FIFO"),
        "no clear refusal of the FIFO:\n{text}"
    );
}

#[test]
fn timeline_survives_absurd_uptimes() {
    let tmp = tempfile::tempdir().unwrap();
    let b = bundle(tmp.path());
    for uptime in ["-1e300 0", "1e14 0", "inf 0", "NaN 0"] {
        std::fs::write(b.join("proc/uptime"), uptime).unwrap();
        let (out, _) = o2check(
            &["timeline", "--bundle"],
            &[&b, Path::new("--out"), &tmp.path().join("r")],
        );
        assert_eq!(
            out.status.code(),
            Some(0),
            "{uptime}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn the_file_cap_is_configurable_and_refuses_oversized_config() {
    let tmp = tempfile::tempdir().unwrap();
    let b = bundle(tmp.path());
    let conf = b.join("etc/ocfs2/cluster.conf");
    let mut text = std::fs::read_to_string(&conf).unwrap();
    text.push_str(&"#\n".repeat(1_500_000)); // 3 MB of comments
    std::fs::write(&conf, text).unwrap();
    let reports = tmp.path().join("reports");
    let (out, _) = o2check(
        &["run", "--color", "never", "--max-file-mib", "1", "--bundle"],
        &[&b, Path::new("--out"), &reports],
    );
    let text = all_output(&out, &reports);
    assert!(text.contains("over the limit of 1048576 bytes"), "{text}");
    // The default cap (64 MiB) reads it.
    let (out, _) = o2check(
        &["run", "--color", "never", "--bundle"],
        &[&b, Path::new("--out"), &reports],
    );
    assert!(!all_output(&out, &reports).contains("over the limit"));
}
