//! Rotated logs as they lie in /var/log (`messages-20261124.gz`, `kern.log.1`,
//! `syslog.2.xz`), scanned without unpacking them to memory or disk: one thread
//! decompresses into chunks and hands them through a bounded channel to the
//! scanner, so decompressing and scanning run on two cores at once and memory
//! stays a few chunks. The format is told by the file's magic bytes, not its name.

use super::scan::{scan_file, scan_reader, Found, ScanStats, CHUNK};
use std::fs::File;
use std::io::{Read, Seek};
use std::path::Path;
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};

/// Chunks in flight between the decompressor and the scanner.
const IN_FLIGHT: usize = 4;

/// How a log file is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Packing {
    Plain,
    Gzip,
    Xz,
}

/// The packing of a file from its first bytes (gzip: RFC 1952 magic; xz: the
/// stream header magic of the .xz file format).
pub fn packing(head: &[u8]) -> Packing {
    if head.starts_with(&[0x1f, 0x8b]) {
        Packing::Gzip
    } else if head.starts_with(&[0xfd, b'7', b'z', b'X', b'Z', 0x00]) {
        Packing::Xz
    } else {
        Packing::Plain
    }
}

/// What a scan of one log file read.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct FileScan {
    pub packing: Option<Packing>,
    /// Bytes of the file as stored (compressed when it is).
    pub stored_bytes: u64,
    pub stats: ScanStats,
    /// Decompression stopped at the size limit (a bomb, or a log larger than the
    /// caller wants read); what came before was scanned.
    pub cut_at_limit: bool,
}

/// Scan one log file, plain (on all cores) or compressed (decompressed in a
/// pipeline), stopping a compressed one after `limit` decompressed bytes.
pub fn scan_path(path: &Path, limit: u64, each: impl FnMut(Found)) -> std::io::Result<FileScan> {
    // A FIFO or device would block or never end: only regular files are logs.
    let meta = std::fs::metadata(path)?;
    if !meta.is_file() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!("{}: not a regular file", path.display()),
        ));
    }
    let mut file = File::open(path)?;
    let mut head = [0u8; 6];
    let got = read_head(&mut file, &mut head)?;
    let packing = packing(&head[..got]);
    let mut out = FileScan {
        packing: Some(packing),
        stored_bytes: meta.len(),
        ..FileScan::default()
    };
    file.rewind()?;
    out.stats = match packing {
        Packing::Plain => scan_file(&file, each)?,
        Packing::Gzip => pipelined(flate2::read::MultiGzDecoder::new(file), limit, each)?,
        Packing::Xz => pipelined(
            liblzma::read::XzDecoder::new_multi_decoder(file),
            limit,
            each,
        )?,
    };
    out.cut_at_limit = packing != Packing::Plain && out.stats.bytes >= limit;
    Ok(out)
}

fn read_head(file: &mut File, head: &mut [u8]) -> std::io::Result<usize> {
    let mut got = 0;
    while got < head.len() {
        match file.read(&mut head[got..])? {
            0 => break,
            n => got += n,
        }
    }
    Ok(got)
}

/// Decompress on a thread of its own, scan on this one.
pub fn pipelined(
    decoder: impl Read + Send,
    limit: u64,
    each: impl FnMut(Found),
) -> std::io::Result<ScanStats> {
    let (full_tx, full_rx) = sync_channel::<std::io::Result<Vec<u8>>>(IN_FLIGHT);
    let (empty_tx, empty_rx) = sync_channel::<Vec<u8>>(IN_FLIGHT + 2);
    std::thread::scope(|s| {
        s.spawn(move || decompress(decoder.take(limit), &full_tx, &empty_rx));
        let reader = Chunks {
            full: full_rx,
            empty: empty_tx,
            current: Vec::new(),
            at: 0,
        };
        scan_reader(reader, each)
    })
}

fn decompress(
    mut decoder: impl Read,
    full: &SyncSender<std::io::Result<Vec<u8>>>,
    empty: &Receiver<Vec<u8>>,
) {
    loop {
        let mut buf = empty.try_recv().unwrap_or_default();
        buf.resize(CHUNK, 0);
        let mut got = 0;
        let mut failed = None;
        while got < buf.len() {
            match decoder.read(&mut buf[got..]) {
                Ok(0) => break,
                Ok(n) => got += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => {
                    failed = Some(e);
                    break;
                }
            }
        }
        buf.truncate(got);
        let done = got == 0 || failed.is_some();
        if got > 0 && full.send(Ok(buf)).is_err() {
            return; // the scanner stopped
        }
        if let Some(e) = failed {
            let _ = full.send(Err(e));
        }
        if done {
            return;
        }
    }
}

