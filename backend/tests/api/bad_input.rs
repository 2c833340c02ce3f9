//! The bad-input table: malformed requests against every endpoint (wrong types, missing and
//! duplicated fields, huge and deeply nested bodies, overflowing numbers, NUL and control
//! characters, path traversal in every ID and in file names, bad base64 in tus metadata,
//! unknown checksum algorithms, garbage Range and signature parameters). Each one must get a
//! 4xx with a `{code, message}` body (a bare 4xx from the media route and for HEAD), never a
//! 5xx and never a dropped connection; afterwards the server answers normally and nothing
//! already stored has changed. The cases are in [`cases`]; this file runs them.
//!
//! Only one instructor signs in, and only one case is a wrong password, so sign-in throttling
//! never decides an answer. Statuses are asserted as "a 4xx" rather than one code each: which
//! 4xx is the business of the endpoint's own tests.

mod cases;

use crate::support::Reel;
use crate::support::{fixture, sha256};
use crate::support::{spawn_app, TestApp, PASSWORD};
use diesel::prelude::*;
use reel::db::{self, models, schema};
use reqwest::header::{HeaderName, HeaderValue};
use reqwest::{Client, Method};

/// How a case's answer must look.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Answer {
    /// A 4xx with a JSON `{code, message}` body.
    Json,
    /// A 4xx, body or not (the media route, HEAD).
    Bare,
}

/// One malformed request.
pub struct Case {
    pub name: String,
    pub method: Method,
    pub path: String,
    pub headers: Vec<(String, Vec<u8>)>,
    pub body: Option<Vec<u8>>,
    /// Sent with the signed-in instructor's session (otherwise with no cookie at all).
    pub signed_in: bool,
    pub answer: Answer,
}

impl Case {
    /// A request of the signed-in instructor.
    pub fn new(name: impl Into<String>, method: Method, path: impl Into<String>) -> Self {
        let answer = if method == Method::HEAD {
            Answer::Bare
        } else {
            Answer::Json
        };
        Self {
            name: name.into(),
            method,
            path: path.into(),
            headers: Vec::new(),
            body: None,
            signed_in: true,
            answer,
        }
    }

    pub fn header(mut self, name: &str, value: impl AsRef<[u8]>) -> Self {
        self.headers
            .push((name.to_string(), value.as_ref().to_vec()));
        self
    }

    /// Replaces every value of a header (or removes it, with `None`).
    pub fn set(mut self, name: &str, value: Option<&str>) -> Self {
        self.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        match value {
            Some(v) => self.header(name, v),
            None => self,
        }
    }

    pub fn body(mut self, body: impl AsRef<[u8]>) -> Self {
        self.body = Some(body.as_ref().to_vec());
        self
    }

    /// A body sent as `application/json`.
    pub fn json(self, body: impl AsRef<[u8]>) -> Self {
        self.header("Content-Type", "application/json").body(body)
    }

    pub fn anonymous(mut self) -> Self {
        self.signed_in = false;
        self
    }

    pub fn bare(mut self) -> Self {
        self.answer = Answer::Bare;
        self
    }
}

/// What the cases aim at: the signed-in instructor's things and another instructor's.
pub struct Targets {
    pub chapter: String,
    pub other_chapter: String,
    /// A ready video with its display URL's query.
    pub video: String,
    pub exp: String,
    pub sig: String,
    /// The finished upload that became `video`.
    pub finished_upload: String,
    /// An unfinished upload (4096 bytes declared, none sent).
    pub upload: String,
    pub other_video: String,
    pub other_upload: String,
}

/// Everything the table must leave as it was.
#[derive(Debug, PartialEq)]
struct Stored {
    rows: Vec<String>,
    /// Every stored file with content, by path, with its hash.
    files: Vec<(String, String)>,
    served_sha256: String,
    listed: serde_json::Value,
    courses: serde_json::Value,
}

/// A client with no connection reuse: each case gets its own connection, so one case's
/// answer (and the server closing after it) cannot be mistaken for the next one's.
fn client(cookies: bool) -> Client {
    Client::builder()
        .cookie_store(cookies)
        .pool_max_idle_per_host(0)
        .build()
        .expect("client")
}

/// Files under `dir` with their hashes. Empty files store nothing: a refused chunk may leave
/// its upload's partial file empty where there was none.
fn stored_files(dir: &std::path::Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(stored_files(&path));
        } else {
            let bytes = std::fs::read(&path).expect("stored file");
            if !bytes.is_empty() {
                out.push((path.display().to_string(), sha256(&bytes)));
            }
        }
    }
    out.sort();
    out
}

