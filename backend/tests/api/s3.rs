//! S3's own failure modes, survived with nothing lost: Reel reaches moto through a proxy that
//! injects them (`s3_proxy`). In each, the client gets a clear tus status, HEAD reports only
//! bytes that are stored, and resuming gives the byte-identical video.

use crate::s3_proxy::{Fault, Proxy};
use crate::support::{assert_error, spawn_app_with, TestApp, PASSWORD};
use crate::support::{padded_mp4, sha256};
use crate::support::{Reel, Server};
use reel::config::StorageKind;
use reel::services::storage::s3::testing;
use reel::services::storage::S3Settings;
use std::time::Duration;

const MIB: usize = 1 << 20;
const INTERNAL: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>InternalError</Code><Message>We encountered an internal error. Please try again.</Message></Error>";
const SLOW_DOWN: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>";

/// An app keeping its videos in a fresh bucket on moto, reached through a fault proxy.
async fn app_behind_proxy(timeout_secs: u64) -> (TestApp, Proxy, S3Settings) {
    let server = testing::server("moto");
    let settings = testing::fresh_bucket(&server, &std::env::temp_dir());
    let proxy = Proxy::start(&server.endpoint);
    let (bucket, url) = (settings.bucket.clone(), proxy.url.clone());
    let app = spawn_app_with(move |c| {
        c.storage = StorageKind::S3;
        c.s3_bucket = Some(bucket);
        c.s3_endpoint = Some(url);
        c.s3_prefix = "reel/".into();
        c.s3_timeout_secs = timeout_secs;
    })
    .await;
    (app, proxy, settings)
}

fn video_bytes(len: usize) -> Vec<u8> {
    padded_mp4(len, |i| (i.wrapping_mul(31) >> 3) as u8)
}

/// Status, headers and body, to search for leaks.
async fn described(res: reqwest::Response) -> String {
    let head = format!("{} {:?}", res.status(), res.headers());
    format!("{head} {}", res.text().await.unwrap_or_default())
}

fn offset_of(res: &reqwest::Response) -> usize {
    res.headers()["upload-offset"]
        .to_str()
        .expect("ascii")
        .parse()
        .expect("number")
}

#[actix_web::test]
async fn an_upload_part_answered_with_500_or_slowdown_is_retried_and_the_upload_succeeds() {
    let (app, proxy, _) = app_behind_proxy(10).await;
    let (client, chapter) = app.instructor_with_chapter("ada@example.com").await;
    proxy.inject(&["PUT", "partNumber=1"], Fault::Respond(500, INTERNAL), 1);
    proxy.inject(&["PUT", "partNumber=2"], Fault::Respond(503, SLOW_DOWN), 1);
    let data = video_bytes(12 * MIB);
    let video = app
        .upload(&client, &chapter, "lecture.mp4", &data, data.len())
        .await;
    assert_eq!(proxy.hits.load(std::sync::atomic::Ordering::SeqCst), 2);
    assert_eq!(
        sha256(&app.served_bytes(&client, &video).await),
        sha256(&data)
    );
}

#[actix_web::test]
async fn s3_unreachable_mid_patch_is_a_503_and_the_upload_resumes_from_what_is_stored() {
    let (app, proxy, _) = app_behind_proxy(10).await;
    let (client, chapter) = app.instructor_with_chapter("ada@example.com").await;
    let data = video_bytes(12 * MIB);
    let created = app
        .create_upload(&client, &chapter, "lecture.mp4", data.len())
        .await;

    // Every attempt at part 2 is cut after 1 MiB: part 1 is stored, nothing after it.
    proxy.inject(&["PUT", "partNumber=2"], Fault::ResetAfter(MIB), 1000);
    let res = app.patch(&client, &created.location, 0, data.clone()).await;
    assert_error(res, 503, "unavailable").await;
    let head = app.head_offset(&client, &created.location).await;
    assert_eq!(
        offset_of(&head),
        5 * MIB,
        "HEAD reports the stored part, no more"
    );

    // S3 refuses every connection: still a 503, still nothing lost.
    proxy.heal();
    proxy.inject(&["HTTP/1.1"], Fault::Refuse, 100_000);
    let res = app
        .patch(
            &client,
            &created.location,
            5 * MIB,
            data[5 * MIB..].to_vec(),
        )
        .await;
    assert_error(res, 503, "unavailable").await;
    let head = app.head_offset(&client, &created.location).await;
    assert_eq!(offset_of(&head), 5 * MIB);

    proxy.heal();
    let res = app
        .patch(
            &client,
            &created.location,
            5 * MIB,
            data[5 * MIB..].to_vec(),
        )
        .await;
    assert_eq!(res.status(), 204, "{:?}", res.text().await);
    assert_eq!(
        sha256(&app.served_bytes(&client, &created.video_id).await),
        sha256(&data)
    );
}

