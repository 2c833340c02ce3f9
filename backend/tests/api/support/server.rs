//! A real `reel serve` process for the tests that kill, stop or restart it (crash, S3,
//! posters, several instances), on a port and data directory of its own.

use super::app::PASSWORD;
use super::tus::Reel;
use reel::db::testing::{postgres_requested, TempDatabase};
use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

/// A `reel serve` process on a fixed port and data directory, restartable.
pub struct Server {
    data: PathBuf,
    port: u16,
    /// Where its stderr goes.
    pub log: PathBuf,
    child: Option<Child>,
    env: Vec<(String, String)>,
    /// The PostgreSQL database it runs on (`REEL_TEST_DATABASE=postgres`); shared by clones.
    db: Option<Arc<TempDatabase>>,
}

impl Server {
    pub fn new(data: &Path) -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("free port")
            .port();
        Self {
            data: data.to_path_buf(),
            port,
            log: data.with_extension("log"),
            child: None,
            env: Vec::new(),
            db: postgres_requested()
                .then(|| Arc::new(TempDatabase::create().expect("a test database"))),
        }
    }

    /// Another instance on the same data directory and database, on a port of its own.
    pub fn peer(&self) -> Self {
        let mut peer = Self::new(&self.data);
        peer.db = self.db.clone();
        peer.log = self.data.with_extension(format!("{}.log", peer.port));
        peer.env = self.env.clone();
        peer
    }

    /// The process ID while it runs.
    pub fn pid(&self) -> u32 {
        self.child.as_ref().expect("running").id()
    }

    /// Where its database is: a file in its data directory, or its PostgreSQL database.
    pub fn database_url(&self) -> String {
        match &self.db {
            Some(db) => db.url().to_string(),
            None => self.data.join("reel.db").to_string_lossy().into_owned(),
        }
    }

    /// Starts it with one more environment variable set.
    pub fn with_env(mut self, name: &str, value: &str) -> Self {
        self.env.push((name.into(), value.into()));
        self
    }

    /// Ada, an instructor with a course of one chapter, in this server's database (it need
    /// not run yet); returns that course.
    pub async fn seed_instructor(&self) -> reel::admin::CreatedCourse {
        let pool = reel::db::connect(&self.database_url()).expect("db");
        reel::admin::create_instructor(&pool, "ada@example.com", "Ada", PASSWORD)
            .await
            .expect("instructor");
        reel::admin::create_course(&pool, "ada@example.com", "Course", &["One".into()])
            .await
            .expect("course")
    }

    /// A client signed in to this (running) server as [`Server::seed_instructor`]'s Ada; it
    /// keeps no idle connections, so a killed server leaves none behind.
    pub async fn signed_in(&self) -> reqwest::Client {
        let client = reqwest::Client::builder()
            .cookie_store(true)
            .pool_max_idle_per_host(0)
            .build()
            .expect("client");
        let login = client
            .post(self.url("/api/auth/login"))
            .json(&serde_json::json!({ "email": "ada@example.com", "password": PASSWORD }))
            .send()
            .await
            .expect("sent");
        assert_eq!(login.status(), 200);
        client
    }

    pub async fn start(&mut self) {
        let log = File::options()
            .create(true)
            .append(true)
            .open(&self.log)
            .expect("log file");
        let child = Command::new(env!("CARGO_BIN_EXE_reel"))
            .arg("serve")
            .env("REEL_BIND", format!("127.0.0.1:{}", self.port))
            .env("REEL_DATA_DIR", &self.data)
            .env("REEL_WEB_DIR", self.data.join("web"))
            .env("REEL_JANITOR_INTERVAL_SECS", "3600")
            .env("RUST_LOG", "info")
            .env("REEL_DATABASE_URL", self.database_url())
            .env("REEL_SECRET_KEY", "5e".repeat(32))
            // One machine's directory, shared by every instance a test starts.
            .env("REEL_ALLOW_LOCAL_SHARED", "1")
            // A killed instance's lease (PostgreSQL keeps it) is soon free for the next.
            .env("REEL_UPLOAD_LEASE_MS", "1500")
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("reel starts");
        self.child = Some(child);
        for _ in 0..200 {
            if let Ok(res) = reqwest::get(self.url("/healthz")).await {
                if res.status() == 200 {
                    return;
                }
            }
            actix_web::rt::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("reel did not start; see {}", self.log.display());
    }

    /// The absolute URL of `path` on this server.
    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            child.kill().expect("SIGKILL");
            child.wait().expect("reaped");
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

impl Reel for Server {
    fn url(&self, path: &str) -> String {
        Server::url(self, path)
    }
}
