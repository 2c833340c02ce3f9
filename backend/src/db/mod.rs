//! The database layer: connection pool, embedded migrations, models and queries.
//! Rows never leave this layer as they are: actions map them to `shared` DTOs.

pub mod activity;
pub mod audit;
pub mod courses;
pub mod curriculum;
mod delete_statement;
pub mod instructors;
pub mod leases;
pub mod lti;
pub mod models;
pub mod refresh_tokens;
pub mod s3_state;
#[expect(missing_docs, reason = "diesel::table! generates undocumented items")]
pub mod schema;
pub mod sessions;
pub mod status;
pub mod testing;
pub mod text;
mod threads;
pub mod throttles;
pub mod uploads;
pub mod videos;
pub mod work;

mod backend;

use anyhow::Context;
pub(crate) use backend::on_backend;
pub use backend::{backend_of, clock_ms, revert_and_reapply, write_tx, Backend, Conn, Pooled};

/// A pool of database connections of one backend, cheap to clone.
#[derive(Clone)]
pub struct DbPool {
    inner: backend::DbPool,
    backend: Backend,
}

impl DbPool {
    /// A connection from the pool (waits for one to be free).
    pub fn get(
        &self,
    ) -> Result<diesel::r2d2::PooledConnection<backend::Manager>, diesel::r2d2::PoolError> {
        self.inner.get()
    }

    /// The backend the pool's database runs on.
    pub fn backend(&self) -> Backend {
        self.backend
    }
}

/// A trivial query: the database answers.
pub fn answers(conn: &mut Conn) -> diesel::QueryResult<()> {
    use diesel::RunQueryDsl;
    diesel::sql_query("SELECT 1").execute(conn).map(|_| ())
}

/// Opens the pool and applies pending migrations. `database_url` is a SQLite path (or
/// `sqlite://path`) or a `postgres://` URL.
pub fn connect(database_url: &str) -> anyhow::Result<DbPool> {
    Ok(DbPool {
        inner: backend::connect(database_url, threads::CONNECTIONS as u32)?,
        backend: Backend::of(database_url),
    })
}

/// Runs blocking diesel work on the database's own threads, off the async workers.
///
/// Not on tokio's blocking pool: uploads and media reads used it for the life of a request,
/// so a few hundred slow clients could leave no thread for a query and stall every request.
/// The database threads run nothing but database work, and are as many as the connections.
///
/// Transactions that write use [`write_tx`] (`BEGIN IMMEDIATE` on SQLite; the delete
/// benchmark, 50 in flight, found why).
pub async fn run<T, F>(pool: &DbPool, work: F) -> anyhow::Result<T>
where
    F: FnOnce(&mut Conn) -> anyhow::Result<T> + Send + 'static,
    T: Send + 'static,
{
    on(threads::submit, pool, work).await
}

/// Runs `work` with a connection on the threads `submit` feeds.
async fn on<T, F>(submit: fn(crate::threads::Job), pool: &DbPool, work: F) -> anyhow::Result<T>
where
    F: FnOnce(&mut Conn) -> anyhow::Result<T> + Send + 'static,
    T: Send + 'static,
{
    let pool = pool.clone();
    let (done, result) = tokio::sync::oneshot::channel();
    submit(Box::new(move || {
        let outcome = pool
            .get()
            .context("no database connection available")
            .and_then(|mut conn| {
                let outcome = work(&mut conn);
                if outcome.is_err() {
                    conn.suspect();
                }
                outcome
            });
        let _ = done.send(outcome);
    }));
    result.await.context("database task failed")?
}

