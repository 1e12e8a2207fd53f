//! `o2check scenario run` as a user runs it, on a local temporary directory with
//! every "node" a local process (`--local-transport`) or behind a stand-in ssh:
//! every scenario passes on a local filesystem, plain appends lose nothing there,
//! a non-OCFS2 path is refused, Ctrl-C stops the agents and leaves nothing
//! behind, and an unreachable or hung node is an error, not a hang.

mod support;

use o2check_scenarios::agent::Scenario;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_o2check");

/// Small and fast, but every scenario still has several steps.
const FAST: &str = "
[run]
poll_ms = 2
start_timeout_s = 10
timeout_s = 30
[concurrent_append]
records = 100
[tail_follow]
records = 30
[flock_exclusion]
increments = 20
[create_unlink_visible]
files = 5
[rename_visible]
renames = 5
[write_read_checksum]
size_mib = 2
block_kib = 256
";

struct Setup {
    _tmp: tempfile::TempDir,
    mount: PathBuf,
    out: PathBuf,
    preset: PathBuf,
}

fn setup(preset: &str) -> Setup {
    let tmp = tempfile::tempdir().unwrap();
    let mount = tmp.path().join("mnt");
    let out = tmp.path().join("reports");
    std::fs::create_dir(&mount).unwrap();
    let p = tmp.path().join("preset.toml");
    std::fs::write(&p, preset).unwrap();
    Setup {
        mount,
        out,
        preset: p,
        _tmp: tmp,
    }
}

fn o2check(args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("o2check runs")
}

fn local_run(s: &Setup, names: &[&str], extra: &[&str]) -> Output {
    let mut args = vec!["scenario", "run"];
    args.extend(names);
    args.extend([
        "--local-transport",
        "--nodes",
        "n[1-3]",
        "--allow-non-ocfs2",
        "--mount",
        s.mount.to_str().unwrap(),
        "--preset",
        s.preset.to_str().unwrap(),
        "--out",
        s.out.to_str().unwrap(),
    ]);
    args.extend(extra);
    o2check(&args)
}

fn report(s: &Setup) -> serde_json::Value {
    let bytes = std::fs::read(s.out.join("scenarios.json")).expect("scenarios.json written");
    serde_json::from_slice(&bytes).expect("JSON")
}

fn result<'a>(r: &'a serde_json::Value, check: &str, node: &str) -> &'a serde_json::Value {
    r["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["check"] == check && x["node"] == node)
        .unwrap_or_else(|| panic!("no {check}@{node} in {r:#}"))
}

fn leftovers(mount: &Path) -> Vec<String> {
    std::fs::read_dir(mount)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".o2check-"))
        .collect()
}

