//! `o2check-bench --scenario-overhead`: what the scenario machinery costs on top
//! of the writes themselves. On a local temporary directory, times `o2check
//! scenario append-write` of N records, and the whole `scenario run
//! concurrent-append` (process start, prepare, barrier, verify, reports) on one
//! local node, against a plain shell loop appending lines of the same size; with
//! `flock(1)` installed, also the flock variants. Prints medians and ratios.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const RECORDS: u64 = 2000;
const PAYLOAD: usize = 60;

fn time(mut cmd: Command) -> Result<Duration, String> {
    let t = Instant::now();
    let st = cmd
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .map_err(|e| format!("cannot run {:?}: {e}", cmd.get_program()))?;
    let d = t.elapsed();
    if !st.status.success() {
        return Err(format!(
            "{:?} failed ({}): {}",
            cmd.get_program(),
            st.status,
            String::from_utf8_lossy(&st.stderr).trim()
        ));
    }
    Ok(d)
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn have(program: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {program} >/dev/null")])
        .status()
        .is_ok_and(|s| s.success())
}

pub fn run(exe: &Path, reps: usize) -> u8 {
    match bench(exe, reps.max(1)) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("o2check-bench: {e}");
            2
        }
    }
}

fn bench(exe: &Path, reps: usize) -> Result<(), String> {
    let tmp = tempfile::tempdir().map_err(|e| format!("cannot make a temporary directory: {e}"))?;
    let dir = tmp.path();
    let preset = dir.join("bench.toml");
    std::fs::write(
        &preset,
        format!("[concurrent_append]\nrecords = {RECORDS}\npayload = {PAYLOAD}\npause_ms = 0\n"),
    )
    .map_err(|e| e.to_string())?;
    // The same bytes per line as a scenario record of this payload.
    let line = o2check_scenarios::records::record("w", 0, PAYLOAD);
    let shell_line = line.trim_end().replace('\'', "");
    let flock = have("flock");

    let mut rows: Vec<(&str, Duration)> = Vec::new();
    let mut measure = |name: &'static str, make: &dyn Fn(usize) -> Command| -> Result<(), String> {
        let mut samples = Vec::new();
        for i in 0..reps {
            samples.push(time(make(i))?);
        }
        rows.push((name, median(samples)));
        Ok(())
    };
    let mount = dir.to_str().unwrap_or("/tmp");
    measure("shell loop: printf >> file", &|i| {
        let mut c = Command::new("sh");
        c.arg("-c").arg(format!(
            "f={mount}/shell-{i}.log; for i in $(seq {RECORDS}); do printf '%s\\n' '{shell_line}' >> \"$f\"; done"
        ));
        c
    })?;
    measure("scenario append-write", &|i| {
        let mut c = Command::new(exe);
        c.args([
            "scenario",
            "append-write",
            "--allow-non-ocfs2",
            "--writer",
            "w",
        ])
        .args(["--mount", mount, "--run-id", &format!("bench-w{i}")])
        .args([
            "--records",
            &RECORDS.to_string(),
            "--payload",
            &PAYLOAD.to_string(),
        ]);
        c
    })?;
    measure("scenario run concurrent-append, 1 node", &|i| {
        let mut c = Command::new(exe);
        c.args(["scenario", "run", "concurrent-append", "--local-transport"])
            .args(["--nodes", "n1", "--allow-non-ocfs2", "--mount", mount])
            .args(["--run-id", &format!("bench-r{i}")])
            .arg("--preset")
            .arg(&preset)
            .arg("--out")
            .arg(dir.join(format!("reports-{i}")));
        c
    })?;
    if flock {
        measure("shell loop: flock(1) + printf >> file", &|i| {
            let mut c = Command::new("sh");
            c.arg("-c").arg(format!(
                "f={mount}/shellf-{i}.log; exec 9>\"$f.lock\"; for i in $(seq {RECORDS}); do flock 9; printf '%s\\n' '{shell_line}' >> \"$f\"; flock -u 9; done"
            ));
            c
        })?;
        measure("scenario append-write --flock", &|i| {
            let mut c = Command::new(exe);
            c.args(["scenario", "append-write", "--allow-non-ocfs2", "--flock"])
                .args(["--writer", "w", "--mount", mount])
                .args(["--run-id", &format!("bench-f{i}")])
                .args([
                    "--records",
                    &RECORDS.to_string(),
                    "--payload",
                    &PAYLOAD.to_string(),
                ]);
            c
        })?;
    }
    check_lines(dir, "shell-0.log")?;
    println!(
        "scenario overhead: {RECORDS} appends of {} bytes each to a file in {} (median of {reps})",
        line.len(),
        dir.display()
    );
    println!(
        "{:<42} {:>10} {:>12} {:>10}",
        "", "ms", "us/record", "vs shell"
    );
    let base = |name: &str| {
        let shell = if name.contains("flock") {
            "shell loop: flock(1) + printf >> file"
        } else {
            "shell loop: printf >> file"
        };
        rows.iter().find(|(n, _)| *n == shell).map(|(_, d)| *d)
    };
    for (name, d) in &rows {
        let ratio = base(name).map_or(f64::NAN, |b| d.as_secs_f64() / b.as_secs_f64());
        println!(
            "{:<42} {:>10.1} {:>12.2} {:>9.3}x",
            name,
            d.as_secs_f64() * 1e3,
            d.as_secs_f64() * 1e6 / RECORDS as f64,
            ratio
        );
    }
    if !flock {
        println!("(flock(1) not installed: flock rows left out)");
    }
    Ok(())
}

/// The shell loop really wrote what the comparison assumes.
fn check_lines(dir: &Path, name: &str) -> Result<(), String> {
    let text = std::fs::read_to_string(dir.join(name)).map_err(|e| e.to_string())?;
    let n = text.lines().count() as u64;
    if n != RECORDS {
        return Err(format!("the shell loop wrote {n} lines, not {RECORDS}"));
    }
    Ok(())
}
