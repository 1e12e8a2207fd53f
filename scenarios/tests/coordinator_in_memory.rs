//! The coordinator over an in-memory transport: `scenario prepare` and
//! `scenario cleanup` answered by calling the node-side functions here, and each
//! agent either the real one (`on_node::agent` on a thread, its lines sent
//! through a channel instead of ssh) or a stand-in that ends as a test needs
//! (at once without a result, or never until it is killed).
//! The shared "mount" is a temporary directory, so no process, ssh or OCFS2 is
//! involved, and every outcome the coordinator sorts agents into can be made.

use o2check_checks::source::CommandOutput;
use o2check_cluster::transport::Process;
use o2check_cluster::{Node, Transport, TransportError};
use o2check_reports::Status;
use o2check_scenarios::agent::{AgentLine, Scenario};
use o2check_scenarios::coordinator::{self, Event, Options, Programs};
use o2check_scenarios::on_node::{self, AgentRequest};
use o2check_scenarios::{preset, workspace};
use std::collections::HashMap;
use std::io::{Read, Write};
use std::os::unix::process::ExitStatusExt;
use std::process::ExitStatus;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How a node's agent behaves.
#[derive(Clone)]
enum Agent {
    /// The real agent, in this process.
    Real,
    /// Ends at once without a result line: this exit code and stderr.
    Ends { code: i32, stderr: &'static str },
    /// Never ends by itself: only a kill stops it.
    Hangs,
}

/// What a node does.
#[derive(Clone)]
enum NodeIs {
    Up(Agent),
    /// Every command fails as ssh does when it cannot connect.
    Unreachable,
}

struct InMemory {
    nodes: HashMap<String, NodeIs>,
    /// Every command run or started, as `node: argv[1] argv[2]`.
    log: Mutex<Vec<String>>,
    /// How many stand-ins were killed.
    killed: Arc<AtomicUsize>,
}

impl InMemory {
    fn new(nodes: &[(&str, NodeIs)]) -> InMemory {
        InMemory {
            nodes: nodes
                .iter()
                .map(|(n, b)| (n.to_string(), b.clone()))
                .collect(),
            log: Mutex::new(Vec::new()),
            killed: Arc::new(AtomicUsize::new(0)),
        }
    }

    fn node(&self, node: &Node, argv: &[String]) -> Result<NodeIs, TransportError> {
        self.log
            .lock()
            .unwrap()
            .push(format!("{}: {}", node.name, argv[1..3].join(" ")));
        match self.nodes.get(&node.name) {
            Some(NodeIs::Unreachable) | None => Err(TransportError::Unreachable {
                node: node.name.clone(),
                detail: "Connection refused".into(),
            }),
            Some(b) => Ok(b.clone()),
        }
    }
}

/// The value after `flag` in `argv`.
fn arg<'a>(argv: &'a [String], flag: &str) -> &'a str {
    let i = argv.iter().position(|a| a == flag).expect(flag);
    &argv[i + 1]
}

fn has(argv: &[String], flag: &str) -> bool {
    argv.iter().any(|a| a == flag)
}

impl Transport for InMemory {
    fn run(
        &self,
        node: &Node,
        argv: &[String],
        _input: Option<Vec<u8>>,
        _timeout: Duration,
    ) -> Result<CommandOutput, TransportError> {
        self.node(node, argv)?;
        let mount = std::path::Path::new(arg(argv, "--mount"));
        let run_id = arg(argv, "--run-id");
        let (stdout, code) = match argv[2].as_str() {
            "prepare" => {
                let probe = on_node::prepare(
                    mount,
                    run_id,
                    has(argv, "--allow-non-ocfs2"),
                    has(argv, "--create"),
                );
                (serde_json::to_string(&probe).unwrap(), i32::from(!probe.ok))
            }
            "cleanup" => match workspace::remove(mount, run_id, Duration::from_secs(10)) {
                Ok(_) => (String::new(), 0),
                Err(_) => (String::new(), 1),
            },
            other => panic!("unexpected command {other}"),
        };
        Ok(CommandOutput {
            stdout: stdout.into_bytes(),
            stderr: Vec::new(),
            exit_code: Some(code),
        })
    }

