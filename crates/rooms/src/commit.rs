//! Group commit: every action must be on disk before it is acknowledged,
//! and one commit costs an fsync (milliseconds), so actions arriving
//! together from many rooms share one transaction. The first caller to
//! find no commit in flight leads: it takes every record queued so far,
//! commits them at once and wakes the others; a caller whose record went
//! into that commit returns, the rest lead or wait for the next one.

use crate::store::{Record, Store};
use std::collections::HashMap;
use std::sync::{Condvar, Mutex, MutexGuard};

#[derive(Default)]
struct Queue {
    records: Vec<(u64, Record)>,
    next: u64,
    /// Every ticket up to this one is committed (or failed).
    committed: u64,
    leading: bool,
    failures: HashMap<u64, String>,
}

/// The store behind a group-commit queue.
pub struct Committer {
    store: Mutex<Store>,
    queue: Mutex<Queue>,
    done: Condvar,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Committer {
    /// Commits go to `store`.
    pub fn new(store: Store) -> Committer {
        Committer {
            store: Mutex::new(store),
            queue: Mutex::new(Queue {
                next: 1,
                ..Queue::default()
            }),
            done: Condvar::new(),
        }
    }

    /// The store itself, for what is not an event (creating rooms).
    pub fn store(&self) -> MutexGuard<'_, Store> {
        lock(&self.store)
    }

    /// Appends `record`; returns once it is committed (on disk), or with
    /// the database's error.
    pub fn append(&self, record: Record) -> Result<(), String> {
        let mut q = lock(&self.queue);
        let ticket = q.next;
        q.next += 1;
        q.records.push((ticket, record));
        loop {
            if q.committed >= ticket {
                return match q.failures.remove(&ticket) {
                    Some(e) => Err(e),
                    None => Ok(()),
                };
            }
            if q.leading {
                q = self.done.wait(q).unwrap_or_else(|e| e.into_inner());
                continue;
            }
            q.leading = true;
            let batch = std::mem::take(&mut q.records);
            drop(q);
            let last = batch.last().map_or(0, |(t, _)| *t);
            let records: Vec<&Record> = batch.iter().map(|(_, r)| r).collect();
            let result = lock(&self.store).append_all(&records);
            q = lock(&self.queue);
            if let Err(e) = result {
                for (t, _) in &batch {
                    q.failures.insert(*t, e.to_string());
                }
            }
            q.committed = q.committed.max(last);
            q.leading = false;
            self.done.notify_all();
        }
    }
}
