//! Test support: a PostgreSQL database of its own for each test, created on the server that
//! `REEL_TEST_POSTGRES_URL` names (default: the local one, trust auth) and dropped after.
//! `REEL_TEST_DATABASE=postgres` makes the integration suite run every app on one.

use anyhow::Context;
use diesel::{Connection, PgConnection, RunQueryDsl};
use std::sync::atomic::{AtomicU32, Ordering};

/// The server's maintenance database, where databases are created and dropped.
pub fn admin_url() -> String {
    std::env::var("REEL_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

/// Whether the test run asked for PostgreSQL (`REEL_TEST_DATABASE=postgres`).
pub fn postgres_requested() -> bool {
    std::env::var("REEL_TEST_DATABASE").is_ok_and(|v| v == "postgres")
}

/// A fresh, empty database, dropped (with its connections) when this is.
#[derive(Debug)]
pub struct TempDatabase {
    name: String,
    url: String,
}

impl TempDatabase {
    /// Creates `reel_test_<pid>_<n>_<random>` on the test server.
    pub fn create() -> anyhow::Result<Self> {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let name = format!(
            "reel_test_{}_{}_{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed),
            &crate::services::tokens::new_token()[..8]
        );
        let admin = admin_url();
        let mut conn = PgConnection::establish(&admin)
            .with_context(|| format!("cannot reach the test PostgreSQL at {admin}"))?;
        diesel::sql_query(format!("CREATE DATABASE {name}"))
            .execute(&mut conn)
            .context("cannot create a test database")?;
        let base = admin
            .rsplit_once('/')
            .map_or(admin.as_str(), |(base, _)| base);
        // No TLS on a loopback test server: its handshake per connection is wasted work.
        let url = format!("{base}/{name}?sslmode=disable");
        Ok(Self { name, url })
    }

    /// Its connection URL.
    pub fn url(&self) -> &str {
        &self.url
    }
}

impl Drop for TempDatabase {
    fn drop(&mut self) {
        let dropped = PgConnection::establish(&admin_url()).and_then(|mut conn| {
            diesel::sql_query(format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ))
            .execute(&mut conn)
            .map_err(|e| diesel::ConnectionError::BadConnection(e.to_string()))
        });
        if let Err(error) = dropped {
            eprintln!("could not drop test database {}: {error}", self.name);
        }
    }
}
