//! tus 1.0.0: every status code the spec names, checksums, expiry, termination, resume,
//! concurrency, and what happens to files that are not (whole) videos.

use crate::support::Reel;
use crate::support::{assert_error, browser, spawn_app, spawn_app_with};
use crate::support::{fixture, metadata, sha256};
use bytes::Bytes;
use std::time::Duration;

#[actix_web::test]
async fn options_announces_the_protocol_without_a_session() {
    let app = spawn_app().await;
    let res = reqwest::Client::new()
        .request(reqwest::Method::OPTIONS, app.url("/api/uploads"))
        .send()
        .await
        .expect("sent");
    assert_eq!(res.status(), 204);
    let h = res.headers();
    assert_eq!(h["tus-version"], "1.0.0");
    assert_eq!(h["tus-resumable"], "1.0.0");
    assert_eq!(h["tus-max-size"], (10u64 << 30).to_string().as_str());
    let ext = h["tus-extension"].to_str().expect("ascii");
    for e in [
        "creation",
        "creation-with-upload",
        "termination",
        "checksum",
        "expiration",
    ] {
        assert!(ext.split(',').any(|x| x == e), "missing {e} in {ext}");
    }
    assert_eq!(h["tus-checksum-algorithm"], "sha1,sha256,md5");
}

#[actix_web::test]
async fn creation_answers_201_with_location_video_id_and_expiry() {
    let app = spawn_app().await;
    let (client, chapter) = app.instructor_with_chapter("ada@example.com").await;
    let res = app.tus_create(&client, &chapter, "lecture.mp4", 1000).await;
    assert_eq!(res.status(), 201);
    let h = res.headers();
    assert!(h["location"]
        .to_str()
        .expect("ascii")
        .starts_with("/api/uploads/"));
    assert!(
        h["location"].len() > "/api/uploads/".len() + 40,
        "upload IDs are long and random"
    );
    assert!(h.contains_key("reel-video-id"));
    assert!(h["upload-expires"]
        .to_str()
        .expect("ascii")
        .ends_with("GMT"));
    assert_eq!(h["tus-resumable"], "1.0.0");
    let events = app.audit_events().await;
    assert!(events
        .iter()
        .any(|e| e.action == "upload.created" && e.outcome == "success"));
}

#[actix_web::test]
async fn creation_needs_a_session() {
    let app = spawn_app().await;
    let res = app.tus_create(&browser(), "any", "a.mp4", 10).await;
    assert_error(res, 401, "unauthenticated").await;
}

#[actix_web::test]
async fn an_unsupported_tus_version_is_412_with_the_supported_one() {
    let app = spawn_app().await;
    let (client, chapter) = app.instructor_with_chapter("ada@example.com").await;
    let res = client
        .post(app.url("/api/uploads"))
        .header("Tus-Resumable", "0.2.2")
        .header("Upload-Length", "10")
        .header(
            "Upload-Metadata",
            metadata(&[("filename", "a.mp4"), ("chapter_id", &chapter)]),
        )
        .send()
        .await
        .expect("sent");
    assert_eq!(res.headers()["tus-version"], "1.0.0");
    assert_error(res, 412, "tus_version_unsupported").await;
}

#[actix_web::test]
async fn an_upload_over_the_maximum_is_413_before_any_byte() {
    let app = spawn_app_with(|c| c.max_upload_bytes = 1000).await;
    let (client, chapter) = app.instructor_with_chapter("ada@example.com").await;
    let res = app.tus_create(&client, &chapter, "big.mp4", 1001).await;
    let message = assert_error(res, 413, "upload_too_large").await;
    assert!(message.contains("1000 bytes"), "{message}");
}

