//! The benchmarks' stand-in for `ssh`: `o2check-bench` itself, started through a
//! symlink named [`PROGRAM_NAME`] that o2check is given as `--ssh-program`. A
//! simulated node answers o2check's remote commands after a delay and serves a
//! lab bundle renamed to that node, at about the CPU cost of an ssh client (one
//! process start, then sleeping or copying a tar file). The shell script that did
//! this before ran `sleep`, `date` and `cat` for each answer and cost three times
//! o2check's own CPU at 255 nodes, so the benchmark measured its own apparatus.
//!
//! Towards o2check it behaves as that script did: the argv is ssh's as built by
//! o2check-cluster's `Ssh::argv` (options, `--`, destination, one quoted remote
//! command); `-O` (a control-master request such as `-O exit`) succeeds at once.

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The name of the symlink that makes `o2check-bench` act as the stand-in.
pub const PROGRAM_NAME: &str = "sim-ssh";

/// Its settings, in a file beside the symlink (read at every start: a few lines).
const CONFIG_NAME: &str = "sim-ssh.conf";

/// How a set of simulated nodes answers.
#[derive(Debug, Clone, PartialEq)]
pub struct SimNodes {
    /// Where `<node>.tar` lies for each node (what `collect --out -` streams).
    pub tars: PathBuf,
    /// Nodes that answer after `slow_delay`: a node name, or a prefix ending in `*`.
    pub slow: String,
    pub delay: Duration,
    pub slow_delay: Duration,
}

impl SimNodes {
    /// Writes the symlink to this program and its settings into `dir`; returns
    /// the path to pass as `--ssh-program`.
    pub fn install(&self, dir: &Path, this_program: &Path) -> Result<PathBuf, String> {
        let link = dir.join(PROGRAM_NAME);
        let config = format!(
            "tars={}\nslow={}\ndelay_ms={}\nslow_delay_ms={}\n",
            self.tars.display(),
            self.slow,
            self.delay.as_millis(),
            self.slow_delay.as_millis()
        );
        std::fs::write(dir.join(CONFIG_NAME), config).map_err(|e| e.to_string())?;
        let _ = std::fs::remove_file(&link);
        std::os::unix::fs::symlink(this_program, &link)
            .map_err(|e| format!("{}: {e}", link.display()))?;
        Ok(link)
    }

    fn load(dir: &Path) -> Result<SimNodes, String> {
        let path = dir.join(CONFIG_NAME);
        let text =
            std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let value = |key: &str| {
            text.lines()
                .find_map(|l| l.strip_prefix(key)?.strip_prefix('='))
                .ok_or_else(|| format!("{}: no {key}=", path.display()))
        };
        let ms = |key: &str| -> Result<Duration, String> {
            let v = value(key)?;
            v.parse()
                .map(Duration::from_millis)
                .map_err(|_| format!("{}: {key}={v} is not milliseconds", path.display()))
        };
        Ok(SimNodes {
            tars: PathBuf::from(value("tars")?),
            slow: value("slow")?.to_string(),
            delay: ms("delay_ms")?,
            slow_delay: ms("slow_delay_ms")?,
        })
    }

    fn delay_of(&self, node: &str) -> Duration {
        let slow = match self.slow.strip_suffix('*') {
            Some(prefix) => node.starts_with(prefix),
            None => node == self.slow,
        };
        if slow {
            self.slow_delay
        } else {
            self.delay
        }
    }
}

/// What o2check asked a node for.
#[derive(Debug, PartialEq)]
enum Request<'a> {
    /// `ssh -O exit ...`: the control master is "closed".
    Control,
    Remote {
        node: &'a str,
        command: &'a str,
    },
    /// No destination or no command after `--`.
    Unusable,
}

fn request(args: &[String]) -> Request<'_> {
    let mut rest = args.iter();
    for a in rest.by_ref() {
        match a.as_str() {
            "-O" => return Request::Control,
            "--" => break,
            _ => {}
        }
    }
    match (rest.next(), rest.next()) {
        (Some(node), Some(command)) => Request::Remote { node, command },
        _ => Request::Unusable,
    }
}

/// The stand-in's exit code when this program was started as [`PROGRAM_NAME`],
/// `None` otherwise (then it is the benchmark).
pub fn serve_if_invoked() -> Option<u8> {
    let args: Vec<String> = std::env::args().collect();
    let me = Path::new(args.first()?);
    if me.file_name()? != PROGRAM_NAME {
        return None;
    }
    let dir = me.parent().unwrap_or(Path::new("."));
    Some(
        match SimNodes::load(dir).and_then(|sim| serve(&sim, &args[1..])) {
            Ok(code) => code,
            Err(e) => {
                eprintln!("{PROGRAM_NAME}: {e}");
                // ssh's own failure code: o2check reports the node unreachable.
                255
            }
        },
    )
}

