//! `o2check-bench --cluster-nodes 3,16,64`: a full `o2check run --cluster` against
//! simulated nodes, to show that a cluster check takes as long as its slowest
//! node rather than the sum of all nodes. Each simulated node is a stand-in for
//! `ssh` (this binary as `sim-ssh`, see sim_ssh.rs) that answers o2check's remote
//! commands after a delay (a slow node among them) and serves a real lab bundle
//! renamed to that node.

use crate::sim_ssh::SimNodes;
use nix::sys::resource::{getrusage, UsageWho};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Per-command delay of an ordinary simulated node, and of the one slow node.
pub const NODE_DELAY_MS: u64 = 40;
pub const SLOW_DELAY_MS: u64 = 400;
fn children_cpu_ms() -> f64 {
    getrusage(UsageWho::RUSAGE_CHILDREN).map_or(0.0, |u| {
        let ms =
            |t: nix::sys::time::TimeVal| t.tv_sec() as f64 * 1000.0 + t.tv_usec() as f64 / 1000.0;
        ms(u.user_time()) + ms(u.system_time())
    })
}

/// Answers a node gives in a run, each after the node's delay: collect and three
/// clock samples (over two sessions: the samples share one; the simulated nodes
/// run with `--deploy never`, so no deployment round trip).
pub const COMMANDS_PER_NODE: u64 = 4;

pub fn run(exe: &Path, bundle: &Path, node_counts: &[usize], iterations: usize) -> u8 {
    match bench(exe, bundle, node_counts, iterations) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("o2check-bench: {e}");
            2
        }
    }
}

fn bench(
    exe: &Path,
    bundle: &Path,
    node_counts: &[usize],
    iterations: usize,
) -> Result<(), String> {
    let tmp = tempfile::tempdir().map_err(|e| e.to_string())?;
    println!(
        "simulated nodes give each answer after {NODE_DELAY_MS} ms, one slow node after {SLOW_DELAY_MS} ms; \
         {COMMANDS_PER_NODE} answers per node; bundle {}",
        bundle.display()
    );
    println!("{STAND_IN_NOTE}");
    println!(
        "{:>6} {:>11} {:>9} {:>10} {:>8} {:>17} {:>17}",
        "nodes", "slowest ms", "sum ms", "median ms", "max ms", "coordinator CPU", "stand-ins CPU"
    );
    for &n in node_counts {
        let dir = tmp.path().join(format!("n{n}"));
        std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        for i in 0..n {
            write_node_tar(bundle, &dir, &node_name(i), &[])?;
        }
        let ssh = stand_in(&dir, "sim0")?;
        let mut samples = Vec::new();
        let (mut own_ms, mut all_ms) = (Vec::new(), Vec::new());
        for _ in 0..iterations.max(1) {
            let before = children_cpu_ms();
            let started = Instant::now();
            let child = Command::new(exe)
                .args([
                    "run",
                    "--no-reports",
                    "-q",
                    "--color",
                    "never",
                    "--deploy",
                    "never",
                ])
                .args(["--nodes", &format!("sim[0-{}]", n - 1)])
                .args(["--parallel", &n.to_string()])
                .arg("--ssh-program")
                .arg(&ssh)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .map_err(|e| e.to_string())?;
            let (status, own) = crate::o2check_bin::wait_with_own_cpu(child)?;
            if status.code() == Some(2) {
                return Err(format!(
                    "the cluster run over {n} simulated nodes failed to start"
                ));
            }
            samples.push(started.elapsed());
            let own = own.as_secs_f64() * 1000.0;
            own_ms.push(own);
            all_ms.push(children_cpu_ms() - before - own);
        }
        own_ms.sort_by(f64::total_cmp);
        all_ms.sort_by(f64::total_cmp);
        samples.sort();
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        let slowest = SLOW_DELAY_MS * COMMANDS_PER_NODE;
        let sum = slowest + (n as u64 - 1) * NODE_DELAY_MS * COMMANDS_PER_NODE;
        let (own, stand_ins) = (own_ms[own_ms.len() / 2], all_ms[all_ms.len() / 2]);
        println!(
            "{:>6} {:>11} {:>9} {:>10.0} {:>8.0} {:>17} {:>17}",
            n,
            slowest,
            sum,
            ms(samples[samples.len() / 2]),
            ms(samples[samples.len() - 1]),
            format!("{own:.0} ms, {:.1}/node", own / n as f64),
            format!("{stand_ins:.0} ms, {:.1}/node", stand_ins / n as f64),
        );
    }
    Ok(())
}

