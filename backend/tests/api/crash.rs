//! Crash durability with the real `reel` binary: one upload streams while the server is
//! SIGKILLed at seeded random moments; after each restart HEAD must report what reached the
//! disk (never more, never going backwards, at most a flush step or two behind), and the
//! finished video must be byte-identical. `REEL_CRASH_SEED` replays a run; the seed is printed.

use crate::helpers::PASSWORD;
use crate::tus::{metadata, paced_body, padded_mp4, sha256};
use rand::{Rng, SeedableRng};
use reel::db::testing::{postgres_requested, TempDatabase};
use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

const KILLS: usize = 20;
const MIB: u64 = 1 << 20;

/// A `reel serve` process on a fixed port and data directory, restartable.
pub struct Server {
    data: PathBuf,
    port: u16,
    log: PathBuf,
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

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
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

pub async fn head_offset(client: &reqwest::Client, server: &Server, location: &str) -> u64 {
    let res = client
        .head(server.url(location))
        .header("Tus-Resumable", "1.0.0")
        .send()
        .await
        .expect("HEAD sent");
    assert_eq!(res.status(), 200, "HEAD after restart");
    res.headers()["upload-offset"]
        .to_str()
        .expect("ascii")
        .parse()
        .expect("number")
}

pub fn patch(
    client: &reqwest::Client,
    server: &Server,
    location: &str,
    offset: u64,
    body: reqwest::Body,
) -> reqwest::RequestBuilder {
    client
        .patch(server.url(location))
        .header("Tus-Resumable", "1.0.0")
        .header("Upload-Offset", offset.to_string())
        .header("Content-Type", "application/offset+octet-stream")
        .body(body)
}

#[actix_web::test]
async fn an_upload_survives_twenty_sigkills_mid_patch_byte_for_byte() {
    let seed = std::env::var("REEL_CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| rand::thread_rng().gen::<u64>());
    println!("crash harness seed: {seed} (REEL_CRASH_SEED={seed} replays it)");
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let root = tempfile::tempdir().expect("tempdir");
    let data_dir = root.path().join("data");
    let mut server = Server::new(&data_dir);
    let course = server.seed_instructor().await;
    let chapter = course.chapters[0].id.clone();
    let mut bytes = rand::rngs::StdRng::seed_from_u64(seed);
    let data = Arc::new(padded_mp4(48 * MIB as usize, |_| bytes.gen()));

    server.start().await;
    let client = server.signed_in().await;
    let created = client
        .post(server.url("/api/uploads"))
        .header("Tus-Resumable", "1.0.0")
        .header("Upload-Length", data.len().to_string())
        .header(
            "Upload-Metadata",
            metadata(&[
                ("filename", "lecture.mp4"),
                ("chapter_id", chapter.as_str()),
            ]),
        )
        .send()
        .await
        .expect("sent");
    assert_eq!(created.status(), 201);
    let location = created.headers()["location"]
        .to_str()
        .expect("ascii")
        .to_string();
    let video_id = created.headers()["reel-video-id"]
        .to_str()
        .expect("ascii")
        .to_string();
    let partial = data_dir.join(format!(
        "media/partial/courses/{}/chapters/{chapter}/videos/{video_id}/source.mp4.part",
        course.course_id
    ));

    let (mut offset, mut kills, mut kept_bytes) = (0u64, 0, 0u64);
    println!("kill  sent_MiB  on_disk_MiB  head_before  head_after");
    while kills < KILLS && (offset as usize) < data.len() {
        let sent = Arc::new(AtomicU64::new(0));
        // About 5 MiB/s.
        let every = Duration::from_millis(25);
        let body = paced_body(
            data.clone(),
            offset as usize,
            128 << 10,
            every,
            sent.clone(),
        );
        let request = patch(&client, &server, &location, offset, body).send();
        let in_flight = actix_web::rt::spawn(request);
        let delay = rng.gen_range(150..900);
        actix_web::rt::time::sleep(Duration::from_millis(delay)).await;
        if in_flight.is_finished() {
            let answer = in_flight
                .await
                .expect("joined")
                .map(|r| r.status().as_u16());
            if let Ok(423) = answer {
                // On PostgreSQL the killed instance's lease outlives it for one term; a tus
                // client tries again, and so does this one.
                actix_web::rt::time::sleep(Duration::from_millis(500)).await;
                continue;
            }
            break; // the rest arrived before the kill: nothing left to crash
        }
        server.kill();
        kills += 1;
        let _ = in_flight.await;
        let on_disk = std::fs::metadata(&partial).map_or(0, |m| m.len());

        server.start().await;
        let after = head_offset(&client, &server, &location).await;
        println!(
            "{kills:>4}  {:>8.2}  {:>11.2}  {offset:>11}  {after:>10}",
            sent.load(Ordering::Relaxed) as f64 / MIB as f64,
            on_disk as f64 / MIB as f64
        );
        assert!(
            after >= offset,
            "seed {seed}: the offset went back from {offset} to {after}"
        );
        assert!(
            after <= on_disk,
            "seed {seed}: HEAD says {after} but only {on_disk} bytes are on disk"
        );
        // What reached the disk is kept, give or take the flush in progress and the one queued.
        assert!(
            on_disk - after <= 4 * MIB,
            "seed {seed}: {on_disk} bytes on disk but HEAD says {after}"
        );
        kept_bytes += after - offset;
        offset = after;
    }
    assert!(
        kills >= 10,
        "seed {seed}: only {kills} kills landed mid-PATCH"
    );
    assert!(
        kept_bytes > 0,
        "seed {seed}: no killed PATCH kept any bytes"
    );

    // The loop may have ended on a PATCH that finished before its kill: ask where it is.
    let offset = head_offset(&client, &server, &location).await;
    if (offset as usize) < data.len() {
        // 423 while the last killed instance's lease runs out (PostgreSQL keeps it).
        let mut status = 423;
        for _ in 0..20 {
            let rest = data[offset as usize..].to_vec();
            let res = patch(&client, &server, &location, offset, rest.into())
                .send()
                .await
                .expect("sent");
            status = res.status().as_u16();
            if status != 423 {
                break;
            }
        }
        assert_eq!(status, 204, "seed {seed}");
    }
    let mut video = serde_json::Value::Null;
    for _ in 0..400 {
        video = client
            .get(server.url(&format!("/api/videos/{video_id}")))
            .send()
            .await
            .expect("sent")
            .json()
            .await
            .expect("json");
        if video["status"] != "processing" && video["status"] != "uploading" {
            break;
        }
        actix_web::rt::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(video["status"], "ready", "seed {seed}: {video}");
    let served = client
        .get(server.url(video["display_url"].as_str().expect("url")))
        .send()
        .await
        .expect("sent")
        .bytes()
        .await
        .expect("body");
    assert_eq!(sha256(&served), sha256(&data), "seed {seed}");
    println!(
        "crash harness: {kills} kills survived, {:.1} MiB kept by killed PATCHes",
        kept_bytes as f64 / MIB as f64
    );

    // A signed URL is a credential: a refused one is logged without its signature.
    let refused = client
        .get(server.url(&format!(
            "/media/{video_id}?exp=99&sig=c2VjcmV0LXNpZ25hdHVyZQ"
        )))
        .send()
        .await
        .expect("sent");
    assert_eq!(refused.status(), 403);
    server.kill();
    let log = std::fs::read_to_string(&server.log).expect("log");
    assert!(log.contains("sig=redacted"), "the refusal was logged");
    assert!(
        !log.contains("c2VjcmV0LXNpZ25hdHVyZQ"),
        "a signature reached the log"
    );
}
