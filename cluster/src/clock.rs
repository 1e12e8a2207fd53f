//! The nodes' clocks against ours, for the clock-skew check: NTP's estimate
//! (offset = remote time - midpoint of our send and receive times) from the
//! sample with the shortest round trip. All samples of a node come from one
//! session (`o2check clock` answers every line it reads with the time, see
//! [`serve`]), so a node costs one process start here and one ssh session, not
//! one per sample, and the later samples time the channel alone rather than a
//! session's start.

use crate::inventory::Node;
use crate::transport::Transport;
use o2check_checks::source::exec::wait_or_kill;
use o2check_checks::source::ClockRecord;
use std::io::{BufRead, BufReader, Read, Write};
use std::sync::mpsc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// Clock samples per node; the one with the shortest round trip is kept.
pub const SAMPLES: usize = 3;

/// Lines a serving `o2check clock` answers before it stops on its own.
const MAX_ANSWERS: usize = 16;

/// `o2check clock` on a node: the time now (nanoseconds since the epoch), then
/// again for every line read from `input`, until it ends (or 16 lines).
/// An o2check from before sessions printed the first line only and exited;
/// [`sample`] takes that as one sample.
pub fn serve(input: impl BufRead, mut output: impl Write) -> std::io::Result<()> {
    writeln!(output, "{}", now_ns())?;
    output.flush()?;
    for line in input.lines().take(MAX_ANSWERS) {
        line?;
        writeln!(output, "{}", now_ns())?;
        output.flush()?;
    }
    Ok(())
}

/// Up to [`SAMPLES`] samples of `node`'s clock over one `PROGRAM clock` session,
/// within `deadline` (and 10 s). `None` when the node answers nothing usable.
pub fn sample(
    t: &dyn Transport,
    node: &Node,
    program: &str,
    reference: &str,
    deadline: Instant,
) -> Option<ClockRecord> {
    let deadline = deadline.min(Instant::now() + Duration::from_secs(10));
    let argv = [program.to_string(), "clock".into()];
    let sent = now_ns();
    let mut child = t.spawn(node, &argv).ok()?;
    let mut stdin = child.stdin.take();
    let answers = child.stdout.take().map(read_lines);
    if let Some(mut e) = child.stderr.take() {
        // Drained, so ssh's warnings cannot fill the pipe and stall it.
        std::thread::spawn(move || {
            std::io::copy(&mut e.by_ref().take(1 << 20), &mut std::io::sink())
        });
    }
    let mut best: Option<ClockRecord> = None;
    let mut sent = sent;
    if let Some(answers) = &answers {
        for i in 0..SAMPLES {
            let Ok(Some(line)) = answers.recv_timeout(left(deadline)) else {
                break;
            };
            let received = now_ns();
            let Ok(remote) = line.trim().parse::<i128>() else {
                break;
            };
            let s = offset_from(sent, received, remote, reference);
            if best.as_ref().is_none_or(|b| s.rtt_ms < b.rtt_ms) {
                best = Some(s);
            }
            if i + 1 == SAMPLES {
                break;
            }
            sent = now_ns();
            let asked = stdin
                .as_mut()
                .is_some_and(|w| w.write_all(b"\n").and_then(|()| w.flush()).is_ok());
            if !asked {
                break;
            }
        }
    }
    drop(stdin); // the session ends when its input does
    let _ = wait_or_kill(&mut child, left(deadline).max(Duration::from_millis(200)));
    best
}

/// The clock record for one sample (all times in nanoseconds since the epoch).
pub fn offset_from(sent: i128, received: i128, remote: i128, reference: &str) -> ClockRecord {
    let mid = sent + (received - sent) / 2;
    ClockRecord {
        reference: reference.to_string(),
        offset_ms: (remote - mid) as f64 / 1e6,
        rtt_ms: (received - sent) as f64 / 1e6,
    }
}

