//! Kernel log lines of a node with their origin, from `dmesg` and the syslog
//! files, with the timestamp/host prefix removed from the message. Lines are
//! decoded lossily (garbage bytes never stop the read) and capped in length.

use super::event::recognize;
use super::history::last_boot;
use super::node_events::{events, located, Located, NodeEvents};
use crate::context::NodeCtx;
use crate::error::EvidenceError;
use crate::text::Text;
use rayon::prelude::*;
use regex::Regex;
use std::sync::Arc;
use std::sync::OnceLock;

/// Longer lines are cut: no o2 message is near this long, and a megabyte line of
/// garbage must not be carried around.
pub const MAX_LINE: usize = 4096;

/// One kernel message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogLine {
    pub origin: String,
    pub line: u32,
    /// The stamp as printed (`[   13.853340]`, `Nov 16 13:47:43`), for display.
    pub stamp: String,
    /// The message without stamp, host and `kernel:` prefix.
    pub message: String,
}

fn prefix() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(concat!(
            r"^(?:",
            r"(?P<mono>\[\s*\d+\.\d+\])", // dmesg
            r"|(?P<ctime>\[[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \d{4}\])", // dmesg -T
            r"|(?P<sys>[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d(?: \d{4})?) \S+ kernel:(?:\s*\[\s*\d+\.\d+\])?", // syslog
            r"|(?P<iso>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:[+-]\d\d:?\d\d|Z)?) \S+ kernel:(?:\s*\[\s*\d+\.\d+\])?", // short-iso
            r")\s?"
        ))
        .expect("valid regex")
    })
}

/// A raw line cut to [`MAX_LINE`] bytes (at a character boundary) without its `\r`.
pub fn cut(raw: &str) -> &str {
    let raw = if raw.len() > MAX_LINE {
        &raw[..raw
            .char_indices()
            .take_while(|(i, _)| *i < MAX_LINE)
            .last()
            .map_or(0, |(i, _)| i)]
    } else {
        raw
    };
    raw.trim_end_matches('\r')
}

/// The stamp as printed and the message of one (already [`cut`]) line, or `None`
/// when the line has no kernel-log prefix this reader knows.
pub fn split_prefix(raw: &str) -> Option<(&str, &str)> {
    let (stamp, message) = prefix_spans(raw)?;
    Some((&raw[stamp], &raw[message..]))
}

/// Where [`split_prefix`]'s stamp is in the line, and where the message starts.
pub fn prefix_spans(raw: &str) -> Option<(std::ops::Range<usize>, usize)> {
    // Every prefix form starts with `[` or holds ` kernel:`: most lines of a
    // syslog (daemons) are told apart without running the regex.
    if !raw.starts_with('[') && memchr::memmem::find(raw.as_bytes(), b" kernel:").is_none() {
        return None;
    }
    let c = prefix().captures(raw)?;
    let whole = c.get(0).map_or(0, |m| m.end());
    let stamp = c
        .iter()
        .skip(1)
        .flatten()
        .next()
        .map_or(0..0, |m| m.range());
    Some((stamp, whole))
}

/// Split one text into kernel messages (lines with a dmesg, `dmesg -T`, syslog or
/// journal short-iso prefix), read through the shared pasted-text normaliser.
pub fn from_text(text: &Text) -> Vec<LogLine> {
    // A pasted `dmesg` comes with its prompt and the ticket's indentation.
    crate::parse::pasted::iter(text)
        .filter_map(|(line, raw)| {
            let (stamp, message) = split_prefix(cut(raw))?;
            Some(LogLine {
                origin: text.origin.clone(),
                line,
                stamp: stamp.to_string(),
                message: message.to_string(),
            })
        })
        .collect()
}

/// Decompressed logs larger than this are cut: a bomb must not exhaust memory.
const MAX_DECOMPRESSED: u64 = 256 << 20;

/// A log file's text; gzip (rotated `.gz`) is recognised by its magic bytes.
pub fn decode(origin: &str, bytes: &[u8]) -> Text {
    if bytes.starts_with(&[0x1f, 0x8b]) {
        use std::io::Read;
        let mut out = Vec::new();
        let _ = flate2::read::MultiGzDecoder::new(bytes)
            .take(MAX_DECOMPRESSED)
            .read_to_end(&mut out);
        return Text::from_bytes(origin, &out);
    }
    Text::from_bytes(origin, bytes)
}

