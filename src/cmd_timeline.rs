//! `o2check timeline`: every o2 event of every node on one time axis, printed as
//! text and drawn as an SVG (one lane per node) in reports/timeline.svg.

use crate::cli::TimelineArgs;
use crate::error::{Error, Exit};
use crate::sources;
use chrono::Utc;
use o2check_checks::kernlog::history::{boot_time, standing, Since, Standing, Window};
use o2check_checks::kernlog::node_events::{node_events_now, Located};
use o2check_checks::kernlog::timeline::{merge, svg, text, unaligned, Lane};
use o2check_checks::kernlog::timeline_fences::{fence_marks, fences_text};
use o2check_checks::source::Source;
use o2check_checks::{NodeCtx, Options};
use o2check_reports::write::atomic_write;
use std::io::Write;

pub fn run(args: TimelineArgs) -> Exit {
    let wanted = sources::Wanted::reading(
        &args.bundles,
        args.cluster,
        &args.cluster_args,
        args.command_timeout,
    );
    let opened = sources::open_wanted(&wanted)?;
    let sources = &opened.sources;
    let options = Options::default();
    let lanes: Vec<Lane> = sources
        .iter()
        .map(|s| Lane {
            node: s.node().to_string(),
            events: in_window(s.as_ref(), &options, args.since.clone()),
            boot: boot_time(s.as_ref()),
        })
        .collect();
    let now = Utc::now();
    let points = merge(&lanes, now);
    let ctxs: Vec<NodeCtx> = sources
        .iter()
        .map(|s| NodeCtx::new(s.as_ref(), &options))
        .collect();
    let mut fences = fence_marks(&ctxs, &lanes, now);
    let start = points.first().map_or(0.0, |p| p.at);
    // With --since, only the fences inside the window its events span.
    if args.since.is_some() {
        let end = points.last().map_or(start, |p| p.at);
        fences.retain(|f| f.at >= start && f.at <= end);
    }
    let _ = write!(
        std::io::stdout(),
        "{}{}",
        text(&points),
        fences_text(&fences, start)
    );
    // Only `[seconds since boot]` stamps need a boot time; wall-clock ones do not.
    let off_axis = unaligned(&lanes, now);
    if !off_axis.is_empty() && lanes.len() > 1 {
        eprintln!(
            "o2check: boot time unknown for {}: their `[seconds since boot]` stamps are not aligned with the others",
            off_axis.join(", ")
        );
    }
    let path = args.svg.unwrap_or_else(|| args.out.join("timeline.svg"));
    atomic_write(&path, svg(&lanes, &points, &fences).as_bytes()).map_err(Error::write(&path))?;
    let _ = writeln!(
        std::io::stdout(),
        "\n{} events; picture: {}",
        points.len(),
        path.display()
    );
    Ok(0)
}

/// The node's events, only those inside `--since` when it is given.
fn in_window(source: &dyn Source, options: &Options, since: Option<Since>) -> Vec<Located> {
    let Ok(log) = node_events_now(&NodeCtx::new(source, options)) else {
        return Vec::new();
    };
    if since.is_none() {
        return log.events.clone();
    }
    let window = Window::of(source, since);
    (0..log.events.len())
        .filter(|&i| standing(&log.events, i, log.boot.as_ref(), &window) == Standing::Current)
        .map(|i| log.events[i].clone())
        .collect()
}
