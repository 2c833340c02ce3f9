//! Ending an upload while a PATCH is still sending to it: termination pre-empts the PATCH
//! instead of answering 423, and a delete stops the upload so that the last byte can never
//! bring the video back.

use crate::support::Reel;
use crate::support::TestApp;
use crate::support::{paced_body, padded_mp4};
use std::sync::atomic::AtomicU64;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A real MP4 of `len` bytes, and a body sending it in 64 KiB pieces every 20 ms (3 MiB/s).
fn slow_body(len: usize) -> (Vec<u8>, reqwest::Body) {
    let data = Arc::new(padded_mp4(len, |_| 7));
    let sent = Arc::new(AtomicU64::new(0));
    let body = paced_body(data.clone(), 0, 64 << 10, Duration::from_millis(20), sent);
    (data.to_vec(), body)
}

/// Starts a PATCH of `body` at offset 0 in the background; resolves to its status.
fn spawn_patch(
    app: &TestApp,
    client: &reqwest::Client,
    location: &str,
    body: reqwest::Body,
) -> actix_web::rt::task::JoinHandle<Result<u16, reqwest::Error>> {
    let request = client
        .patch(app.url(location))
        .header("Tus-Resumable", "1.0.0")
        .header("Upload-Offset", "0")
        .header("Content-Type", "application/offset+octet-stream")
        .body(body);
    actix_web::rt::spawn(async move { request.send().await.map(|r| r.status().as_u16()) })
}

async fn status_of(app: &TestApp, client: &reqwest::Client, id: &str) -> u16 {
    client
        .get(app.url(&format!("/api/videos/{id}")))
        .send()
        .await
        .expect("sent")
        .status()
        .as_u16()
}

#[actix_web::test]
async fn terminating_an_upload_mid_patch_stops_the_patch_instead_of_answering_423() {
    let app = crate::support::spawn_app().await;
    let (client, chapter) = app.instructor_with_chapter("ada@example.com").await;
    let (data, body) = slow_body(8 << 20);
    let created = app
        .create_upload(&client, &chapter, "lecture.mp4", data.len())
        .await;
    let patch = spawn_patch(&app, &client, &created.location, body);
    actix_web::rt::time::sleep(Duration::from_millis(400)).await;

    let started = Instant::now();
    let res = app.terminate(&client, &created.location).await;

    assert_eq!(res.status(), 204);
    // The PATCH ends now, not when its ~3 s body would have.
    let patched = tokio::time::timeout(Duration::from_secs(2), patch).await;
    assert!(patched.is_ok(), "the PATCH kept going after termination");
    assert!(started.elapsed() < Duration::from_secs(2));
    let head = app.head_offset(&client, &created.location).await;
    assert_eq!(head.status(), 404);
    assert_eq!(status_of(&app, &client, &created.video_id).await, 404);
}

#[actix_web::test]
async fn deleting_a_video_mid_upload_stops_it_and_it_never_comes_back() {
    let app = crate::support::spawn_app().await;
    let (client, chapter) = app.instructor_with_chapter("ada@example.com").await;
    let (data, body) = slow_body(4 << 20);
    let created = app
        .create_upload(&client, &chapter, "lecture.mp4", data.len())
        .await;
    let patch = spawn_patch(&app, &client, &created.location, body);
    actix_web::rt::time::sleep(Duration::from_millis(300)).await;

    let res = client
        .delete(app.url(&format!("/api/videos/{}", created.video_id)))
        .send()
        .await
        .expect("sent");
    assert_eq!(res.status(), 200);

    let _ = tokio::time::timeout(Duration::from_secs(5), patch).await;
    // Give a resurrected video every chance to be processed.
    actix_web::rt::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(status_of(&app, &client, &created.video_id).await, 404);
    let list = app.chapter_videos(&client, &chapter).await;
    assert!(list.iter().all(|v| v["id"] != created.video_id.as_str()));
}