/// Syslog files holding kernel messages, with their rotations, newest first.
pub fn log_files(ctx: &NodeCtx) -> Vec<String> {
    let names = ctx.source.list_dir("/var/log").unwrap_or_default();
    let mut files: Vec<(usize, u32, String)> = Vec::new();
    for (rank, base) in ["kern.log", "messages", "syslog"].iter().enumerate() {
        for n in &names {
            let Some(rest) = n.strip_prefix(base) else {
                continue;
            };
            // `messages`, `messages.1`, `messages.2.gz`, `messages-20261124`.
            let age = match rest.trim_end_matches(".gz") {
                "" => 0,
                r if r.starts_with('.') => r[1..].parse().unwrap_or(u32::MAX),
                r if r.starts_with('-') => {
                    u32::MAX - r[1..].parse::<u32>().unwrap_or(0).min(u32::MAX - 1)
                }
                _ => continue,
            };
            files.push((rank, age, format!("/var/log/{n}")));
        }
    }
    files.sort();
    files.into_iter().map(|f| f.2).collect()
}

/// A node's kernel log as far as it could be read: the messages of every source
/// that answered, and why the others did not.
#[derive(Debug, Default)]
pub struct NodeLog {
    /// Per source, in order: `dmesg` (this boot), the journal, syslog files.
    pub sources: Vec<Vec<LogLine>>,
    /// Each source's o2 events and last boot, in the order of `sources`:
    /// recognised as the source was read (by the scanner's workers for a
    /// streamed log), so no reader goes over the lines again for them.
    pub events: Vec<Arc<NodeEvents>>,
    /// Sources that could not be read (not collected, absent, unreadable).
    pub gaps: Vec<EvidenceError>,
    /// How many sources answered, including those without a kernel line.
    pub answered: usize,
}

impl NodeLog {
    /// `Ok` when at least one source answered: an empty answer is evidence that
    /// nothing was logged. Otherwise the weakest gap (unreadable before not
    /// collected before absent), so a check errs or skips rather than passes.
    pub fn evidence(&self) -> Result<(), EvidenceError> {
        if self.answered > 0 {
            return Ok(());
        }
        let what =
            "the kernel log (`dmesg`, `journalctl -k` or /var/log/{kern.log,messages,syslog})";
        Err(self
            .gaps
            .iter()
            .cloned()
            .reduce(EvidenceError::weaker)
            .unwrap_or(EvidenceError::Absent { what: what.into() })
            .about(what))
    }
}

/// Every kernel message the node's evidence holds: `dmesg` first (this boot), then
/// the journal, then syslog files and their rotations (older boots). Duplicates
/// across sources are kept: each is evidence.
pub fn read_node_log(ctx: &NodeCtx) -> Arc<NodeLog> {
    ctx.fact(|f| &f.kernel_log, || Arc::new(read_uncached(ctx)))
}

fn read_uncached(ctx: &NodeCtx) -> NodeLog {
    let mut log = NodeLog::default();
    for argv in [
        &["dmesg"][..],
        &["journalctl", "-k", "-o", "short-iso", "--no-pager"][..],
    ] {
        // A bundle's saved output streams through the scanner as a log file does
        // (flat memory, all cores); a live command is read whole.
        let read = match ctx.source.open_command_log(argv) {
            Some(opened) => opened
                .and_then(|f| scanned(&command_origin(argv), f))
                .map(|(source, bytes)| (source, bytes > 0)),
            None => ctx
                .command(argv)
                .map(|out| (whole(from_text(&out.stdout)), false)),
        };
        match read {
            Ok((source, nonempty)) => {
                log.answered += 1;
                log.push(source, nonempty);
            }
            Err(e) => log.gaps.push(e),
        }
    }
    match ctx.source.list_dir("/var/log") {
        Ok(_) => {
            // Every file at once: a rotated .gz decompresses on one core, so
            // files one after another would leave the other core idle.
            let files = log_files(ctx);
            let read: Vec<Result<ReadSource, EvidenceError>> = files
                .par_iter()
                .map(|file| match ctx.source.open_log(file) {
                    Some(opened) => opened.and_then(|f| scanned(file, f)).map(|(s, _)| s),
                    None => ctx
                        .source
                        .read_file(file)
                        .map(|bytes| whole(from_text(&decode(file, &bytes)))),
                })
                .collect();
            for r in read {
                match r {
                    Ok(source) => {
                        log.answered += 1;
                        log.push(source, false);
                    }
                    Err(e) => log.gaps.push(e),
                }
            }
        }
        Err(e) => log.gaps.push(e),
    }
    log
}

/// The origin [`NodeCtx::command`] gives a command's output (`command: dmesg`):
/// evidence names the same source whichever way it was read.
pub fn command_origin(argv: &[&str]) -> String {
    format!("command: {}", argv.join(" "))
}

/// One source's lines and their events.
type ReadSource = (Vec<LogLine>, NodeEvents);

