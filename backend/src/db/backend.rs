//! The two database backends behind one connection type: SQLite (the embedded default, one
//! file under the data directory) and PostgreSQL (shared by several instances). Everything
//! that differs between them is in this file; the query modules are written once.

use crate::private_files;
use anyhow::Context;
use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::r2d2::{self, ManageConnection, R2D2Connection};
use diesel::{Connection, PgConnection, QueryResult, SqliteConnection};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};
use std::path::Path;

/// A connection to either backend. Queries written with diesel's DSL run on both; the few
/// that cannot (upserts) go through [`on_backend!`].
#[derive(diesel::MultiConnection)]
pub enum Conn {
    /// The embedded default.
    Sqlite(SqliteConnection),
    /// For several instances.
    Postgres(PgConnection),
}

/// Which backend a database URL selects.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    /// A path, `sqlite://path` or `file:` URL.
    Sqlite,
    /// `postgres://` or `postgresql://`.
    Postgres,
}

impl Backend {
    /// The backend `url` selects: `postgres://…` is PostgreSQL, anything else a SQLite file.
    pub fn of(url: &str) -> Self {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else {
            Backend::Sqlite
        }
    }
}

/// Runs `$body` with `$c` bound to the concrete connection, so a query diesel only builds
/// per backend (an upsert: `ON CONFLICT` is not in the shared dialect) is written once.
macro_rules! on_backend {
    ($conn:expr, $c:ident => $body:expr) => {
        match $conn {
            $crate::db::Conn::Sqlite($c) => $body,
            $crate::db::Conn::Postgres($c) => $body,
        }
    };
}
pub(crate) use on_backend;

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../migrations/postgres");

/// Opens connections of the backend a URL selects. Not diesel's `ConnectionManager`: the
/// derived `establish` tries each backend in turn and would open a SQLite file named
/// `postgres://…` when PostgreSQL is down.
#[derive(Debug)]
pub struct Manager {
    url: String,
    backend: Backend,
}

impl Manager {
    fn open(&self) -> Result<Conn, diesel::ConnectionError> {
        match self.backend {
            Backend::Postgres => Ok(Conn::Postgres(PgConnection::establish(&self.url)?)),
            Backend::Sqlite => {
                let mut conn = SqliteConnection::establish(&self.url)?;
                // busy_timeout first, so writers queue instead of failing; NORMAL sync is
                // durable across process crashes in WAL mode; a 1 MiB page cache per
                // connection keeps the server's memory budget.
                conn.batch_execute(
                    "PRAGMA busy_timeout = 5000; PRAGMA synchronous = NORMAL; \
                     PRAGMA foreign_keys = ON; PRAGMA cache_size = -1024;",
                )
                .map_err(|e| diesel::ConnectionError::BadConnection(e.to_string()))?;
                Ok(Conn::Sqlite(conn))
            }
        }
    }
}

/// A pooled connection and what the pool knows of its health.
///
/// Checking a connection with a query each time it leaves the pool (r2d2's default) cost two
/// round trips of a delete's eight on PostgreSQL. A connection in steady use proves itself
/// with every query; it is checked only when it has sat idle (the server or a proxy may have
/// closed it meanwhile) or its last work failed (perhaps because the connection broke).
pub struct Pooled {
    conn: Conn,
    /// When it last came back to the pool, or was checked.
    proven_at: std::time::Instant,
    /// Its last work failed: check it before it is used again.
    suspect: bool,
}

/// Idle time after which a connection is checked before use.
pub(super) const CHECK_AFTER_IDLE: std::time::Duration = std::time::Duration::from_secs(2);

impl Pooled {
    /// Marks the connection to be checked before its next use (its work failed).
    pub fn suspect(&mut self) {
        self.suspect = true;
    }
}

impl std::ops::Deref for Pooled {
    type Target = Conn;
    fn deref(&self) -> &Conn {
        &self.conn
    }
}

impl std::ops::DerefMut for Pooled {
    fn deref_mut(&mut self) -> &mut Conn {
        &mut self.conn
    }
}

impl ManageConnection for Manager {
    type Connection = Pooled;
    type Error = r2d2::Error;

    fn connect(&self) -> Result<Pooled, r2d2::Error> {
        let conn = self.open().map_err(r2d2::Error::ConnectionError)?;
        Ok(Pooled {
            conn,
            proven_at: std::time::Instant::now(),
            suspect: false,
        })
    }

    fn is_valid(&self, pooled: &mut Pooled) -> Result<(), r2d2::Error> {
        if !pooled.suspect && pooled.proven_at.elapsed() < CHECK_AFTER_IDLE {
            return Ok(());
        }
        pooled.conn.ping().map_err(r2d2::Error::QueryError)?;
        pooled.suspect = false;
        pooled.proven_at = std::time::Instant::now();
        Ok(())
    }

    fn has_broken(&self, pooled: &mut Pooled) -> bool {
        // Called as it comes back: its idle time starts now.
        pooled.proven_at = std::time::Instant::now();
        std::thread::panicking() || pooled.conn.is_broken()
    }
}

/// A pool of database connections, cheap to clone.
pub type DbPool = r2d2::Pool<Manager>;

/// Opens a pool of `size` connections on `database_url` and applies pending migrations.
pub fn connect(database_url: &str, size: u32) -> anyhow::Result<DbPool> {
    let backend = Backend::of(database_url);
    let url = match backend {
        Backend::Postgres => database_url.to_string(),
        Backend::Sqlite => prepare_sqlite_file(database_url)?,
    };
    let pool = r2d2::Pool::builder()
        .max_size(size)
        // A database that is down is reported at start, not after r2d2's 30 s.
        .connection_timeout(std::time::Duration::from_secs(10))
        .build(Manager { url, backend })
        .map_err(|e| anyhow::anyhow!("cannot open the database: {}", describe(&e)))?;
    let mut conn = pool.get().context("cannot open the database")?;
    migrate(&mut conn)?;
    Ok(pool)
}