#[actix_web::test]
async fn a_completion_that_fails_inside_a_200_is_not_believed() {
    let (app, proxy, _) = app_behind_proxy(10).await;
    let (client, chapter) = app.instructor_with_chapter("ada@example.com").await;
    // CompleteMultipartUpload is the only call here whose query starts with the upload ID.
    proxy.watch("?uploadId=");
    proxy.inject(&["POST", "?uploadId="], Fault::Respond(200, INTERNAL), 1);
    let data = video_bytes(12 * MIB);
    let video = app
        .upload(&client, &chapter, "lecture.mp4", &data, data.len())
        .await;
    let settled = app.settled_video(&client, &video).await;
    assert_eq!(settled["status"], "ready", "{settled}");
    assert_eq!(
        proxy.seen.load(std::sync::atomic::Ordering::SeqCst),
        2,
        "the failed completion was checked with HeadObject and sent again"
    );
    assert_eq!(
        sha256(&app.served_bytes(&client, &video).await),
        sha256(&data)
    );
}

#[actix_web::test]
async fn a_stalled_s3_call_times_out_and_is_retried() {
    let (app, proxy, _) = app_behind_proxy(1).await;
    let (client, chapter) = app.instructor_with_chapter("ada@example.com").await;
    proxy.inject(&["PUT", "partNumber=1"], Fault::Stall, 1);
    let data = video_bytes(6 * MIB);
    let video = app
        .upload(&client, &chapter, "lecture.mp4", &data, data.len())
        .await;
    assert_eq!(proxy.hits.load(std::sync::atomic::Ordering::SeqCst), 1);
    assert_eq!(
        sha256(&app.served_bytes(&client, &video).await),
        sha256(&data)
    );
}

#[actix_web::test]
async fn no_response_names_the_bucket_the_endpoint_the_key_or_s3() {
    let (app, proxy, settings) = app_behind_proxy(2).await;
    let (client, chapter) = app.instructor_with_chapter("ada@example.com").await;
    let data = video_bytes(6 * MIB);
    let mut seen = Vec::new();
    let created = app
        .tus_create(&client, &chapter, "lecture.mp4", data.len())
        .await;
    seen.push(format!("{} {:?}", created.status(), created.headers()));
    let location = created.headers()["location"]
        .to_str()
        .expect("ascii")
        .to_string();
    let video_id = created.headers()["reel-video-id"]
        .to_str()
        .expect("ascii")
        .to_string();
    let res = app.patch(&client, &location, 0, data[..MIB].to_vec()).await;
    seen.push(described(res).await);
    // With S3 down: the errors say what to do, not where S3 is.
    proxy.inject(&["HTTP/1.1"], Fault::Refuse, 100_000);
    let res = app
        .patch(&client, &location, MIB, data[MIB..].to_vec())
        .await;
    assert_eq!(res.status(), 503);
    seen.push(described(res).await);
    proxy.heal();
    let res = app.head_offset(&client, &location).await;
    seen.push(described(res).await);
    let res = app
        .patch(&client, &location, MIB, data[MIB..].to_vec())
        .await;
    seen.push(described(res).await);
    let video = app.settled_video(&client, &video_id).await;
    seen.push(video.to_string());
    let url = video["display_url"].as_str().expect("url").to_string();
    let ranged = |client: &reqwest::Client| {
        client
            .get(app.url(&url))
            .header("Range", "bytes=0-99")
            .send()
    };
    let res = ranged(&client).await.expect("sent");
    assert_eq!(res.status(), 206);
    seen.push(format!("{:?}", res.headers()));
    proxy.inject(&["HTTP/1.1"], Fault::Refuse, 100_000);
    let res = ranged(&client).await.expect("sent");
    assert_eq!(res.status(), 503);
    seen.push(described(res).await);
    proxy.heal();
    let list = app.chapter_videos(&client, &chapter).await;
    seen.push(serde_json::to_string(&list).expect("json"));
    let endpoint = settings.endpoint.clone().unwrap_or_default();
    let proxy_host = proxy.url.trim_start_matches("http://").to_string();
    let forbidden = [
        settings.bucket.as_str(),
        endpoint.trim_start_matches("http://"),
        proxy_host.as_str(),
        &testing::key_id(),
        "x-amz",
        "amazonaws",
        "reel/courses",
        "source.mp4",
        "tmp/tails",
        "s3-spool",
        "uploadId",
        "multipart",
    ];
    for response in &seen {
        for word in forbidden {
            assert!(
                !response.to_lowercase().contains(&word.to_lowercase()),
                "a response shows `{word}`: {response}"
            );
        }
    }
}

