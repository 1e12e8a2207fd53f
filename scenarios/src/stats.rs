//! Latency summaries: nearest-rank percentiles over milliseconds.

use serde::{Deserialize, Serialize};
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub n: usize,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
}

impl Summary {
    /// `p50 1.2 ms, p99 3.4 ms, max 5.6 ms (n=100)`.
    pub fn text(&self) -> String {
        format!(
            "p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms (n={})",
            self.p50_ms, self.p99_ms, self.max_ms, self.n
        )
    }
}

/// The nearest-rank percentile `p` (0..=100) of sorted `v`.
fn rank(sorted: &[f64], p: f64) -> f64 {
    let n = sorted.len();
    let idx = ((p / 100.0) * n as f64).ceil() as usize;
    sorted[idx.clamp(1, n) - 1]
}

/// None for no samples.
pub fn summarize(samples: &[f64]) -> Option<Summary> {
    if samples.is_empty() {
        return None;
    }
    let mut v: Vec<f64> = samples.iter().copied().filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    Some(Summary {
        n: v.len(),
        p50_ms: rank(&v, 50.0),
        p99_ms: rank(&v, 99.0),
        max_ms: v[v.len() - 1],
    })
}

/// Milliseconds, rounded to microseconds (what the agents send).
pub fn ms(d: Duration) -> f64 {
    (d.as_secs_f64() * 1e6).round() / 1e3
}

/// MiB/s for `bytes` in `d`.
pub fn mib_s(bytes: u64, d: Duration) -> f64 {
    let secs = d.as_secs_f64().max(1e-9);
    bytes as f64 / (1024.0 * 1024.0) / secs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        let v: Vec<f64> = (1..=100).map(f64::from).collect();
        let s = summarize(&v).unwrap();
        assert_eq!(
            (s.p50_ms, s.p99_ms, s.max_ms, s.n),
            (50.0, 99.0, 100.0, 100)
        );
        let one = summarize(&[7.0]).unwrap();
        assert_eq!((one.p50_ms, one.p99_ms, one.max_ms), (7.0, 7.0, 7.0));
        // Unsorted input, one outlier: p50 stays low, max shows it.
        let s = summarize(&[3.0, 1.0, 2.0, 900.0]).unwrap();
        assert_eq!((s.p50_ms, s.max_ms), (2.0, 900.0));
        assert!(summarize(&[]).is_none());
        assert_eq!(ms(Duration::from_micros(1500)), 1.5);
    }
}
