//! Ctrl-C on `run --cluster` while a node is still collecting: o2check closes the
//! node's ssh ControlMaster (`ssh -O exit`) and removes the socket directory
//! instead of leaving them behind (issue 9's low finding). A stand-in ssh logs
//! what it is asked and hangs on `collect`.

mod support;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[test]
fn ctrl_c_closes_the_control_master_and_removes_its_socket_directory() {
    let tmp = tempfile::tempdir().unwrap();
    let log = tmp.path().join("log");
    let ssh = tmp.path().join("ssh");
    // Not std::fs::write: see support/stand_in.rs (ETXTBSY under load).
    support::stand_in::write_executable(&ssh, &format!(
            "#!/bin/sh\nfor a in \"$@\"; do case \"$a\" in ControlPath=*) echo \"dir ${{a#ControlPath=}}\" >> {log};; esac; done\necho \"argv $*\" >> {log}\ncase \" $* \" in *\" -O exit \"*) exit 0;; esac\nexec sleep 10\n",
            log = log.display()
        ));
    // The scratch bundles go to TMPDIR: a private one shows what is left behind.
    let scratch = tmp.path().join("tmp");
    std::fs::create_dir(&scratch).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_o2check"))
        .env("TMPDIR", &scratch)
        .args([
            "run", "--color", "never", "--deploy", "never", "--nodes", "n1",
        ])
        .arg("--ssh-program")
        .arg(&ssh)
        .arg("--out")
        .arg(tmp.path().join("reports"))
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while !std::fs::read_to_string(&log)
        .unwrap_or_default()
        .contains("collect")
    {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "collect never started"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let pid = nix::unistd::Pid::from_raw(child.id() as i32);
    nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGINT).unwrap();
    let interrupted = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(
            interrupted.elapsed() < Duration::from_secs(8),
            "o2check did not stop on Ctrl-C"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(status.code(), Some(130));
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(
        text.contains("-O exit"),
        "the master was not closed:\n{text}"
    );
    let socket = text
        .lines()
        .find_map(|l| l.strip_prefix("dir "))
        .expect("a ControlPath");
    let dir = std::path::Path::new(socket).parent().unwrap();
    assert!(dir.starts_with("/tmp/"), "{dir:?}");
    assert!(!dir.exists(), "{} was left behind", dir.display());
    let left: Vec<_> = std::fs::read_dir(&scratch).unwrap().collect();
    assert!(left.is_empty(), "scratch left behind: {left:?}");
}