impl NodeLog {
    /// Keep a source that has kernel lines (an empty one only counted as an
    /// answer). A streamed `dmesg` or journal holds only its o2 lines, and one
    /// with none is still this boot's kernel log (as its whole text was, with
    /// the other subsystems' lines): `nonempty` keeps it.
    fn push(&mut self, (lines, events): ReadSource, nonempty: bool) {
        if !lines.is_empty() || nonempty {
            self.sources.push(lines);
            self.events.push(Arc::new(events));
        }
    }
}

/// A source read as one text: its events are recognised here.
fn whole(lines: Vec<LogLine>) -> ReadSource {
    let events = with_boot(&lines, events(&lines));
    (lines, events)
}

fn with_boot(lines: &[LogLine], events: Vec<Located>) -> NodeEvents {
    NodeEvents {
        events,
        boot: last_boot(lines).cloned(),
    }
}

/// A log file streamed through the parallel scanner ([`crate::kernlog::scan_pipe`]):
/// only its o2 lines and node-list records, which is all the log's readers use
/// (the scanner's tests compare memberships and events with the whole reading).
/// Compressed rotations decompress up to the same cut as [`decode`].
/// Also gives how many bytes the scan read.
fn scanned(origin: &str, file: std::fs::File) -> Result<(ReadSource, u64), EvidenceError> {
    let mut lines = Vec::new();
    let mut recognised = Vec::new();
    let scan = crate::kernlog::scan_pipe::scan_open(file, MAX_DECOMPRESSED, |f| {
        if let Some(line) = f.log_line(origin) {
            // The scanner recognised keyword lines on the message; a node-list
            // record it kept without a keyword is recognised as the whole-text
            // path would (it is `(` or a number: no event, at no cost).
            recognised.push(match f.event {
                Some(e) => Some(e),
                None if f.keyword => None,
                None => recognize(&line.message),
            });
            lines.push(line);
        }
    })
    .map_err(|e| EvidenceError::Io {
        what: origin.to_string(),
        error: e.to_string(),
    })?;
    let events = located(&lines, |i, _| recognised[i].take());
    let events = with_boot(&lines, events);
    Ok(((lines, events), scan.stats.bytes))
}

/// The messages of [`read_node_log`], for readers that take what there is.
pub fn node_log(ctx: &NodeCtx) -> Vec<Vec<LogLine>> {
    read_node_log(ctx).sources.clone()
}

/// The messages of [`read_node_log`], or why there is no kernel log to judge.
pub fn node_log_checked(ctx: &NodeCtx) -> Result<Vec<Vec<LogLine>>, EvidenceError> {
    let log = read_node_log(ctx);
    log.evidence()?;
    Ok(log.sources.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_every_prefix_form() {
        let t = Text::new(
            "log",
            "[   13.853340] o2dlm: Joining domain A \nNov 16 13:47:43 n149 kernel: o2dlm: x\n[Tue Nov 24 19:51:49 2026] ocfs2: y\n2026-11-24T19:51:49+0000 n1 kernel: o2net: z\nNov 16 13:46:01 n149 o2hbmonitor: Starting\nplain console text\n",
        );
        let l = from_text(&t);
        let msgs: Vec<_> = l.iter().map(|l| l.message.as_str()).collect();
        assert_eq!(
            msgs,
            [
                "o2dlm: Joining domain A ",
                "o2dlm: x",
                "ocfs2: y",
                "o2net: z"
            ]
        );
        assert_eq!(l[1].stamp, "Nov 16 13:47:43");
        assert_eq!(l[3].line, 4);
    }

    #[test]
    fn gzip_rotations_are_read() {
        use std::io::Write;
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(b"Nov 16 13:47:43 n149 kernel: o2dlm: Joining domain 55663D9EA9B0466D80626459E2B6AE9B ( 1 ) 1 nodes\n").unwrap();
        let t = decode("/var/log/messages.2.gz", &gz.finish().unwrap());
        assert_eq!(
            from_text(&t)[0].message,
            "o2dlm: Joining domain 55663D9EA9B0466D80626459E2B6AE9B ( 1 ) 1 nodes"
        );
        assert!(
            decode("x", b"\x1f\x8bnot gzip").content.is_empty(),
            "corrupt gzip is empty, not an error"
        );
    }

    #[test]
    fn huge_and_garbage_lines_do_not_break_reading() {
        let mut bytes = b"[    1.000000] ".to_vec();
        bytes.extend(std::iter::repeat_n(b'\xff', 3 * 1024 * 1024));
        bytes.extend(b"\n[    2.000000] o2dlm: ok\n");
        let l = from_text(&Text::from_bytes("g", &bytes));
        assert_eq!(l.len(), 2);
        assert!(l[0].message.len() <= MAX_LINE + 4);
        assert_eq!(l[1].message, "o2dlm: ok");
    }
}
