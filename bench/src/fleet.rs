//! `o2check-bench --fleet 10x16`: `o2check fleet` over simulated clusters (the
//! ssh stand-in of cluster.rs, a real lab bundle per node with a cluster.conf
//! of its own cluster), to show that a fleet takes about as long as its slowest
//! cluster, not the sum of its clusters. The nodes of cluster 0 are slow; every
//! cluster is also timed alone with `run --cluster`, one after another, for the
//! sum.

use crate::cluster::{
    stand_in, write_node_tar, COMMANDS_PER_NODE, NODE_DELAY_MS, SLOW_DELAY_MS, STAND_IN_NOTE,
};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// `10x16` -> (10, 16).
pub fn parse_shape(s: &str) -> Result<(usize, usize), String> {
    let (c, n) = s
        .split_once('x')
        .ok_or_else(|| format!("--fleet wants CLUSTERSxNODES, e.g. 10x16, not {s}"))?;
    let num = |v: &str| {
        v.trim()
            .parse::<usize>()
            .ok()
            .filter(|&x| (1..=256).contains(&x))
    };
    match (num(c), num(n)) {
        (Some(c), Some(n)) => Ok((c, n)),
        _ => Err(format!("--fleet {s}: clusters and nodes must be 1..256")),
    }
}

pub fn run(exe: &Path, bundle: &Path, shape: &str, parallel: usize, iterations: usize) -> u8 {
    match parse_shape(shape).and_then(|(c, n)| bench(exe, bundle, c, n, parallel, iterations)) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("o2check-bench: {e}");
            2
        }
    }
}

fn node(cluster: usize, i: usize) -> String {
    format!("c{cluster}n{i}")
}

/// cluster.conf of cluster `fc<k>` with its `n` nodes, in o2cb's layout
/// (ocfs2-tools o2cb_ctl/o2cb_config.c, o2cb_config_store()).
fn cluster_conf(k: usize, n: usize) -> String {
    let mut s = format!("cluster:\n\tnode_count = {n}\n\theartbeat_mode = local\n\tname = fc{k}\n");
    for i in 0..n {
        s.push_str(&format!(
            "\nnode:\n\tip_port = 7777\n\tip_address = 10.{}.{}.{}\n\tnumber = {i}\n\tname = {}\n\tcluster = fc{k}\n",
            100 + k / 256,
            k % 256,
            i + 1,
            node(k, i)
        ));
    }
    s
}

fn bench(
    exe: &Path,
    bundle: &Path,
    clusters: usize,
    nodes: usize,
    parallel: usize,
    iterations: usize,
) -> Result<(), String> {
    let tmp = tempfile::tempdir().map_err(|e| e.to_string())?;
    let dir = tmp.path();
    let o2cb = std::fs::read_to_string(bundle.join("etc/default/o2cb")).unwrap_or_default();
    for k in 0..clusters {
        let boot: String = o2cb
            .lines()
            .map(|l| match l.starts_with("O2CB_BOOTCLUSTER=") {
                true => format!("O2CB_BOOTCLUSTER=fc{k}\n"),
                false => format!("{l}\n"),
            })
            .collect();
        let replaced = [
            ("etc/ocfs2/cluster.conf", cluster_conf(k, nodes)),
            ("etc/default/o2cb", boot),
        ];
        for i in 0..nodes {
            write_node_tar(bundle, dir, &node(k, i), &replaced)?;
        }
    }
    // Every node of cluster 0 is slow.
    let ssh = stand_in(dir, "c0n*")?;
    // Wall time and the coordinator's own CPU (without its stand-ins').
    let time_with_cpu = |args: &[String]| -> Result<(Duration, Duration), String> {
        let started = Instant::now();
        let child = Command::new(exe)
            .args(args)
            .args(["--deploy", "never", "--ssh-program"])
            .arg(&ssh)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| e.to_string())?;
        let (status, own) = crate::o2check_bin::wait_with_own_cpu(child)?;
        match status.code() {
            Some(0 | 1) => Ok((started.elapsed(), own)),
            _ => Err(format!("o2check {} failed to run", args.join(" "))),
        }
    };
    let time = |args: &[String]| time_with_cpu(args).map(|(wall, _)| wall);
    let hostlist = |k: usize| format!("c{k}n[0-{}]", nodes - 1);
    let run_one = |k: usize| {
        time(&[
            "run".into(),
            "--no-reports".into(),
            "-q".into(),
            "--nodes".into(),
            hostlist(k),
            "--parallel".into(),
            nodes.to_string(),
        ])
    };
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "{clusters} simulated clusters of {nodes} nodes; nodes give each of {COMMANDS_PER_NODE} answers after \
         {NODE_DELAY_MS} ms, cluster 0's after {SLOW_DELAY_MS} ms; fleet --parallel {parallel}; bundle {}",
        bundle.display()
    );
    println!("{STAND_IN_NOTE}");
    let slowest = run_one(0)?;
    let mut sum = slowest;
    for k in 1..clusters {
        sum += run_one(k)?;
    }
    let all: Vec<String> = (0..clusters).map(hostlist).collect();
    let out = dir.join("fleet-reports");
    let mut samples = Vec::new();
    let mut own_cpu = Duration::ZERO;
    let cpu_before = children_cpu_s();
    for _ in 0..iterations.max(1) {
        let (wall, own) = time_with_cpu(&[
            "fleet".into(),
            "--nodes".into(),
            all.join(","),
            "--parallel".into(),
            parallel.to_string(),
            "--out".into(),
            out.display().to_string(),
        ])?;
        samples.push(wall);
        own_cpu += own;
    }
    let cpu = (children_cpu_s() - cpu_before) / samples.len() as f64;
    let own_cpu = own_cpu.as_secs_f64() / samples.len() as f64;
    samples.sort();
    println!(
        "{:>18} {:>22} {:>14} {:>10} {:>22} {:>20}",
        "slowest cluster ms",
        "clusters one by one ms",
        "fleet median",
        "fleet max",
        "coordinator CPU s/run",
        "stand-ins CPU s/run"
    );
    println!(
        "{:>18.0} {:>22.0} {:>14.0} {:>10.0} {:>22.2} {:>20.2}",
        ms(slowest),
        ms(sum),
        ms(samples[samples.len() / 2]),
        ms(samples[samples.len() - 1]),
        own_cpu,
        cpu - own_cpu
    );
    let summary = std::fs::read_to_string(out.join("fleet.txt")).unwrap_or_default();
    println!(
        "{}",
        summary.lines().next().unwrap_or("no fleet summary written")
    );
    Ok(())
}

/// CPU seconds (user + system) of every child this process has waited for:
/// `cutime` and `cstime` of /proc/self/stat (proc(5)), which include their own
/// children (o2check's ssh stand-ins). Shows whether a run is waiting or working.
fn children_cpu_s() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name, which is in parentheses and may hold spaces.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    let hz = nix::unistd::sysconf(nix::unistd::SysconfVar::CLK_TCK)
        .ok()
        .flatten()
        .unwrap_or(100) as f64;
    // state is field 3; cutime and cstime are fields 16 and 17.
    (ticks(13) + ticks(14)) / hz
}

#[cfg(test)]
mod tests {
    use super::parse_shape;

    #[test]
    fn fleet_shapes() {
        assert_eq!(parse_shape("10x16"), Ok((10, 16)));
        assert!(parse_shape("10").is_err());
        assert!(parse_shape("0x3").is_err());
        assert!(parse_shape("3x999").is_err());
    }
}
