//! Doing the same thing on every node at once. Work on a node is mostly waiting
//! (ssh, remote commands), so the pool is sized by how many nodes may be busy at
//! once, not by this machine's cores: a full check of 64 nodes takes about as long
//! as its slowest node, not the sum.

use rayon::prelude::*;

/// Run `f` on each item with at most `parallel` at a time; results keep item order.
pub fn map_nodes<I, T, F>(items: &[I], parallel: usize, f: F) -> Vec<T>
where
    I: Sync,
    T: Send,
    F: Fn(&I) -> T + Sync + Send,
{
    let threads = parallel.clamp(1, items.len().max(1));
    match rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .thread_name(|i| format!("o2check-node-{i}"))
        .build()
    {
        Ok(pool) => pool.install(|| items.par_iter().map(&f).collect()),
        // No threads to be had: still do the work, one node after another.
        Err(_) => items.iter().map(f).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    #[test]
    fn nodes_are_worked_on_at_once_and_order_is_kept() {
        let items: Vec<u64> = (0..16).collect();
        let (active, peak) = (AtomicUsize::new(0), AtomicUsize::new(0));
        let out = map_nodes(&items, 16, |&i| {
            let now = active.fetch_add(1, Ordering::SeqCst) + 1;
            peak.fetch_max(now, Ordering::SeqCst);
            std::thread::sleep(Duration::from_millis(300));
            active.fetch_sub(1, Ordering::SeqCst);
            i * 2
        });
        assert_eq!(out, items.iter().map(|i| i * 2).collect::<Vec<_>>());
        // Waiting work must overlap even on a 2-core machine.
        assert!(
            peak.load(Ordering::SeqCst) > 8,
            "peak {}",
            peak.load(Ordering::SeqCst)
        );
        let limited = map_nodes(&items, 3, |_| {
            let now = active.fetch_add(1, Ordering::SeqCst) + 1;
            std::thread::sleep(Duration::from_millis(5));
            active.fetch_sub(1, Ordering::SeqCst);
            now
        });
        assert!(
            limited.iter().all(|&n| n <= 3),
            "--parallel bounds the work: {limited:?}"
        );
    }
}