/// r2d2 puts the last connection error in its message; keep it, minus any password.
fn describe(e: &r2d2::PoolError) -> String {
    let text = e.to_string();
    match text.find("password") {
        Some(_) => "the server refused the connection".into(),
        None => text,
    }
}

/// Creates the SQLite file private (0600) and in WAL mode; returns the path to open.
fn prepare_sqlite_file(database_url: &str) -> anyhow::Result<String> {
    let path = database_url
        .strip_prefix("sqlite://")
        .unwrap_or(database_url);
    if let Some(parent) = Path::new(path).parent() {
        if !parent.as_os_str().is_empty() {
            private_files::create_dir(parent).context("cannot create the database directory")?;
        }
    }
    // SQLite creates its files 0644 and gives the -wal and -shm files the main file's mode:
    // create the main file 0600 first, and tighten files an older Reel left readable.
    if path != ":memory:" && !path.starts_with("file:") {
        private_files::touch(Path::new(path)).context("cannot create the database")?;
        for suffix in ["", "-wal", "-shm"] {
            private_files::secure_file(Path::new(&format!("{path}{suffix}")))
                .context("cannot protect the database files")?;
        }
    }
    // WAL lets readers run beside the one writer. Switching needs a moment alone with the file,
    // so it happens here on one connection before the pool opens its others.
    let mut conn = SqliteConnection::establish(path).context("cannot open the database")?;
    conn.batch_execute("PRAGMA busy_timeout = 5000; PRAGMA journal_mode = WAL;")
        .context("cannot open the database")?;
    Ok(path.to_string())
}

/// Applies the migrations of the connection's backend that are not applied yet.
pub fn migrate(conn: &mut Conn) -> anyhow::Result<()> {
    on_backend!(conn, c => c.run_pending_migrations(migrations_for(c)).map(|_| ()))
        .map_err(|e| anyhow::anyhow!("database migration failed: {e}"))
}

/// Reverts every migration, then applies them all again; returns how many there are.
pub fn revert_and_reapply(conn: &mut Conn) -> anyhow::Result<usize> {
    on_backend!(conn, c => {
        let applied = c.applied_migrations().map_err(|e| anyhow::anyhow!("{e}"))?.len();
        c.revert_all_migrations(migrations_for(c)).map_err(|e| anyhow::anyhow!("revert: {e}"))?;
        anyhow::ensure!(
            c.applied_migrations().map_err(|e| anyhow::anyhow!("{e}"))?.is_empty(),
            "migrations left after reverting all"
        );
        c.run_pending_migrations(migrations_for(c)).map_err(|e| anyhow::anyhow!("apply: {e}"))?;
        Ok(applied)
    })
}

/// The migrations folder of a concrete connection type.
trait Migrations {
    fn migrations() -> EmbeddedMigrations;
}
impl Migrations for SqliteConnection {
    fn migrations() -> EmbeddedMigrations {
        SQLITE_MIGRATIONS
    }
}
impl Migrations for PgConnection {
    fn migrations() -> EmbeddedMigrations {
        POSTGRES_MIGRATIONS
    }
}
fn migrations_for<C: Migrations>(_: &C) -> EmbeddedMigrations {
    C::migrations()
}

/// The backend of a connection.
pub fn backend_of(conn: &Conn) -> Backend {
    match conn {
        Conn::Sqlite(_) => Backend::Sqlite,
        Conn::Postgres(_) => Backend::Postgres,
    }
}

/// Runs `work` in a transaction that may write.
///
/// On SQLite it is `BEGIN IMMEDIATE`: a deferred transaction that reads and then writes fails
/// at once with "database is locked" when another writer got there first — `busy_timeout`
/// cannot help at the upgrade — while an immediate one waits its turn. PostgreSQL's default
/// transaction is right as it is: every write here is a conditional UPDATE that re-checks
/// its row under the row lock. Inside a transaction already, it nests (a savepoint).
pub fn write_tx<T, E>(conn: &mut Conn, work: impl FnOnce(&mut Conn) -> Result<T, E>) -> Result<T, E>
where
    E: From<diesel::result::Error>,
{
    let nested = <Conn as TransactionManager<Conn>>::transaction_manager_status_mut(conn)
        .transaction_depth()?
        .is_some();
    let Conn::Sqlite(sqlite) = conn else {
        return conn.transaction(work);
    };
    if nested {
        return conn.transaction(work);
    }
    AnsiTransactionManager::begin_transaction_sql(sqlite, "BEGIN IMMEDIATE")?;
    match work(conn) {
        Ok(value) => match <Conn as TransactionManager<Conn>>::commit_transaction(conn) {
            Ok(()) => Ok(value),
            Err(e) => {
                let _ = <Conn as TransactionManager<Conn>>::rollback_transaction(conn);
                Err(e.into())
            }
        },
        Err(e) => {
            let _ = <Conn as TransactionManager<Conn>>::rollback_transaction(conn);
            Err(e)
        }
    }
}

/// The database's clock (ms since the epoch). Leases are timed on it, so instances whose
/// own clocks drift still agree on when one expires.
pub fn clock_ms(conn: &mut Conn) -> QueryResult<i64> {
    use diesel::dsl::sql;
    use diesel::sql_types::BigInt;
    use diesel::RunQueryDsl;
    match conn {
        Conn::Sqlite(c) => diesel::select(sql::<BigInt>(
            "CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER)",
        ))
        .get_result(c),
        Conn::Postgres(c) => diesel::select(sql::<BigInt>(
            "CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT)",
        ))
        .get_result(c),
    }
}
