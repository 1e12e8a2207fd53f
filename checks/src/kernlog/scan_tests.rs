//! The chunked, parallel scan against a plain line-by-line reading of the same
//! bytes, on every fixture and on generated logs with chunk boundaries placed at
//! every byte of the hard cases (a node list split over records, cut lines).

use super::super::dlm::memberships;
use super::super::lines::{from_text, split_prefix, LogLine, MAX_LINE};
use super::super::node_events::events;
use super::super::scan_chunk::{found, keywords, step};
use super::*;
use std::io::Write;

/// The obvious reading: one line after another.
fn reference(log: &[u8]) -> Vec<Found> {
    let mut lines: Vec<&[u8]> = log.split(|&b| b == b'\n').collect();
    if log.is_empty() || log.ends_with(b"\n") {
        lines.pop();
    }
    let mut state = None;
    let mut out = Vec::new();
    for (i, raw) in lines.iter().enumerate() {
        let line = &raw[..raw.len().min(MAX_LINE)];
        let keyword = keywords().is_match(line);
        let f = found(i as u64 + 1, line, keyword);
        let (next, follows) = step(state, split_prefix(&f.text).map(|(_, m)| m), keyword);
        assert_eq!(f.message(), split_prefix(&f.text).map(|(_, m)| m));
        state = next;
        if keyword || follows {
            out.push(f);
        }
    }
    out
}

fn file_of(log: &[u8]) -> tempfile::NamedTempFile {
    let mut f = tempfile::NamedTempFile::new().unwrap();
    f.write_all(log).unwrap();
    f
}

fn parallel(file: &File, workers: usize, chunk: usize) -> (Vec<Found>, ScanStats) {
    let mut got = Vec::new();
    let stats = scan_file_with(file, workers, chunk, |f| got.push(f)).unwrap();
    (got, stats)
}

fn streamed(log: &[u8], chunk: usize) -> Vec<Found> {
    let mut got = Vec::new();
    scan_reader_with(log, chunk, |f| got.push(f)).unwrap();
    got
}

fn assert_same(log: &[u8], chunks: &[usize], what: &str) {
    let want = reference(log);
    let file = file_of(log);
    for &chunk in chunks {
        for workers in [1, 2, 3] {
            let (got, stats) = parallel(file.as_file(), workers, chunk);
            assert_eq!(got, want, "{what}: {workers} workers, chunk {chunk}");
            assert_eq!(stats.bytes, log.len() as u64);
            assert_eq!(
                stats.newlines,
                memchr::memchr_iter(b'\n', log).count() as u64
            );
        }
        assert_eq!(
            streamed(log, chunk),
            want,
            "{what}: streamed, chunk {chunk}"
        );
    }
}

/// Busybox dmesg's split node list, the one-line form, the 2.6.39 form, a list
/// cut off by noise, CRLF, garbage bytes and prefixless console lines.
fn tricky_log() -> Vec<u8> {
    let mut log = Vec::new();
    let d = "F47217E35EA246069E452DD9DC166B05";
    for l in [
        "Nov 24 19:51:49 n1 sshd[1]: Accepted publickey for root".to_string(),
        format!("[  370.1] o2dlm: Joining domain {d} "),
        "[  370.1] (".into(),
        "[  370.1] 1".into(),
        "console text between records".into(),
        "[  370.1] 2".into(),
        "[  370.1] ) 2 nodes".into(),
        format!("[  380.2] o2dlm: Node 2 leaves domain {d} "),
        "[  380.2] ( 1 ) 1 nodes\r".into(),
        format!("[  100.1] o2dlm: Node 1 joins domain {d}"),
        format!("[  100.1] o2dlm: Nodes in domain {d}: 0 1 "),
        format!("[  390.0] o2dlm: Joining domain {d}"),
        "[  390.0] usb 1-1: new high-speed USB device".into(),
        "[  390.0] 7".into(),
        "Nov 24 19:51:50 n1 kernel: [ 13.8] o2net: Connected to node n2 (num 2) at 10.0.0.2:7777\r"
            .into(),
        "Nov 24 19:51:50 n1 kernel: dlm: clustername: joining the lockspace group".into(),
        "(mount.ocfs2,241,0):ocfs2_dlm_init:3373 ERROR: status = -107".into(),
    ] {
        log.extend_from_slice(l.as_bytes());
        log.push(b'\n');
    }
    log.extend_from_slice(b"[  1.0] \xff\xfe o2hb: garbage \xc3\n[  2.0] OCFS2 1.8.0\n");
    log.extend_from_slice(
        format!("[  3.0] o2dlm: Joining domain {d}\n[  3.0] (\n[  3.0] 3").as_bytes(),
    );
    log
}

