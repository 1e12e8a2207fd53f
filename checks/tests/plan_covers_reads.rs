//! The declarations are true: every check and cluster check runs over every
//! fixture bundle (alone and in the lab pairs) through a source that records each
//! read, and everything a check reads must be in its own `needs` (so the `collect`
//! plan, derived from the declarations, captures it). The same holds for what
//! `why`, `timeline` and `collect` itself read. A check reading a file it did not
//! declare would pass live and skip offline (as `o2cb-modules` did with
//! /proc/filesystems when the plan was kept by hand).

mod common;

use common::fixtures;
use o2check_checks::collect::plan::{self, covers};
use o2check_checks::kernlog::node_events::{events_by_source, node_events_now};
use o2check_checks::needs::{declared, Need, Needs, Read};
use o2check_checks::runner::{execute, node_ctx};
use o2check_checks::source::{Bundle, ClockRecord, CommandOutput, Source, TcpProbe};
use o2check_checks::why::{names, rank};
use o2check_checks::{rules, EvidenceError, NodeCtx, Options};
use std::net::SocketAddrV4;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

type Log = Arc<Mutex<Vec<String>>>;

/// A bundle that notes every read its reader did not declare. It keeps no facts
/// memo, so each reader's reads are its own, not a cached earlier reader's.
struct Recording {
    inner: Bundle,
    needs: Needs,
    reader: String,
    undeclared: Log,
}

impl Recording {
    fn note(&self, read: Read) {
        if !declared(self.needs, read) {
            self.undeclared
                .lock()
                .unwrap()
                .push(format!("{}: {read:?}", self.reader));
        }
    }
}

impl Source for Recording {
    fn node(&self) -> &str {
        self.inner.node()
    }
    fn describe(&self) -> String {
        self.inner.describe()
    }
    fn read_file(&self, path: &str) -> Result<Vec<u8>, EvidenceError> {
        self.note(Read::File(path));
        self.inner.read_file(path)
    }
    fn list_dir(&self, path: &str) -> Result<Vec<String>, EvidenceError> {
        self.note(Read::Dir(path));
        self.inner.list_dir(path)
    }
    fn command(&self, argv: &[&str]) -> Result<CommandOutput, EvidenceError> {
        self.note(Read::Command(argv));
        self.inner.command(argv)
    }
    fn tcp_probe(&self, addr: SocketAddrV4, t: Duration) -> Result<TcpProbe, EvidenceError> {
        self.inner.tcp_probe(addr, t)
    }
    fn clock(&self) -> Option<ClockRecord> {
        self.inner.clock()
    }
    fn taken_at(&self) -> Option<chrono::DateTime<chrono::Utc>> {
        self.inner.taken_at()
    }
}

fn recording(dirs: &[PathBuf], reader: &str, needs: Needs, log: &Log) -> Vec<Box<dyn Source>> {
    dirs.iter()
        .map(|d| {
            Box::new(Recording {
                inner: Bundle::open(d).unwrap(),
                needs,
                reader: reader.to_string(),
                undeclared: Arc::clone(log),
            }) as Box<dyn Source>
        })
        .collect()
}

/// Every fixture alone, and the lab pairs together (cluster checks, peers).
fn evidence_sets() -> Vec<Vec<PathBuf>> {
    let mut sets: Vec<Vec<PathBuf>> = common::bundle_dirs().into_iter().map(|d| vec![d]).collect();
    for (a, b) in [
        ("lab-capture-healthy-node1", "lab-capture-healthy-node2"),
        (
            "lab-cluster-port-blocked-n150",
            "lab-cluster-port-blocked-n151",
        ),
        (
            "lab-iscsi-fence-survivor-node1",
            "lab-iscsi-fence-rebooted-node2",
        ),
    ] {
        sets.push(vec![fixtures().join(a), fixtures().join(b)]);
    }
    sets
}

/// Run `check` alone on `dirs` (each node with the others as peers).
fn run_check(check: &rules_check::Any, dirs: &[PathBuf], log: &Log) {
    let sources = recording(dirs, check.id(), check.needs(), log);
    let options = Options::default();
    match check {
        rules_check::Any::Node(c) => {
            for i in 0..sources.len() {
                let ctx = node_ctx(&sources, i, &options);
                execute(|| (c.run)(&ctx));
            }
        }
        rules_check::Any::Cluster(c) if sources.len() > 1 => {
            let ctxs: Vec<NodeCtx> = sources
                .iter()
                .map(|s| NodeCtx::new(s.as_ref(), &options))
                .collect();
            execute(|| (c.run)(&ctxs));
        }
        rules_check::Any::Cluster(_) => {}
    }
}

mod rules_check {
    use o2check_checks::check::{Check, ClusterCheck};
    use o2check_checks::needs::Needs;