#[actix_web::test]
async fn a_file_that_is_not_a_video_kind_is_refused_at_creation() {
    let app = spawn_app().await;
    let (client, chapter) = app.instructor_with_chapter("ada@example.com").await;
    let res = client
        .post(app.url("/api/uploads"))
        .header("Tus-Resumable", "1.0.0")
        .header("Upload-Length", "10")
        .header(
            "Upload-Metadata",
            metadata(&[
                ("filename", "notes.txt"),
                ("filetype", "text/plain"),
                ("chapter_id", &chapter),
            ]),
        )
        .send()
        .await
        .expect("sent");
    let message = assert_error(res, 415, "unsupported_file_type").await;
    assert!(
        message.contains("notes.txt") && message.contains("MP4"),
        "{message}"
    );
}

#[actix_web::test]
async fn missing_metadata_or_length_is_invalid_input() {
    let app = spawn_app().await;
    let (client, chapter) = app.instructor_with_chapter("ada@example.com").await;
    let no_chapter = client
        .post(app.url("/api/uploads"))
        .header("Tus-Resumable", "1.0.0")
        .header("Upload-Length", "10")
        .header("Upload-Metadata", metadata(&[("filename", "a.mp4")]))
        .send()
        .await
        .expect("sent");
    assert!(assert_error(no_chapter, 400, "invalid_input")
        .await
        .contains("chapter_id"));
    let no_length = client
        .post(app.url("/api/uploads"))
        .header("Tus-Resumable", "1.0.0")
        .header(
            "Upload-Metadata",
            metadata(&[("filename", "a.mp4"), ("chapter_id", &chapter)]),
        )
        .send()
        .await
        .expect("sent");
    assert_error(no_length, 400, "invalid_input").await;
    let bad_metadata = client
        .post(app.url("/api/uploads"))
        .header("Tus-Resumable", "1.0.0")
        .header("Upload-Length", "10")
        .header("Upload-Metadata", "filename !!!notbase64")
        .send()
        .await
        .expect("sent");
    assert_error(bad_metadata, 400, "invalid_input").await;
}

#[actix_web::test]
async fn uploading_into_another_instructors_chapter_is_not_found_and_audited() {
    let app = spawn_app().await;
    let (_, bobs_chapter) = app.instructor_with_chapter("bob@example.com").await;
    let ada = app.signed_in("ada@example.com").await;
    let res = app.tus_create(&ada, &bobs_chapter, "a.mp4", 10).await;
    assert_error(res, 404, "not_found").await;
    let events = app.audit_events().await;
    assert!(events
        .iter()
        .any(|e| e.action == "upload.create" && e.outcome == "denied"));
}

#[actix_web::test]
async fn a_chunked_upload_becomes_a_ready_video_with_its_metadata() {
    let app = spawn_app().await;
    let (client, chapter) = app.instructor_with_chapter("ada@example.com").await;
    let data = fixture("clip.mp4");

    let video_id = app
        .upload(&client, &chapter, "Lecture 1.mp4", &data, 4096)
        .await;
    let video = app.settled_video(&client, &video_id).await;

    assert_eq!(video["status"], "ready", "{video}");
    assert_eq!(video["title"], "Lecture 1");
    assert_eq!(video["duration_ms"], 2000);
    assert_eq!(video["width"], 320);
    assert_eq!(video["height"], 180);
    assert_eq!(video["size_bytes"], data.len());
    let url = video["display_url"].as_str().expect("display url");
    let served = client
        .get(app.url(url))
        .send()
        .await
        .expect("sent")
        .bytes()
        .await
        .expect("body");
    assert_eq!(sha256(&served), sha256(&data));
    let listed = app.chapter_videos(&client, &chapter).await;
    assert_eq!(listed.len(), 1);
    let events = app.audit_events().await;
    assert!(events
        .iter()
        .any(|e| e.action == "upload.completed" && e.details.contains(&sha256(&data))));
}

#[actix_web::test]
async fn webm_and_mov_files_are_accepted_too() {
    let app = spawn_app().await;
    let (client, chapter) = app.instructor_with_chapter("ada@example.com").await;
    for (name, width, duration) in [("clip.webm", 320, 2000), ("clip.mov", 160, 1000)] {
        let id = app
            .upload(&client, &chapter, name, &fixture(name), 1 << 20)
            .await;
        let video = app.settled_video(&client, &id).await;
        assert_eq!(video["status"], "ready", "{name}: {video}");
        assert_eq!(video["width"], width, "{name}");
        assert_eq!(video["duration_ms"], duration, "{name}");
    }
}

