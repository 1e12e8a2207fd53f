//! The merged timeline of several nodes: every o2 event on one time axis, told as
//! a story. Each event gets a class (connected, unexpected disconnect, expected
//! disconnect, join, leave, recovery, mount, unmount, failure...), a join shows the
//! domain's member list, a mount and its unmount are paired per device (and with
//! the DLM join/leave of the same mount), and the disconnects that follow an
//! orderly leave (linux fs/ocfs2/dlm/dlmdomain.c: a node that unmounts cleanly is
//! announced as `Node N leaves domain` before its heartbeat stops and o2net drops
//! it) are drawn as expected, not as faults. Output as text and as an SVG picture
//! with one lane per node, mounted spans as bars, failures labelled in place and a
//! legend holding every class drawn.

use super::errno;
use super::event::O2Event;
use super::node_events::Located;
use super::stamp::{self, Stamp};
use super::timeline_fences::FenceMark;
use chrono::{DateTime, Utc};

/// One node's events with a way to place them in time.
pub struct Lane {
    pub node: String,
    pub events: Vec<Located>,
    /// When the node booted, to align `[seconds since boot]` stamps.
    pub boot: Option<DateTime<Utc>>,
}

/// An event placed on the shared axis.
pub struct Point<'a> {
    pub node: &'a str,
    pub at: f64,
    pub event: &'a Located,
}

/// What `o2check timeline` reads of each node: its kernel log, nothing else.
pub const NEEDS: crate::needs::Needs = &[crate::needs::KERNEL_LOG];

/// Every event of every lane, ordered by time (ties keep node then log order).
pub fn merge(lanes: &[Lane], reference: DateTime<Utc>) -> Vec<Point<'_>> {
    let mut points: Vec<Point> = lanes
        .iter()
        .flat_map(|l| {
            l.events.iter().map(move |e| Point {
                node: &l.node,
                at: stamp::parse(&e.line.stamp, reference)
                    .map_or(0.0, |s: Stamp| stamp::seconds(s, l.boot)),
                event: e,
            })
        })
        .collect();
    points.sort_by(|a, b| a.at.total_cmp(&b.at));
    points
}

/// Nodes whose stamps are seconds since boot with no boot time to align them: only
/// those are off the shared axis (wall-clock stamps need no boot time).
pub fn unaligned(lanes: &[Lane], reference: DateTime<Utc>) -> Vec<&str> {
    lanes
        .iter()
        .filter(|l| l.boot.is_none())
        .filter(|l| {
            l.events.iter().any(|e| {
                matches!(
                    stamp::parse(&e.line.stamp, reference),
                    Some(Stamp::Monotonic(_))
                )
            })
        })
        .map(|l| l.node.as_str())
        .collect()
}

/// What an event means in the story: its label in text and legend, its colour,
/// and whether it is a failure (labelled in the picture).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    Connected,
    Disconnected,
    /// A disconnect that follows the peer's orderly leave: expected.
    DisconnectExpected,
    Rejected,
    Heartbeat,
    Storage,
    Join,
    Leave,
    Recovery,
    Mount,
    Unmount,
    Error,
    Fence,
    OtherStack,
    Other,
}

/// Every class once, in legend order.
pub const CLASSES: [Class; 15] = [
    Class::Connected,
    Class::Disconnected,
    Class::DisconnectExpected,
    Class::Rejected,
    Class::Heartbeat,
    Class::Storage,
    Class::Join,
    Class::Leave,
    Class::Recovery,
    Class::Mount,
    Class::Unmount,
    Class::Error,
    Class::Fence,
    Class::OtherStack,
    Class::Other,
];