    pub enum Any {
        Node(&'static Check),
        Cluster(&'static ClusterCheck),
    }

    impl Any {
        pub fn id(&self) -> &'static str {
            match self {
                Any::Node(c) => c.id,
                Any::Cluster(c) => c.id,
            }
        }
        pub fn needs(&self) -> Needs {
            match self {
                Any::Node(c) => c.needs,
                Any::Cluster(c) => c.needs,
            }
        }
    }
}

fn all_checks() -> Vec<rules_check::Any> {
    rules::ALL
        .iter()
        .map(|c| rules_check::Any::Node(c))
        .chain(rules::CLUSTER.iter().map(|c| rules_check::Any::Cluster(c)))
        .collect()
}

fn sorted(log: &Log) -> Vec<String> {
    let mut out = log.lock().unwrap().clone();
    out.sort();
    out.dedup();
    out
}

#[test]
fn every_check_reads_only_what_it_declares() {
    let log: Log = Arc::default();
    let sets = evidence_sets();
    for check in all_checks() {
        for dirs in &sets {
            run_check(&check, dirs, &log);
        }
    }
    let undeclared = sorted(&log);
    assert!(
        undeclared.is_empty(),
        "checks read what they do not declare in `needs` (so `collect` may not capture it):\n{}",
        undeclared.join("\n")
    );
}

#[test]
fn why_timeline_reports_and_collect_read_only_what_they_declare() {
    let log: Log = Arc::default();
    let options = Options::default();
    let items = rank::all_collect_items();
    for dirs in evidence_sets() {
        for s in recording(&dirs, "why", o2check_checks::why::NEEDS, &log) {
            let ctx = NodeCtx::new(s.as_ref(), &options);
            let events: Vec<_> = events_by_source(&ctx)
                .unwrap_or_default()
                .iter()
                .flat_map(|s| s.events.clone())
                .collect();
            names::read(&ctx, &events);
            for item in &items {
                rank::holds(s.as_ref(), item);
            }
        }
        for s in recording(
            &dirs,
            "timeline",
            o2check_checks::kernlog::timeline::NEEDS,
            &log,
        ) {
            let _ = node_events_now(&NodeCtx::new(s.as_ref(), &options));
        }
        for s in recording(&dirs, "node-props", o2check_checks::node_props::NEEDS, &log) {
            o2check_checks::node_props::describe(s.as_ref());
        }
        for s in recording(&dirs, "measure", o2check_checks::measure::NEEDS, &log) {
            o2check_checks::measure::measure(&NodeCtx::new(s.as_ref(), &options));
        }
        for s in recording(&dirs, "collect", plan::COLLECT_NEEDS, &log) {
            plan::node_plan(s.as_ref());
            let ctx = NodeCtx::new(s.as_ref(), &options);
            rules::collect_probes(&ctx);
        }
    }
    let undeclared = sorted(&log);
    assert!(
        undeclared.is_empty(),
        "why, timeline or collect read what they do not declare:\n{}",
        undeclared.join("\n")
    );
}

/// The guard can fail: a check that reads a file it did not declare is reported,
/// and declaring it is what makes `collect` capture it.
#[test]
fn an_undeclared_read_is_caught_and_a_declared_one_is_collected() {
    use o2check_checks::check::{Check, Verdict};
    use o2check_reports::{Layer, Severity};
    fn reads_fstab(ctx: &NodeCtx) -> Result<Verdict, o2check_checks::CheckError> {
        ctx.file("/etc/fstab")?;
        Ok(Verdict::pass("read"))
    }
    static SILENT: Check = Check {
        id: "reads-undeclared",
        layer: Layer::Config,
        severity: Severity::Warning,
        title: "",
        rationale: "",
        needs: &[],
        run: reads_fstab,
    };
    static HONEST: Check = Check {
        needs: &[&[Need::File("/etc/fstab")]],
        ..SILENT
    };
    let dirs = [fixtures().join("lab-capture-healthy-node1")];
    let log: Log = Arc::default();
    run_check(&rules_check::Any::Node(&SILENT), &dirs, &log);
    assert_eq!(sorted(&log), ["reads-undeclared: File(\"/etc/fstab\")"]);
    let log: Log = Arc::default();
    run_check(&rules_check::Any::Node(&HONEST), &dirs, &log);
    assert!(sorted(&log).is_empty());
    assert!(covers(Read::File("/etc/fstab")));
}

#[test]
fn the_plan_is_the_union_of_the_declarations() {
    // Every declared need of every check is collected ...
    for check in all_checks() {
        for need in check.needs().iter().flat_map(|g| g.iter()) {
            assert!(
                plan::needs().contains(need),
                "{}: {need:?} is not in the plan",
                check.id()
            );
        }
    }
    // ... and nothing is collected that no reader declared.
    assert!(!covers(Read::File("/etc/o2check-never-collected")));
    assert!(!covers(Read::Command(&["o2cb", "heartbeat-status"])));
    assert!(covers(Read::File("/proc/filesystems")));
    assert!(covers(Read::File(
        "/sys/kernel/config/cluster/o2lab/node/n1/local"
    )));
    assert!(covers(Read::File("/var/log/messages.2.gz")));
    assert!(covers(Read::Command(&[
        "debugfs.ocfs2",
        "-R",
        "stats",
        "/dev/vda"
    ])));
    // what `why` would ask the user to collect is in the plan too.
    for item in rank::all_collect_items() {
        if let o2check_checks::why::catalogue::Collect::File(p) = item {
            assert!(
                covers(Read::File(p)) || covers(Read::Dir(p)),
                "why asks for {p}"
            );
        }
        if let o2check_checks::why::catalogue::Collect::Command(argv) = item {
            assert!(covers(Read::Command(argv)), "why asks for {argv:?}");
        }
    }
}
