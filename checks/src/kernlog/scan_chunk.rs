//! One chunk of a kernel log scanned on its own, so chunks can be scanned on
//! several cores and still give exactly what one pass over the whole log gives.
//! A chunk owns the lines that start inside it; it reads past its end only to
//! finish its last line (at most [`MAX_LINE`] bytes). What crosses chunks is the
//! state of an o2dlm node list split over several records (busybox dmesg prints
//! `Joining domain X`, then `(`, `1`, `2`, `) 2 nodes` as records of their own):
//! a chunk reports what it ends in, and the records it starts with as they would
//! be read if a list were open, and [`Merge`] joins them in order.

use super::dlm::{continues_node_list, opens_node_list};
use super::event::{recognize, O2Event};
use super::lines::{cut, prefix_spans, LogLine, MAX_LINE};
use aho_corasick::{AhoCorasick, MatchKind};
use std::sync::OnceLock;

/// At most this many records after a join line are read as its node list (o2cb
/// has at most 255 nodes, plus `(` and `)`): a log of a billion `1` lines must
/// not make the output grow with it.
pub const MAX_FOLLOW: u32 = 260;

/// One line the scan kept: a line naming the o2 stack, or a record following a
/// join line whose node list is on the next records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// 1-based line number in the log.
    pub line: u64,
    /// The line, decoded lossily, cut to [`MAX_LINE`] bytes, without `\r`.
    pub text: String,
    /// Where the stamp is in `text` and where the message starts, when the line
    /// has a kernel-log prefix.
    pub prefix: Option<(std::ops::Range<usize>, usize)>,
    /// Whether the line holds an o2 keyword (else it is a node-list record).
    pub keyword: bool,
    /// The event of a keyword line, recognised on its message (or on the whole
    /// line when it has no kernel-log prefix).
    pub event: Option<O2Event>,
}

impl Found {
    /// The line as the log readers see it (stamp and message apart), or `None`
    /// when it has no kernel-log prefix they know.
    pub fn log_line(&self, origin: &str) -> Option<LogLine> {
        let (stamp, at) = self.prefix.clone()?;
        Some(LogLine {
            origin: origin.to_string(),
            line: u32::try_from(self.line).unwrap_or(u32::MAX),
            stamp: self.text[stamp].to_string(),
            message: self.text[at..].to_string(),
        })
    }

    /// The line without its kernel-log prefix, if it has one.
    pub fn message(&self) -> Option<&str> {
        self.prefix.as_ref().map(|(_, at)| &self.text[*at..])
    }
}

/// The words that make a line a candidate: those [`super::event::is_candidate`]
/// looks for, in one multi-pattern SIMD search.
pub fn keywords() -> &'static AhoCorasick {
    static AC: OnceLock<AhoCorasick> = OnceLock::new();
    AC.get_or_init(|| {
        // Leftmost-first: the match kind with which aho-corasick searches with its
        // packed SIMD (Teddy) searcher; the standard kind falls back to a
        // rare-byte memchr that stops at every `2` and `:` of a syslog.
        AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostFirst)
            // `Linux version ` is the boot banner (init/main.c start_kernel()):
            // judging now versus history needs the last boot of every syslog.
            .build(["o2", "ocfs2", "OCFS2", "):dlm_", "dlm: ", "Linux version "])
            .expect("valid keywords")
    })
}

/// Is a node list open, and how many records were read since its join line.
pub type Follow = Option<u32>;

/// How one line moves the node-list state: `message` is the line without its
/// kernel-log prefix (`None`: no known prefix, a line the list reader never sees
/// but that still counts against [`MAX_FOLLOW`]). Returns the new state and
/// whether the line is kept as a record of the list.
pub fn step(state: Follow, message: Option<&str>, keyword: bool) -> (Follow, bool) {
    let mut next = None;
    if let Some(c) = state {
        if message.is_none_or(continues_node_list) && c + 1 < MAX_FOLLOW {
            next = Some(c + 1);
        }
    }
    if keyword && message.is_some_and(opens_node_list) {
        next = Some(0);
    }
    (next, state.is_some() && message.is_some())
}

/// A record of the chunk's opening run, read as if a node list were open.
#[derive(Debug)]
struct Lead {
    /// The line to hand out if the list is open (not a keyword line: those are
    /// kept either way).
    extra: Option<Found>,
    continues: bool,
    opens: bool,
}

/// What one chunk gave.
#[derive(Debug, Default)]
pub struct ChunkOut {
    /// Bytes the chunk owns (filled in by the reader).
    pub bytes: u64,
    /// Newlines in the chunk's own bytes, to number the next chunk's lines.
    pub newlines: u64,
    /// Kept lines when no node list is open at the chunk's start; `line` counts
    /// from the chunk's start (0 = the line the chunk starts in).
    pub kept: Vec<Found>,
    /// The node-list state at the chunk's end (same either way once the opening
    /// run is over).
    pub end: Follow,
    lead: Vec<Lead>,
    /// The opening run reached the chunk's end still reading a node list.
    lead_open: bool,
    pub keyword_lines: u64,
}

