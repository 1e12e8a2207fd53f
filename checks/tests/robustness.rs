//! Mutation testing of every parser on real samples: byte flips, cuts, splices and
//! garbage, with a fixed seed so a failure reproduces. cargo-fuzz needs a nightly
//! compiler, which this project's machines do not have; this is the stable
//! stand-in. O2CHECK_FUZZ_ITERS sets the number of mutants (CI runs a longer pass).

use o2check_checks::kernlog::{dlm, event, lines, scan};
use o2check_checks::parse::{
    cluster_conf, cluster_conf_rules, debugfs_slotmap, debugfs_stats, firewall, iscsiadm_session,
    modules, mount_table, mounted_ocfs2, multipath_ll, multipathd_log, net, o2cb_cluster_status,
    o2cb_status, o2cb_sysconfig, pasted,
};
use o2check_checks::why::messages;
use o2check_checks::Text;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*: tiny, deterministic, good enough to pick mutations.
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn samples() -> Vec<Vec<u8>> {
    let dirs = [
        concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures/captures"),
        // Real outputs pasted in public trackers: prompts, fences, indentation.
        concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures/public"),
    ];
    let mut v: Vec<Vec<u8>> = dirs
        .iter()
        .flat_map(|d| std::fs::read_dir(d).unwrap())
        .filter_map(|e| std::fs::read(e.ok()?.path()).ok())
        .filter(|b| b.len() < 64 * 1024)
        .collect();
    v.sort();
    v
}

fn mutate(rng: &mut Rng, base: &[u8], other: &[u8]) -> Vec<u8> {
    let mut b = base.to_vec();
    for _ in 0..1 + rng.below(8) {
        let at = rng.below(b.len() + 1);
        match rng.below(6) {
            0 if !b.is_empty() => {
                let i = at.min(b.len() - 1);
                b[i] ^= 1 << rng.below(8);
            }
            1 => b.truncate(at),
            2 => b
                .splice(at..at, other[..rng.below(other.len())].iter().copied())
                .for_each(drop),
            3 => b
                .splice(at..at, (0..rng.below(64)).map(|_| rng.next() as u8))
                .for_each(drop),
            4 => b
                .splice(at..at, b"\n\t(\n1\n) 2 nodes\r\n:\\\n".iter().copied())
                .for_each(drop),
            _ => b
                .splice(at..at, std::iter::repeat_n(b'x', rng.below(70_000)))
                .for_each(drop),
        }
    }
    b
}

fn every_parser(bytes: &[u8]) {
    let t = Text::from_bytes("fuzz", bytes);
    if let Ok(c) = cluster_conf::parse("fuzz", &t.content) {
        let _ = cluster_conf_rules::model(&c);
    }
    let _ = cluster_conf_rules::model(&cluster_conf::parse_lenient(&t.content));
    let _ = o2check_checks::collect::plan::cluster_conf_nodes(&t.content);
    let _ = o2check_checks::collect::plan::per_cluster_commands(&t.content);
    let _ = o2cb_sysconfig::parse(&t);
    let _ = o2cb_status::parse(&t);
    let _ = mount_table::parse(&t);
    let _ = modules::parse(&t);
    let _ = multipath_ll::parse(&t);
    let _ = mounted_ocfs2::parse(&t);
    let _ = debugfs_stats::parse(&t);
    let _ = debugfs_slotmap::parse_slotmap(&t);
    let _ = debugfs_slotmap::parse_hb(&t);
    let _ = iscsiadm_session::parse(&t, &t.content, Some(21));
    let _ = iscsiadm_session::parse_nodes(&t);
    let _ = multipathd_log::parse(&t);
    let _ = pasted::lines(&t);
    let _ = o2cb_cluster_status::parse_cluster_status(&t, &t.content, Some(1));
    let _ = o2cb_cluster_status::parse_list_cluster(&t);
    let _ = firewall::iptables_blocking(&t, 7777);
    let _ = firewall::nft_blocking(&t, 7777);
    let _ = net::tcp_listeners(&t);
    let _ = net::local_addresses(&t);
    let _ = net::getent_addresses(&t);
    let log = lines::from_text(&t);
    let _ = dlm::memberships(&o2check_checks::kernlog::node_events::events(&log));
    for l in t.content.lines() {
        let _ = event::recognize(l);
        let _ = messages::classify(l);
    }
    let _ = scan::scan_reader_with(bytes, 64, |_| {});
    let _ = lines::decode("fuzz.gz", bytes);
}

#[test]
fn mutated_real_samples_never_panic() {
    let iters: usize = std::env::var("O2CHECK_FUZZ_ITERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(300);
    let samples = samples();
    assert!(samples.len() > 20, "real samples found");
    let mut rng = Rng(0x0C_F5_20_16);
    for i in 0..iters {
        let base = &samples[rng.below(samples.len())];
        let other = &samples[rng.below(samples.len())];
        let input = mutate(&mut rng, base, other);
        let result = std::panic::catch_unwind(|| every_parser(&input));
        if result.is_err() {
            let saved = save_failing_input(i, &input);
            panic!("mutant {i} panicked; input saved to {}", saved.display());
        }
    }
}

/// Keeps a mutant that made a parser panic, so it can be replayed (and added to
/// the samples) after the test binary and its temporary files are gone.
fn save_failing_input(i: usize, input: &[u8]) -> std::path::PathBuf {
    let path =
        std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("fuzz-mutant-{i}.bin"));
    std::fs::write(&path, input).unwrap_or_else(|e| panic!("saving {}: {e}", path.display()));
    path
}

#[test]
fn a_failing_input_is_saved_where_the_message_says() {
    let path = save_failing_input(usize::MAX, b"\xffbytes of a mutant\n");
    assert_eq!(std::fs::read(&path).unwrap(), b"\xffbytes of a mutant\n");
    std::fs::remove_file(&path).unwrap();
}