/// The scanner's side of the channel, as a reader; emptied buffers go back to
/// the decompressor so the pipeline allocates its chunks once.
struct Chunks {
    full: Receiver<std::io::Result<Vec<u8>>>,
    empty: SyncSender<Vec<u8>>,
    current: Vec<u8>,
    at: usize,
}

impl Read for Chunks {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        while self.at == self.current.len() {
            match self.full.recv() {
                Ok(Ok(next)) => {
                    let done = std::mem::replace(&mut self.current, next);
                    let _ = self.empty.try_send(done);
                    self.at = 0;
                }
                Ok(Err(e)) => return Err(e),
                Err(_) => return Ok(0), // the decompressor finished
            }
        }
        let n = out.len().min(self.current.len() - self.at);
        out[..n].copy_from_slice(&self.current[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn log() -> Vec<u8> {
        let mut log = Vec::new();
        for i in 0..30_000 {
            log.extend_from_slice(
                format!(
                    "Nov 24 19:51:{:02} n1 sshd[1]: Accepted publickey {i}\n",
                    i % 60
                )
                .as_bytes(),
            );
            if i % 997 == 0 {
                log.extend_from_slice(b"Nov 24 19:51:50 n1 kernel: [ 13.8] o2dlm: Joining domain F47217E35EA246069E452DD9DC166B05\nNov 24 19:51:50 n1 kernel: (\nNov 24 19:51:50 n1 kernel: 1\nNov 24 19:51:50 n1 kernel: ) 1 nodes\n");
            }
        }
        log
    }

    fn scan_all(path: &Path, limit: u64) -> (Vec<Found>, FileScan) {
        let mut got = Vec::new();
        let scan = scan_path(path, limit, |f| got.push(f)).unwrap();
        (got, scan)
    }

    #[test]
    fn gzip_multi_member_and_xz_scan_as_the_plain_log() {
        let log = log();
        let dir = tempfile::tempdir().unwrap();
        let plain = dir.path().join("kern.log.1");
        std::fs::write(&plain, &log).unwrap();
        let (want, scan) = scan_all(&plain, u64::MAX);
        assert_eq!((scan.packing, want.len()), (Some(Packing::Plain), 31 * 4));
        // logrotate's gzip, and two members as `cat a.gz b.gz` makes.
        let half = log.len() / 2;
        let mut gz = Vec::new();
        for part in [&log[..half], &log[half..]] {
            let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
            e.write_all(part).unwrap();
            gz.extend(e.finish().unwrap());
        }
        let gz_path = dir.path().join("messages-20261124.gz");
        std::fs::write(&gz_path, &gz).unwrap();
        let (got, scan) = scan_all(&gz_path, u64::MAX);
        assert_eq!(got, want, "gzip");
        assert_eq!(
            (scan.packing, scan.stats.bytes, scan.stored_bytes),
            (Some(Packing::Gzip), log.len() as u64, gz.len() as u64)
        );
        let mut xz = liblzma::write::XzEncoder::new(Vec::new(), 6);
        xz.write_all(&log).unwrap();
        let xz_path = dir.path().join("syslog.2");
        std::fs::write(&xz_path, xz.finish().unwrap()).unwrap();
        let (got, scan) = scan_all(&xz_path, u64::MAX);
        assert_eq!(
            (got, scan.packing),
            (want, Some(Packing::Xz)),
            "xz, told by magic"
        );
    }

    #[test]
    fn bombs_stop_at_the_limit_and_corrupt_or_odd_files_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        for _ in 0..64 {
            e.write_all(&[b'\n'; 1 << 20]).unwrap();
        }
        let bomb = dir.path().join("bomb.gz");
        std::fs::write(&bomb, e.finish().unwrap()).unwrap();
        let (_, scan) = scan_all(&bomb, 8 << 20);
        assert!(scan.cut_at_limit);
        assert_eq!(scan.stats.bytes, 8 << 20);
        let corrupt = dir.path().join("corrupt.gz");
        std::fs::write(&corrupt, b"\x1f\x8b\x08\x00garbage that is not deflate").unwrap();
        assert!(scan_path(&corrupt, u64::MAX, |_| {}).is_err());
        let fifo = dir.path().join("fifo");
        nix::unistd::mkfifo(&fifo, nix::sys::stat::Mode::S_IRWXU).unwrap();
        let err = scan_path(&fifo, u64::MAX, |_| {}).unwrap_err();
        assert!(err.to_string().contains("not a regular file"), "{err}");
    }
}