#[actix_web::test]
async fn a_server_killed_after_s3_stored_a_part_but_before_it_was_recorded_resumes_byte_for_byte() {
    let root = tempfile::tempdir().expect("tempdir");
    let data_dir = root.path().join("data");
    let server = Server::new(&data_dir);
    let course = server.seed_instructor().await;
    let chapter = course.chapters[0].id.clone();
    let moto = testing::server("moto");
    let settings = testing::fresh_bucket(&moto, root.path());
    let proxy = Proxy::start(&moto.endpoint);
    let mut server = server
        .with_env("REEL_STORAGE", "s3")
        .with_env("REEL_S3_BUCKET", &settings.bucket)
        .with_env("REEL_S3_ENDPOINT", &proxy.url)
        .with_env("REEL_S3_PREFIX", "reel/");
    server.start().await;
    let client = server.signed_in().await;
    let data = video_bytes(12 * MIB);
    let created = server
        .create_upload(&client, &chapter, "lecture.mp4", data.len())
        .await;
    let location = created.location.clone();

    // S3 stores part 2; its answer never reaches Reel, which is killed right then.
    proxy.inject(&["PUT", "partNumber=2"], Fault::SwallowAnswer, 1);
    let request = server
        .patch_request(&client, &location, 0, data.clone())
        .send();
    let in_flight = actix_web::rt::spawn(request);
    for _ in 0..400 {
        if proxy.swallowed.load(std::sync::atomic::Ordering::SeqCst) == 1 {
            break;
        }
        actix_web::rt::time::sleep(Duration::from_millis(25)).await;
    }
    assert_eq!(
        proxy.swallowed.load(std::sync::atomic::Ordering::SeqCst),
        1,
        "S3 stored part 2"
    );
    server.kill();
    let _ = in_flight.await;

    proxy.heal();
    server.start().await;
    let offset = server.offset(&client, &location).await;
    assert_eq!(offset, 5 * MIB as u64, "only the recorded part counts");
    // On PostgreSQL the killed instance's lease outlives it for a lease term: 423 until
    // then, and the client tries again, as tus clients do.
    let mut res;
    let mut tries = 0;
    loop {
        tries += 1;
        res = server
            .patch_request(
                &client,
                &location,
                offset as usize,
                data[offset as usize..].to_vec(),
            )
            .send()
            .await
            .expect("sent");
        if res.status() != 423 || tries == 20 {
            break;
        }
    }
    assert_eq!(res.status(), 204, "{:?}", res.text().await);
    let video = server.settled_video(&client, &created.video_id).await;
    assert_eq!(video["status"], "ready", "{video}");
    let served = client
        .get(server.url(video["display_url"].as_str().expect("url")))
        .send()
        .await
        .expect("sent")
        .bytes()
        .await
        .expect("body");
    assert_eq!(
        sha256(&served),
        sha256(&data),
        "byte-identical after the crash"
    );
}