fn show(o: &Output) -> String {
    format!(
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// xmllint with the project's schema, when xmllint is installed.
fn validate_junit(path: &Path) {
    let xsd = Path::new(env!("CARGO_MANIFEST_DIR")).join("reports/junit.xsd");
    match Command::new("xmllint")
        .args(["--noout", "--schema"])
        .arg(&xsd)
        .arg(path)
        .output()
    {
        Ok(o) => assert!(o.status.success(), "{}", show(&o)),
        Err(_) => eprintln!("xmllint not installed: JUnit not validated"),
    }
}

#[test]
fn every_scenario_passes_on_a_local_filesystem() {
    let s = setup(FAST);
    let o = local_run(&s, &["all"], &[]);
    assert_eq!(o.status.code(), Some(0), "{}", show(&o));
    let r = report(&s);
    // Every scenario of the registry that `all` runs with this preset.
    let preset = o2check_scenarios::preset::parse("FAST", FAST).unwrap();
    let passing: Vec<&str> = Scenario::ALL
        .iter()
        .filter(|sc| (sc.def().left_out_of_all)(&preset).is_none())
        .map(|sc| sc.id())
        .collect();
    assert_eq!(passing.len(), Scenario::ALL.len() - 1, "{passing:?}");
    for check in passing {
        let x = result(&r, check, "cluster");
        assert_eq!(x["status"], "pass", "{check}: {x:#}");
        assert_eq!(x["layer"], "scenario");
    }
    // Numbers, not just verdicts.
    let tail = result(&r, "tail-follow", "cluster")["summary"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        tail.contains("30 records") && tail.contains("p99"),
        "{tail}"
    );
    let flock = result(&r, "flock-exclusion", "cluster")["summary"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(flock.contains("counter = 60"), "{flock}");
    let sum = result(&r, "write-read-checksum", "cluster")["summary"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(sum.contains("MiB/s") && sum.contains("2 node(s)"), "{sum}");
    // Plain appends are left out of `all` unless loss is expected, and say why.
    let plain = result(&r, "concurrent-append", "cluster");
    assert_eq!(plain["status"], "skip");
    assert!(plain["summary"].as_str().unwrap().contains("expect_loss"));
    assert!(leftovers(&s.mount).is_empty(), "{:?}", leftovers(&s.mount));
    validate_junit(&s.out.join("scenarios-junit.xml"));
}

#[test]
fn plain_appends_lose_nothing_on_a_local_filesystem() {
    let s = setup(FAST);
    let o = local_run(
        &s,
        &["concurrent-append"],
        &["--json", s.out.join("a.json").to_str().unwrap()],
    );
    assert_eq!(o.status.code(), Some(0), "{}", show(&o));
    let r: serde_json::Value =
        serde_json::from_slice(&std::fs::read(s.out.join("a.json")).unwrap()).unwrap();
    let x = result(&r, "concurrent-append", "cluster");
    assert_eq!(x["status"], "pass");
    assert!(
        x["summary"]
            .as_str()
            .unwrap()
            .contains("300 of 300 records intact"),
        "{x:#}"
    );
    // Expecting loss where O_APPEND is atomic: the race was not exercised.
    let o = local_run(&s, &["concurrent-append"], &["--expect-loss"]);
    assert_eq!(o.status.code(), Some(1), "{}", show(&o));
    let x = report(&s);
    let x = result(&x, "concurrent-append", "cluster");
    assert_eq!(x["status"], "fail");
    assert!(x["summary"]
        .as_str()
        .unwrap()
        .contains("did not exercise the race"));
    assert!(leftovers(&s.mount).is_empty());
}

#[test]
fn a_path_that_is_not_ocfs2_is_refused() {
    let s = setup(FAST);
    let o = o2check(&[
        "scenario",
        "run",
        "all",
        "--local-transport",
        "--nodes",
        "n[1-2]",
        "--mount",
        s.mount.to_str().unwrap(),
        "--out",
        s.out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", show(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("is not an OCFS2 filesystem"),
        "{}",
        show(&o)
    );
    assert!(leftovers(&s.mount).is_empty(), "nothing written");
    // And a run id that is not a plain name never reaches the mount.
    let o = local_run(&s, &["tail-follow"], &["--run-id", "../x"]);
    assert_eq!(o.status.code(), Some(2), "{}", show(&o));
}

/// Processes whose command line carries `needle` (the run id).
fn processes_with(needle: &str) -> Vec<String> {
    let mut found = Vec::new();
    for e in std::fs::read_dir("/proc").unwrap().flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if !name.chars().all(|c| c.is_ascii_digit()) {
            continue;
        }
        if let Ok(cmd) = std::fs::read(e.path().join("cmdline")) {
            let cmd = String::from_utf8_lossy(&cmd).replace('\0', " ");
            if cmd.contains(needle) {
                found.push(format!("{name}: {cmd}"));
            }
        }
    }
    found
}

#[test]
fn ctrl_c_stops_every_agent_and_removes_the_run_directory() {
    let s = setup("[concurrent_append]\nrecords = 1000000\npause_ms = 2\n");
    let run_id = format!("sigint-{}", std::process::id());
    let mut child = Command::new(BIN)
        .args([
            "scenario",
            "run",
            "concurrent-append-flock",
            "--local-transport",
        ])
        .args([
            "--nodes",
            "n[1-3]",
            "--allow-non-ocfs2",
            "--run-id",
            &run_id,
        ])
        .arg("--mount")
        .arg(&s.mount)
        .arg("--preset")
        .arg(&s.preset)
        .arg("--out")
        .arg(&s.out)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Wait until the agents are appending.
    let log = s.mount.join(format!(
        ".o2check-{run_id}/concurrent-append-flock/append.log"
    ));
    let t = Instant::now();
    while std::fs::metadata(&log).map_or(true, |m| m.len() < 1000) {
        assert!(
            t.elapsed() < Duration::from_secs(10),
            "the agents never started"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(
        processes_with(&run_id).len(),
        4,
        "{:?}",
        processes_with(&run_id)
    );
    let pid = nix::unistd::Pid::from_raw(child.id() as i32);
    nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGINT).unwrap();
    let t = Instant::now();
    let status = loop {
        if let Some(st) = child.try_wait().unwrap() {
            break st;
        }
        if t.elapsed() > Duration::from_secs(10) {
            let _ = child.kill();
            panic!("o2check did not exit within 10 s of SIGINT");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(status.code(), Some(130));
    assert!(leftovers(&s.mount).is_empty(), "{:?}", leftovers(&s.mount));
    assert!(
        processes_with(&run_id).is_empty(),
        "{:?}",
        processes_with(&run_id)
    );
    let r = report(&s);
    let x = result(&r, "concurrent-append-flock", "cluster");
    assert_eq!(x["status"], "error");
    assert!(
        x["summary"].as_str().unwrap().starts_with("interrupted"),
        "{x:#}"
    );
}

/// A stand-in ssh: runs the command here, except for the nodes it is told to
/// refuse (exit 255, as ssh does) or to hang on.
fn fake_ssh(dir: &Path) -> PathBuf {
    let path = dir.join("fake-ssh");
    // Not std::fs::write: see support/stand_in.rs (ETXTBSY under load).
    support::stand_in::write_executable(
        &path,
        r#"#!/bin/sh
while [ $# -gt 0 ] && [ "$1" != "--" ]; do shift; done
shift; host=$1; shift
case " $FAKE_SSH_REFUSE " in *" $host "*)
    echo "ssh: connect to host $host port 22: Connection refused" >&2; exit 255;;
esac
[ $# -eq 0 ] && exit 0
case " $FAKE_SSH_HANG " in *" $host "*)
    case "$*" in *" scenario agent "*) exec sleep 120;; esac;;
esac
exec sh -c "$*"
"#,
    );
    path
}

fn ssh_run(s: &Setup, names: &[&str], env: (&str, &str)) -> Output {
    let ssh = fake_ssh(s.preset.parent().unwrap());
    Command::new(BIN)
        .args(["scenario", "run"])
        .args(names)
        .arg("--ssh-program")
        .arg(&ssh)
        .args(["--deploy", "never", "--remote-o2check", BIN])
        .args(["--nodes", "n[1-3]", "--allow-non-ocfs2"])
        .arg("--mount")
        .arg(&s.mount)
        .arg("--preset")
        .arg(&s.preset)
        .arg("--out")
        .arg(&s.out)
        .env("NO_COLOR", "1")
        .env(env.0, env.1)
        .output()
        .unwrap()
}

#[test]
fn an_unreachable_node_is_an_error_for_it_and_its_scenarios() {
    let s = setup(FAST);
    let t = Instant::now();
    let o = ssh_run(
        &s,
        &["tail-follow", "flock-exclusion"],
        ("FAKE_SSH_REFUSE", "n2"),
    );
    assert_eq!(o.status.code(), Some(2), "{}", show(&o));
    let r = report(&s);
    let n2 = result(&r, "scenario-node", "n2");
    assert_eq!(n2["status"], "error");
    assert!(
        n2["summary"].as_str().unwrap().contains("unreachable"),
        "{n2:#}"
    );
    for check in ["tail-follow", "flock-exclusion"] {
        let x = result(&r, check, "cluster");
        assert_eq!(x["status"], "error", "{x:#}");
        assert!(x["summary"].as_str().unwrap().contains("n2"), "{x:#}");
    }
    assert!(t.elapsed() < Duration::from_secs(10));
    validate_junit(&s.out.join("scenarios-junit.xml"));
    // The same stand-in with every node reachable passes: the failure above is n2's.
    let o = ssh_run(&s, &["flock-exclusion"], ("FAKE_SSH_REFUSE", ""));
    assert_eq!(o.status.code(), Some(0), "{}", show(&o));
}

#[test]
fn a_node_whose_agent_hangs_does_not_hang_the_run() {
    let s = setup("[run]\nstart_timeout_s = 1\ntimeout_s = 20\n");
    let t = Instant::now();
    let o = ssh_run(&s, &["rename-visible"], ("FAKE_SSH_HANG", "n3"));
    assert_eq!(o.status.code(), Some(1), "{}", show(&o));
    // Barrier 1 s, then 2 s for the others, 5 s for the hung agent to answer its
    // closed stdin before it is killed; without that it would wait for timeout_s.
    assert!(t.elapsed() < Duration::from_secs(15), "{:?}", t.elapsed());
    let r = report(&s);
    let x = result(&r, "rename-visible", "cluster");
    assert_eq!(x["status"], "error");
    let text = x.to_string();
    assert!(text.contains("no ready-n3"), "{x:#}");
    assert!(leftovers(&s.mount).is_empty(), "{:?}", leftovers(&s.mount));
}
