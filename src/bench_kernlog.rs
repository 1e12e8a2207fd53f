//! The kernel-log benchmark: a generated syslog of realistic mixed traffic with o2
//! lines sprinkled in (taken from the lab's real dmesg), scanned by o2check's
//! streaming extractor and counted by `rg -c`, with the time ratio and o2check's
//! peak RSS.

use o2check_checks::kernlog::scan::scan_file;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

/// Everyday lines of a hypervisor host's syslog, none of them o2 messages.
const NOISE: &[&str] = &[
    "sshd[2211]: Accepted publickey for root from 10.20.0.9 port 51514 ssh2: RSA SHA256:Zq3",
    "systemd[1]: Started Session 4711 of user root.",
    "CRON[9931]: (root) CMD (/usr/lib/zstack/kvmagent/check.sh >/dev/null 2>&1)",
    "kernel: [ 9921.331201] br0: port 3(vnet12) entered forwarding state",
    "libvirtd[1456]: internal error: End of file from qemu monitor",
    "kernel: [ 9922.001100] device-mapper: multipath: 253:3: Reinstating path 8:48.",
    "multipathd[803]: mpatha: sdd - tur checker reports path is up",
    "iscsid[702]: Connection1:0 to [target: iqn.1984-05.com.dell:powervault, portal: 10.50.200.41,3260] through [iface: default] is operational now",
    "chronyd[655]: Selected source 10.20.0.1",
    "kernel: [ 9930.120019] kvm: vcpu 0: requested 13435 ns lapic timer period limited to 200000 ns",
];

fn o2_lines() -> Vec<String> {
    let dmesg = include_str!("../fixtures/captures/dmesg-node1-end.txt");
    dmesg
        .lines()
        .filter(|l| {
            ["o2net", "o2hb", "o2dlm", "ocfs2"]
                .iter()
                .any(|k| l.contains(k))
        })
        .filter_map(|l| l.split_once("] ").map(|(_, m)| m.to_string()))
        .collect()
}

fn generate(path: &Path, bytes: u64) -> std::io::Result<u64> {
    let o2 = o2_lines();
    let mut w = BufWriter::with_capacity(1 << 20, std::fs::File::create(path)?);
    let (mut written, mut i, mut o2_count) = (0u64, 0usize, 0u64);
    while written < bytes {
        let second = i / 50;
        let stamp = format!(
            "Nov 24 {:02}:{:02}:{:02} n150",
            (second / 3600) % 24,
            (second / 60) % 60,
            second % 60
        );
        let line = if i % 400 == 7 {
            o2_count += 1;
            format!(
                "{stamp} kernel: [{:>5}.{:06}] {}\n",
                second,
                i % 1_000_000,
                o2[i % o2.len()]
            )
        } else {
            format!("{stamp} {}\n", NOISE[i % NOISE.len()])
        };
        w.write_all(line.as_bytes())?;
        written += line.len() as u64;
        i += 1;
    }
    w.flush()?;
    Ok(o2_count)
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

pub fn run(megabytes: u64, file: Option<PathBuf>) -> u8 {
    let path = file
        .unwrap_or_else(|| std::env::temp_dir().join(format!("o2check-bench-{megabytes}M.log")));
    let size = megabytes << 20;
    if std::fs::metadata(&path)
        .map(|m| m.len() < size)
        .unwrap_or(true)
    {
        eprintln!("generating {} ({} MiB) ...", path.display(), megabytes);
        match generate(&path, size) {
            Ok(n) => eprintln!("  {n} o2 lines sprinkled in"),
            Err(e) => {
                eprintln!("o2check bench: cannot write {}: {e}", path.display());
                return 2;
            }
        }
    }
    let rss_before = peak_rss_kib().unwrap_or(0);
    let start = Instant::now();
    let stats = match std::fs::File::open(&path).and_then(|f| scan_file(&f, |_| {})) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("o2check bench: {e}");
            return 2;
        }
    };
    let ours = start.elapsed().as_secs_f64();
    let rss = peak_rss_kib().unwrap_or(0);
    println!(
        "log: {} ({:.0} MiB)",
        path.display(),
        stats.bytes as f64 / 1048576.0
    );
    println!("o2check: {} events ({} unknown) from {} keyword lines in {ours:.2} s ({:.0} MiB/s), peak RSS {} MiB (was {} MiB before the scan)", stats.events, stats.unknown, stats.lines_with_keywords, stats.bytes as f64 / 1048576.0 / ours, rss / 1024, rss_before / 1024);
    let rg = Instant::now();
    match Command::new("rg")
        .args(["-c", "o2net|o2hb|o2dlm|ocfs2"])
        .arg(&path)
        .output()
    {
        Ok(out) if out.status.success() || out.status.code() == Some(1) => {
            let theirs = rg.elapsed().as_secs_f64();
            println!(
                "rg -c 'o2net|o2hb|o2dlm|ocfs2': {} lines in {theirs:.2} s",
                String::from_utf8_lossy(&out.stdout).trim()
            );
            println!(
                "ratio o2check/rg: {:.2} (below 1 means o2check is faster)",
                ours / theirs
            );
        }
        _ => println!("rg not installed (apt-get install ripgrep) — no comparison"),
    }
    0
}