fn node_name(i: usize) -> String {
    format!("sim{i}")
}

/// The bundle as `o2check collect --out -` would stream it, meta.json naming the
/// node, with `replaced` files (path in the bundle, content) instead of the bundle's.
pub fn write_node_tar(
    bundle: &Path,
    dir: &Path,
    node: &str,
    replaced: &[(&str, String)],
) -> Result<(), String> {
    let file = std::fs::File::create(dir.join(format!("{node}.tar"))).map_err(|e| e.to_string())?;
    let mut tar = tar::Builder::new(file);
    append_tree(&mut tar, bundle, Path::new(""), replaced)?;
    let meta = format!("{{\"host\":\"{node}\",\"provenance\":\"o2check bench simulated node\"}}");
    let files = replaced
        .iter()
        .map(|(p, c)| (*p, c.as_str()))
        .chain([("meta.json", meta.as_str())]);
    for (path, content) in files {
        let mut header = tar::Header::new_gnu();
        header.set_size(content.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        tar.append_data(&mut header, path, content.as_bytes())
            .map_err(|e| e.to_string())?;
    }
    tar.finish().map_err(|e| e.to_string())
}

/// Every file under `root/rel` into the archive, except meta.json and `replaced`.
fn append_tree(
    tar: &mut tar::Builder<std::fs::File>,
    root: &Path,
    rel: &Path,
    replaced: &[(&str, String)],
) -> Result<(), String> {
    let dir = root.join(rel);
    for entry in std::fs::read_dir(&dir).map_err(|e| format!("{}: {e}", dir.display()))? {
        let entry = entry.map_err(|e| e.to_string())?;
        let name = rel.join(entry.file_name());
        let skip =
            name == Path::new("meta.json") || replaced.iter().any(|(p, _)| Path::new(p) == name);
        if skip {
            continue;
        }
        if entry.path().is_dir() {
            append_tree(tar, root, &name, replaced)?;
        } else {
            tar.append_path_with_name(entry.path(), &name)
                .map_err(|e| e.to_string())?;
        }
    }
    Ok(())
}

/// The ssh stand-in for simulated nodes whose tars lie in `dir`, nodes named
/// `slow` (a name, or a prefix ending in `*`) answering after [`SLOW_DELAY_MS`]:
/// `program` (this benchmark's own binary, see [`crate::sim_ssh`]) through a
/// symlink in `dir`. Returns the path for `--ssh-program`.
pub fn install_stand_in(program: &Path, dir: &Path, slow: &str) -> Result<PathBuf, String> {
    SimNodes {
        tars: dir.to_path_buf(),
        slow: slow.to_string(),
        delay: Duration::from_millis(NODE_DELAY_MS),
        slow_delay: Duration::from_millis(SLOW_DELAY_MS),
    }
    .install(dir, program)
}

/// [`install_stand_in`] with this running benchmark binary as the stand-in.
pub(crate) fn stand_in(dir: &Path, slow: &str) -> Result<PathBuf, String> {
    let me = std::env::current_exe().map_err(|e| format!("cannot find this program: {e}"))?;
    install_stand_in(&me, dir, slow)
}

/// What the benchmarks print about the stand-in, so its CPU is not read as o2check's.
pub(crate) const STAND_IN_NOTE: &str = "stand-in for ssh: o2check-bench itself as `sim-ssh` \
     (one process per ssh session that sleeps the node's delay, then answers or copies the \
     node's tar; about an ssh client's cost); its CPU is the simulation's, not o2check's, \
     and is not in the coordinator's";
