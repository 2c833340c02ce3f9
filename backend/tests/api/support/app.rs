//! `spawn_app` and friends: the real application in the test's process, on a free port.

use reel::admin::{self, CreatedCourse, CreatedInstructor};
use reel::config::StorageKind;
use reel::db::testing::{postgres_requested, TempDatabase};
use reel::db::{self, models::AuditEvent, DbPool};
use reel::services::storage::{s3::testing, S3Settings};
use reel::state::AppState;
use reel::{Application, Config};
use std::path::PathBuf;
use std::sync::Arc;
use tempfile::TempDir;

/// A running server and what the tests need to arrange data around it.
pub struct TestApp {
    pub address: String,
    pub pool: DbPool,
    pub state: AppState,
    pub data_dir: PathBuf,
    /// Set when the app stores its videos in S3 (`REEL_TEST_STORAGE`).
    pub s3: Option<S3Settings>,
    /// The configuration it runs with (a peer instance starts from it).
    pub config: Config,
    _dir: Arc<TempDir>,
    /// Set when the app runs on PostgreSQL (`REEL_TEST_DATABASE=postgres`); dropped last.
    _db: Option<Arc<TempDatabase>>,
}

/// Password used for every test instructor.
pub const PASSWORD: &str = "correct horse battery";

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// Spawns the app after letting the test adjust the configuration.
pub async fn spawn_app_with(adjust: impl FnOnce(&mut Config)) -> TestApp {
    spawn_app_on(adjust, None).await
}

/// Spawns the app with a given storage provider (to inject storage faults).
pub async fn spawn_app_on(
    adjust: impl FnOnce(&mut Config),
    storage: Option<reel::state::SharedStorage>,
) -> TestApp {
    let dir = tempfile::tempdir().expect("tempdir");
    let web_dir = dir.path().join("web");
    std::fs::create_dir_all(&web_dir).expect("web dir");
    std::fs::write(
        web_dir.join("index.html"),
        "<!doctype html><title>Reel</title>",
    )
    .expect("index");
    std::fs::write(web_dir.join("app-0123abcd.js"), "console.log('reel')").expect("asset");
    let config = Config {
        bind: "127.0.0.1:0".into(),
        data_dir: dir.path().join("data"),
        web_dir: web_dir.clone(),
        ..Config::default()
    };
    let mut config = config;
    // `REEL_TEST_STORAGE=moto` (or another test server's name) runs the app on S3, on a fresh
    // bucket: scripts/test.sh runs the upload suites that way too.
    let s3 = match std::env::var("REEL_TEST_STORAGE")
        .ok()
        .filter(|s| s != "local")
    {
        Some(name) if storage.is_none() => {
            let settings = testing::fresh_bucket(&testing::server(&name), &config.data_dir);
            config.storage = StorageKind::S3;
            config.s3_bucket = Some(settings.bucket.clone());
            config.s3_endpoint = settings.endpoint.clone();
            config.s3_prefix = settings.prefix.clone();
            config.s3_timeout_secs = 10;
            Some(settings)
        }
        _ => None,
    };
    // `REEL_TEST_DATABASE=postgres` runs the app on a PostgreSQL database of its own.
    let db = postgres_requested().then(|| {
        let db = Arc::new(TempDatabase::create().expect("a test database"));
        config.database_url = Some(db.url().to_string());
        // Instances share one database only when they share a key.
        config.secret_key =
            Some(reel::config::SecretKey::from_text(&"5e".repeat(32)).expect("key"));
        db
    });
    adjust(&mut config);
    build(config, storage, s3, Arc::new(dir), db).await
}

/// Another instance beside `app`: the same database, data directory (or bucket) and key,
/// its own port, adjusted by `adjust` — what a second `reel serve` behind a load balancer is.
pub async fn spawn_peer(app: &TestApp, adjust: impl FnOnce(&mut Config)) -> TestApp {
    let mut config = Config {
        bind: "127.0.0.1:0".into(),
        ..app.config.clone()
    };
    adjust(&mut config);
    build(
        config,
        None,
        app.s3.clone(),
        app._dir.clone(),
        app._db.clone(),
    )
    .await
}