async fn snapshot(app: &TestApp, client: &Client, t: &Targets) -> Stored {
    let rows = db::run(&app.pool, |conn| {
        let mut rows: Vec<String> = Vec::new();
        rows.extend(
            schema::instructors::table
                .order(schema::instructors::id)
                .select(models::Instructor::as_select())
                .load(conn)?
                .iter()
                .map(|r| format!("{r:?}")),
        );
        rows.extend(
            schema::sessions::table
                .order(schema::sessions::id)
                .select(models::Session::as_select())
                .load(conn)?
                .iter()
                .map(|r| format!("{r:?}")),
        );
        rows.extend(
            schema::courses::table
                .order(schema::courses::id)
                .select(models::Course::as_select())
                .load(conn)?
                .iter()
                .map(|r| format!("{r:?}")),
        );
        rows.extend(
            schema::chapters::table
                .order(schema::chapters::id)
                .select(models::Chapter::as_select())
                .load(conn)?
                .iter()
                .map(|r| format!("{r:?}")),
        );
        rows.extend(
            schema::videos::table
                .order(schema::videos::id)
                .select(models::Video::as_select())
                .load(conn)?
                .iter()
                .map(|r| format!("{r:?}")),
        );
        rows.extend(
            schema::uploads::table
                .order(schema::uploads::id)
                .select(models::Upload::as_select())
                .load(conn)?
                .iter()
                .map(|r| format!("{r:?}")),
        );
        Ok(rows)
    })
    .await
    .expect("rows read");
    let served = client
        .get(app.url(&format!("/media/{}?exp={}&sig={}", t.video, t.exp, t.sig)))
        .send()
        .await
        .expect("sent");
    assert_eq!(served.status(), 200);
    let served = served.bytes().await.expect("body");
    let mut listed: serde_json::Value = client
        .get(app.url(&format!("/api/chapters/{}/videos", t.chapter)))
        .send()
        .await
        .expect("sent")
        .json()
        .await
        .expect("json");
    // Display URLs are re-signed on every read; the rest of each video must stay the same.
    for video in listed.as_array_mut().expect("list") {
        video["display_url"] = serde_json::Value::Null;
    }
    let courses = app.get_json(client, "/api/courses").await;
    Stored {
        rows,
        files: stored_files(&app.data_dir.join("media")),
        served_sha256: sha256(&served),
        listed,
        courses,
    }
}

async fn arrange(app: &TestApp, client: &Client) -> Targets {
    app.instructor("ada@example.com").await;
    let res = app.login(client, "ada@example.com", PASSWORD).await;
    assert_eq!(res.status(), 200, "the one sign-in of the table");
    let course = app
        .course("ada@example.com", "Course", &["One", "Two"])
        .await;
    let chapter = course.chapters[0].id.clone();

    let clip = fixture("clip.mp4");
    let finished = app
        .create_upload(client, &chapter, "clip.mp4", clip.len())
        .await;
    let res = app.patch(client, &finished.location, 0, clip).await;
    assert_eq!(res.status(), 204);
    let video = app.settled_video(client, &finished.video_id).await;
    assert_eq!(video["status"], "ready", "{video}");
    let display_url = video["display_url"].as_str().expect("display url");
    let query = display_url.split_once('?').expect("query").1;
    let param = |name: &str| {
        query
            .split('&')
            .find_map(|p| p.strip_prefix(&format!("{name}=")))
            .expect("param")
            .to_string()
    };
    let upload = app.create_upload(client, &chapter, "draft.mp4", 4096).await;

    // Another instructor's chapter and unfinished upload, made without a second sign-in.
    let eve = app.instructor("eve@example.com").await;
    let eve_course = app.course("eve@example.com", "Eve's", &["Hers"]).await;
    let (eve_upload, eve_video) = reel::services::uploads::create(
        &app.state.uploads(),
        &reel::services::audit::Origin::default(),
        reel::services::uploads::NewUpload {
            instructor_id: eve.id,
            chapter_id: eve_course.chapters[0].id.clone(),
            length: 4096,
            metadata_raw: String::new(),
            filename: "hers.mp4".into(),
            filetype: "video/mp4".into(),
            title: None,
        },
    )
    .await
    .expect("eve's upload");

    let last_segment = |location: &str| location.rsplit('/').next().expect("id").to_string();
    Targets {
        chapter,
        other_chapter: eve_course.chapters[0].id.clone(),
        video: finished.video_id,
        exp: param("exp"),
        sig: param("sig"),
        finished_upload: last_segment(&finished.location),
        upload: last_segment(&upload.location),
        other_video: eve_video.id,
        other_upload: eve_upload.id,
    }
}

/// Sends a case; `Err` says how the connection failed.
async fn send(
    app: &TestApp,
    signed_in: &Client,
    anonymous: &Client,
    case: &Case,
) -> Result<reqwest::Response, String> {
    let client = if case.signed_in { signed_in } else { anonymous };
    let mut req = client.request(case.method.clone(), app.url(&case.path));
    for (name, value) in &case.headers {
        req = req.header(
            HeaderName::from_bytes(name.as_bytes()).expect("header name"),
            HeaderValue::from_bytes(value).expect("header value"),
        );
    }
    if let Some(body) = &case.body {
        req = req.body(body.clone());
    }
    req.send()
        .await
        .map_err(|e| format!("the connection failed: {e:?}"))
}

