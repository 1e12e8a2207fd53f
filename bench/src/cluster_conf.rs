//! `o2check-bench --cluster-conf-nodes N`: the time `cluster-conf-syntax` takes on a
//! generated cluster.conf of N nodes, to show the check stays linear in the file's
//! size (issue 9: 8,000 nodes took 3.8 s, 200,000 did not finish). Two shapes: one
//! cluster of N nodes (numbers past 254 are problems, so every node yields a
//! problem with its line quoted), and N clusters of one node each.

use o2check_checks::source::{Bundle, Source};
use o2check_checks::{CheckError, NodeCtx, Options};
use std::fmt::Write;
use std::time::Instant;

pub fn run(sizes: &[usize]) -> u8 {
    println!(
        "{:>8} {:>12} {:>14} {:>12} {:>14}",
        "nodes", "file MiB", "one cluster ms", "problems", "N clusters ms"
    );
    for &n in sizes {
        let one = time_check(&one_cluster(n));
        let many = time_check(&many_clusters(n));
        match (one, many) {
            (Ok((mib, ms1, problems)), Ok((_, ms2, _))) => {
                println!("{n:>8} {mib:>12.1} {ms1:>14.0} {problems:>12} {ms2:>14.0}")
            }
            (Err(e), _) | (_, Err(e)) => {
                eprintln!("o2check-bench: {e}");
                return 2;
            }
        }
    }
    0
}

fn node(out: &mut String, i: usize, cluster: &str) {
    let _ = write!(
        out,
        "node:\n\tip_port = 7777\n\tip_address = 10.{}.{}.{}\n\tnumber = {i}\n\tname = n{i}\n\tcluster = {cluster}\n\n",
        (i >> 16) & 255,
        (i >> 8) & 255,
        i & 255
    );
}

fn one_cluster(n: usize) -> String {
    let mut s = format!("cluster:\n\tnode_count = {n}\n\theartbeat_mode = local\n\tname = big\n\n");
    for i in 0..n {
        node(&mut s, i, "big");
    }
    s
}

fn many_clusters(n: usize) -> String {
    let mut s = String::new();
    for i in 0..n {
        let _ = write!(s, "cluster:\n\tnode_count = 1\n\tname = c{i}\n\n");
    }
    for i in 0..n {
        node(&mut s, i, &format!("c{i}"));
    }
    s
}

/// (file MiB, check ms, evidence lines) for `cluster-conf-syntax` on `conf`.
fn time_check(conf: &str) -> Result<(f64, f64, usize), String> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let etc = dir.path().join("etc/ocfs2");
    std::fs::create_dir_all(&etc).map_err(|e| e.to_string())?;
    std::fs::write(etc.join("cluster.conf"), conf).map_err(|e| e.to_string())?;
    let bundle = Bundle::open(dir.path()).map_err(|e| e.to_string())?;
    let options = Options::default();
    let ctx = NodeCtx::new(&bundle as &dyn Source, &options);
    let check = o2check_checks::rules::ALL
        .iter()
        .find(|c| c.id == "cluster-conf-syntax")
        .ok_or("no cluster-conf-syntax check")?;
    let started = Instant::now();
    let verdict = (check.run)(&ctx).unwrap_or_else(CheckError::into_verdict);
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    let evidence = std::hint::black_box(verdict).evidence.len();
    Ok((conf.len() as f64 / (1 << 20) as f64, ms, evidence))
}
