//! Doing the same thing on every node at once. Work on a node is mostly waiting
//! (ssh, remote commands), so the pool is sized by how many nodes may be busy at
//! once, not by this machine's cores: a full check of 64 nodes takes about as long
//! as its slowest node, not the sum.
//!
//! Nodes are started in the order given, each by the next free worker, from one
//! shared queue: a slow node holds only its own worker, never the nodes listed
//! after it (a fork-join split, as rayon's `par_iter` does, hands each worker a
//! run of neighbouring items to do one after another, so the nodes next to a slow
//! one waited for it while other workers sat idle). Listing a cluster's nodes
//! together therefore gets that cluster in early as a whole.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// Run `f` on each item with at most `parallel` at a time, started in item
/// order; results keep item order.
pub fn map_nodes<I, T, F>(items: &[I], parallel: usize, f: F) -> Vec<T>
where
    I: Sync,
    T: Send,
    F: Fn(&I) -> T + Sync + Send,
{
    let workers = parallel.clamp(1, items.len().max(1));
    let next = AtomicUsize::new(0);
    let done: Mutex<Vec<Option<T>>> = Mutex::new((0..items.len()).map(|_| None).collect());
    let work = || loop {
        let i = next.fetch_add(1, Ordering::SeqCst);
        let Some(item) = items.get(i) else { break };
        let result = f(item);
        done.lock().unwrap_or_else(|p| p.into_inner())[i] = Some(result);
    };
    std::thread::scope(|scope| {
        let spawned = (0..workers)
            .map(|w| {
                std::thread::Builder::new()
                    .name(format!("o2check-node-{w}"))
                    .spawn_scoped(scope, work)
            })
            .filter(Result::is_ok)
            .count();
        // No threads to be had: still do the work, here, one node after another.
        if spawned == 0 {
            work();
        }
    });
    done.into_inner()
        .unwrap_or_else(|p| p.into_inner())
        .into_iter()
        // Every index below len was taken by a worker that stored its result
        // (a panicking `f` has already ended the scope with that panic).
        .map(|r| r.expect("every node's result is stored"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, Instant};

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

    /// Two workers; the first node does not finish until every other node has.
    /// With a shared queue the second worker takes all of them; with runs of
    /// neighbours handed out up front, node 1 would wait behind node 0 forever
    /// (here: until the deadline, and the test fails).
    #[test]
    fn a_slow_node_holds_up_only_its_own_worker() {
        let items: Vec<usize> = (0..40).collect();
        let finished = AtomicUsize::new(0);
        let out = map_nodes(&items, 2, |&i| {
            if i == 0 {
                let deadline = Instant::now() + Duration::from_secs(20);
                while finished.load(Ordering::SeqCst) < items.len() - 1 {
                    if Instant::now() > deadline {
                        return false;
                    }
                    std::thread::sleep(Duration::from_millis(2));
                }
            }
            finished.fetch_add(1, Ordering::SeqCst);
            true
        });
        assert!(out[0], "node 0 waited for nodes queued behind it");
        assert!(out.iter().all(|&ok| ok));
    }

    #[test]
    fn no_items_no_work() {
        let none: [u8; 0] = [];
        assert!(map_nodes(&none, 8, |_| 1).is_empty());
    }
}