#[actix_web::test]
async fn creation_with_upload_stores_the_first_chunk() {
    let app = spawn_app().await;
    let (client, chapter) = app.instructor_with_chapter("ada@example.com").await;
    let data = fixture("clip.mp4");
    let res = client
        .post(app.url("/api/uploads"))
        .header("Tus-Resumable", "1.0.0")
        .header("Upload-Length", data.len().to_string())
        .header(
            "Upload-Metadata",
            metadata(&[("filename", "a.mp4"), ("chapter_id", &chapter)]),
        )
        .header("Content-Type", "application/offset+octet-stream")
        .body(data[..5000].to_vec())
        .send()
        .await
        .expect("sent");
    assert_eq!(res.status(), 201);
    assert_eq!(res.headers()["upload-offset"], "5000");
    let location = res.headers()["location"]
        .to_str()
        .expect("ascii")
        .to_string();
    assert_eq!(
        app.patch(&client, &location, 5000, data[5000..].to_vec())
            .await
            .status(),
        204
    );
}

#[actix_web::test]
async fn a_wrong_offset_is_409_and_a_wrong_content_type_is_415() {
    let app = spawn_app().await;
    let (client, chapter) = app.instructor_with_chapter("ada@example.com").await;
    let created = app.create_upload(&client, &chapter, "a.mp4", 100).await;
    let res = app
        .patch(&client, &created.location, 10, vec![0u8; 5])
        .await;
    assert_eq!(res.headers()["tus-resumable"], "1.0.0");
    assert_error(res, 409, "offset_mismatch").await;
    let res = client
        .patch(app.url(&created.location))
        .header("Tus-Resumable", "1.0.0")
        .header("Upload-Offset", "0")
        .header("Content-Type", "application/octet-stream")
        .body(vec![0u8; 5])
        .send()
        .await
        .expect("sent");
    assert_error(res, 415, "unsupported_media_type").await;
}

#[actix_web::test]
async fn more_bytes_than_declared_is_413_and_nothing_is_kept() {
    let app = spawn_app().await;
    let (client, chapter) = app.instructor_with_chapter("ada@example.com").await;
    let data = fixture("clip.mp4");
    let created = app.create_upload(&client, &chapter, "a.mp4", 100).await;
    let res = app
        .patch(&client, &created.location, 0, data[..200].to_vec())
        .await;
    assert_error(res, 413, "upload_too_large").await;
    let head = app.head_offset(&client, &created.location).await;
    assert_eq!(head.headers()["upload-offset"], "0");
}

async fn patch_with_checksum(
    app: &crate::support::TestApp,
    client: &reqwest::Client,
    location: &str,
    offset: usize,
    body: &[u8],
    checksum: &str,
) -> reqwest::Response {
    client
        .patch(app.url(location))
        .header("Tus-Resumable", "1.0.0")
        .header("Upload-Offset", offset.to_string())
        .header("Content-Type", "application/offset+octet-stream")
        .header("Upload-Checksum", checksum)
        .body(body.to_vec())
        .send()
        .await
        .expect("sent")
}

#[actix_web::test]
async fn checksums_in_sha1_sha256_and_md5_are_verified() {
    use base64::engine::general_purpose::STANDARD;
    use base64::Engine;
    use sha2::Digest;
    let app = spawn_app().await;
    let (client, chapter) = app.instructor_with_chapter("ada@example.com").await;
    let data = fixture("clip.mp4");
    let created = app
        .create_upload(&client, &chapter, "a.mp4", data.len())
        .await;
    let parts = [&data[..1000], &data[1000..2000], &data[2000..]];
    let sums = [
        format!("sha1 {}", STANDARD.encode(sha1::Sha1::digest(parts[0]))),
        format!("sha256 {}", STANDARD.encode(sha2::Sha256::digest(parts[1]))),
        format!("md5 {}", STANDARD.encode(md5::Md5::digest(parts[2]))),
    ];
    let mut offset = 0;
    for (part, sum) in parts.iter().zip(sums) {
        let res = patch_with_checksum(&app, &client, &created.location, offset, part, &sum).await;
        assert_eq!(res.status(), 204, "{sum}");
        offset += part.len();
    }
    assert_eq!(
        app.settled_video(&client, &created.video_id).await["status"],
        "ready"
    );
}