/// Runs `reel storage migrate --to <to>` on a data directory; returns success and the output.
fn migrate(
    app: &TestApp,
    data_dir: &std::path::Path,
    from: &str,
    to: &str,
    bucket: &str,
    endpoint: &str,
) -> (bool, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_reel"))
        .args(["storage", "migrate", "--to", to])
        .env("REEL_DATA_DIR", data_dir)
        .env("REEL_DATABASE_URL", app.config.effective_database_url())
        .env("REEL_SECRET_KEY", "5e".repeat(32))
        .env("REEL_ALLOW_LOCAL_SHARED", "1")
        .env("REEL_STORAGE", from)
        .env("REEL_S3_BUCKET", bucket)
        .env("REEL_S3_ENDPOINT", endpoint)
        .env("REEL_S3_PREFIX", "reel/")
        .env("REEL_S3_TIMEOUT_SECS", "2")
        .output()
        .expect("reel runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

/// An app on an existing data directory (and the database of `like`, if given), with its
/// videos where `storage` says.
async fn app_on(
    like: Option<&TestApp>,
    data_dir: &std::path::Path,
    storage: StorageKind,
    bucket: &str,
    endpoint: &str,
) -> TestApp {
    let (dir, bucket, endpoint) = (
        data_dir.to_path_buf(),
        bucket.to_string(),
        endpoint.to_string(),
    );
    let adjust = move |c: &mut reel::Config| {
        c.data_dir = dir;
        c.storage = storage;
        c.s3_bucket = Some(bucket);
        c.s3_endpoint = Some(endpoint);
        c.s3_prefix = "reel/".into();
    };
    match like {
        Some(app) => crate::support::spawn_peer(app, adjust).await,
        None => spawn_app_with(adjust).await,
    }
}

#[actix_web::test]
async fn storage_migrate_copies_every_video_to_s3_and_back_verified_and_resumable() {
    let moto = testing::server("moto");
    let root = tempfile::tempdir().expect("tempdir");
    let data_dir = root.path().join("data");
    let settings = testing::fresh_bucket(&moto, root.path());
    let bucket = settings.bucket.clone();
    let local = app_on(None, &data_dir, StorageKind::Local, &bucket, &moto.endpoint).await;
    let (client, chapter) = local.instructor_with_chapter("ada@example.com").await;
    let big = video_bytes(7 * MIB);
    let small = video_bytes(MIB);
    let first = local
        .upload(&client, &chapter, "one.mp4", &big, big.len())
        .await;
    let second = local
        .upload(&client, &chapter, "two.mp4", &small, small.len())
        .await;
    let unfinished = local
        .create_upload(&client, &chapter, "three.mp4", MIB)
        .await;
    // A real clip, which has a poster and a thumbnail strip that go with it.
    let clip_bytes = crate::support::fixture("clip.mp4");
    let clip = local
        .upload(&client, &chapter, "clip.mp4", &clip_bytes, clip_bytes.len())
        .await;
    assert!(local.settled_video(&client, &clip).await["poster_url"].is_string());
    assert_eq!(
        sha256(&local.served_bytes(&client, &first).await),
        sha256(&big)
    );
    assert_eq!(
        sha256(&local.served_bytes(&client, &second).await),
        sha256(&small)
    );

    // Interrupted: S3 refuses everything about the second video.
    let proxy = Proxy::start(&moto.endpoint);
    let needle: &'static str = Box::leak(second.clone().into_boxed_str());
    proxy.inject(&[needle], Fault::Refuse, 100_000);
    let (ok, out) = migrate(&local, &data_dir, "local", "s3", &bucket, &proxy.url);
    assert!(!ok, "the interrupted run fails: {out}");
    proxy.heal();
    let (ok, out) = migrate(&local, &data_dir, "local", "s3", &bucket, &proxy.url);
    assert!(ok, "{out}");
    assert!(
        out.contains("Copied 2 videos, 1 were there already, 1 had nothing finished"),
        "{out}"
    );
    assert!(
        out.contains("REEL_STORAGE=s3"),
        "it says what to change: {out}"
    );

    let on_s3 = app_on(
        Some(&local),
        &data_dir,
        StorageKind::S3,
        &bucket,
        &moto.endpoint,
    )
    .await;
    let client = crate::support::browser();
    assert_eq!(
        on_s3
            .login(&client, "ada@example.com", PASSWORD)
            .await
            .status(),
        200
    );
    assert_eq!(
        sha256(&on_s3.served_bytes(&client, &first).await),
        sha256(&big)
    );
    assert_eq!(
        sha256(&on_s3.served_bytes(&client, &second).await),
        sha256(&small)
    );
    let clip_on_s3 = on_s3.settled_video(&client, &clip).await;
    for picture in ["poster_url", "thumbnails_url"] {
        let url = clip_on_s3[picture]
            .as_str()
            .expect("still has its pictures");
        let res = client.get(on_s3.url(url)).send().await.expect("sent");
        assert_eq!(res.status(), 200, "{picture} is in S3 too");
        assert_eq!(res.headers()["content-type"], "image/jpeg");
    }
    drop(unfinished);

    // And back, onto an empty disk.
    std::fs::remove_dir_all(data_dir.join("media")).expect("remove local copies");
    let (ok, out) = migrate(&local, &data_dir, "s3", "local", &bucket, &moto.endpoint);
    assert!(ok, "{out}");
    assert!(out.contains("Copied 3 videos"), "{out}");
    let back = app_on(
        Some(&local),
        &data_dir,
        StorageKind::Local,
        &bucket,
        &moto.endpoint,
    )
    .await;
    let client = crate::support::browser();
    assert_eq!(
        back.login(&client, "ada@example.com", PASSWORD)
            .await
            .status(),
        200
    );
    assert_eq!(
        sha256(&back.served_bytes(&client, &first).await),
        sha256(&big)
    );
    assert_eq!(
        sha256(&back.served_bytes(&client, &second).await),
        sha256(&small)
    );
}

/// `reel serve` with these S3 settings: it must stop with a message, not start or panic.
fn serve_refuses(envs: &[(&str, &str)]) -> String {
    let root = tempfile::tempdir().expect("tempdir");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_reel"))
        .arg("serve")
        .env("REEL_DATA_DIR", root.path())
        .env("REEL_BIND", "127.0.0.1:0")
        .env("REEL_STORAGE", "s3")
        .envs(envs.iter().copied())
        .output()
        .expect("reel runs");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!out.status.success(), "it must not start: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    stderr
}

#[actix_web::test]
async fn a_missing_bucket_or_refused_credentials_stop_the_start_with_the_setting_to_fix() {
    let err = serve_refuses(&[]);
    assert!(err.contains("REEL_S3_BUCKET"), "{err}");
    let moto = testing::server("moto");
    let err = serve_refuses(&[
        ("REEL_S3_BUCKET", "no-such-bucket-here"),
        ("REEL_S3_ENDPOINT", &moto.endpoint),
    ]);
    assert!(
        err.contains("REEL_S3_BUCKET") && err.contains("does not exist"),
        "{err}"
    );
    // s3s-fs checks the keys.
    let s3s = testing::server("s3s");
    let settings = testing::fresh_bucket(&s3s, &std::env::temp_dir());
    let err = serve_refuses(&[
        ("REEL_S3_BUCKET", &settings.bucket),
        ("REEL_S3_ENDPOINT", &s3s.endpoint),
        ("AWS_SECRET_ACCESS_KEY", "wrong"),
    ]);
    assert!(err.contains("AWS_SECRET_ACCESS_KEY"), "{err}");
    let err = serve_refuses(&[("REEL_S3_BUCKET", "b"), ("REEL_S3_ENDPOINT", "ftp://x")]);
    assert!(err.contains("REEL_S3_ENDPOINT"), "{err}");
}

#[actix_web::test]
async fn an_offset_left_behind_the_recorded_parts_catches_up_on_the_next_head() {
    let (app, _proxy, _) = app_behind_proxy(10).await;
    let (client, chapter) = app.instructor_with_chapter("ada@example.com").await;
    let data = video_bytes(12 * MIB);
    let created = app
        .create_upload(&client, &chapter, "lecture.mp4", data.len())
        .await;
    let res = app
        .patch(&client, &created.location, 0, data[..6 * MIB].to_vec())
        .await;
    assert_eq!(res.status(), 204);
    // A crash between S3's record (part 1, a 1 MiB tail) and the upload's own: the upload
    // row says less than S3 holds.
    let upload_id = created.location.rsplit('/').next().expect("id").to_string();
    {
        use diesel::prelude::*;
        use reel::db::schema::uploads;
        let mut conn = app.pool.get().expect("connection");
        diesel::update(uploads::table.find(&upload_id))
            .set(uploads::upload_offset.eq(3 * MIB as i64))
            .execute(&mut **conn)
            .expect("set back");
    }
    let res = app.head_offset(&client, &created.location).await;
    assert_eq!(offset_of(&res), 6 * MIB, "HEAD reports what S3 holds");
    let res = app
        .patch(
            &client,
            &created.location,
            6 * MIB,
            data[6 * MIB..].to_vec(),
        )
        .await;
    assert_eq!(res.status(), 204, "{:?}", res.text().await);
    assert_eq!(
        sha256(&app.served_bytes(&client, &created.video_id).await),
        sha256(&data)
    );
}