/// Whether the answer is a refusal of the kind the case needs; `Err` says what it was instead.
async fn refused(case: &Case, res: reqwest::Response) -> Result<(), String> {
    let status = res.status().as_u16();
    let content_type = res
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let body = res
        .bytes()
        .await
        .map_err(|e| format!("{status}, then the body broke off: {e:?}"))?;
    let text = String::from_utf8_lossy(&body);
    if !(400..500).contains(&status) {
        return Err(format!("expected a 4xx, got {status}: {text}"));
    }
    if case.answer == Answer::Bare {
        return Ok(());
    }
    if !content_type.starts_with("application/json") {
        return Err(format!("{status} came as `{content_type}`: {text}"));
    }
    let json: serde_json::Value = serde_json::from_slice(&body)
        .map_err(|e| format!("{status} body is not JSON ({e}): {text}"))?;
    for field in ["code", "message"] {
        if json[field].as_str().is_none_or(str::is_empty) {
            return Err(format!("{status} body lacks a `{field}`: {text}"));
        }
    }
    Ok(())
}

#[actix_web::test]
async fn every_malformed_request_is_a_4xx_and_changes_nothing() {
    // Arrange
    let app = spawn_app().await;
    let signed_in = client(true);
    let anonymous = client(false);
    let targets = arrange(&app, &signed_in).await;
    let before = snapshot(&app, &signed_in, &targets).await;
    let table = cases::all(&targets);
    assert!(table.len() >= 80, "only {} cases", table.len());

    // Act: every case, collecting what went wrong so one run shows all of it.
    let mut wrong = Vec::new();
    for case in &table {
        let outcome = match send(&app, &signed_in, &anonymous, case).await {
            Ok(res) => refused(case, res).await,
            Err(e) => Err(e),
        };
        if let Err(e) = outcome {
            wrong.push(format!("{}: {e}", case.name));
        }
    }

    // Assert: each was refused, the server still answers normally, and nothing stored changed.
    assert!(
        wrong.is_empty(),
        "{} cases went wrong:\n{}",
        wrong.len(),
        wrong.join("\n")
    );

    let health = anonymous
        .get(app.url("/healthz"))
        .send()
        .await
        .expect("sent");
    assert_eq!(health.status(), 200);
    let offset = app
        .head_offset(&signed_in, &format!("/api/uploads/{}", targets.upload))
        .await;
    assert_eq!(offset.status(), 200);
    assert_eq!(offset.headers()["upload-offset"], "0");
    let after = snapshot(&app, &signed_in, &targets).await;
    let changed = |a: &[String], b: &[String]| {
        a.iter()
            .filter(|row| !b.contains(row))
            .cloned()
            .collect::<Vec<_>>()
    };
    let (gone, new) = (
        changed(&before.rows, &after.rows),
        changed(&after.rows, &before.rows),
    );
    assert!(
        gone.is_empty() && new.is_empty(),
        "database rows changed\nbefore: {gone:#?}\nafter: {new:#?}"
    );
    assert_eq!(before.files, after.files, "stored files changed");
    assert_eq!(before, after, "what the instructor sees changed");
    println!(
        "bad-input table: {} malformed requests, every one answered with a 4xx",
        table.len()
    );
}

#[actix_web::test]
async fn a_creation_whose_first_chunk_fails_leaves_no_upload_behind() {
    // Arrange
    let app = spawn_app().await;
    let (client, chapter) = app.instructor_with_chapter("ada@example.com").await;

    // Act: the first bytes of a real video ride along with the creation, with a checksum they
    // do not match.
    let res = client
        .post(app.url("/api/uploads"))
        .header("Tus-Resumable", "1.0.0")
        .header("Upload-Length", "4096")
        .header(
            "Upload-Metadata",
            crate::support::metadata(&[("filename", "a.mp4"), ("chapter_id", &chapter)]),
        )
        .header("Content-Type", "application/offset+octet-stream")
        .header("Upload-Checksum", "sha1 AAAAAAAAAAAAAAAAAAAAAAAAAAA=")
        .body(fixture("clip.mp4")[..100].to_vec())
        .send()
        .await
        .expect("sent");

    // Assert: refused, and nothing the instructor could never resume or end is left over.
    assert_eq!(res.status(), 460);
    assert!(!res.headers().contains_key("location"));
    let listed = app.chapter_videos(&client, &chapter).await;
    assert!(listed.is_empty(), "{listed:?}");
    assert_eq!(app.stored_files(), 0);
    assert!(app.audited("upload.terminated", Some("success")).await);
}