#[actix_web::test]
async fn a_checksum_mismatch_is_460_and_the_chunk_is_discarded() {
    use base64::engine::general_purpose::STANDARD;
    use base64::Engine;
    use sha2::Digest;
    let app = spawn_app().await;
    let (client, chapter) = app.instructor_with_chapter("ada@example.com").await;
    let data = fixture("clip.mp4");
    let created = app
        .create_upload(&client, &chapter, "a.mp4", data.len())
        .await;
    assert_eq!(
        app.patch(&client, &created.location, 0, data[..1000].to_vec())
            .await
            .status(),
        204
    );

    let wrong = format!(
        "sha256 {}",
        STANDARD.encode(sha2::Sha256::digest(b"something else"))
    );
    let res = patch_with_checksum(
        &app,
        &client,
        &created.location,
        1000,
        &data[1000..3000],
        &wrong,
    )
    .await;
    assert_error(res, 460, "checksum_mismatch").await;

    let head = app.head_offset(&client, &created.location).await;
    assert_eq!(head.headers()["upload-offset"], "1000", "offset unchanged");
    // The discarded bytes really are gone: resuming from 1000 yields the exact file.
    assert_eq!(
        app.patch(&client, &created.location, 1000, data[1000..].to_vec())
            .await
            .status(),
        204
    );
    let served = app.served_bytes(&client, &created.video_id).await;
    assert_eq!(sha256(&served), sha256(&data));
}

#[actix_web::test]
async fn an_unknown_checksum_algorithm_is_400() {
    let app = spawn_app().await;
    let (client, chapter) = app.instructor_with_chapter("ada@example.com").await;
    let created = app.create_upload(&client, &chapter, "a.mp4", 100).await;
    let res = patch_with_checksum(&app, &client, &created.location, 0, b"abc", "crc32 AAAA").await;
    assert_error(res, 400, "checksum_algorithm_unsupported").await;
}

#[actix_web::test]
async fn unknown_and_foreign_uploads_are_404() {
    let app = spawn_app().await;
    let (bob, chapter) = app.instructor_with_chapter("bob@example.com").await;
    let created = app.create_upload(&bob, &chapter, "a.mp4", 100).await;
    let ada = app.signed_in("ada@example.com").await;
    assert_eq!(
        app.head_offset(&ada, "/api/uploads/nope").await.status(),
        404
    );
    assert_eq!(app.head_offset(&ada, &created.location).await.status(), 404);
    let res = app.patch(&ada, &created.location, 0, vec![1u8; 10]).await;
    assert_error(res, 404, "not_found").await;
    let events = app.audit_events().await;
    assert!(events
        .iter()
        .any(|e| e.action == "upload.access" && e.outcome == "denied"));
}

#[actix_web::test]
async fn termination_removes_bytes_and_upload_and_cancels_the_video() {
    let app = spawn_app().await;
    let (client, chapter) = app.instructor_with_chapter("ada@example.com").await;
    let data = fixture("clip.mp4");
    let created = app
        .create_upload(&client, &chapter, "a.mp4", data.len())
        .await;
    app.patch(&client, &created.location, 0, data[..5000].to_vec())
        .await;
    let partial_files = app.stored_files();
    assert_eq!(partial_files, 1);

    let res = app.terminate(&client, &created.location).await;

    assert_eq!(res.status(), 204);
    assert_eq!(app.stored_files(), 0);
    assert_eq!(
        app.head_offset(&client, &created.location).await.status(),
        404
    );
    let video = client
        .get(app.url(&format!("/api/videos/{}", created.video_id)))
        .send()
        .await
        .expect("sent");
    assert_eq!(video.status(), 404);
    assert!(app.audited("upload.terminated", None).await);
}

