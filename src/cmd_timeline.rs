//! `o2check timeline`: every o2 event of every node on one time axis, printed as
//! text and drawn as an SVG (one lane per node) in reports/timeline.svg.

use crate::cli::TimelineArgs;
use crate::sources;
use chrono::{DateTime, Utc};
use o2check_checks::kernlog::node_events::node_events;
use o2check_checks::kernlog::timeline::{merge, svg, text, unaligned, Lane};
use o2check_checks::source::Source;
use o2check_checks::{NodeCtx, Options};
use o2check_reports::write::atomic_write;
use std::io::Write;

pub fn run(args: TimelineArgs) -> u8 {
    let wanted = sources::Wanted::reading(
        &args.bundles,
        args.cluster,
        &args.cluster_args,
        args.command_timeout,
    );
    let Some(opened) = sources::open_or_report(&wanted) else {
        return 2;
    };
    let sources = &opened.sources;
    let options = Options::default();
    let lanes: Vec<Lane> = sources
        .iter()
        .map(|s| Lane {
            node: s.node().to_string(),
            events: node_events(&NodeCtx::new(s.as_ref(), &options)),
            boot: boot_time(s.as_ref()),
        })
        .collect();
    let now = Utc::now();
    let points = merge(&lanes, now);
    let _ = write!(std::io::stdout(), "{}", text(&points));
    // Only `[seconds since boot]` stamps need a boot time; wall-clock ones do not.
    let off_axis = unaligned(&lanes, now);
    if !off_axis.is_empty() && lanes.len() > 1 {
        eprintln!(
            "o2check: boot time unknown for {}: their `[seconds since boot]` stamps are not aligned with the others",
            off_axis.join(", ")
        );
    }
    let path = args.svg.unwrap_or_else(|| args.out.join("timeline.svg"));
    match atomic_write(&path, svg(&lanes, &points).as_bytes()) {
        Ok(()) => {
            let _ = writeln!(
                std::io::stdout(),
                "\n{} events; picture: {}",
                points.len(),
                path.display()
            );
            0
        }
        Err(e) => {
            eprintln!("o2check: cannot write {}: {e}", path.display());
            2
        }
    }
}

/// Boot time = when the evidence was taken minus the uptime then.
fn boot_time(source: &dyn Source) -> Option<DateTime<Utc>> {
    let uptime: f64 = String::from_utf8_lossy(&source.read_file("/proc/uptime").ok()?)
        .split_whitespace()
        .next()?
        .parse()
        .ok()?;
    let taken = if source.is_live() {
        Utc::now()
    } else {
        let meta = source.read_file("/meta.json").ok()?;
        let v: serde_json::Value = serde_json::from_slice(&meta).ok()?;
        DateTime::parse_from_rfc3339(v["collected_at"].as_str()?)
            .ok()?
            .with_timezone(&Utc)
    };
    Some(taken - chrono::Duration::milliseconds((uptime * 1000.0) as i64))
}
