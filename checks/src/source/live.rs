//! The host o2check runs on. Every read has a deadline: most paths are in /etc,
//! /proc and /sys and answer at once, but nothing here may hang the run.

use super::exec::{run_with_timeout, with_timeout};
use super::{CommandOutput, Source, TcpProbe};
use crate::error::EvidenceError;
use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4, TcpStream};
use std::time::{Duration, Instant};

/// Evidence from the running system.
pub struct Live {
    node: String,
    command_timeout: Duration,
    read_timeout: Duration,
}

impl Live {
    /// `command_timeout` bounds each external command (multipath, debugfs.ocfs2...).
    pub fn new(command_timeout: Duration) -> Self {
        let node = nix::sys::utsname::uname()
            .map(|u| u.nodename().to_string_lossy().into_owned())
            .unwrap_or_else(|_| "localhost".to_string());
        Live {
            node,
            command_timeout,
            read_timeout: Duration::from_secs(5),
        }
    }
}

fn io_error(what: &str, e: std::io::Error) -> EvidenceError {
    if e.kind() == std::io::ErrorKind::NotFound {
        EvidenceError::Absent {
            what: what.to_string(),
        }
    } else {
        EvidenceError::Io {
            what: what.to_string(),
            error: e.to_string(),
        }
    }
}

/// `path` for reading, if it is a regular file (checked on the opened handle).
fn open_regular(path: &str) -> std::io::Result<std::fs::File> {
    use rustix::fs::{FileType, Mode, OFlags};
    let fd = rustix::fs::open(
        path,
        OFlags::RDONLY | OFlags::NONBLOCK | OFlags::NOCTTY | OFlags::CLOEXEC,
        Mode::empty(),
    )?;
    let st = rustix::fs::fstat(&fd)?;
    if FileType::from_raw_mode(st.st_mode) != FileType::RegularFile {
        return Err(std::io::Error::other("not a regular file; refused"));
    }
    Ok(std::fs::File::from(fd))
}

/// Connect to `to` from the local address `from` (any port), like o2net does.
fn connect_from(from: Ipv4Addr, to: SocketAddrV4, timeout: Duration) -> std::io::Result<()> {
    use socket2::{Domain, Protocol, Socket, Type};
    let socket = Socket::new(Domain::IPV4, Type::STREAM, Some(Protocol::TCP))?;
    socket.bind(&SocketAddr::V4(SocketAddrV4::new(from, 0)).into())?;
    socket.connect_timeout(&SocketAddr::V4(to).into(), timeout)
}

impl Source for Live {
    fn node(&self) -> &str {
        &self.node
    }

    fn describe(&self) -> String {
        "live".to_string()
    }

    fn is_live(&self) -> bool {
        true
    }

    fn taken_at(&self) -> Option<chrono::DateTime<chrono::Utc>> {
        Some(chrono::Utc::now())
    }

    fn read_file(&self, path: &str) -> Result<Vec<u8>, EvidenceError> {
        let owned = path.to_string();
        with_timeout(path, self.read_timeout, move || std::fs::read(&owned))?
            .map_err(|e| io_error(path, e))
    }

    fn read_tail(&self, path: &str, max: usize) -> Result<(Vec<u8>, u64), EvidenceError> {
        let owned = path.to_string();
        with_timeout(path, self.read_timeout, move || {
            let mut f = std::fs::File::open(&owned)?;
            let size = f.metadata()?.len();
            super::confined::tail_of(&mut f, size, max as u64).map(|t| (t, size))
        })?
        .map_err(|e| io_error(path, e))
    }

    /// A live log streams through the scanner instead of being read whole (a
    /// hypervisor's /var/log/messages can be gigabytes). Opened non-blocking and
    /// handed out only when it is a regular file: a FIFO planted in /var/log must
    /// not block the run.
    fn open_log(&self, path: &str) -> Option<Result<std::fs::File, EvidenceError>> {
        let owned = path.to_string();
        let opened = with_timeout(path, self.read_timeout, move || open_regular(&owned));
        Some(opened.and_then(|r| r.map_err(|e| io_error(path, e))))
    }

