//! Named pools of long-lived threads fed from one queue each, for blocking work that must not
//! wait behind other blocking work (tokio's shared blocking pool) and should not get a fresh
//! thread each time: with glibc every new thread can get a malloc arena of its own, which keeps
//! the large buffers it freed (probing's 4 MiB windows, a query's rows) resident. A job that
//! panics loses only its own result; the thread lives on.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::{Arc, Mutex, OnceLock};

/// One piece of blocking work.
pub type Job = Box<dyn FnOnce() + Send>;

/// A pool of `threads` threads named `name-N`, started on first use.
pub struct Pool {
    name: &'static str,
    threads: usize,
    queue: OnceLock<Mutex<Sender<Job>>>,
}

impl Pool {
    /// A pool that starts its threads when the first job comes.
    pub const fn new(name: &'static str, threads: usize) -> Self {
        Self {
            name,
            threads,
            queue: OnceLock::new(),
        }
    }

    /// Queues a job for the next free thread.
    pub fn submit(&self, job: Job) {
        let queue = self.queue.get_or_init(|| start(self.name, self.threads));
        if queue
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .send(job)
            .is_err()
        {
            tracing::error!(pool = self.name, "the pool's threads have stopped");
        }
    }

    /// Runs `work` on the pool and awaits its result (`None` if it panicked).
    pub async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Option<T> {
        let (done, result) = tokio::sync::oneshot::channel();
        self.submit(Box::new(move || {
            let _ = done.send(work());
        }));
        result.await.ok()
    }
}

fn start(name: &str, threads: usize) -> Mutex<Sender<Job>> {
    let (tx, rx) = channel::<Job>();
    let rx = Arc::new(Mutex::new(rx));
    for n in 0..threads {
        let rx = rx.clone();
        let spawned = std::thread::Builder::new()
            .name(format!("{name}-{n}"))
            .spawn(move || work(&rx));
        if let Err(error) = spawned {
            tracing::error!(%error, pool = name, "could not start a thread");
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_job_that_panics_loses_its_result_and_the_pool_goes_on() {
        static POOL: Pool = Pool::new("reel-test-pool", 1);
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime");
        runtime.block_on(async {
            assert_eq!(POOL.run(|| -> u8 { panic!("boom") }).await, None);
            assert_eq!(POOL.run(|| 7).await, Some(7));
        });
    }
}