/// A kept line from its bytes (already cut to [`MAX_LINE`]).
pub fn found(line: u64, bytes: &[u8], keyword: bool) -> Found {
    let text = cut(&String::from_utf8_lossy(bytes)).to_string();
    let prefix = prefix_spans(&text);
    let event = if keyword {
        recognize(&text[prefix.as_ref().map_or(0, |(_, at)| *at)..])
    } else {
        None
    };
    Found {
        line,
        text,
        prefix,
        keyword,
        event,
    }
}

/// Scan the lines starting in `window[own.0..own.1]`. `window` holds the byte
/// before the chunk when there is one (`own.0 == 1`), and at least [`MAX_LINE`]
/// bytes after it unless the log ends sooner.
pub fn scan_chunk(window: &[u8], own: (usize, usize)) -> ChunkOut {
    let (own_start, own_end) = own;
    let mut out = ChunkOut::default();
    let first = if own_start == 0 {
        Some(0)
    } else {
        memchr::memchr(b'\n', &window[own_start - 1..own_end]).map(|i| own_start + i)
    };
    let Some(mut pos) = first.filter(|&p| p < own_end) else {
        out.newlines = memchr::memchr_iter(b'\n', &window[own_start..own_end]).count() as u64;
        out.lead_open = true;
        return out;
    };
    let (mut counted_to, mut newlines) = (own_start, 0u64);
    let mut line_at = |start: usize| {
        newlines += memchr::memchr_iter(b'\n', &window[counted_to..start]).count() as u64;
        counted_to = start;
        newlines
    };
    // The opening run: records read as if a node list were open at the start.
    let mut lead_state: Follow = Some(0);
    let mut state: Follow = None;
    let ac = keywords();
    while pos < own_end {
        let in_run = lead_state.is_some() || state.is_some();
        let start = if in_run {
            pos
        } else {
            // Jump to the next keyword: the lines in between are not kept.
            match ac.find(&window[pos..]) {
                Some(m) => memchr::memrchr(b'\n', &window[pos..pos + m.start()])
                    .map_or(pos, |i| pos + i + 1),
                None => break,
            }
        };
        if start >= own_end {
            break;
        }
        let stop = memchr::memchr(b'\n', &window[start..]).map_or(window.len(), |i| start + i);
        let line = &window[start..stop.min(start + MAX_LINE)];
        pos = stop + 1;
        let keyword = ac.is_match(line);
        if !in_run && !keyword {
            continue; // the keyword was past the cut
        }
        let number = line_at(start);
        let kept = found(number, line, keyword);
        let message = kept.message();
        if lead_state.is_some() {
            let (next, follows) = step(lead_state, message, keyword);
            let opens = keyword && message.is_some_and(opens_node_list);
            out.lead.push(Lead {
                extra: (follows && !keyword).then(|| kept.clone()),
                continues: next.is_some() && !opens,
                opens,
            });
            // A new join line: both readings agree from here on.
            lead_state = if opens { None } else { next };
        }
        let (next, follows) = step(state, message, keyword);
        state = next;
        if keyword {
            out.keyword_lines += 1;
        }
        if keyword || follows {
            out.kept.push(kept);
        }
    }
    out.lead_open = lead_state.is_some();
    out.end = state;
    out.newlines = line_at(own_end);
    out
}

/// Joins chunk results in log order into the kept lines of the whole log.
#[derive(Debug, Default)]
pub struct Merge {
    state: Follow,
    /// Lines before the next chunk.
    base: u64,
}

impl Merge {
    /// Hand the next chunk's kept lines, numbered in the whole log, to `each`.
    pub fn push(&mut self, chunk: ChunkOut, each: &mut impl FnMut(Found)) {
        let base = self.base;
        self.base += chunk.newlines;
        let number = |mut f: Found| {
            f.line += base + 1;
            f
        };
        let Some(mut open) = self.state else {
            self.state = chunk.end;
            chunk.kept.into_iter().map(number).for_each(each);
            return;
        };
        // A node list is open: replay the opening run with the real count.
        let mut extra = Vec::new();
        let mut over = false;
        for lead in &chunk.lead {
            extra.extend(lead.extra.clone().map(number));
            if lead.opens || !lead.continues || open + 1 >= MAX_FOLLOW {
                over = true;
                break;
            }
            open += 1;
        }
        self.state = if over || !chunk.lead_open {
            chunk.end
        } else {
            Some(open)
        };
        // Keyword lines are in `kept` whichever way the chunk was read, and
        // before the run is over nothing else is; merge by line number.
        let mut kept = chunk.kept.into_iter().map(number).peekable();
        for e in extra {
            while let Some(k) = kept.next_if(|k| k.line < e.line) {
                each(k);
            }
            each(e);
        }
        kept.for_each(each);
    }
}