    fn spawn(&self, node: &Node, _argv: &[String]) -> Result<std::process::Child, TransportError> {
        Err(TransportError::Local {
            what: format!("spawn on {}", node.name),
            detail: "in memory: only start".into(),
        })
    }

    fn start(&self, node: &Node, argv: &[String]) -> Result<Box<dyn Process>, TransportError> {
        let NodeIs::Up(agent) = self.node(node, argv)? else {
            unreachable!()
        };
        let (out_tx, out_rx) = channel::<Vec<u8>>();
        let (err_tx, err_rx) = channel::<Vec<u8>>();
        let exit = Arc::new(Mutex::new(None));
        let hung: Arc<Mutex<Option<PipeEnds>>> = Arc::new(Mutex::new(None));
        match agent {
            Agent::Real => {
                let req = AgentRequest {
                    scenario: arg(argv, "--scenario").into(),
                    node: arg(argv, "--node").into(),
                    nodes: arg(argv, "--nodes").split(',').map(String::from).collect(),
                    mount: arg(argv, "--mount").into(),
                    run_id: arg(argv, "--run-id").into(),
                    preset_json: arg(argv, "--preset-json").into(),
                    allow_non_ocfs2: has(argv, "--allow-non-ocfs2"),
                    keep: has(argv, "--keep"),
                };
                let done = Arc::clone(&exit);
                std::thread::spawn(move || {
                    let tx = Mutex::new(out_tx);
                    let emit = Arc::new(move |l: &AgentLine| {
                        let mut line = serde_json::to_vec(l).unwrap();
                        line.push(b'\n');
                        let _ = tx.lock().unwrap().send(line);
                    });
                    let status = on_node::agent(&req, emit);
                    drop(err_tx);
                    *done.lock().unwrap() = Some(i32::from(status.exit_code()));
                });
            }
            Agent::Ends { code, stderr } => {
                let _ = out_tx.send(b"a banner from a login shell\n".to_vec());
                let _ = err_tx.send(stderr.as_bytes().to_vec());
                *exit.lock().unwrap() = Some(code);
            }
            Agent::Hangs => {
                // Its pipes stay open until it is killed.
                *hung.lock().unwrap() = Some((out_tx, err_tx));
            }
        }
        Ok(Box::new(InMemoryProcess {
            stdout: Some(Pipe::new(out_rx)),
            stderr: Some(Pipe::new(err_rx)),
            exit,
            hung,
            killed: Arc::clone(&self.killed),
        }))
    }

    fn describe(&self) -> String {
        "in memory".into()
    }

    /// As ssh: 255 is the transport failing.
    fn transport_failure(
        &self,
        node: &Node,
        code: Option<i32>,
        _: &[u8],
    ) -> Option<TransportError> {
        (code == Some(255)).then(|| TransportError::Unreachable {
            node: node.name.clone(),
            detail: "Connection reset".into(),
        })
    }
}

/// The reading end of an in-memory pipe: EOF once the writer is gone.
struct Pipe {
    rx: Receiver<Vec<u8>>,
    buf: Vec<u8>,
}

impl Pipe {
    fn new(rx: Receiver<Vec<u8>>) -> Pipe {
        Pipe {
            rx,
            buf: Vec::new(),
        }
    }
}

impl Read for Pipe {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        if self.buf.is_empty() {
            match self.rx.recv() {
                Ok(b) => self.buf = b,
                Err(_) => return Ok(0),
            }
        }
        let n = out.len().min(self.buf.len());
        out[..n].copy_from_slice(&self.buf[..n]);
        self.buf.drain(..n);
        Ok(n)
    }
}

/// The writing ends of a stand-in's stdout and stderr.
type PipeEnds = (Sender<Vec<u8>>, Sender<Vec<u8>>);

struct InMemoryProcess {
    stdout: Option<Pipe>,
    stderr: Option<Pipe>,
    exit: Arc<Mutex<Option<i32>>>,
    /// A hanging stand-in's pipes, closed when it is killed.
    hung: Arc<Mutex<Option<PipeEnds>>>,
    killed: Arc<AtomicUsize>,
}

impl Process for InMemoryProcess {
    fn take_stdin(&mut self) -> Option<Box<dyn Write + Send>> {
        Some(Box::new(std::io::sink()))
    }

