//! The database layer: connection pool, embedded migrations, models and queries.
//! Rows never leave this layer as they are: actions map them to `shared` DTOs.

pub mod audit;
pub mod courses;
pub mod instructors;
pub mod models;
pub mod s3_state;
#[expect(missing_docs, reason = "diesel::table! generates undocumented items")]
pub mod schema;
pub mod sessions;
mod threads;
pub mod throttles;
pub mod uploads;
pub mod videos;

use crate::services::private_files;
use anyhow::Context;
use diesel::connection::SimpleConnection;
use diesel::r2d2::{ConnectionManager, CustomizeConnection, Pool};
use diesel::SqliteConnection;
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

/// The connection type every query takes.
pub type Conn = SqliteConnection;
/// A pool of database connections, cheap to clone.
pub type DbPool = Pool<ConnectionManager<Conn>>;

const MIGRATIONS: EmbeddedMigrations = embed_migrations!("../migrations/sqlite");

#[derive(Debug)]
struct SqlitePragmas;

impl CustomizeConnection<Conn, diesel::r2d2::Error> for SqlitePragmas {
    fn on_acquire(&self, conn: &mut Conn) -> Result<(), diesel::r2d2::Error> {
        // busy_timeout first, so writers queue instead of failing; NORMAL sync is durable
        // across process crashes in WAL mode (set once in `connect`, it is stored in the file);
        // a 1 MiB page cache per connection keeps the server's memory budget.
        conn.batch_execute(
            "PRAGMA busy_timeout = 5000; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; \
             PRAGMA cache_size = -1024;",
        )
        .map_err(diesel::r2d2::Error::QueryError)
    }
}

/// Opens the pool and applies pending migrations.
pub fn connect(database_url: &str) -> anyhow::Result<DbPool> {
    let path = database_url
        .strip_prefix("sqlite://")
        .unwrap_or(database_url);
    if let Some(parent) = std::path::Path::new(path).parent() {
        if !parent.as_os_str().is_empty() {
            private_files::create_dir(parent).context("cannot create the database directory")?;
        }
    }
    // SQLite creates its files 0644 and gives the -wal and -shm files the main file's mode:
    // create the main file 0600 first, and tighten files an older Reel left readable.
    if path != ":memory:" && !path.starts_with("file:") {
        private_files::touch(std::path::Path::new(path)).context("cannot create the database")?;
        for suffix in ["", "-wal", "-shm"] {
            private_files::secure_file(std::path::Path::new(&format!("{path}{suffix}")))
                .context("cannot protect the database files")?;
        }
    }
    // WAL lets readers run beside the one writer. Switching needs a moment alone with the file,
    // so it happens here on one connection before the pool opens its others.
    {
        use diesel::Connection;
        let mut conn = Conn::establish(path).context("cannot open the database")?;
        conn.batch_execute("PRAGMA busy_timeout = 5000; PRAGMA journal_mode = WAL;")
            .context("cannot open the database")?;
    }
    let pool = Pool::builder()
        .max_size(threads::CONNECTIONS as u32)
        .connection_customizer(Box::new(SqlitePragmas))
        .build(ConnectionManager::<Conn>::new(path))
        .context("cannot open the database")?;
    let mut conn = pool.get().context("cannot open the database")?;
    conn.run_pending_migrations(MIGRATIONS)
        .map_err(|e| anyhow::anyhow!("database migration failed: {e}"))?;
    Ok(pool)
}

/// Runs blocking diesel work on the database's own threads, off the async workers.
///
/// Not on tokio's blocking pool: uploads and media reads used it for the life of a request,
/// so a few hundred slow clients could leave no thread for a query and stall every request.
/// The database threads run nothing but database work, and are as many as the connections.
///
/// Transactions that write use `immediate_transaction` (`BEGIN IMMEDIATE`): a deferred SQLite
/// transaction that reads and then writes fails at once with "database is locked" when another
/// writer got there first — `busy_timeout` cannot help at the upgrade — while an immediate one
/// waits its turn. The delete benchmark (50 in flight) found this.
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
            .and_then(|mut conn| work(&mut conn));
        let _ = done.send(outcome);
    }));
    result.await.context("database task failed")?
}

/// Runs work that writes, one writer at a time in arrival order.
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
    static WRITER: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
    let _turn = WRITER.lock().await;
    // Its own thread: a write does not wait in line behind reads for a database thread.
    on(threads::submit_write, pool, work).await
}

/// Now, in milliseconds since the Unix epoch (the unit of every time column).
pub fn now_ms() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp_nanos() as i64 / 1_000_000
}

/// A fresh random ID (UUID v4 text).
pub fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// Formats a millisecond timestamp as RFC 3339 for DTOs.
pub fn rfc3339(ms: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
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
        let applied = conn.applied_migrations().expect("listed").len();
        assert!(applied >= 2);
        conn.revert_all_migrations(MIGRATIONS)
            .expect("every down.sql runs");
        assert!(conn.applied_migrations().expect("listed").is_empty());
        conn.run_pending_migrations(MIGRATIONS)
            .expect("every up.sql runs again");
        assert_eq!(conn.applied_migrations().expect("listed").len(), applied);
    }
}