/// Runs work that writes: on SQLite one writer at a time in arrival order.
///
/// SQLite has one writer. Writers that find it busy wait in SQLite's busy handler, which sleeps
/// in growing steps (up to 100 ms) and so hands out the lock in no useful order: at 50 deletes
/// in flight that made the p99 several times the p50. Queueing writers here, on a fair async
/// mutex, means a write starts the moment the previous one commits.
pub async fn write<T, F>(pool: &DbPool, work: F) -> anyhow::Result<T>
where
    F: FnOnce(&mut Conn) -> anyhow::Result<T> + Send + 'static,
    T: Send + 'static,
{
    // PostgreSQL has many writers and row locks: nothing to queue for.
    if pool.backend() == Backend::Postgres {
        return run(pool, work).await;
    }
    static WRITER: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
    let _turn = WRITER.lock().await;
    // Its own thread: a write does not wait in line behind reads for a database thread.
    on(threads::submit_write, pool, work).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_work_answers_while_the_blocking_pool_is_full() {
        use diesel::prelude::*;
        use std::time::Duration;
        let dir = tempfile::tempdir().expect("tempdir");
        let pool = connect(&dir.path().join("reel.db").to_string_lossy()).expect("migrated");
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .max_blocking_threads(1)
            .build()
            .expect("runtime");
        runtime.block_on(async {
            // A slow upload holding the only blocking thread.
            let (release, held) = std::sync::mpsc::channel::<()>();
            let _busy = tokio::task::spawn_blocking(move || {
                let _ = held.recv_timeout(Duration::from_secs(10));
            });
            let query = run(&pool, |conn| {
                Ok(diesel::select(1.into_sql::<diesel::sql_types::Integer>())
                    .get_result::<i32>(conn)?)
            });
            let answered = tokio::time::timeout(Duration::from_secs(5), query).await;
            let _ = release.send(());
            assert_eq!(
                answered.expect("the query was not starved").expect("ran"),
                1
            );
        });
    }

    #[test]
    fn every_migration_reverts_and_applies_again() {
        let dir = tempfile::tempdir().expect("tempdir");
        let pool = connect(&dir.path().join("reel.db").to_string_lossy()).expect("migrated");
        let mut conn = pool.get().expect("connection");
        assert!(revert_and_reapply(&mut conn).expect("reverted and applied") >= 5);
    }

    #[test]
    fn every_postgres_migration_reverts_and_applies_again() {
        let db = testing::TempDatabase::create().expect("the test PostgreSQL server");
        let pool = connect(db.url()).expect("migrated");
        assert_eq!(pool.backend(), Backend::Postgres);
        let mut conn = pool.get().expect("connection");
        assert!(revert_and_reapply(&mut conn).expect("reverted and applied") >= 5);
        // The clock is the database's: close to ours on one machine.
        let drift = clock_ms(&mut conn).expect("clock") - crate::clock::now_ms();
        assert!(drift.abs() < 5_000, "{drift} ms");
    }

    /// Closes every connection of the pool's database from the server side, as a database
    /// restart or an idle-killing proxy would.
    fn drop_connections_of(db: &testing::TempDatabase) {
        use diesel::prelude::*;
        let mut admin = PgConnection::establish(db.url()).expect("admin connection");
        diesel::sql_query(format!(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE application_name = '{}' AND pid <> pg_backend_pid()",
            db.name()
        ))
        .execute(&mut admin)
        .expect("terminated");
    }

    fn select_one(pool: &DbPool) -> anyhow::Result<i32> {
        use diesel::prelude::*;
        let mut conn = pool.get()?;
        let outcome = diesel::select(1.into_sql::<diesel::sql_types::Integer>())
            .get_result::<i32>(&mut **conn);
        if outcome.is_err() {
            conn.suspect();
        }
        Ok(outcome?)
    }

    #[test]
    fn connections_the_database_closed_while_idle_are_replaced_before_use() {
        let db = testing::TempDatabase::create().expect("the test PostgreSQL server");
        let pool = connect(db.url()).expect("migrated");
        assert_eq!(select_one(&pool).expect("first query"), 1);
        drop_connections_of(&db);
        std::thread::sleep(backend::CHECK_AFTER_IDLE + std::time::Duration::from_millis(200));
        for i in 0..threads::CONNECTIONS * 2 {
            assert_eq!(
                select_one(&pool).unwrap_or_else(|e| panic!("query {i}: {e}")),
                1
            );
        }
    }

    #[test]
    fn a_connection_that_failed_is_checked_before_it_is_used_again() {
        let db = testing::TempDatabase::create().expect("the test PostgreSQL server");
        let pool = connect(db.url()).expect("migrated");
        // Every pooled connection busy at once, so all of them were just in use.
        let held: Vec<_> = (0..threads::CONNECTIONS)
            .map(|_| pool.get().expect("connection"))
            .collect();
        drop(held);
        drop_connections_of(&db);
        // Each dead connection may fail the one query that finds it dead, no more.
        let failures = (0..threads::CONNECTIONS * 3)
            .filter(|_| select_one(&pool).is_err())
            .count();
        assert!(failures <= threads::CONNECTIONS, "{failures} failures");
        for i in 0..threads::CONNECTIONS * 2 {
            assert_eq!(
                select_one(&pool).unwrap_or_else(|e| panic!("query {i}: {e}")),
                1
            );
        }
    }

    #[test]
    fn a_status_the_code_does_not_know_fails_the_read() {
        use diesel::prelude::*;
        let dir = tempfile::tempdir().expect("tempdir");
        let pool = connect(&dir.path().join("reel.db").to_string_lossy()).expect("migrated");
        let mut conn = pool.get().expect("connection");
        for sql in [
            "INSERT INTO instructors VALUES ('i', 'a@b', 'A', 'x', 0)",
            "INSERT INTO courses (id, owner_id, title, created_at) VALUES ('c', 'i', 'C', 0)",
            "INSERT INTO chapters (id, course_id, title, position) VALUES ('ch', 'c', 'Ch', 0)",
            "INSERT INTO videos (id, chapter_id, title, status, size_bytes, storage_key, \
             content_type, created_at, updated_at) VALUES ('v', 'ch', 'V', 'archived', 1, 'k', \
             'video/mp4', 0, 0)",
        ] {
            diesel::sql_query(sql).execute(&mut **conn).expect(sql);
        }
        assert!(
            videos::by_id(&mut conn, "v").is_err(),
            "an unknown status read as something"
        );
        let clock = clock_ms(&mut conn).expect("clock") - crate::clock::now_ms();
        assert!(clock.abs() < 5_000, "{clock} ms");
    }
}