    fn take_stdout(&mut self) -> Option<Box<dyn Read + Send>> {
        self.stdout
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>)
    }

    fn take_stderr(&mut self) -> Option<Box<dyn Read + Send>> {
        self.stderr
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>)
    }

    fn try_wait(&mut self) -> std::io::Result<Option<ExitStatus>> {
        Ok(self
            .exit
            .lock()
            .unwrap()
            .map(|c| ExitStatus::from_raw(c << 8)))
    }

    /// As SIGKILL: the pipes close and it ends by a signal.
    fn kill(&mut self) -> std::io::Result<ExitStatus> {
        if self.hung.lock().unwrap().take().is_none() {
            panic!("only a hanging stand-in needs killing");
        }
        self.killed.fetch_add(1, Ordering::Relaxed);
        Ok(ExitStatus::from_raw(9))
    }
}

fn options(mount: &std::path::Path) -> Options {
    Options {
        mount: mount.to_path_buf(),
        run_id: "inmemory".into(),
        allow_non_ocfs2: true,
        keep: false,
        preset: preset::quick(),
        node_timeout: Duration::from_secs(30),
        parallel: 4,
    }
}

/// Run `names` on `nodes`; the finished run and every event's text.
fn run(
    t: &InMemory,
    mount: &std::path::Path,
    names: &[&str],
) -> (coordinator::Finished, Vec<String>) {
    let o = options(mount);
    let names: Vec<String> = names.iter().map(|n| n.to_string()).collect();
    let plan = coordinator::plan::select(&names, &o.preset).unwrap();
    let nodes: Vec<Node> = {
        let mut v: Vec<&String> = t.nodes.keys().collect();
        v.sort();
        v.into_iter().map(Node::named).collect()
    };
    let events = Mutex::new(Vec::new());
    let record = |e: &Event| {
        if !matches!(e, Event::Running { .. }) {
            events.lock().unwrap().push(e.text());
        }
    };
    let finished = coordinator::run(
        &o,
        t,
        nodes,
        &plan,
        &Programs::Same("o2check".into()),
        &record,
    )
    .unwrap();
    (finished, events.into_inner().unwrap())
}

fn leftovers(mount: &std::path::Path) -> Vec<String> {
    std::fs::read_dir(mount)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect()
}

#[test]
fn real_agents_in_memory_pass_and_leave_nothing_behind() {
    let mount = tempfile::tempdir().unwrap();
    let t = InMemory::new(&[
        ("n1", NodeIs::Up(Agent::Real)),
        ("n2", NodeIs::Up(Agent::Real)),
    ]);
    let (f, events) = run(
        &t,
        mount.path(),
        &["tail-follow", "concurrent-append-flock"],
    );
    for r in &f.results {
        assert_eq!(r.status, Status::Pass, "{}: {}", r.check, r.summary);
    }
    let checks: Vec<&str> = f.results.iter().map(|r| r.check.as_str()).collect();
    assert_eq!(checks, ["tail-follow", "concurrent-append-flock"]);
    assert!(!f.interrupted && !f.node_lost && f.cleanup.is_none());
    assert_eq!(f.exit_code(0), 0);
    assert_eq!(events[0], "preparing 2 node(s)");
    assert!(
        events[1].starts_with("[1/2] tail-follow: pass - "),
        "{events:?}"
    );
    assert!(
        events[2].starts_with("[2/2] concurrent-append-flock: pass - "),
        "{events:?}"
    );
    assert_eq!(events[3], "cleaning up");
    assert_eq!(leftovers(mount.path()), Vec::<String>::new());
    // Both nodes prepared, one created the directory, both ran both agents, one cleaned up.
    let log = t.log.lock().unwrap();
    let count = |what: &str| log.iter().filter(|l| l.ends_with(what)).count();
    assert_eq!(count("scenario prepare"), 3, "{log:?}");
    assert_eq!(count("scenario agent"), 4, "{log:?}");
    assert_eq!(count("scenario cleanup"), 1, "{log:?}");
}

