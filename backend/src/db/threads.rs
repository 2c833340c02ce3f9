//! The threads that run database work ([`super::run`]): a fixed set, one per pooled
//! connection, fed from one queue. A job that panics loses only its own result.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::{Arc, Mutex, OnceLock};

/// Database threads (and pooled connections per database).
pub const COUNT: usize = 8;

type Job = Box<dyn FnOnce() + Send>;

fn queue() -> &'static Mutex<Sender<Job>> {
    static QUEUE: OnceLock<Mutex<Sender<Job>>> = OnceLock::new();
    QUEUE.get_or_init(|| {
        let (tx, rx) = channel::<Job>();
        let rx = Arc::new(Mutex::new(rx));
        for n in 0..COUNT {
            let rx = rx.clone();
            let spawned = std::thread::Builder::new()
                .name(format!("reel-db-{n}"))
                .spawn(move || work(&rx));
            if let Err(error) = spawned {
                tracing::error!(%error, "could not start a database thread");
            }
        }
        Mutex::new(tx)
    })
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

/// Queues a job; it runs on the next free database thread.
pub fn submit(job: Job) {
    let sent = queue().lock().unwrap_or_else(|p| p.into_inner()).send(job);
    if sent.is_err() {
        tracing::error!("the database threads have stopped");
    }
}
