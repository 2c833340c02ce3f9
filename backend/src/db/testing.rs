//! Test support: a PostgreSQL schema of its own for each test, on the server that
//! `REEL_TEST_POSTGRES_URL` names (default: the local one, trust auth), dropped after.
//! `REEL_TEST_DATABASE=postgres` makes the integration suite run every app on one.
//!
//! Each test process (a test run) creates one database and each test a schema in it, reached
//! through `search_path` in the connection URL. A database per test cost the server about
//! 0.3 s of copying and deleting a thousand files each time; a schema holds only Reel's own
//! tables. The next run drops the databases of runs that have ended.

use anyhow::Context;
use diesel::{Connection, PgConnection, RunQueryDsl};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::OnceLock;

/// The server's maintenance database, where databases are created and dropped.
pub fn admin_url() -> String {
    std::env::var("REEL_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

/// Whether the test run asked for PostgreSQL (`REEL_TEST_DATABASE=postgres`).
pub fn postgres_requested() -> bool {
    std::env::var("REEL_TEST_DATABASE").is_ok_and(|v| v == "postgres")
}

/// Prefix of the databases of test runs; the process ID follows.
const RUN_PREFIX: &str = "reel_test_run_";

/// The URL of database `name` on the test server, with `extra` URL parameters.
fn url_of(name: &str, extra: &str) -> String {
    let admin = admin_url();
    let base = admin
        .rsplit_once('/')
        .map_or(admin.as_str(), |(base, _)| base);
    // No TLS on a loopback test server: its handshake per connection is wasted work.
    format!("{base}/{name}?sslmode=disable{extra}")
}

/// This run's database (made on first use), or why it could not be made.
fn run_database() -> anyhow::Result<&'static str> {
    static DATABASE: OnceLock<Result<String, String>> = OnceLock::new();
    DATABASE
        .get_or_init(|| make_run_database().map_err(|e| format!("{e:#}")))
        .as_deref()
        .map_err(|e| anyhow::anyhow!("cannot make the test run's database: {e}"))
}

fn make_run_database() -> anyhow::Result<String> {
    let admin = admin_url();
    let mut conn = PgConnection::establish(&admin)
        .with_context(|| format!("cannot reach the test PostgreSQL at {admin}"))?;
    drop_databases_of_ended_runs(&mut conn)?;
    let name = format!("{RUN_PREFIX}{}", std::process::id());
    diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).execute(&mut conn)?;
    diesel::sql_query(format!("CREATE DATABASE {name}")).execute(&mut conn)?;
    Ok(name)
}

/// Drops the databases of test runs whose process is gone (ended, or killed).
fn drop_databases_of_ended_runs(conn: &mut PgConnection) -> anyhow::Result<()> {
    #[derive(diesel::QueryableByName)]
    struct Name {
        #[diesel(sql_type = diesel::sql_types::Text)]
        datname: String,
    }
    let names: Vec<Name> = diesel::sql_query(format!(
        "SELECT datname FROM pg_database WHERE datname LIKE '{RUN_PREFIX}%'"
    ))
    .load(conn)?;
    for Name { datname } in names {
        let pid = datname.trim_start_matches(RUN_PREFIX);
        if !std::path::Path::new(&format!("/proc/{pid}")).exists() {
            diesel::sql_query(format!("DROP DATABASE IF EXISTS {datname} WITH (FORCE)"))
                .execute(conn)?;
        }
    }
    Ok(())
}

/// A fresh, empty schema of its own, dropped (after its connections) when this is. Its URL
/// names it as the `search_path` and as the connections' `application_name`, so a test can
/// find and end its own connections and nobody else's.
#[derive(Debug)]
pub struct TempDatabase {
    database: &'static str,
    schema: String,
    url: String,
}

impl TempDatabase {
    /// Creates schema `t_<n>_<random>` in this run's database on the test server.
    pub fn create() -> anyhow::Result<Self> {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let schema = format!(
            "t_{}_{:08x}",
            NEXT.fetch_add(1, Ordering::Relaxed),
            rand::random::<u32>()
        );
        let database = run_database()?;
        let mut conn = PgConnection::establish(&url_of(database, ""))
            .context("cannot reach the test run's database")?;
        diesel::sql_query(format!("CREATE SCHEMA {schema}"))
            .execute(&mut conn)
            .context("cannot create a test schema")?;
        let extra = format!("&application_name={schema}&options=-c%20search_path%3D{schema}");
        Ok(Self {
            url: url_of(database, &extra),
            database,
            schema,
        })
    }

    /// Its connection URL.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The `application_name` of its connections.
    pub fn name(&self) -> &str {
        &self.schema
    }
}

impl Drop for TempDatabase {
    fn drop(&mut self) {
        let dropped = PgConnection::establish(&url_of(self.database, "")).and_then(|mut conn| {
            let schema = &self.schema;
            diesel::sql_query(format!(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
                 WHERE application_name = '{schema}'"
            ))
            .execute(&mut conn)
            .and_then(|_| {
                diesel::sql_query(format!("DROP SCHEMA {schema} CASCADE")).execute(&mut conn)
            })
            .map_err(|e| diesel::ConnectionError::BadConnection(e.to_string()))
        });
        if let Err(error) = dropped {
            eprintln!("could not drop test schema {}: {error}", self.schema);
        }
    }
}
