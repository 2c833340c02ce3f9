//! Ending an upload while a PATCH is still sending to it: termination pre-empts the PATCH
//! instead of answering 423, and a delete stops the upload so that the last byte can never
//! bring the video back.

use crate::helpers::TestApp;
use crate::tus::fixture;
use std::time::{Duration, Instant};

/// A real MP4 padded to `len` bytes, sent in 64 KiB pieces every 20 ms (about 3 MiB/s).
fn slow_body(len: usize) -> (Vec<u8>, reqwest::Body) {
    let mut data = fixture("clip.mp4");
    let pad = len - data.len();
    data.extend_from_slice(&u32::try_from(pad).expect("fits").to_be_bytes());
    data.extend_from_slice(b"free");
    data.resize(len, 7);
    let copy = data.clone();
    let pieces = futures_util::stream::unfold(0usize, move |at| {
        let data = copy.clone();
        async move {
            if at >= data.len() {
                return None;
            }
            actix_web::rt::time::sleep(Duration::from_millis(20)).await;
            let end = (at + (64 << 10)).min(data.len());
            Some((
                Ok::<_, std::io::Error>(bytes::Bytes::copy_from_slice(&data[at..end])),
                end,
            ))
        }
    });
    (data, reqwest::Body::wrap_stream(pieces))
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
    let app = crate::helpers::spawn_app().await;
    let (client, chapter) = app.instructor_with_chapter("ada@example.com").await;
    let (data, body) = slow_body(8 << 20);
    let created = app
        .create_upload(&client, &chapter, "lecture.mp4", data.len())
        .await;
    let patch = {
        let (client, url) = (client.clone(), app.url(&created.location));
        actix_web::rt::spawn(async move {
            client
                .patch(url)
                .header("Tus-Resumable", "1.0.0")
                .header("Upload-Offset", "0")
                .header("Content-Type", "application/offset+octet-stream")
                .body(body)
                .send()
                .await
                .map(|r| r.status().as_u16())
        })
    };
    actix_web::rt::time::sleep(Duration::from_millis(400)).await;

    let started = Instant::now();
    let res = client
        .delete(app.url(&created.location))
        .header("Tus-Resumable", "1.0.0")
        .send()
        .await
        .expect("sent");

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
    let app = crate::helpers::spawn_app().await;
    let (client, chapter) = app.instructor_with_chapter("ada@example.com").await;
    let (data, body) = slow_body(4 << 20);
    let created = app
        .create_upload(&client, &chapter, "lecture.mp4", data.len())
        .await;
    let patch = {
        let (client, url) = (client.clone(), app.url(&created.location));
        actix_web::rt::spawn(async move {
            client
                .patch(url)
                .header("Tus-Resumable", "1.0.0")
                .header("Upload-Offset", "0")
                .header("Content-Type", "application/offset+octet-stream")
                .body(body)
                .send()
                .await
                .map(|r| r.status().as_u16())
        })
    };
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
    let list: Vec<serde_json::Value> = client
        .get(app.url(&format!("/api/chapters/{chapter}/videos")))
        .send()
        .await
        .expect("sent")
        .json()
        .await
        .expect("json");
    assert!(list.iter().all(|v| v["id"] != created.video_id.as_str()));
}