#[actix_web::test]
async fn an_expired_upload_answers_410_and_its_bytes_are_removed() {
    let app = spawn_app_with(|c| c.upload_expiry_secs = 1).await;
    let (client, chapter) = app.instructor_with_chapter("ada@example.com").await;
    let created = app.create_upload(&client, &chapter, "a.mp4", 10_000).await;
    let patched = app
        .patch(
            &client,
            &created.location,
            0,
            fixture("clip.mp4")[..4000].to_vec(),
        )
        .await;
    assert!(patched.headers().contains_key("upload-expires"));
    actix_web::rt::time::sleep(Duration::from_millis(1100)).await;

    assert_eq!(
        app.head_offset(&client, &created.location).await.status(),
        410
    );
    let res = app
        .patch(&client, &created.location, 4000, vec![0u8; 10])
        .await;
    assert_error(res, 410, "upload_expired").await;
    assert_eq!(app.stored_files(), 0);
    assert!(app.audited("upload.expired", None).await);
}

#[actix_web::test]
async fn the_janitor_expires_uploads_nobody_touches() {
    let app = spawn_app_with(|c| c.upload_expiry_secs = 1).await;
    let (client, chapter) = app.instructor_with_chapter("ada@example.com").await;
    let created = app.create_upload(&client, &chapter, "a.mp4", 10_000).await;
    app.patch(
        &client,
        &created.location,
        0,
        fixture("clip.mp4")[..4000].to_vec(),
    )
    .await;
    actix_web::rt::time::sleep(Duration::from_millis(1100)).await;

    let report = reel::services::janitor::run_once(&app.state.janitor())
        .await
        .expect("janitor");

    assert_eq!(report.expired, 1);
    assert_eq!(app.stored_files(), 0);
    assert_eq!(
        app.head_offset(&client, &created.location).await.status(),
        410
    );
}

