//! `o2check-bench --run-bundle-mb N [--run-bundle-rotated]`: a whole `o2check run
//! --bundle` on a real lab bundle whose var/log/messages is a generated N MiB
//! syslog (the kernel-log benchmark's log), against one scan of that log, with
//! o2check's peak RSS, to show the run costs about one pass over its biggest
//! input in flat memory (issue 10: at most 1.3 times one scan). With
//! `--run-bundle-rotated`, four gzipped rotations of N/4 MiB of text each are
//! added (a sosreport-sized bundle: 2 GiB of logs, half gzipped, for N = 1024).

use crate::kernlog_gen::{compressed, generate};
use nix::sys::resource::{getrusage, UsageWho};
use o2check_checks::kernlog::scan_pipe::scan_path;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

pub fn run(exe: &Path, bundle: &Path, megabytes: u64, rotated: bool, rounds: usize) -> u8 {
    match bench(exe, bundle, megabytes, rotated, rounds.max(1)) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("o2check-bench: {e}");
            2
        }
    }
}

/// The generated log of `megabytes` MiB, made once and kept in the temp dir.
fn log_of(megabytes: u64) -> Result<PathBuf, String> {
    let path = std::env::temp_dir().join(format!("o2check-bench-{megabytes}M.log"));
    let size = megabytes << 20;
    if std::fs::metadata(&path)
        .map(|m| m.len() < size)
        .unwrap_or(true)
    {
        eprintln!("generating {} ({megabytes} MiB) ...", path.display());
        generate(&path, size).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    Ok(path)
}

/// `from` at `to`: a hard link (same file system, no copy), else a copy.
fn place(from: &Path, to: &Path) -> Result<(), String> {
    std::fs::hard_link(from, to)
        .or_else(|_| std::fs::copy(from, to).map(|_| ()))
        .map_err(|e| format!("cannot place {} at {}: {e}", from.display(), to.display()))
}

fn copy_tree(from: &Path, to: &Path) -> Result<(), String> {
    std::fs::create_dir_all(to).map_err(|e| e.to_string())?;
    for entry in std::fs::read_dir(from).map_err(|e| format!("{}: {e}", from.display()))? {
        let entry = entry.map_err(|e| e.to_string())?;
        let target = to.join(entry.file_name());
        if entry.file_type().map_err(|e| e.to_string())?.is_dir() {
            copy_tree(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), &target).map_err(|e| e.to_string())?;
        }
    }
    Ok(())
}

fn own_cpu() -> Duration {
    getrusage(UsageWho::RUSAGE_SELF).map_or(Duration::ZERO, |u| {
        let t = |tv: nix::sys::time::TimeVal| {
            Duration::new(tv.tv_sec() as u64, tv.tv_usec() as u32 * 1000)
        };
        t(u.user_time()) + t(u.system_time())
    })
}

fn children() -> (Duration, u64) {
    getrusage(UsageWho::RUSAGE_CHILDREN).map_or((Duration::ZERO, 0), |u| {
        let t = |tv: nix::sys::time::TimeVal| {
            Duration::new(tv.tv_sec() as u64, tv.tv_usec() as u32 * 1000)
        };
        (t(u.user_time()) + t(u.system_time()), u.max_rss() as u64)
    })
}

fn bench(
    exe: &Path,
    bundle: &Path,
    megabytes: u64,
    rotated: bool,
    rounds: usize,
) -> Result<(), String> {
    let plain = log_of(megabytes)?;
    let tmp = tempfile::tempdir().map_err(|e| e.to_string())?;
    let dir = tmp.path().join("bundle");
    copy_tree(bundle, &dir)?;
    let logs = dir.join("var/log");
    std::fs::create_dir_all(&logs).map_err(|e| e.to_string())?;
    place(&plain, &logs.join("messages"))?;
    let mut stored = megabytes << 20;
    let mut text = stored;
    if rotated {
        let quarter = log_of((megabytes / 4).max(1))?;
        let gz = compressed(&quarter, "gzip").map_err(|e| format!("gzip: {e}"))?;
        for day in 1..=4 {
            place(&gz, &logs.join(format!("messages-2026112{day}.gz")))?;
            stored += std::fs::metadata(&gz).map_or(0, |m| m.len());
            text += std::fs::metadata(&quarter).map_or(0, |m| m.len());
        }
    }
    // Warm the page cache as the scan below will find it.
    let _ = scan_path(&plain, u64::MAX, |_| {});
    let (mut runs, mut cpu, mut scans, mut scan_cpu) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    // Each round the run, then the scan: a busy machine weighs on both alike.
    for _ in 0..rounds {
        let (before, _) = children();
        let started = Instant::now();
        let status = Command::new(exe)
            .args(["run", "--no-reports", "-q", "--color", "never", "--bundle"])
            .arg(&dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .map_err(|e| e.to_string())?;
        if !matches!(status.code(), Some(0 | 1)) {
            return Err(format!(
                "o2check run --bundle {} failed: {status}",
                dir.display()
            ));
        }
        runs.push(started.elapsed());
        cpu.push(children().0.saturating_sub(before));
        let (before, started) = (own_cpu(), Instant::now());
        scan_path(&plain, u64::MAX, |_| {}).map_err(|e| format!("{}: {e}", plain.display()))?;
        scans.push(started.elapsed());
        scan_cpu.push(own_cpu().saturating_sub(before));
    }
    // Every child was this o2check run: the children's peak is its peak.
    let peak_rss_mib = children().1 / 1024;
    for v in [&mut runs, &mut cpu, &mut scans, &mut scan_cpu] {
        v.sort();
    }
    let s = |d: Duration| d.as_secs_f64();
    let mib = |b: u64| b / (1 << 20);
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!(
        "bundle {} with var/log/messages of {} MiB{}: {} MiB of logs as stored, {} MiB of text; load average {}",
        bundle.display(),
        megabytes,
        if rotated { " and 4 gzipped rotations" } else { "" },
        mib(stored),
        mib(text),
        load.split_whitespace().take(3).collect::<Vec<_>>().join(" ")
    );
    println!("{rounds} rounds, each the run then the scan; best and median wall time, median CPU");
    println!(
        "{:<42} {:>8} {:>9} {:>8}",
        "", "best s", "median s", "CPU s"
    );
    println!(
        "{:<42} {:>8.3} {:>9.3} {:>8.2}",
        "o2check run --bundle (whole run)",
        s(runs[0]),
        s(runs[runs.len() / 2]),
        s(cpu[cpu.len() / 2])
    );
    println!(
        "{:<42} {:>8.3} {:>9.3} {:>8.2}",
        "one scan of var/log/messages (in process)",
        s(scans[0]),
        s(scans[scans.len() / 2]),
        s(scan_cpu[scan_cpu.len() / 2])
    );
    println!(
        "run / one scan of the messages log: wall {:.2} (best against best), CPU {:.2} (medians); o2check run peak RSS {peak_rss_mib} MiB",
        s(runs[0]) / s(scans[0]),
        s(cpu[cpu.len() / 2]) / s(scan_cpu[scan_cpu.len() / 2])
    );
    Ok(())
}