impl Class {
    pub fn label(self) -> &'static str {
        match self {
            Class::Connected => "connected",
            Class::Disconnected => "disconnected",
            Class::DisconnectExpected => "disconnect after leave",
            Class::Rejected => "rejected",
            Class::Heartbeat => "heartbeat",
            Class::Storage => "storage error",
            Class::Join => "dlm join",
            Class::Leave => "dlm leave",
            Class::Recovery => "dlm recovery",
            Class::Mount => "mount",
            Class::Unmount => "unmount",
            Class::Error => "error",
            Class::Fence => "fence",
            Class::OtherStack => "other stack",
            Class::Other => "other",
        }
    }

    /// Distinct colours (no two classes share one).
    pub fn colour(self) -> &'static str {
        match self {
            Class::Connected => "#2a9d4a",
            Class::Disconnected => "#e8740c",
            Class::DisconnectExpected => "#b8b8b8",
            Class::Rejected => "#c026d3",
            Class::Heartbeat => "#5b8fd6",
            Class::Storage => "#8b4513",
            Class::Join => "#0b5cad",
            Class::Leave => "#0e8a96",
            Class::Recovery => "#f2b90c",
            Class::Mount => "#3d3d3d",
            Class::Unmount => "#8c8c5a",
            Class::Error => "#d62020",
            Class::Fence => "#000000",
            Class::OtherStack => "#9467bd",
            Class::Other => "#dddddd",
        }
    }

    /// Failures are labelled in the picture, not only on hover.
    pub fn is_failure(self) -> bool {
        matches!(
            self,
            Class::Disconnected | Class::Rejected | Class::Storage | Class::Error | Class::Fence
        )
    }
}

/// The class of each point (same order), from the events and what preceded them.
pub fn classify(points: &[Point]) -> Vec<Class> {
    // (node, peer number) pairs whose peer left its domain in order, with when.
    let mut left: Vec<(&str, u32, f64)> = Vec::new();
    // Nodes whose last mounted volume was unmounted, with when.
    let mut self_left: Vec<(&str, f64)> = Vec::new();
    // Mounts open per node (a disconnect after the last unmount is expected).
    let mut open: Vec<(&str, u32)> = Vec::new();
    const WINDOW: f64 = 120.0;
    points
        .iter()
        .map(|p| match &p.event.event {
            O2Event::NetConnected { .. } => Class::Connected,
            O2Event::NetDisconnected { peer }
            | O2Event::NetShutdown { peer, .. }
            | O2Event::NetConnectFailed { peer, .. } => {
                let after_leave = left
                    .iter()
                    .any(|(n, num, t)| *n == p.node && *num == peer.num && p.at - t <= WINDOW)
                    || self_left
                        .iter()
                        .any(|(n, t)| *n == p.node && p.at - t <= WINDOW);
                if after_leave {
                    Class::DisconnectExpected
                } else {
                    Class::Disconnected
                }
            }
            O2Event::NetIdle { .. } | O2Event::NetNoConnection { .. } => Class::Disconnected,
            O2Event::NetMismatch { .. } | O2Event::NetRejected { .. } => Class::Rejected,
            O2Event::HbMode { .. } | O2Event::HbRegion { .. } => Class::Heartbeat,
            O2Event::HbWriteTimeout { .. }
            | O2Event::HbIoError { .. }
            | O2Event::HbUnstable { .. } => Class::Storage,
            O2Event::DlmJoin { .. } | O2Event::DlmNodes { .. } => Class::Join,
            O2Event::DlmLeave { node, .. } => {
                if let Some(n) = node {
                    left.push((p.node, *n, p.at));
                }
                Class::Leave
            }
            O2Event::DlmRecovery { .. } => Class::Recovery,
            O2Event::FsMount { .. } => {
                match open.iter_mut().find(|(n, _)| *n == p.node) {
                    Some((_, k)) => *k += 1,
                    None => open.push((p.node, 1)),
                }
                Class::Mount
            }
            O2Event::FsReplay { .. } => Class::Mount,
            O2Event::FsUnmount { .. } => {
                let k = open.iter_mut().find(|(n, _)| *n == p.node).map(|(_, k)| {
                    *k = k.saturating_sub(1);
                    *k
                });
                if k.unwrap_or(0) == 0 {
                    self_left.push((p.node, p.at));
                }
                Class::Unmount
            }
            O2Event::FsError { .. } => Class::Error,
            O2Event::Fence { .. } => Class::Fence,
            O2Event::OtherStackDlm { .. } => Class::OtherStack,
            // Events event.rs learnt for why's signatures were `Unknown` lines
            // before; the timeline still draws them as other.
            O2Event::NetBindFailed { .. }
            | O2Event::NetClusterCheckFailed { .. }
            | O2Event::HbBlocksize { .. }
            | O2Event::DlmSendFailed { .. }
            | O2Event::DlmRegionMismatch { .. }
            | O2Event::DlmProtocolRefused { .. }
            | O2Event::MountRefused { .. }
            | O2Event::HbWriteHung { .. }
            | O2Event::HbPeerWriteHung { .. }
            | O2Event::HbLastPing { .. }
            | O2Event::Unknown { .. } => Class::Other,
        })
        .collect()
}

