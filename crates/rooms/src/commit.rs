//! Group commit: every action must be on disk before it is acknowledged,
//! and each commit costs a sync of the write-ahead log, so actions arriving
//! together from many rooms share one transaction. One writer thread owns
//! the commits: it takes every record queued while the last commit ran,
//! commits them at once and answers each caller on the caller's own
//! channel. (Callers taking turns as the leader, the design before this,
//! woke every waiting caller after every commit; with a hundred rooms
//! acting at once those wake-ups cost more than the commits.)

use crate::store::{Record, Store};
use std::sync::mpsc::{self, Receiver, Sender, SyncSender};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;

/// A record waiting for the writer, with where to send the outcome.
type Job = (Record, SyncSender<Result<(), String>>);

/// The store behind a group-commit writer thread.
pub struct Committer {
    store: Arc<Mutex<Store>>,
    queue: Mutex<Option<Sender<Job>>>,
    writer: Option<JoinHandle<()>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Committer {
    /// Commits go to `store`, from a writer thread started now (the
    /// operating system's error if it cannot start one).
    pub fn new(store: Store) -> std::io::Result<Committer> {
        let store = Arc::new(Mutex::new(store));
        let (tx, rx) = mpsc::channel();
        let shared = store.clone();
        let writer = std::thread::Builder::new()
            .name("detente-rooms-writer".into())
            .spawn(move || write(&shared, &rx))?;
        Ok(Committer {
            store,
            queue: Mutex::new(Some(tx)),
            writer: Some(writer),
        })
    }

    /// The store itself, for what is not an event (creating rooms).
    pub fn store(&self) -> MutexGuard<'_, Store> {
        lock(&self.store)
    }

    /// Appends `record`; returns once it is committed (on disk), or with
    /// the database's error.
    pub fn append(&self, record: Record) -> Result<(), String> {
        let (done, outcome) = mpsc::sync_channel(1);
        let sent = lock(&self.queue)
            .as_ref()
            .is_some_and(|q| q.send((record, done)).is_ok());
        if !sent {
            return Err("the rooms' writer has stopped".into());
        }
        outcome
            .recv()
            .unwrap_or_else(|_| Err("the rooms' writer has stopped".into()))
    }
}

impl Drop for Committer {
    fn drop(&mut self) {
        // Closing the queue ends the writer once it has committed what is
        // queued; joining it releases the database before `drop` returns.
        lock(&self.queue).take();
        if let Some(writer) = self.writer.take() {
            let _ = writer.join();
        }
    }
}

/// The writer: waits for a record, takes every other one queued by then,
/// commits them in one transaction and answers each caller.
fn write(store: &Mutex<Store>, queue: &Receiver<Job>) {
    while let Ok(first) = queue.recv() {
        let mut batch = vec![first];
        batch.extend(queue.try_iter());
        let records: Vec<&Record> = batch.iter().map(|(r, _)| r).collect();
        let result = lock(store).append_all(&records).map_err(|e| e.to_string());
        for (_, done) in batch {
            // A caller that is gone (its thread panicked) needs no answer.
            let _ = done.send(result.clone());
        }
    }
}
