//! `o2check-bench` (no other flag): the time a full check run takes over bundles, so speed targets
//! live in a benchmark with numbers rather than in timed tests. The bundle is
//! opened anew for every iteration (nothing cached between runs), and the checks
//! run as in `o2check run`, minus the terminal output.

use o2check_checks::runner::run_all;
use o2check_checks::source::{Bundle, Cached, CommandOutput, Source, TcpProbe};
use o2check_checks::{EvidenceError, Options};
use std::net::SocketAddrV4;
use std::time::{Duration, Instant};

pub fn run(bundle: &std::path::Path, node_counts: &[usize], iterations: usize) -> u8 {
    let options = Options::default();
    println!("bundle: {}", bundle.display());
    println!(
        "{:>6} {:>10} {:>10} {:>10} {:>12}",
        "nodes", "min ms", "median ms", "max ms", "ms per node"
    );
    for &nodes in node_counts {
        let mut samples = Vec::with_capacity(iterations);
        for _ in 0..iterations.max(1) {
            let start = Instant::now();
            let sources = match open_copies(bundle, nodes) {
                Ok(s) => s,
                Err(e) => {
                    eprintln!("o2check-bench: {e}");
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
    fn open_log(&self, path: &str) -> Option<Result<std::fs::File, EvidenceError>> {
        self.inner.open_log(path)
    }
    // Without it the kernel-log readers fall back to the whole-text reader for
    // dmesg, and the benchmark would time a path real bundle runs do not take.
    fn open_command_log(&self, argv: &[&str]) -> Option<Result<std::fs::File, EvidenceError>> {
        self.inner.open_command_log(argv)
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
