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
    boot_from(taken, uptime)
}

/// `taken - uptime`, or `None` for an uptime no machine has had (negative, not a
/// number, over a century: `-1e300`, `inf` or `1e14` in a bundle's proc/uptime),
/// which chrono would otherwise overflow on.
fn boot_from(taken: DateTime<Utc>, uptime: f64) -> Option<DateTime<Utc>> {
    const CENTURY_SECS: f64 = 100.0 * 366.0 * 86_400.0;
    if !(0.0..CENTURY_SECS).contains(&uptime) {
        return None;
    }
    let ago = chrono::Duration::try_milliseconds((uptime * 1000.0) as i64)?;
    taken.checked_sub_signed(ago)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absurd_uptimes_give_no_boot_time_instead_of_a_panic() {
        let taken = DateTime::parse_from_rfc3339("2026-12-01T09:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        for uptime in [-1e300, 1e14, f64::INFINITY, f64::NAN, -1.0, 1e300, f64::MAX] {
            assert_eq!(boot_from(taken, uptime), None, "{uptime}");
        }
        // Fuzz: any bit pattern as an uptime, any parse of proc/uptime's first word.
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        for _ in 0..200_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let _ = boot_from(taken, f64::from_bits(x));
        }
        let boot = boot_from(taken, 3600.5).unwrap();
        assert_eq!((taken - boot).num_milliseconds(), 3_600_500);
    }
}
