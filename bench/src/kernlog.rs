//! `o2check-bench --kernlog-mb N`: o2check's kernel-log extraction against
//! `rg -c` with the same keywords and `wc -l` (the cost of reading the bytes), on
//! the same file in the page cache, back to back in each round so a busy machine
//! weighs on all three alike; best and median of the rounds, both ratios, CPU
//! time and o2check's peak RSS. With `--kernlog-compress gz|xz` the log is
//! compressed and o2check's decompress-in-pipeline scan is timed against
//! `zcat | rg -c`.

use crate::kernlog_gen::{compressed, generate};
use nix::sys::resource::{getrusage, UsageWho};
use o2check_checks::kernlog::scan_pipe::{scan_path, FileScan};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const PATTERN: &str = "o2net|o2hb|o2dlm|ocfs2";

pub fn run(megabytes: u64, file: Option<PathBuf>, rounds: usize, compress: Option<&str>) -> u8 {
    match bench(megabytes, file, rounds.max(1), compress) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("o2check-bench: {e}");
            2
        }
    }
}

/// Wall and CPU time of one measured thing.
#[derive(Clone, Copy)]
struct Sample {
    wall: Duration,
    cpu: Duration,
}

fn cpu(who: UsageWho) -> Duration {
    getrusage(who).map_or(Duration::ZERO, |u| {
        let t = |tv: nix::sys::time::TimeVal| {
            Duration::new(tv.tv_sec() as u64, tv.tv_usec() as u32 * 1000)
        };
        t(u.user_time()) + t(u.system_time())
    })
}

fn timed<T>(who: UsageWho, f: impl FnOnce() -> T) -> (T, Sample) {
    let (c, w) = (cpu(who), Instant::now());
    let out = f();
    let wall = w.elapsed();
    (
        out,
        Sample {
            wall,
            cpu: cpu(who).saturating_sub(c),
        },
    )
}

/// A shell pipeline, its output and its time (CPU of all its processes).
fn shell(script: &str, path: &Path) -> Result<(String, Sample), String> {
    let (out, s) = timed(UsageWho::RUSAGE_CHILDREN, || {
        Command::new("sh")
            .args(["-c", script, "sh"])
            .arg(path)
            .stderr(Stdio::null())
            .output()
    });
    let out = out.map_err(|e| format!("sh -c {script}: {e}"))?;
    Ok((String::from_utf8_lossy(&out.stdout).trim().to_string(), s))
}

fn have(tool: &str) -> bool {
    Command::new(tool)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status.lines().find_map(|l| {
        l.strip_prefix("VmHWM:")?
            .split_whitespace()
            .next()?
            .parse()
            .ok()
    })
}

fn bench(
    megabytes: u64,
    file: Option<PathBuf>,
    rounds: usize,
    compress: Option<&str>,
) -> Result<(), String> {
    let plain = file
        .unwrap_or_else(|| std::env::temp_dir().join(format!("o2check-bench-{megabytes}M.log")));
    let size = megabytes << 20;
    if std::fs::metadata(&plain)
        .map(|m| m.len() < size)
        .unwrap_or(true)
    {
        eprintln!("generating {} ({megabytes} MiB) ...", plain.display());
        let n =
            generate(&plain, size).map_err(|e| format!("cannot write {}: {e}", plain.display()))?;
        eprintln!("  {n} o2 lines sprinkled in");
    }
    let (path, rivals): (PathBuf, Vec<(String, String)>) = match compress {
        None => (
            plain.clone(),
            vec![
                (
                    format!("rg -c '{PATTERN}'"),
                    format!("rg -c '{PATTERN}' \"$1\""),
                ),
                ("wc -l".into(), "wc -l < \"$1\"".into()),
            ],
        ),
        Some(tool @ ("gz" | "xz")) => {
            let (zip, cat) = if tool == "xz" {
                ("xz", "xzcat")
            } else {
                ("gzip", "zcat")
            };
            let packed = compressed(&plain, zip).map_err(|e| format!("{zip}: {e}"))?;
            (
                packed,
                vec![
                    (
                        format!("{cat} | rg -c '{PATTERN}'"),
                        format!("{cat} \"$1\" | rg -c '{PATTERN}'"),
                    ),
                    (
                        format!("{cat} > /dev/null"),
                        format!("{cat} \"$1\" > /dev/null"),
                    ),
                ],
            )
        }
        Some(other) => return Err(format!("--kernlog-compress {other}: gz or xz")),
    };
    let has_rg = have("rg");
    if !has_rg {
        println!("rg not installed (apt-get install ripgrep): no comparison with it");
    }
    let rivals: Vec<_> = rivals
        .into_iter()
        .filter(|(name, _)| has_rg || !name.contains("rg -c"))
        .collect();
    let rss_before = peak_rss_kib().unwrap_or(0);
    let mut ours: Vec<Sample> = Vec::new();
    let mut theirs: Vec<Vec<Sample>> = vec![Vec::new(); rivals.len()];
    let mut last = FileScan::default();
    let mut counts = vec![String::new(); rivals.len()];
    for _ in 0..rounds {
        let (scan, s) = timed(UsageWho::RUSAGE_SELF, || scan_path(&path, u64::MAX, |_| {}));
        last = scan.map_err(|e| format!("{}: {e}", path.display()))?;
        ours.push(s);
        for (i, (_, script)) in rivals.iter().enumerate() {
            let (out, s) = shell(script, &path)?;
            counts[i] = out;
            theirs[i].push(s);
        }
    }
    let rss = peak_rss_kib().unwrap_or(0);
    let stats = &last.stats;
    let mib = |b: u64| b as f64 / 1048576.0;
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!(
        "log: {} ({:.0} MiB as stored, {:.0} MiB of text, {} lines); {} cores; load average {}",
        path.display(),
        mib(last.stored_bytes),
        mib(stats.bytes),
        stats.newlines,
        std::thread::available_parallelism().map_or(1, |n| n.get()),
        load.split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" ")
    );
    println!("{rounds} rounds, each o2check then the others back to back; best and median wall time, MiB/s of the file as stored at the best, CPU of the best round");
    println!(
        "{:<34} {:>8} {:>9} {:>9} {:>8}  result",
        "", "best s", "median s", "MiB/s", "CPU s"
    );
    let row = |name: &str, samples: &mut Vec<Sample>, result: &str| -> f64 {
        samples.sort_by_key(|s| s.wall);
        let best = samples[0];
        let secs = best.wall.as_secs_f64();
        println!(
            "{name:<34} {secs:>8.3} {:>9.3} {:>9.0} {:>8.2}  {result}",
            samples[samples.len() / 2].wall.as_secs_f64(),
            mib(last.stored_bytes) / secs,
            best.cpu.as_secs_f64()
        );
        secs
    };
    let ours_best = row(
        "o2check scan",
        &mut ours,
        &format!(
            "{} o2 lines, {} events ({} unknown), {} kept",
            stats.lines_with_keywords, stats.events, stats.unknown, stats.kept
        ),
    );
    let mut ratios = Vec::new();
    for (i, (name, _)) in rivals.iter().enumerate() {
        let best = row(name, &mut theirs[i], &counts[i]);
        ratios.push(format!("o2check / {name}: {:.2}", ours_best / best));
    }
    println!("{}", ratios.join("; "));
    println!(
        "o2check peak RSS {} MiB ({} MiB before the scans)",
        rss / 1024,
        rss_before / 1024
    );
    Ok(())
}
