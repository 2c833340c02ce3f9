//! The threads that run database work: [`READERS`] threads for [`super::run`] fed from one
//! queue, and one writer thread for [`super::write`], so a write never waits in line behind
//! reads (SQLite has one writer anyway). A job that panics loses only its own result.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::{Arc, Mutex, OnceLock};

/// Threads for reads and for writes that need not queue (`db::run`).
pub const READERS: usize = 8;
/// Pooled connections per database: one for each thread.
pub const CONNECTIONS: usize = READERS + 1;

/// One piece of database work.
pub type Job = Box<dyn FnOnce() + Send>;

/// A queue served by `threads` threads named `name-N`.
fn start(name: &str, threads: usize) -> Mutex<Sender<Job>> {
    let (tx, rx) = channel::<Job>();
    let rx = Arc::new(Mutex::new(rx));
    for n in 0..threads {
        let rx = rx.clone();
        let spawned = std::thread::Builder::new()
            .name(format!("{name}-{n}"))
            .spawn(move || work(&rx));
        if let Err(error) = spawned {
            tracing::error!(%error, "could not start a database thread");
        }
    }
    Mutex::new(tx)
}

fn work(rx: &Mutex<Receiver<Job>>) {
    loop {
        let job = rx.lock().unwrap_or_else(|p| p.into_inner()).recv();
        match job {
            // The job's caller sees a dropped result; the thread lives on.
            Ok(job) => drop(catch_unwind(AssertUnwindSafe(job))),
            Err(_) => return,
        }
    }
}

fn send(queue: &Mutex<Sender<Job>>, job: Job) {
    let sent = queue.lock().unwrap_or_else(|p| p.into_inner()).send(job);
    if sent.is_err() {
        tracing::error!("the database threads have stopped");
    }
}

/// Queues a job for the next free reader thread.
pub fn submit(job: Job) {
    static READ: OnceLock<Mutex<Sender<Job>>> = OnceLock::new();
    send(READ.get_or_init(|| start("reel-db", READERS)), job);
}

/// Queues a job for the writer thread.
pub fn submit_write(job: Job) {
    static WRITE: OnceLock<Mutex<Sender<Job>>> = OnceLock::new();
    send(WRITE.get_or_init(|| start("reel-db-writer", 1)), job);
}
