//! `o2check bench`: the time a full check run takes over bundles, so speed targets
//! live in a benchmark with numbers rather than in timed tests. The bundle is
//! opened anew for every iteration (nothing cached between runs), and the checks
//! run as in `o2check run`, minus the terminal output.

use crate::cli::BenchArgs;
use o2check_checks::runner::run_all;
use o2check_checks::source::{Bundle, Cached, CommandOutput, Source, TcpProbe};
use o2check_checks::{EvidenceError, Options};
use std::net::SocketAddrV4;
use std::time::{Duration, Instant};

pub fn run(args: BenchArgs) -> u8 {
    if let Some(mb) = args.kernlog_mb {
        let rounds = args.iterations.min(5);
        return crate::bench_kernlog::run(
            mb,
            args.kernlog_file,
            rounds,
            args.kernlog_compress.as_deref(),
        );
    }
    if !args.cluster_conf_nodes.is_empty() {
        return crate::bench_cluster_conf::run(&args.cluster_conf_nodes);
    }
    if args.scenario_overhead {
        return crate::bench_scenario::run(args.iterations.min(5));
    }
    if let Some(shape) = &args.fleet {
        let iterations = args.iterations.min(5);
        return crate::bench_fleet::run(&args.bundle, shape, args.fleet_parallel, iterations);
    }
    if !args.cluster_nodes.is_empty() {
        let iterations = args.iterations.min(5);
        return crate::bench_cluster::run(&args.bundle, &args.cluster_nodes, iterations);
    }
    let options = Options::default();
    println!("bundle: {}", args.bundle.display());
    println!(
        "{:>6} {:>10} {:>10} {:>10} {:>12}",
        "nodes", "min ms", "median ms", "max ms", "ms per node"
    );
    for &nodes in &args.nodes {
        let mut samples = Vec::with_capacity(args.iterations);
        for _ in 0..args.iterations.max(1) {
            let start = Instant::now();
            let sources = match open_copies(&args.bundle, nodes) {
                Ok(s) => s,
                Err(e) => {
                    eprintln!("o2check bench: {e}");
                    return 2;
                }
            };
            let results = run_all(&sources, &options);
            std::hint::black_box(results);
            samples.push(start.elapsed());
        }
        samples.sort();
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        let median = samples[samples.len() / 2];
        println!(
            "{:>6} {:>10.2} {:>10.2} {:>10.2} {:>12.2}",
            nodes,
            ms(samples[0]),
            ms(median),
            ms(samples[samples.len() - 1]),
            ms(median) / nodes as f64
        );
    }
    0
}

/// `nodes` independent openings of one bundle, each reporting a distinct node name.
fn open_copies(dir: &std::path::Path, nodes: usize) -> Result<Vec<Box<dyn Source>>, EvidenceError> {
    (0..nodes)
        .map(|i| {
            let bundle = Bundle::open(dir)?;
            let name = format!("{}-{i}", bundle.node());
            Ok(Box::new(Cached::new(Renamed {
                inner: bundle,
                name,
            })) as Box<dyn Source>)
        })
        .collect()
}

/// A bundle posing as another node, so one capture can stand for many nodes.
struct Renamed {
    inner: Bundle,
    name: String,
}

impl Source for Renamed {
    fn node(&self) -> &str {
        &self.name
    }
    fn describe(&self) -> String {
        self.inner.describe()
    }
    fn read_file(&self, path: &str) -> Result<Vec<u8>, EvidenceError> {
        self.inner.read_file(path)
    }
    fn list_dir(&self, path: &str) -> Result<Vec<String>, EvidenceError> {
        self.inner.list_dir(path)
    }
    fn command(&self, argv: &[&str]) -> Result<CommandOutput, EvidenceError> {
        self.inner.command(argv)
    }
    fn tcp_probe(&self, addr: SocketAddrV4, timeout: Duration) -> Result<TcpProbe, EvidenceError> {
        self.inner.tcp_probe(addr, timeout)
    }
    fn taken_at(&self) -> Option<chrono::DateTime<chrono::Utc>> {
        self.inner.taken_at()
    }
}
