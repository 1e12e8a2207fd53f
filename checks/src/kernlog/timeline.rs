//! The merged timeline of several nodes: every o2 event on one time axis, as text
//! and as an SVG picture with one lane per node (connections, heartbeat, DLM
//! membership, errors, fencing).

use super::event::O2Event;
use super::node_events::Located;
use super::stamp::{self, Stamp};
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

/// The kind of an event for colour and legend.
fn kind(e: &O2Event) -> (&'static str, &'static str) {
    match e {
        O2Event::NetConnected { .. } => ("connected", "#2a7"),
        O2Event::NetDisconnected { .. }
        | O2Event::NetShutdown { .. }
        | O2Event::NetIdle { .. }
        | O2Event::NetNoConnection { .. }
        | O2Event::NetConnectFailed { .. } => ("disconnected", "#e80"),
        O2Event::NetMismatch { .. } | O2Event::NetRejected { .. } => ("rejected", "#c0c"),
        O2Event::HbMode { .. } | O2Event::HbRegion { .. } => ("heartbeat", "#68c"),
        O2Event::HbWriteTimeout { .. } | O2Event::HbIoError { .. } | O2Event::HbUnstable { .. } => {
            ("storage", "#a52")
        }
        O2Event::DlmJoin { .. } | O2Event::DlmNodes { .. } => ("dlm join", "#06c"),
        O2Event::DlmLeave { .. } | O2Event::DlmRecovery { .. } => ("dlm leave/recovery", "#fa0"),
        O2Event::FsMount { .. } | O2Event::FsUnmount { .. } | O2Event::FsReplay { .. } => {
            ("mount", "#555")
        }
        O2Event::FsError { .. } => ("error", "#d00"),
        O2Event::Fence { .. } => ("fence", "#000"),
        O2Event::OtherStackDlm { .. } | O2Event::Unknown { .. } => ("other", "#bbb"),
    }
}

/// One line per event: `+seconds  node  message`.
pub fn text(points: &[Point]) -> String {
    let start = points.first().map_or(0.0, |p| p.at);
    points
        .iter()
        .map(|p| {
            format!(
                "{:>10.3}  {:<20}  {}\n",
                p.at - start,
                p.node,
                p.event.line.message.trim_end()
            )
        })
        .collect()
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

/// An SVG picture: a lane per node, a mark per event (hover shows the message).
pub fn svg(lanes: &[Lane], points: &[Point]) -> String {
    let (w, left, lane_h, top) = (1100.0, 170.0, 56.0, 50.0);
    let h = top + lane_h * lanes.len() as f64 + 90.0;
    let start = points.first().map_or(0.0, |p| p.at);
    let span = points.last().map_or(1.0, |p| (p.at - start).max(1.0));
    let x = |at: f64| left + (at - start) / span * (w - left - 20.0);
    let mut s = format!("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>\n<text x=\"10\" y=\"22\" font-size=\"16\">o2check timeline: {} events on {} node(s) over {:.1} s</text>\n", points.len(), lanes.len(), span);
    for (i, l) in lanes.iter().enumerate() {
        let y = top + lane_h * i as f64;
        s += &format!("<rect x=\"{left}\" y=\"{y}\" width=\"{}\" height=\"{}\" fill=\"{}\"/>\n<text x=\"10\" y=\"{}\">{}</text>\n", w - left - 20.0, lane_h - 6.0, if i % 2 == 0 { "#f4f6fa" } else { "#eef0f4" }, y + lane_h / 2.0, esc(&l.node));
    }
    for p in points {
        let lane = lanes.iter().position(|l| l.node == p.node).unwrap_or(0);
        let y = top + lane_h * lane as f64;
        let (label, color) = kind(&p.event.event);
        let px = x(p.at);
        s += &format!("<line x1=\"{px:.1}\" y1=\"{:.1}\" x2=\"{px:.1}\" y2=\"{:.1}\" stroke=\"{color}\" stroke-width=\"2\"><title>{:.3} s {}: {}</title></line>\n", y + 4.0, y + lane_h - 10.0, p.at - start, label, esc(p.event.line.message.trim_end()));
        if let O2Event::DlmJoin { nodes, .. }
        | O2Event::DlmLeave { nodes, .. }
        | O2Event::DlmNodes { nodes, .. } = &p.event.event
        {
            if !nodes.is_empty() {
                s += &format!("<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"10\" fill=\"{color}\">{{{}}}</text>\n", px + 2.0, y + 14.0, nodes.iter().map(u32::to_string).collect::<Vec<_>>().join(","));
            }
        }
    }
    let axis_y = top + lane_h * lanes.len() as f64 + 12.0;
    for k in 0..=5 {
        let at = start + span * f64::from(k) / 5.0;
        let anchor = ["start", "middle", "middle", "middle", "middle", "end"][k as usize];
        s += &format!("<text x=\"{:.1}\" y=\"{axis_y}\" font-size=\"10\" fill=\"#444\" text-anchor=\"{anchor}\">+{:.1}s</text>\n", x(at), at - start);
    }
    let legend = [
        "connected",
        "disconnected",
        "rejected",
        "heartbeat",
        "storage",
        "dlm join",
        "dlm leave/recovery",
        "mount",
        "error",
        "fence",
    ];
    let colors = [
        "#2a7", "#e80", "#c0c", "#68c", "#a52", "#06c", "#fa0", "#555", "#d00", "#000",
    ];
    for (i, (l, c)) in legend.iter().zip(colors).enumerate() {
        let lx = 10.0 + (i % 5) as f64 * 210.0;
        let ly = axis_y + 25.0 + (i / 5) as f64 * 18.0;
        s += &format!("<rect x=\"{lx}\" y=\"{}\" width=\"12\" height=\"12\" fill=\"{c}\"/><text x=\"{}\" y=\"{}\">{l}</text>\n", ly - 10.0, lx + 16.0, ly);
    }
    s + "</svg>\n"
}