/// A device's mounted span on one node: from `Mounting device` to its `Unmounting
/// device` (or the end of the log), with the domain joined for it.
#[derive(Debug, Clone, PartialEq)]
pub struct Span<'a> {
    pub node: &'a str,
    pub device: String,
    pub domain: Option<String>,
    pub from: f64,
    pub to: Option<f64>,
}

/// Mounts paired with their unmounts per node and device; each mount also takes
/// the DLM domain joined just before it (the join is part of the same mount).
pub fn spans<'a>(points: &[Point<'a>]) -> Vec<Span<'a>> {
    let mut out: Vec<Span> = Vec::new();
    let mut joined: Vec<(&str, String)> = Vec::new();
    for p in points {
        match &p.event.event {
            O2Event::DlmJoin {
                domain, node: None, ..
            } => {
                joined.retain(|(n, _)| *n != p.node);
                joined.push((p.node, domain.clone()));
            }
            O2Event::FsMount { device, .. } => {
                let domain = joined
                    .iter()
                    .position(|(n, _)| *n == p.node)
                    .map(|i| joined.remove(i).1);
                out.push(Span {
                    node: p.node,
                    device: device.clone(),
                    domain,
                    from: p.at,
                    to: None,
                });
            }
            O2Event::FsUnmount { device, .. } => {
                match out
                    .iter_mut()
                    .rev()
                    .find(|s| s.node == p.node && &s.device == device && s.to.is_none())
                {
                    Some(s) => s.to = Some(p.at),
                    // Mounted before the log starts.
                    None => out.push(Span {
                        node: p.node,
                        device: device.clone(),
                        domain: None,
                        from: f64::NAN,
                        to: Some(p.at),
                    }),
                }
            }
            _ => {}
        }
    }
    out
}

/// A short caption for an event: what happened, in words.
fn caption(e: &O2Event) -> String {
    match e {
        O2Event::DlmJoin {
            domain,
            node,
            nodes,
        } => {
            let who = node.map_or("joined".to_string(), |n| format!("node {n} joins"));
            if nodes.is_empty() {
                format!("{who} {}", short(domain))
            } else {
                format!("{who} {} members {{{}}}", short(domain), list(nodes))
            }
        }
        O2Event::DlmNodes { domain, nodes } => {
            format!("{} members {{{}}}", short(domain), list(nodes))
        }
        O2Event::DlmLeave {
            domain,
            node,
            nodes,
        } => match node {
            Some(n) if !nodes.is_empty() => {
                format!(
                    "node {n} leaves {} members {{{}}}",
                    short(domain),
                    list(nodes)
                )
            }
            Some(n) => format!("node {n} leaves {}", short(domain)),
            None => format!("left {}", short(domain)),
        },
        O2Event::FsError { function, status } => {
            let name = errno::name(*status);
            if name == "?" {
                format!("{function} status {status}")
            } else {
                format!("{function} {name} ({status})")
            }
        }
        O2Event::HbWriteTimeout { device, ms } => format!("hb write timeout {device} {ms} ms"),
        O2Event::NetDisconnected { peer } | O2Event::NetShutdown { peer, .. } => {
            format!("lost node {}", peer.num)
        }
        O2Event::NetMismatch {
            setting,
            theirs,
            ours,
            ..
        } => format!("{setting:?} {theirs} vs {ours} ms"),
        O2Event::Fence { .. } => "FENCED".to_string(),
        O2Event::NetIdle { peer, secs } => format!("idle {secs}s node {}", peer.num),
        O2Event::NetNoConnection { node, .. } => format!("no connection node {node}"),
        O2Event::FsMount { device, slot, .. } => format!("mount ({device}) slot {slot}"),
        O2Event::FsUnmount { device, .. } => format!("unmount ({device})"),
        _ => String::new(),
    }
}