#[test]
fn an_unreachable_node_is_reported_and_no_scenario_runs_without_it() {
    let mount = tempfile::tempdir().unwrap();
    let t = InMemory::new(&[("n1", NodeIs::Up(Agent::Real)), ("n2", NodeIs::Unreachable)]);
    let (f, _) = run(&t, mount.path(), &["flock-exclusion"]);
    assert_eq!(f.results.len(), 2, "{:?}", f.results);
    let (node, sc) = (&f.results[0], &f.results[1]);
    assert_eq!(
        (node.check.as_str(), node.node.as_str()),
        ("scenario-node", "n2")
    );
    assert_eq!(node.status, Status::Error);
    assert!(
        node.summary.contains("Connection refused"),
        "{}",
        node.summary
    );
    assert_eq!(sc.check, Scenario::FLOCK_EXCLUSION.id());
    assert_eq!(sc.status, Status::Error);
    assert!(sc.summary.contains("needs n2"), "{}", sc.summary);
    assert!(f.node_lost);
    assert_eq!(f.exit_code(1), 2);
    assert!(t.log.lock().unwrap().iter().all(|l| !l.ends_with("agent")));
    assert_eq!(leftovers(mount.path()), Vec::<String>::new());
}

#[test]
fn agents_that_end_without_a_result_say_why_and_a_lost_connection_is_a_lost_node() {
    let mount = tempfile::tempdir().unwrap();
    let t = InMemory::new(&[
        (
            "n1",
            NodeIs::Up(Agent::Ends {
                code: 3,
                stderr: "first\n\nthe disk is on \x1b[31mfire\n",
            }),
        ),
        (
            "n2",
            NodeIs::Up(Agent::Ends {
                code: 255,
                stderr: "",
            }),
        ),
    ]);
    let (f, _) = run(&t, mount.path(), &["write-read-checksum"]);
    let r = &f.results[0];
    assert_eq!(r.status, Status::Error);
    // The node's stderr, its last lines joined, its escape sequence made harmless.
    assert!(
        r.summary.starts_with(
            "n1: the agent ended without a result (exit 3): first / the disk is on \\x1b[31mfire"
        ),
        "{}",
        r.summary
    );
    assert!(r.summary.ends_with("(and 1 more)"), "{}", r.summary);
    assert!(r.evidence[1]
        .text
        .contains("n2 is unreachable: Connection reset"));
    assert!(f.node_lost, "a 255 from the transport is a lost node");
    assert_eq!(f.exit_code(1), 2);
}

#[test]
fn a_run_directory_that_exists_is_refused_before_any_agent_starts() {
    let mount = tempfile::tempdir().unwrap();
    std::fs::create_dir(workspace::dir_of(mount.path(), "inmemory")).unwrap();
    let t = InMemory::new(&[("n1", NodeIs::Up(Agent::Real))]);
    let o = options(mount.path());
    let plan = coordinator::plan::select(&["flock-exclusion".into()], &o.preset).unwrap();
    let e = coordinator::run(
        &o,
        &t,
        vec![Node::named("n1")],
        &plan,
        &Programs::Same("o2check".into()),
        &|_| {},
    )
    .unwrap_err();
    assert!(e.to_string().starts_with("n1: "), "{e}");
    assert!(
        e.to_string()
            .contains("already exists: choose another --run-id"),
        "{e}"
    );
    assert!(t.log.lock().unwrap().iter().all(|l| !l.ends_with("agent")));
}

#[test]
fn an_agent_left_hanging_when_the_leader_ended_is_killed_and_says_so() {
    let mount = tempfile::tempdir().unwrap();
    let t = InMemory::new(&[
        (
            "n1",
            NodeIs::Up(Agent::Ends {
                code: 1,
                stderr: "boom",
            }),
        ),
        ("n2", NodeIs::Up(Agent::Hangs)),
    ]);
    let (f, _) = run(&t, mount.path(), &["rename-visible"]);
    let r = &f.results[0];
    assert_eq!(r.status, Status::Error);
    assert!(
        r.evidence[0]
            .text
            .contains("ended without a result (exit 1): boom"),
        "{:?}",
        r.evidence
    );
    assert!(
        r.evidence[1]
            .text
            .starts_with("gave no result and was stopped after the others had ended"),
        "{:?}",
        r.evidence
    );
    assert_eq!(t.killed.load(Ordering::Relaxed), 1);
    // An agent that failed is not a lost node: the scenario's error is the verdict.
    assert!(!f.node_lost);
    assert_eq!(f.exit_code(1), 1);
}
