//! The threads that run database work: [`READERS`] threads for [`super::run`] fed from one
//! queue, and one writer thread for [`super::write`], so a write never waits in line behind
//! reads (SQLite has one writer anyway).

use crate::threads::{Job, Pool};

/// Threads for reads and for writes that need not queue (`db::run`).
pub const READERS: usize = 8;
/// Pooled connections per database: one for each thread.
pub const CONNECTIONS: usize = READERS + 1;

static READ: Pool = Pool::new("reel-db", READERS);
static WRITE: Pool = Pool::new("reel-db-writer", 1);

/// Queues a job for the next free reader thread.
pub fn submit(job: Job) {
    READ.submit(job);
}

/// Queues a job for the writer thread.
pub fn submit_write(job: Job) {
    WRITE.submit(job);
}
