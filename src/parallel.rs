//! Work spread over the machine's cores, results kept in input order.

use std::sync::atomic::{AtomicUsize, Ordering};

/// `f` applied to every item, on as many threads as the machine has cores (and no more
/// than there are items). Items are taken one at a time, so a large pilot next to small
/// ones does not leave a core idle. The results come back in the order of `items`.
pub(crate) fn map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get()).min(items.len());
    if workers <= 1 {
        return items.iter().map(f).collect();
    }
    let next = AtomicUsize::new(0);
    let mut done: Vec<(usize, R)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                scope.spawn(|| {
                    let mut mine = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(item) = items.get(i) else { break };
                        mine.push((i, f(item)));
                    }
                    mine
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
            .collect()
    });
    done.sort_unstable_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, r)| r).collect()
}

/// [`map`] over owned items (such as mutable slices of one table), each taken by one
/// thread. The results come back in the order of `items`.
pub(crate) fn map_owned<T: Send, R: Send>(items: Vec<T>, f: impl Fn(T) -> R + Sync) -> Vec<R> {
    let slots: Vec<std::sync::Mutex<Option<T>>> =
        items.into_iter().map(|t| std::sync::Mutex::new(Some(t))).collect();
    map(&slots, |slot| {
        // Each slot is taken once: `map` hands every index to exactly one thread.
        let item = slot.lock().unwrap_or_else(std::sync::PoisonError::into_inner).take();
        item.map(&f)
    })
    .into_iter()
    .flatten()
    .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn keeps_input_order() {
        let items: Vec<u64> = (0..1000).collect();
        let squares = super::map(&items, |x| x * x);
        assert_eq!(squares, items.iter().map(|x| x * x).collect::<Vec<_>>());
        assert!(super::map(&[] as &[u8], |x| *x).is_empty());
        let mut table: Vec<u64> = (0..1000).collect();
        let sums = super::map_owned(table.chunks_mut(64).collect(), |chunk| {
            chunk.iter_mut().for_each(|x| *x *= 2);
            chunk.iter().sum::<u64>()
        });
        assert_eq!(sums.len(), 16);
        assert_eq!(sums.iter().sum::<u64>(), 999 * 1000);
        assert_eq!(table[999], 1998);
    }
}