async fn build(
    config: Config,
    storage: Option<reel::state::SharedStorage>,
    s3: Option<S3Settings>,
    dir: Arc<TempDir>,
    db: Option<Arc<TempDatabase>>,
) -> TestApp {
    let data_dir = config.data_dir.clone();
    let kept = config.clone();
    let app = match storage {
        Some(storage) => Application::build_with_storage(config, storage).await,
        None => Application::build(config).await,
    }
    .expect("app builds");
    let address = format!("http://127.0.0.1:{}", app.port());
    let state = app.state().clone();
    let pool = state.pool.clone();
    actix_web::rt::spawn(app.run_until_stopped());
    TestApp {
        address,
        pool,
        state,
        data_dir,
        s3,
        config: kept,
        _dir: dir,
        _db: db,
    }
}

/// A client that keeps cookies, like a browser.
pub fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        // Below the server's 5 s keep-alive: a connection the server is closing is never
        // reused (a slow argon2 hash in a loaded debug build made that race visible).
        .pool_idle_timeout(std::time::Duration::from_secs(2))
        .build()
        .expect("client")
}

impl TestApp {
    /// `GET path` with `client`, read as JSON.
    pub async fn get_json<T: serde::de::DeserializeOwned>(
        &self,
        client: &reqwest::Client,
        path: &str,
    ) -> T {
        client
            .get(self.url(path))
            .send()
            .await
            .expect("sent")
            .json()
            .await
            .expect("json")
    }

    /// The absolute URL of `path` on this app.
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    /// A signed-in instructor with one course; returns the browser and the first chapter ID.
    pub async fn instructor_with_chapter(&self, email: &str) -> (reqwest::Client, String) {
        let client = self.signed_in(email).await;
        let course = self
            .course(email, "Course", &["Chapter one", "Chapter two"])
            .await;
        (client, course.chapters[0].id.clone())
    }

    pub async fn instructor(&self, email: &str) -> CreatedInstructor {
        admin::create_instructor(&self.pool, email, "Test Instructor", PASSWORD)
            .await
            .expect("instructor created")
    }

    pub async fn course(&self, owner: &str, title: &str, chapters: &[&str]) -> CreatedCourse {
        let chapters: Vec<String> = chapters.iter().map(|c| c.to_string()).collect();
        admin::create_course(&self.pool, owner, title, &chapters)
            .await
            .expect("course created")
    }

    pub async fn login(
        &self,
        client: &reqwest::Client,
        email: &str,
        password: &str,
    ) -> reqwest::Response {
        client
            .post(self.url("/api/auth/login"))
            .json(&serde_json::json!({ "email": email, "password": password }))
            .send()
            .await
            .expect("request sent")
    }

    /// A signed-in browser for a new instructor.
    pub async fn signed_in(&self, email: &str) -> reqwest::Client {
        self.instructor(email).await;
        let client = browser();
        let res = self.login(&client, email, PASSWORD).await;
        assert_eq!(res.status(), 200);
        client
    }

    /// Whether an audit event with this action (and outcome, if given) was written.
    pub async fn audited(&self, action: &str, outcome: Option<&str>) -> bool {
        self.audit_events()
            .await
            .iter()
            .any(|e| e.action == action && outcome.is_none_or(|o| e.outcome == o))
    }

    /// Files in local storage (partial and final), to check bytes come and go.
    pub fn stored_files(&self) -> usize {
        if let Some(s3) = &self.s3 {
            return testing::stored_things(s3);
        }
        fn count(dir: &std::path::Path) -> usize {
            std::fs::read_dir(dir).map_or(0, |entries| {
                entries
                    .flatten()
                    .map(|e| {
                        if e.path().is_dir() {
                            count(&e.path())
                        } else {
                            1
                        }
                    })
                    .sum()
            })
        }
        count(&self.data_dir.join("media"))
    }

    pub async fn audit_events(&self) -> Vec<AuditEvent> {
        db::run(&self.pool, |conn| Ok(db::audit::recent(conn, 100)?))
            .await
            .expect("audit read")
    }
}

/// Asserts an error response has the given status and code, and returns its message.
pub async fn assert_error(res: reqwest::Response, status: u16, code: &str) -> String {
    assert_eq!(res.status().as_u16(), status, "status");
    let ct = res
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    assert!(
        ct.starts_with("application/json"),
        "error content type was {ct}"
    );
    let body: serde_json::Value = res.json().await.expect("json error body");
    assert_eq!(body["code"], code, "code in {body}");
    let message = body["message"].as_str().expect("message").to_string();
    assert!(!message.is_empty());
    message
}

impl super::tus::Reel for TestApp {
    fn url(&self, path: &str) -> String {
        TestApp::url(self, path)
    }
}