/// Functions on the mount path (linux fs/ocfs2/super.c `ocfs2_fill_super` ->
/// `ocfs2_mount_volume` -> `ocfs2_dlm_init`, dlmglue, the 1.2 vote code): an error
/// there, or from the mount.ocfs2 process, is a failed mount.
const MOUNT_PATH: &[&str] = &[
    "ocfs2_fill_super",
    "ocfs2_mount_volume",
    "ocfs2_dlm_init",
    "ocfs2_cluster_connect",
    "dlm_join_domain",
    "ocfs2_broadcast_vote",
    "ocfs2_do_request_vote",
    "ocfs2_request_mount_vote",
];

/// [`caption`], saying "mount failed" for an error on the mount path.
fn caption_of(p: &Point) -> String {
    let cap = caption(&p.event.event);
    match &p.event.event {
        O2Event::FsError { function, .. }
            if MOUNT_PATH.contains(&function.as_str())
                || p.event.line.message.contains("(mount.ocfs2,") =>
        {
            format!("mount failed: {cap}")
        }
        _ => cap,
    }
}

fn list(nodes: &[u32]) -> String {
    nodes
        .iter()
        .map(u32::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

/// The first 8 hex digits of a domain: enough to tell volumes apart in a picture.
fn short(domain: &str) -> &str {
    domain.get(..8).unwrap_or(domain)
}

/// One line per event: `+seconds  node  class  message` and, for joins, leaves and
/// failures, what it means (`members {0,1}`).
pub fn text(points: &[Point]) -> String {
    let start = points.first().map_or(0.0, |p| p.at);
    let classes = classify(points);
    let mut out: String = points
        .iter()
        .zip(&classes)
        .map(|(p, c)| {
            let what = caption_of(p);
            let what = if what.is_empty() {
                String::new()
            } else {
                format!("  [{what}]")
            };
            format!(
                "{:>10.3}  {:<20}  {:<22}  {}{what}\n",
                p.at - start,
                p.node,
                c.label(),
                p.event.line.message.trim_end()
            )
        })
        .collect();
    let spans = spans(points);
    if !spans.is_empty() {
        out.push_str("\nmounts (per node and device):\n");
        for s in &spans {
            let from = if s.from.is_nan() {
                "before the log".to_string()
            } else {
                format!("+{:.3}", s.from - start)
            };
            let to = s.to.map_or("still mounted at the end".to_string(), |t| {
                format!("+{:.3}", t - start)
            });
            let domain = s
                .domain
                .as_deref()
                .map_or(String::new(), |d| format!(" domain {d}"));
            out.push_str(&format!(
                "  {} ({}){domain}: {from} .. {to}\n",
                s.node, s.device
            ));
        }
    }
    out
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// An SVG picture: a lane per node, mounted spans as bars, a mark per event
/// (hover shows the message), joins with their member lists and failures with
/// their caption written in place, and a legend of every class drawn.
pub fn svg(lanes: &[Lane], points: &[Point], fences: &[FenceMark]) -> String {
    let (w, left, lane_h, top) = (1200.0, 170.0, 96.0, 50.0);
    let classes = classify(points);
    let start = points.first().map_or(0.0, |p| p.at);
    let span = points.last().map_or(1.0, |p| (p.at - start).max(1.0));
    let x = |at: f64| left + (at - start) / span * (w - left - 30.0);
    let mut used: Vec<Class> = CLASSES
        .iter()
        .copied()
        .filter(|c| classes.contains(c))
        .collect();
    if used.is_empty() {
        used = CLASSES.to_vec();
    }
    let legend_rows = used.len().div_ceil(5);
    let h = top + lane_h * lanes.len() as f64 + 50.0 + 20.0 * legend_rows as f64 + 10.0;
    let mut s = format!("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>\n<text x=\"10\" y=\"22\" font-size=\"16\">o2check timeline: {} events on {} node(s) over {:.1} s</text>\n", points.len(), lanes.len(), span);
    for (i, l) in lanes.iter().enumerate() {
        let y = top + lane_h * i as f64;
        s += &format!("<rect x=\"{left}\" y=\"{y}\" width=\"{}\" height=\"{}\" fill=\"{}\"/>\n<text x=\"10\" y=\"{}\" font-weight=\"bold\">{}</text>\n", w - left - 30.0, lane_h - 6.0, if i % 2 == 0 { "#f4f6fa" } else { "#eef0f4" }, y + lane_h / 2.0, esc(&l.node));
    }
    let lane_of = |node: &str| lanes.iter().position(|l| l.node == node).unwrap_or(0);
    // Mounted spans: a bar along the bottom of the lane per device.
    // An unmount whose mount is not in the log has no known start: no bar.
    for (k, sp) in spans(points)
        .iter()
        .filter(|sp| !sp.from.is_nan())
        .enumerate()
    {
        let y = top + lane_h * lane_of(sp.node) as f64 + lane_h - 20.0 - (k % 2) as f64 * 6.0;
        let from = x(sp.from);
        let to = sp.to.map_or(w - 30.0, x);
        s += &format!("<rect x=\"{from:.1}\" y=\"{y:.1}\" width=\"{:.1}\" height=\"5\" fill=\"{}\"><title>mounted ({}) {}</title></rect>\n", (to - from).max(2.0), Class::Mount.colour(), esc(&sp.device), esc(sp.domain.as_deref().unwrap_or("")));
    }
    // Marks first; captions after, one per run of identical captions on a lane
    // (`IdleTimeout 10000 vs 30000 ms ×7`), staggered in four rows per lane so
    // neighbours do not overwrite each other.
    let mut labels: Vec<(usize, f64, String, Class, usize)> = Vec::new();
    let mut last_on_lane: Vec<Option<usize>> = vec![None; lanes.len()];
    for (p, c) in points.iter().zip(&classes) {
        let lane = lane_of(p.node);
        let y = top + lane_h * lane as f64;
        let px = x(p.at);
        let width = if c.is_failure() { 3 } else { 2 };
        s += &format!("<line x1=\"{px:.1}\" y1=\"{:.1}\" x2=\"{px:.1}\" y2=\"{:.1}\" stroke=\"{}\" stroke-width=\"{width}\"><title>{:.3} s {}: {}</title></line>\n", y + 4.0, y + lane_h - 24.0, c.colour(), p.at - start, c.label(), esc(p.event.line.message.trim_end()));
        let cap = caption_of(p);
        let labelled = c.is_failure()
            || matches!(
                c,
                Class::Join | Class::Leave | Class::Mount | Class::Unmount
            );
        if cap.is_empty() || !labelled {
            continue;
        }
        match last_on_lane.get(lane).copied().flatten() {
            Some(i) if labels[i].2 == cap => labels[i].4 += 1,
            _ => {
                labels.push((lane, px, cap, *c, 1));
                if let Some(slot) = last_on_lane.get_mut(lane) {
                    *slot = Some(labels.len() - 1);
                }
            }
        }
    }
    let mut row_end = vec![[f64::MIN; 4]; lanes.len()];
    for (lane, px, cap, c, count) in &labels {
        let cap = if *count > 1 {
            format!("{cap} ×{count}")
        } else {
            cap.clone()
        };
        // Bold 10 px sans runs wider than regular: reserve room for it.
        let per_char = if c.is_failure() { 7.0 } else { 6.0 };
        let text_w = cap.chars().count() as f64 * per_char;
        let Some(rows) = row_end.get_mut(*lane) else {
            continue;
        };
        // Near the right edge the caption ends at its mark instead of running off.
        let at_end = px + text_w > w - 30.0;
        let (tx, anchor, from, to) = if at_end {
            (px - 3.0, "end", px - text_w - 3.0, px + 6.0)
        } else {
            (px + 3.0, "start", *px, px + text_w + 6.0)
        };
        // No free row: the mark stays (and its hover text); the caption is dropped.
        let Some(row) = (0..4).find(|&r| rows[r] < from) else {
            continue;
        };
        rows[row] = to;
        let ty = top + lane_h * *lane as f64 + 14.0 + row as f64 * 14.0;
        let (weight, fill) = match c {
            Class::Fence => ("bold", Class::Fence.colour()),
            c if c.is_failure() => ("bold", Class::Error.colour()),
            c => ("normal", c.colour()),
        };
        // A white halo keeps the caption readable over the marks it crosses.
        s += &format!("<text x=\"{tx:.1}\" y=\"{ty:.1}\" font-size=\"10\" font-weight=\"{weight}\" fill=\"{fill}\" text-anchor=\"{anchor}\" stroke=\"#fff\" stroke-width=\"3\" paint-order=\"stroke\">{}</text>\n", esc(&cap));
    }
    // Each attributed fence: a heavy mark across its lane, captioned with who and why.
    for f in fences {
        let y = top + lane_h * lane_of(&f.lane) as f64;
        let px = x(f.at).clamp(left, w - 30.0);
        s += &format!("<line x1=\"{px:.1}\" y1=\"{y:.1}\" x2=\"{px:.1}\" y2=\"{:.1}\" stroke=\"{}\" stroke-width=\"5\"><title>{}</title></line>\n<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"11\" font-weight=\"bold\" text-anchor=\"end\" stroke=\"#fff\" stroke-width=\"3\" paint-order=\"stroke\">FENCE {} [{}]</text>\n", y + lane_h - 8.0, Class::Fence.colour(), esc(&f.summary), px - 4.0, y + lane_h - 28.0, esc(&f.lane), f.code);
    }
    let axis_y = top + lane_h * lanes.len() as f64 + 12.0;
    for k in 0..=5 {
        let at = start + span * f64::from(k) / 5.0;
        let anchor = ["start", "middle", "middle", "middle", "middle", "end"][k as usize];
        s += &format!("<text x=\"{:.1}\" y=\"{axis_y}\" font-size=\"10\" fill=\"#444\" text-anchor=\"{anchor}\">+{:.1}s</text>\n", x(at), at - start);
    }
    for (i, c) in used.iter().enumerate() {
        let lx = 10.0 + (i % 5) as f64 * 230.0;
        let ly = axis_y + 28.0 + (i / 5) as f64 * 20.0;
        s += &format!("<rect x=\"{lx}\" y=\"{}\" width=\"12\" height=\"12\" fill=\"{}\" stroke=\"#666\" stroke-width=\"0.5\"/><text x=\"{}\" y=\"{}\">{}</text>\n", ly - 10.0, c.colour(), lx + 16.0, ly, c.label());
    }
    s + "</svg>\n"
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernlog::lines::from_text;
    use crate::kernlog::node_events::events;
    use crate::text::Text;

    fn lane(node: &str, log: &str) -> Lane {
        Lane {
            node: node.into(),
            events: events(&from_text(&Text::new(node, log))),
            boot: None,
        }
    }

    // Built from the 6.x printk strings (fs/ocfs2/dlm/dlmdomain.c, super.c,
    // cluster/tcp.c) as the lab prints them: n1 mounts, n2 joins, n2 unmounts in
    // order and n1 then loses its connection to n2.
    const N1: &str = "2026-11-24T10:00:00+0000 n1 kernel: o2dlm: Joining domain F47217E35EA246069E452DD9DC166B05 ( 1 ) 1 nodes\n\
        2026-11-24T10:00:01+0000 n1 kernel: ocfs2: Mounting device (254,0) on (node 1, slot 0) with ordered data mode.\n\
        2026-11-24T10:00:05+0000 n1 kernel: o2net: Accepted connection from node n2 (num 2) at 10.0.0.2:7777\n\
        2026-11-24T10:00:06+0000 n1 kernel: o2dlm: Node 2 joins domain F47217E35EA246069E452DD9DC166B05 ( 1 2 ) 2 nodes\n\
        2026-11-24T10:01:00+0000 n1 kernel: o2dlm: Node 2 leaves domain F47217E35EA246069E452DD9DC166B05 ( 1 ) 1 nodes\n\
        2026-11-24T10:01:03+0000 n1 kernel: o2net: No longer connected to node n2 (num 2) at 10.0.0.2:7777\n";
    const N2: &str = "2026-11-24T10:00:06+0000 n2 kernel: o2dlm: Joining domain F47217E35EA246069E452DD9DC166B05 ( 1 2 ) 2 nodes\n\
        2026-11-24T10:00:07+0000 n2 kernel: ocfs2: Mounting device (254,0) on (node 2, slot 1) with ordered data mode.\n\
        2026-11-24T10:01:00+0000 n2 kernel: o2dlm: Leaving domain F47217E35EA246069E452DD9DC166B05\n\
        2026-11-24T10:01:00+0000 n2 kernel: ocfs2: Unmounting device (254,0) on (node 2)\n\
        2026-11-24T10:01:03+0000 n2 kernel: o2net: No longer connected to node n1 (num 1) at 10.0.0.1:7777\n\
        2026-11-24T10:02:00+0000 n2 kernel: (mount.ocfs2,241,0):ocfs2_dlm_init:3373 ERROR: status = -107\n";

    #[test]
    fn orderly_leave_makes_the_disconnects_expected_and_pairs_mounts() {
        let lanes = [lane("n1", N1), lane("n2", N2)];
        let points = merge(&lanes, stamp::date(2026, 11, 30));
        let classes = classify(&points);
        let of = |needle: &str| {
            points
                .iter()
                .zip(&classes)
                .filter(|(p, _)| p.event.line.message.contains(needle))
                .map(|(p, c)| (p.node, *c))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            of("No longer connected"),
            [
                ("n1", Class::DisconnectExpected),
                ("n2", Class::DisconnectExpected)
            ]
        );
        assert_eq!(of("ERROR")[0].1, Class::Error);
        let sp = spans(&points);
        assert_eq!(sp.len(), 2);
        let n2 = sp.iter().find(|s| s.node == "n2").unwrap();
        assert_eq!(
            n2.domain.as_deref(),
            Some("F47217E35EA246069E452DD9DC166B05")
        );
        assert!(n2.to.is_some());
        assert!(sp.iter().find(|s| s.node == "n1").unwrap().to.is_none());
        let t = text(&points);
        assert!(t.contains("dlm join") && t.contains("members {1,2}"), "{t}");
        assert!(t.contains("disconnect after leave"), "{t}");
        assert!(
            t.contains("mount failed: ocfs2_dlm_init ENOTCONN (-107)"),
            "{t}"
        );
        assert!(
            t.contains("n2 (254,0) domain F47217E35EA246069E452DD9DC166B05: +7.000 .. +60.000"),
            "{t}"
        );
        assert!(
            unaligned(&lanes, stamp::date(2026, 11, 30)).is_empty(),
            "wall-clock stamps need no boot time"
        );
    }

    #[test]
    fn a_disconnect_without_leave_is_a_failure_and_labelled_in_the_svg() {
        let crash = "[  10.0] o2net: Accepted connection from node n2 (num 2) at 10.0.0.2:7777\n[  70.0] o2net: No longer connected to node n2 (num 2) at 10.0.0.2:7777\n";
        let lanes = [lane("n1", crash)];
        let points = merge(&lanes, stamp::date(2026, 11, 30));
        assert_eq!(classify(&points)[1], Class::Disconnected);
        assert_eq!(unaligned(&lanes, stamp::date(2026, 11, 30)), ["n1"]);
        let svg = svg(&lanes, &points, &[]);
        assert!(
            svg.contains("paint-order=\"stroke\">lost node 2</text>"),
            "the failure is written, not only hovered"
        );
        for c in [Class::Connected, Class::Disconnected] {
            assert!(
                svg.contains(&format!("fill=\"{}\" stroke=\"#666\"", c.colour())),
                "{c:?} in the legend"
            );
        }
    }

    #[test]
    fn classes_have_distinct_colours_and_labels() {
        let mut colours: Vec<_> = CLASSES.iter().map(|c| c.colour()).collect();
        let mut labels: Vec<_> = CLASSES.iter().map(|c| c.label()).collect();
        colours.sort_unstable();
        colours.dedup();
        labels.sort_unstable();
        labels.dedup();
        assert_eq!(
            (colours.len(), labels.len()),
            (CLASSES.len(), CLASSES.len())
        );
    }
}