#[test]
fn every_chunk_boundary_in_split_node_lists_gives_the_sequential_result() {
    let log = tricky_log();
    let want = reference(&log);
    assert!(want.iter().any(|f| f.text == "[  370.1] 2"), "{want:#?}");
    assert!(!want.iter().any(|f| f.text.contains("Accepted")));
    let chunks: Vec<usize> = (1..=log.len() + 1).collect();
    assert_same(&log, &chunks, "tricky log");
}

#[test]
fn lines_cut_at_max_line_and_a_log_without_newlines() {
    let mut log = tricky_log();
    log.push(b'\n');
    let mut long = b"[  5.0] ".to_vec();
    long.resize(MAX_LINE - 1, b'x');
    long.extend_from_slice(b"o2net: past the cut\n"); // keyword straddles the cut
    log.extend_from_slice(&long);
    let mut kept = b"[  6.0] o2net: before the cut ".to_vec();
    kept.resize(3 * MAX_LINE, b'y');
    kept.push(b'\n');
    log.extend_from_slice(&kept);
    log.extend_from_slice(b"[  7.0] o2dlm: Joining domain F47217E35EA246069E452DD9DC166B05\n");
    log.extend(std::iter::repeat_n(b'z', 2 * MAX_LINE)); // prefixless, in a list
    log.extend_from_slice(b"\n[  7.0] 4\n[  7.0] ) 1 nodes\n");
    let want = reference(&log);
    assert!(!want.iter().any(|f| f.text.contains("past the cut")));
    assert!(want
        .iter()
        .any(|f| f.text.starts_with("[  6.0] o2net: before") && f.text.len() == MAX_LINE));
    assert!(want.iter().any(|f| f.text == "[  7.0] 4"));
    let at_edges = [
        1,
        2,
        3,
        5,
        8,
        13,
        100,
        MAX_LINE - 1,
        MAX_LINE,
        MAX_LINE + 1,
        2 * MAX_LINE + 3,
        1 << 16,
    ];
    assert_same(&log, &at_edges, "cut lines");
    let one_line = vec![b'a'; 3 * MAX_LINE];
    assert_same(&one_line, &[1, 7, MAX_LINE], "no newline at all");
    assert_same(b"", &[1, 5], "empty");
    assert_same(b"\n\n\n", &[1, 2], "only newlines");
}

#[test]
fn a_node_list_of_a_billion_records_is_capped() {
    let mut log = b"[ 1.0] o2dlm: Joining domain F47217E35EA246069E452DD9DC166B05\n".to_vec();
    for _ in 0..2000 {
        log.extend_from_slice(b"[ 1.0] 1\n");
    }
    log.extend_from_slice(b"[ 2.0] o2net: after\n");
    let want = reference(&log);
    assert_eq!(
        want.len(),
        super::super::scan_chunk::MAX_FOLLOW as usize + 2,
        "the join line, the capped records, the next o2 line"
    );
    assert_same(
        &log,
        &[1, 9, 10, 11, 100, 2339, 4096, 1 << 20],
        "capped list",
    );
}

/// Every file under fixtures/ (gzip ones decompressed), and what the log readers
/// make of the kept lines: the same node lists and events as of the whole log.
#[test]
fn every_fixture_log_scans_as_it_reads() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures");
    let mut stack = vec![std::path::PathBuf::from(root)];
    let mut logs = 0;
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let meta = std::fs::symlink_metadata(&path).unwrap();
            if meta.is_dir() {
                stack.push(path);
                continue;
            }
            if !meta.is_file() {
                continue;
            }
            let raw = std::fs::read(&path).unwrap();
            let text = super::super::lines::decode("f", &raw);
            let bytes = text.content.as_bytes();
            let want = reference(bytes);
            let file = file_of(bytes);
            for chunk in [97, 4096, CHUNK] {
                let (got, _) = parallel(file.as_file(), 2, chunk);
                assert_eq!(got, want, "{}: chunk {chunk}", path.display());
            }
            assert_eq!(streamed(bytes, 61), want, "{}", path.display());
            let all = from_text(&text);
            let kept: Vec<LogLine> = want.iter().filter_map(|f| f.log_line("f")).collect();
            assert_eq!(
                memberships(&events(&kept)),
                memberships(&events(&all)),
                "{}",
                path.display()
            );
            let ev = |l: &[LogLine]| -> Vec<_> {
                events(l).into_iter().map(|e| (e.event, e.line)).collect()
            };
            assert_eq!(ev(&kept), ev(&all), "{}", path.display());
            if !want.is_empty() {
                logs += 1;
            }
        }
    }
    assert!(logs > 20, "only {logs} fixture files with o2 lines");
}