#[actix_web::test]
async fn a_patch_cut_off_mid_body_keeps_what_arrived_and_resumes() {
    let app = spawn_app().await;
    let (client, chapter) = app.instructor_with_chapter("ada@example.com").await;
    let data = fixture("clip.mp4");
    let created = app
        .create_upload(&client, &chapter, "a.mp4", data.len())
        .await;

    // 8000 bytes, a pause so they reach the server, then the connection breaks.
    let first = Bytes::copy_from_slice(&data[..8000]);
    let stream = futures_util::stream::unfold(0, move |step| {
        let first = first.clone();
        async move {
            match step {
                0 => Some((Ok::<Bytes, std::io::Error>(first), 1)),
                1 => {
                    actix_web::rt::time::sleep(Duration::from_millis(300)).await;
                    Some((Err(std::io::Error::other("network dropped")), 2))
                }
                _ => None,
            }
        }
    });
    let _ = client
        .patch(app.url(&created.location))
        .header("Tus-Resumable", "1.0.0")
        .header("Upload-Offset", "0")
        .header("Content-Type", "application/offset+octet-stream")
        .body(reqwest::Body::wrap_stream(stream))
        .send()
        .await;

    let mut offset = 0;
    for _ in 0..50 {
        let head = app.head_offset(&client, &created.location).await;
        offset = head.headers()["upload-offset"]
            .to_str()
            .expect("ascii")
            .parse::<usize>()
            .expect("number");
        if offset == 8000 {
            break;
        }
        actix_web::rt::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(offset, 8000, "every byte that arrived is kept");
    assert_eq!(
        app.patch(&client, &created.location, offset, data[offset..].to_vec())
            .await
            .status(),
        204
    );
    let served = app.served_bytes(&client, &created.video_id).await;
    assert_eq!(sha256(&served), sha256(&data));
}

#[actix_web::test]
async fn a_second_patch_while_one_is_writing_is_423() {
    let app = spawn_app().await;
    let (client, chapter) = app.instructor_with_chapter("ada@example.com").await;
    let data = fixture("clip.mp4");
    let created = app
        .create_upload(&client, &chapter, "a.mp4", data.len())
        .await;
    let (head, tail) = (
        Bytes::copy_from_slice(&data[..1000]),
        Bytes::copy_from_slice(&data[1000..]),
    );
    let slow = futures_util::stream::unfold(0, move |step| {
        let (head, tail) = (head.clone(), tail.clone());
        async move {
            match step {
                0 => Some((Ok::<Bytes, std::io::Error>(head), 1)),
                1 => {
                    actix_web::rt::time::sleep(Duration::from_millis(600)).await;
                    Some((Ok(tail), 2))
                }
                _ => None,
            }
        }
    });
    let first = {
        let (client, url) = (client.clone(), app.url(&created.location));
        actix_web::rt::spawn(async move {
            client
                .patch(url)
                .header("Tus-Resumable", "1.0.0")
                .header("Upload-Offset", "0")
                .header("Content-Type", "application/offset+octet-stream")
                .body(reqwest::Body::wrap_stream(slow))
                .send()
                .await
                .expect("sent")
                .status()
        })
    };
    actix_web::rt::time::sleep(Duration::from_millis(200)).await;

    let second = app
        .patch(&client, &created.location, 0, data[..10].to_vec())
        .await;

    assert_error(second, 423, "upload_locked").await;
    assert_eq!(first.await.expect("joined"), 204);
    assert_eq!(
        app.settled_video(&client, &created.video_id).await["status"],
        "ready"
    );
}

#[actix_web::test]
async fn a_text_file_named_mp4_is_refused_on_its_first_bytes_and_removed() {
    let app = spawn_app().await;
    let (client, chapter) = app.instructor_with_chapter("ada@example.com").await;
    let text = b"These are my lecture notes, definitely not a video.".repeat(20);
    let created = app
        .create_upload(&client, &chapter, "notes.mp4", text.len())
        .await;

    let res = app.patch(&client, &created.location, 0, text.clone()).await;

    let message = assert_error(res, 415, "not_a_video").await;
    assert!(message.contains("not a video"), "{message}");
    let video = app.settled_video(&client, &created.video_id).await;
    assert_eq!(video["status"], "failed");
    assert!(video["failure_reason"]
        .as_str()
        .expect("reason")
        .contains("not a video"));
    assert!(video["display_url"].is_null());
    assert_eq!(app.stored_files(), 0);
    assert!(app.audited("upload.failed", None).await);
}

#[actix_web::test]
async fn a_truncated_mp4_fails_with_a_readable_reason_and_its_bytes_are_removed() {
    let app = spawn_app().await;
    let (client, chapter) = app.instructor_with_chapter("ada@example.com").await;
    let data = fixture("clip.mp4");
    let cut = &data[..data.len() * 2 / 3];

    let id = app.upload(&client, &chapter, "cut.mp4", cut, 1 << 20).await;
    let video = app.settled_video(&client, &id).await;

    assert_eq!(video["status"], "failed", "{video}");
    assert!(
        video["failure_reason"]
            .as_str()
            .expect("reason")
            .contains("incomplete"),
        "{video}"
    );
    assert_eq!(app.stored_files(), 0);
}

#[actix_web::test]
async fn a_patch_reports_the_expiry_the_server_stored() {
    let app = spawn_app().await;
    let (client, chapter) = app.instructor_with_chapter("ada@example.com").await;
    let created = app.create_upload(&client, &chapter, "a.mp4", 100_000).await;
    let patched = app
        .patch(
            &client,
            &created.location,
            0,
            fixture("clip.mp4")[..4000].to_vec(),
        )
        .await;
    assert_eq!(patched.status(), 204);
    let head = app.head_offset(&client, &created.location).await;
    assert_eq!(
        patched.headers()["upload-expires"],
        head.headers()["upload-expires"]
    );
}