/// Each line of `pipe` as it arrives; `None` once it ends.
fn read_lines<R: Read + Send + 'static>(pipe: R) -> mpsc::Receiver<Option<String>> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut lines = BufReader::new(pipe.take(64 * 1024)).lines();
        loop {
            let line = lines.next().and_then(Result::ok);
            let end = line.is_none();
            if tx.send(line).is_err() || end {
                return;
            }
        }
    });
    rx
}

/// What is left until `deadline` (zero once past it).
fn left(deadline: Instant) -> Duration {
    deadline.saturating_duration_since(Instant::now())
}

fn now_ns() -> i128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos() as i128)
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transport::Local;

    #[test]
    fn offset_is_taken_from_the_midpoint() {
        // Sent at 1000 ms, answered at 1100 ms; the node said 1550 ms.
        let c = offset_from(1_000_000_000, 1_100_000_000, 1_550_000_000, "coord");
        assert_eq!(c.rtt_ms, 100.0);
        assert_eq!(c.offset_ms, 500.0);
        assert_eq!(c.reference, "coord");
    }

    #[test]
    fn serve_answers_once_and_then_once_per_line() {
        let mut out = Vec::new();
        serve(&b"\n\n"[..], &mut out).unwrap();
        let lines: Vec<i128> = String::from_utf8(out)
            .unwrap()
            .lines()
            .map(|l| l.parse().unwrap())
            .collect();
        assert_eq!(lines.len(), 3);
        assert!(lines.windows(2).all(|w| w[0] <= w[1]), "{lines:?}");
    }

    fn node() -> Node {
        Node {
            name: "n1".into(),
            address: None,
            user: None,
            port: None,
        }
    }

    /// A stand-in `PROGRAM` whose `clock` is the given shell body.
    fn program(dir: &std::path::Path, body: &str) -> String {
        use std::os::unix::fs::PermissionsExt;
        let path = dir.join("o2check");
        std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        path.display().to_string()
    }

    #[test]
    fn one_session_gives_every_sample_and_the_best_is_kept() {
        let dir = tempfile::tempdir().unwrap();
        // A node 5 s ahead whose first answer (the session's start) is slow.
        let count = dir.path().join("answers");
        let prog = program(
            dir.path(),
            &format!(
                "ahead() {{ echo $(( $(date +%s%N) + 5000000000 )); echo x >> {c}; }}\nsleep 0.3; ahead\nwhile read -r _; do ahead; done",
                c = count.display()
            ),
        );
        let deadline = Instant::now() + Duration::from_secs(10);
        let c = sample(&Local, &node(), &prog, "coord", deadline).expect("a sample");
        assert_eq!(
            std::fs::read_to_string(&count).unwrap().lines().count(),
            SAMPLES
        );
        assert!(c.rtt_ms < 250.0, "the slow first answer was kept: {c:?}");
        assert!((c.offset_ms - 5000.0).abs() < 250.0, "{c:?}");
    }

    #[test]
    fn an_old_o2check_answering_once_gives_one_sample() {
        let dir = tempfile::tempdir().unwrap();
        let prog = program(dir.path(), "date +%s%N");
        let deadline = Instant::now() + Duration::from_secs(10);
        let c = sample(&Local, &node(), &prog, "coord", deadline).expect("a sample");
        assert!(c.offset_ms.abs() < 1000.0, "{c:?}");
    }

    #[test]
    fn a_node_that_never_answers_gives_none_by_the_deadline() {
        let dir = tempfile::tempdir().unwrap();
        let prog = program(dir.path(), "sleep 30");
        let started = Instant::now();
        let deadline = started + Duration::from_millis(300);
        assert!(sample(&Local, &node(), &prog, "coord", deadline).is_none());
        assert!(
            started.elapsed() < Duration::from_secs(3),
            "{:?}",
            started.elapsed()
        );
    }

    #[test]
    fn garbage_is_no_sample() {
        let dir = tempfile::tempdir().unwrap();
        let prog = program(dir.path(), "echo not-a-time");
        let deadline = Instant::now() + Duration::from_secs(10);
        assert!(sample(&Local, &node(), &prog, "coord", deadline).is_none());
    }
}
