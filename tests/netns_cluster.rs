//! Cluster mode against a real cluster of three "nodes" made of network namespaces
//! (tests/netns/cluster): o2check runs as the coordinator in the hub namespace and
//! reaches each node over its own sshd, as it would reach real machines. The nodes
//! have no OCFS2, so only the checks that do not need it are asserted: reachability,
//! the o2net port (a TCP listener stands in), name resolution, the hostname rule and
//! cluster.conf agreement; then a firewalled port, a dead sshd and the scenarios.
//!
//! Needs root and namespaces; skipped otherwise, unless O2CHECK_REQUIRE_NETNS=1
//! (set by CI), which turns a skip into a failure. One test function: the cluster
//! is built once (about 2 s) and the cases run in sequence on it.

use nix::fcntl::{Flock, FlockArg};
use serde_json::Value;
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

const NODES: [&str; 3] = ["n1.o2test", "n2.o2test", "n3.o2test"];
/// The script's "skipped" exit code (automake's convention).
const SKIPPED: i32 = 77;

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn script() -> PathBuf {
    repo().join("tests/netns/cluster")
}

fn require_netns() -> bool {
    std::env::var("O2CHECK_REQUIRE_NETNS").as_deref() == Ok("1")
}

fn text(out: &Output) -> String {
    format!(
        "exit {:?}\n--- stdout\n{}\n--- stderr\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// A running test cluster; torn down when dropped, also when a case panics.
struct Cluster {
    dir: PathBuf,
    /// Held while the cluster exists (released after `Drop::drop`): a second run
    /// of this test on the same target directory waits instead of tearing this
    /// cluster down.
    _lock: Flock<File>,
}

impl Cluster {
    /// Bring the cluster up, or say why it cannot be (a skip).
    fn up() -> Result<Cluster, String> {
        if !nix::unistd::Uid::effective().is_root() {
            return Err("not root (network namespaces need it)".into());
        }
        // A fixed directory per target directory rather than a fresh tempdir: when
        // a run is killed before its Drop, the next run's `up` of the same
        // directory removes what it left (processes, namespaces, o2check copies).
        let base = Path::new(env!("CARGO_TARGET_TMPDIR"));
        std::fs::create_dir_all(base).expect("target tmpdir");
        let file = File::create(base.join("netns-cluster.lock")).expect("lock file");
        let waited = Instant::now();
        let lock = Flock::lock(file, FlockArg::LockExclusive)
            .unwrap_or_else(|(_, e)| panic!("cannot lock netns-cluster.lock: {e}"));
        if waited.elapsed() > Duration::from_secs(1) {
            eprintln!(
                "waited {:.1?} for another run of this test",
                waited.elapsed()
            );
        }
        let started = Instant::now();
        let cluster = Cluster {
            dir: base.join("netns-cluster"),
            _lock: lock,
        };
        let out = cluster.script(&["up", &cluster.dir_str()]);
        match out.status.code() {
            Some(0) => {
                eprintln!("cluster up in {:.1?}", started.elapsed());
                Ok(cluster)
            }
            Some(SKIPPED) => Err(String::from_utf8_lossy(&out.stderr).trim().to_string()),
            _ => panic!("tests/netns/cluster up failed: {}", text(&out)),
        }
    }

    fn dir_str(&self) -> String {
        self.dir.display().to_string()
    }

    fn script(&self, args: &[&str]) -> Output {
        Command::new(script())
            .args(args)
            .current_dir(repo())
            .output()
            .expect("tests/netns/cluster runs")
    }

    /// A script subcommand about node `i` that must succeed.
    fn node_cmd(&self, cmd: &str, i: u32) {
        let out = self.script(&[cmd, &self.dir_str(), &i.to_string()]);
        assert!(out.status.success(), "{cmd} {i}: {}", text(&out));
    }

    /// o2check with `args`, in the hub namespace (the coordinator's place), killed
    /// after two minutes so that a hang fails the test instead of stalling CI.
    fn o2check(&self, args: &[&str]) -> (Output, Duration) {
        let dir = self.dir_str();
        let mut argv = vec!["hub", &dir, "timeout", "-k", "5", "120"];
        argv.push(env!("CARGO_BIN_EXE_o2check"));
        argv.extend_from_slice(args);
        let start = Instant::now();
        let out = Command::new(script())
            .args(&argv)
            .current_dir(repo())
            .env("NO_COLOR", "1")
            .output()
            .expect("o2check runs");
        (out, start.elapsed())
    }

    /// `o2check run --cluster` on the three nodes, reports in `dir/<name>/`.
    fn run(&self, name: &str, extra: &[&str]) -> Run {
        let out_dir = self.dir.join(name);
        let (ssh_config, out) = (self.ssh_config(), out_dir.display().to_string());
        let mut args = vec!["run", "--cluster", "--nodes", "n[1-3].o2test"];
        args.extend(["--ssh-config", &ssh_config, "--out", &out]);
        args.extend(["--color", "never", "-q"]);
        args.extend_from_slice(extra);
        let (output, elapsed) = self.o2check(&args);
        let log = text(&output);
        let bytes = std::fs::read(out_dir.join("results.json"))
            .unwrap_or_else(|e| panic!("{name}: no results.json ({e}): {log}"));
        let report = serde_json::from_slice(&bytes).expect("results.json is JSON");
        Run {
            name: name.into(),
            code: output.status.code(),
            report,
            log,
            elapsed,
            out_dir,
        }
    }

    fn ssh_config(&self) -> String {
        self.dir.join("ssh_config").display().to_string()
    }

    /// Anything a scenario left in the shared directory.
    fn scenario_leftovers(&self) -> Vec<String> {
        std::fs::read_dir(self.dir.join("shared"))
            .expect("shared dir")
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with(".o2check-"))
            .collect()
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let out = self.script(&["down", &self.dir_str()]);
        if out.status.success() {
            // Keys, logs and each node's /var/tmp with its o2check copy (~90 MB).
            let _ = std::fs::remove_dir_all(&self.dir);
        } else {
            eprintln!("tests/netns/cluster down failed: {}", text(&out));
        }
    }
}

struct Run {
    name: String,
    code: Option<i32>,
    report: Value,
    log: String,
    elapsed: Duration,
    out_dir: PathBuf,
}

impl Run {
    fn results(&self) -> &[Value] {
        self.report["results"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default()
    }

    fn status(&self, check: &str, node: &str) -> Option<&str> {
        self.results()
            .iter()
            .find(|r| r["check"] == check && r["node"] == node)
            .and_then(|r| r["status"].as_str())
    }

    fn assert_status(&self, check: &str, node: &str, want: &str) {
        let got = self.status(check, node);
        assert_eq!(
            got,
            Some(want),
            "{}: {check}@{node} is {got:?}, expected {want}\nresult: {}\n{}",
            self.name,
            self.results()
                .iter()
                .find(|r| r["check"] == check && r["node"] == node)
                .map(Value::to_string)
                .unwrap_or_default(),
            self.log
        );
    }

    fn checks_of(&self, node: &str) -> Vec<&str> {
        self.results()
            .iter()
            .filter(|r| r["node"] == node)
            .filter_map(|r| r["check"].as_str())
            .collect()
    }
}

#[test]
fn cluster_mode_on_a_namespace_cluster() {
    let started = Instant::now();
    let cluster = match Cluster::up() {
        Ok(c) => c,
        Err(why) if require_netns() => {
            panic!("O2CHECK_REQUIRE_NETNS=1 but the namespace cluster cannot run: {why}")
        }
        Err(why) => {
            // Straight to stderr: libtest hides eprintln! output of passing tests.
            let _ = writeln!(std::io::stderr(), "SKIPPED netns cluster test: {why}");
            return;
        }
    };
    healthy(&cluster);
    blocked_port(&cluster);
    dead_sshd(&cluster);
    scenarios(&cluster);
    drop(cluster);
    eprintln!("whole test {:.1?}", started.elapsed());
}

/// a) every node reachable, the o2net stand-ins answer, names resolve, hostnames
/// match cluster.conf, which is the same everywhere; the JUnit file is valid.
fn healthy(c: &Cluster) {
    let run = c.run("healthy", &[]);
    eprintln!("healthy run: exit {:?} in {:.1?}", run.code, run.elapsed);
    // Checks that need a real OCFS2 fail or skip here: only "0 or 1" is meaningful.
    assert!(matches!(run.code, Some(0 | 1)), "{}", run.log);
    for node in NODES {
        for check in [
            "node-reachable",
            "o2net-port",
            "name-resolution",
            "hostname-in-cluster-conf",
        ] {
            run.assert_status(check, node, "pass");
        }
    }
    let conf = run
        .results()
        .iter()
        .find(|r| r["check"] == "cluster-conf-identical");
    assert_eq!(
        conf.and_then(|r| r["status"].as_str()),
        Some("pass"),
        "cluster-conf-identical: {conf:?}\n{}",
        run.log
    );

    let junit = run.out_dir.join("junit.xml");
    let xsd = repo().join("reports/junit.xsd");
    let lint = Command::new("xmllint")
        .args(["--noout", "--schema"])
        .args([&xsd, &junit])
        .output()
        .expect("xmllint (libxml2-utils, installed by scripts/setup)");
    assert!(lint.status.success(), "junit.xml invalid: {}", text(&lint));
    let xml = std::fs::read_to_string(&junit).expect("junit.xml");
    let suites: Vec<&str> = xml
        .split("<testsuite ")
        .skip(1)
        .map(|s| &s[..s.find('>').unwrap_or(s.len())])
        .collect();
    for node in NODES {
        let attr = format!("hostname=\"{node}\"");
        let n = suites.iter().filter(|s| s.contains(&attr)).count();
        assert_eq!(n, 1, "{n} testsuites for {node}: {suites:#?}");
    }
    assert_eq!(suites.len(), NODES.len() + 1, "{suites:#?}");
    assert!(
        suites.iter().any(|s| s.contains("cluster")),
        "no cluster testsuite: {suites:#?}"
    );
}

/// b) node 3's firewall drops o2net's port: the failure is n3's (its own rule
/// explains it), not that of the nodes that could not reach it.
fn blocked_port(c: &Cluster) {
    c.node_cmd("block-port", 3);
    let run = c.run("blocked-port", &[]);
    eprintln!(
        "blocked-port run: exit {:?} in {:.1?}",
        run.code, run.elapsed
    );
    c.node_cmd("unblock-port", 3);
    assert_eq!(run.code, Some(1), "{}", run.log);
    run.assert_status("o2net-port", "n3.o2test", "fail");
    run.assert_status("o2net-port", "n1.o2test", "pass");
    run.assert_status("o2net-port", "n2.o2test", "pass");
}

/// c) node 2's sshd is gone: n2 is an error with nothing else, the others are
/// checked as usual, and the run does not wait out any long timeout.
fn dead_sshd(c: &Cluster) {
    c.node_cmd("kill-sshd", 2);
    let run = c.run("dead-sshd", &["--connect-timeout", "5"]);
    eprintln!("dead-sshd run: exit {:?} in {:.1?}", run.code, run.elapsed);
    c.node_cmd("start-sshd", 2);
    assert_eq!(run.code, Some(1), "{}", run.log);
    run.assert_status("node-reachable", "n2.o2test", "error");
    assert_eq!(
        run.checks_of("n2.o2test"),
        ["node-reachable"],
        "an unreachable node has only node-reachable\n{}",
        run.log
    );
    for node in ["n1.o2test", "n3.o2test"] {
        run.assert_status("node-reachable", node, "pass");
        run.assert_status("o2net-port", node, "pass");
    }
    // Defaults: 10 s to connect, 180 s per node; a refused connection is instant.
    assert!(
        run.elapsed < Duration::from_secs(30),
        "took {:.1?}\n{}",
        run.elapsed,
        run.log
    );
}

/// d) the scenarios over ssh on two nodes, in the shared directory (not OCFS2, so
/// only with --allow-non-ocfs2): they pass and clean up; without the flag nothing runs.
fn scenarios(c: &Cluster) {
    let (help, _) = c.o2check(&["scenario", "--help"]);
    let has_run = String::from_utf8_lossy(&help.stdout)
        .lines()
        .any(|l| l.trim_start().starts_with("run "));
    if !has_run {
        eprintln!("`o2check scenario run` does not exist yet: scenario case not run");
        return;
    }
    let shared = c.dir.join("shared").display().to_string();
    let ssh_config = c.ssh_config();
    // Reports not named explicitly go to --out (default reports/ in the repo).
    let out_dir = c.dir.join("scenario-out");
    let out = out_dir.display().to_string();
    let base = [
        "scenario",
        "run",
        "all",
        "--nodes",
        "n[1,3].o2test",
        "--ssh-config",
        &ssh_config,
        "--mount",
        &shared,
        "--preset",
        "scenarios/quick.toml",
        "--out",
        &out,
        "--json",
    ];

    let refused_json = c.dir.join("scenario-refused.json");
    let mut args = base.to_vec();
    let refused_path = refused_json.display().to_string();
    args.push(&refused_path);
    let (out, _) = c.o2check(&args);
    assert_eq!(out.status.code(), Some(2), "not OCFS2: {}", text(&out));
    let refusal = String::from_utf8_lossy(&out.stderr);
    assert!(refusal.contains("--allow-non-ocfs2"), "{refusal}");
    assert!(!refused_json.exists(), "a refused run wrote its JSON");
    let written: Vec<_> = std::fs::read_dir(&out_dir)
        .map(|d| d.filter_map(|e| e.ok()).map(|e| e.path()).collect())
        .unwrap_or_default();
    assert!(written.is_empty(), "a refused run wrote {written:?}");
    assert_eq!(c.scenario_leftovers(), Vec::<String>::new());

    let json = c.dir.join("scenario.json");
    let json_path = json.display().to_string();
    let mut args = base.to_vec();
    args.push(&json_path);
    args.push("--allow-non-ocfs2");
    let (out, elapsed) = c.o2check(&args);
    eprintln!(
        "scenario run: exit {:?} in {elapsed:.1?}",
        out.status.code()
    );
    assert_eq!(out.status.code(), Some(0), "scenario run: {}", text(&out));
    let report: Value =
        serde_json::from_slice(&std::fs::read(&json).expect("scenario JSON")).expect("JSON");
    let results = report["results"].as_array().cloned().unwrap_or_default();
    assert!(!results.is_empty(), "no scenario results: {report}");
    for r in &results {
        // Plain O_APPEND is documented to lose records on OCFS2, so `all` skips it
        // (unless expect_loss): the one result allowed not to pass.
        let ok =
            r["status"] == "pass" || (r["check"] == "concurrent-append" && r["status"] == "skip");
        assert!(ok, "scenario result not passed: {r}");
    }
    let junit = out_dir.join("scenarios-junit.xml");
    let lint = Command::new("xmllint")
        .args(["--noout", "--schema"])
        .args([&repo().join("reports/junit.xsd"), &junit])
        .output()
        .expect("xmllint");
    assert!(lint.status.success(), "scenarios JUnit: {}", text(&lint));
    assert_eq!(
        c.scenario_leftovers(),
        Vec::<String>::new(),
        "scenario left files in the shared directory"
    );
}