fn serve(sim: &SimNodes, args: &[String]) -> Result<u8, String> {
    let (node, command) = match request(args) {
        Request::Control => return Ok(0),
        Request::Unusable => return Err("usage: ... -- DESTINATION COMMAND".into()),
        Request::Remote { node, command } => (node, command),
    };
    let delay = sim.delay_of(node);
    std::thread::sleep(delay);
    let out = std::io::stdout();
    let mut out = out.lock();
    let written = if command.contains("--version") {
        writeln!(out, "o2check {}", env!("CARGO_PKG_VERSION"))
    } else if command.contains(" clock") {
        answer_clock(std::io::stdin().lock(), &mut out, delay)
    } else if command.contains(" collect ") {
        let tar = sim.tars.join(format!("{node}.tar"));
        match std::fs::File::open(&tar) {
            Ok(mut f) => std::io::copy(&mut f, &mut out).map(drop),
            Err(e) => {
                eprintln!("{PROGRAM_NAME}: {}: {e}", tar.display());
                return Ok(1);
            }
        }
    } else {
        // What a shell says of a command it does not know.
        return Ok(127);
    };
    // A closed pipe (o2check stopped reading) ends the session, as it would `cat`.
    Ok(match written.and_then(|()| out.flush()) {
        Ok(()) => 0,
        Err(_) => 1,
    })
}

/// As `o2check clock` does: the time now, then again after the node's delay for
/// every line read, until the input ends.
fn answer_clock(input: impl BufRead, out: &mut impl Write, delay: Duration) -> std::io::Result<()> {
    writeln!(out, "{}", now_ns())?;
    out.flush()?;
    for line in input.lines() {
        line?;
        std::thread::sleep(delay);
        writeln!(out, "{}", now_ns())?;
        out.flush()?;
    }
    Ok(())
}

fn now_ns() -> u128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<String> {
        s.split(' ').map(String::from).collect()
    }

    #[test]
    fn reads_ssh_argv_as_o2check_builds_it() {
        let collect =
            words("-o BatchMode=yes -o ControlPath=/tmp/x/%C -l root -- sim3 o2check_collect");
        assert_eq!(
            request(&collect),
            Request::Remote {
                node: "sim3",
                command: "o2check_collect"
            }
        );
        assert_eq!(
            request(&words("-O exit -o BatchMode=yes -- sim3")),
            Request::Control
        );
        assert_eq!(
            request(&words("-o BatchMode=yes -- sim3")),
            Request::Unusable
        );
        assert_eq!(
            request(&words("-o BatchMode=yes sim3 x")),
            Request::Unusable
        );
    }

    #[test]
    fn slow_nodes_by_name_or_prefix() {
        let mut sim = SimNodes {
            tars: PathBuf::from("/nowhere"),
            slow: "sim0".into(),
            delay: Duration::from_millis(40),
            slow_delay: Duration::from_millis(400),
        };
        assert_eq!(sim.delay_of("sim0"), sim.slow_delay);
        assert_eq!(sim.delay_of("sim01"), sim.delay);
        sim.slow = "c0n*".into();
        assert_eq!(sim.delay_of("c0n15"), sim.slow_delay);
        assert_eq!(sim.delay_of("c10n1"), sim.delay);
    }

    #[test]
    fn settings_round_trip_through_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let sim = SimNodes {
            tars: dir.path().to_path_buf(),
            slow: "c0n*".into(),
            delay: Duration::from_millis(40),
            slow_delay: Duration::from_millis(400),
        };
        let link = sim.install(dir.path(), Path::new("/bin/true")).unwrap();
        assert_eq!(link.file_name().unwrap(), PROGRAM_NAME);
        assert_eq!(SimNodes::load(dir.path()).unwrap(), sim);
        std::fs::write(dir.path().join(CONFIG_NAME), "tars=/x\n").unwrap();
        assert!(SimNodes::load(dir.path()).is_err());
    }

    #[test]
    fn clock_answers_every_line_until_input_ends() {
        let mut out = Vec::new();
        answer_clock(&b"\n\n"[..], &mut out, Duration::ZERO).unwrap();
        let times: Vec<u128> = String::from_utf8(out)
            .unwrap()
            .lines()
            .map(|l| l.parse().unwrap())
            .collect();
        assert_eq!(times.len(), 3);
        assert!(times.windows(2).all(|w| w[0] <= w[1]));
    }
}
