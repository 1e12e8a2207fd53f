//! The verdict for write-read-checksum: every reader's SHA-256 against the
//! writer's, with the write and read rates in the summary.

use super::{failed, result, wrong};
use crate::agent::{Report, Scenario};
use crate::checksum::{self, ChecksumReport};
use crate::error::JudgeError;
use crate::preset::Preset;
use crate::stats::mib_s;
use o2check_reports::{CheckResult, Evidence, Status};

pub(crate) fn verdict(
    sc: Scenario,
    preset: &Preset,
    leader: &str,
    reports: &[(String, Report)],
) -> Result<CheckResult, JudgeError> {
    let expected = preset.write_read_checksum.size_mib * 1024 * 1024;
    let mut writer: Option<&ChecksumReport> = None;
    let mut readers: Vec<(String, ChecksumReport)> = Vec::new();
    for (n, r) in reports {
        match r {
            Report::Checksum(c) if n == leader => writer = Some(c),
            Report::Checksum(c) => readers.push((n.clone(), c.clone())),
            _ => return Err(wrong(n)),
        }
    }
    let w = writer.ok_or_else(|| JudgeError::NoLeaderReport {
        leader: leader.to_string(),
        role: "writer",
        what: "report",
    })?;
    let v = checksum::verify(expected, w, &readers);
    let rate = |c: &ChecksumReport| {
        mib_s(
            c.bytes,
            std::time::Duration::from_secs_f64(c.millis / 1000.0),
        )
    };
    let mut evidence = vec![Evidence::note(
        leader,
        format!(
            "wrote {} MiB in {:.0} ms with fsync: {:.1} MiB/s; SHA-256 {}",
            w.bytes >> 20,
            w.millis,
            rate(w),
            w.sha256
        ),
    )];
    for (n, c) in &readers {
        evidence.push(Evidence::note(
            n.clone(),
            format!(
                "read {} MiB in {:.0} ms: {:.1} MiB/s; SHA-256 {}",
                c.bytes >> 20,
                c.millis,
                rate(c),
                c.sha256
            ),
        ));
    }
    let slowest = readers
        .iter()
        .map(|(_, c)| rate(c))
        .reduce(f64::min)
        .unwrap_or(0.0);
    let r = if v.bad.is_empty() {
        result(
            sc,
            Status::Pass,
            format!(
                "{} MiB written at {:.1} MiB/s (with fsync), read back identical by {} node(s), slowest read {:.1} MiB/s",
                expected >> 20,
                rate(w),
                readers.len(),
                slowest
            ),
            evidence,
        )
    } else {
        for (n, why) in &v.bad {
            evidence.push(Evidence::note(n.clone(), why.clone()));
        }
        failed(
            sc,
            format!(
                "{} of {} node(s) read back different data: {}",
                v.bad.len(),
                readers.len(),
                v.bad
                    .iter()
                    .map(|(n, why)| format!("{n}: {why}"))
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
            evidence,
            "data written and fsynced on one node reads back different on another: check the shared device (multipath paths, a write cache that lies, `o2check run` storage checks) and the kernel log for I/O errors",
        )
    };
    Ok(r)
}