    fn list_dir(&self, path: &str) -> Result<Vec<String>, EvidenceError> {
        let owned = path.to_string();
        let entries = with_timeout(
            path,
            self.read_timeout,
            move || -> std::io::Result<Vec<String>> {
                let mut names = Vec::new();
                for entry in std::fs::read_dir(&owned)? {
                    names.push(entry?.file_name().to_string_lossy().into_owned());
                }
                Ok(names)
            },
        )?;
        let mut names = entries.map_err(|e| io_error(path, e))?;
        names.sort();
        Ok(names)
    }

    fn command(&self, argv: &[&str]) -> Result<CommandOutput, EvidenceError> {
        match run_with_timeout(argv, self.command_timeout) {
            // Distributions without `service` (minimal images, the lab) still have the
            // init script the `service` wrapper would call.
            Err(e) if e.is_missing() && argv.first() == Some(&"service") && argv.len() >= 3 => {
                let script = format!("/etc/init.d/{}", argv[1]);
                let mut alt: Vec<&str> = vec![&script];
                alt.extend_from_slice(&argv[2..]);
                run_with_timeout(&alt, self.command_timeout)
            }
            other => other,
        }
    }

    fn tcp_probe(&self, addr: SocketAddrV4, timeout: Duration) -> Result<TcpProbe, EvidenceError> {
        let start = Instant::now();
        let result = TcpStream::connect_timeout(&SocketAddr::V4(addr), timeout);
        Ok(TcpProbe {
            addr,
            connected: result.is_ok(),
            error: result.err().map(|e| e.to_string()),
            millis: start.elapsed().as_millis() as u64,
        })
    }

    fn tcp_probe_from(
        &self,
        from: Ipv4Addr,
        addr: SocketAddrV4,
        timeout: Duration,
    ) -> Result<TcpProbe, EvidenceError> {
        let start = Instant::now();
        let result = connect_from(from, addr, timeout);
        Ok(TcpProbe {
            addr,
            connected: result.is_ok(),
            error: result.err().map(|e| e.to_string()),
            millis: start.elapsed().as_millis() as u64,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enoent_is_observed_absence_and_a_failed_read_is_unreadable() {
        let live = Live::new(Duration::from_secs(2));
        let gone = live
            .read_file("/nonexistent/o2check/cluster.conf")
            .unwrap_err();
        assert!(gone.is_absent(), "{gone}");
        let dir = tempfile::tempdir().unwrap();
        // A directory read as a file fails with EISDIR: a failed read, not absence.
        let odd = live.read_file(dir.path().to_str().unwrap()).unwrap_err();
        assert!(odd.is_unreadable(), "{odd}");
    }

    #[test]
    fn a_live_log_is_opened_for_streaming_and_a_fifo_is_refused_without_blocking() {
        let live = Live::new(Duration::from_secs(2));
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("messages");
        std::fs::write(&log, "Nov 24 19:51:49 n1 kernel: o2net: Connected\n").unwrap();
        let mut f = live.open_log(log.to_str().unwrap()).unwrap().unwrap();
        let mut text = String::new();
        std::io::Read::read_to_string(&mut f, &mut text).unwrap();
        assert!(text.contains("o2net"), "{text}");
        let gone = live
            .open_log("/nonexistent/o2check/messages")
            .unwrap()
            .unwrap_err();
        assert!(gone.is_absent(), "{gone}");
        let fifo = dir.path().join("fifo");
        nix::unistd::mkfifo(&fifo, nix::sys::stat::Mode::from_bits_truncate(0o600)).unwrap();
        let started = std::time::Instant::now();
        let refused = live.open_log(fifo.to_str().unwrap()).unwrap().unwrap_err();
        assert!(refused.is_unreadable(), "{refused}");
        assert!(started.elapsed() < Duration::from_secs(2));
    }
}
