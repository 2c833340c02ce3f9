//! Per-instructor upload quotas, the free-space check and the PATCH idle timeout: one user
//! cannot fill the disk, hold every lock, or keep server threads with a body that never ends.

use crate::support::fixture;
use crate::support::Reel;
use crate::support::{assert_error, spawn_app_with};
use std::time::Duration;

#[actix_web::test]
async fn an_instructor_with_too_many_unfinished_uploads_is_told_to_finish_some_first() {
    let app = spawn_app_with(|c| c.max_active_uploads = 3).await;
    let (ada, chapter) = app.instructor_with_chapter("ada@example.com").await;
    let (grace, other_chapter) = app.instructor_with_chapter("grace@example.com").await;
    let mut created = Vec::new();
    for n in 0..3 {
        created.push(
            app.create_upload(&ada, &chapter, &format!("{n}.mp4"), 1000)
                .await,
        );
    }

    let res = app.tus_create(&ada, &chapter, "fourth.mp4", 1000).await;
    let message = assert_error(res, 429, "too_many_uploads").await;
    assert!(message.contains("3 unfinished uploads"), "{message}");
    assert!(app.audited("upload.create", Some("over_quota")).await);
    // Someone else's quota is their own.
    app.create_upload(&grace, &other_chapter, "grace.mp4", 1000)
        .await;
    // Ending one makes room.
    let res = app.terminate(&ada, &created[0].location).await;
    assert_eq!(res.status(), 204);
    app.create_upload(&ada, &chapter, "fourth.mp4", 1000).await;
}

#[actix_web::test]
async fn unfinished_uploads_may_not_declare_more_bytes_than_the_quota() {
    let app = spawn_app_with(|c| c.max_active_upload_bytes = 1_000_000).await;
    let (ada, chapter) = app.instructor_with_chapter("ada@example.com").await;
    app.create_upload(&ada, &chapter, "first.mp4", 600_000)
        .await;

    let res = app.tus_create(&ada, &chapter, "second.mp4", 600_000).await;

    let message = assert_error(res, 413, "upload_quota_exceeded").await;
    assert!(message.contains("585.9 KiB"), "{message}");
}

#[actix_web::test]
async fn an_upload_the_disk_cannot_hold_is_refused_at_creation() {
    let app = spawn_app_with(|c| c.min_free_bytes = u64::MAX / 4).await;
    let (ada, chapter) = app.instructor_with_chapter("ada@example.com").await;

    let res = app.tus_create(&ada, &chapter, "clip.mp4", 1000).await;

    assert_error(res, 507, "insufficient_storage").await;
    assert_eq!(app.stored_files(), 0);
}

#[actix_web::test]
async fn a_patch_body_that_stalls_is_ended_its_bytes_kept_and_the_lock_released() {
    let app = spawn_app_with(|c| c.upload_idle_secs = 1).await;
    let (ada, chapter) = app.instructor_with_chapter("ada@example.com").await;
    let clip = fixture("clip.mp4");
    let created = app
        .create_upload(&ada, &chapter, "clip.mp4", clip.len())
        .await;

    // 12 bytes, then nothing for longer than the idle limit.
    let head = bytes::Bytes::copy_from_slice(&clip[..12]);
    let body = futures_util::stream::unfold(0, move |step| {
        let head = head.clone();
        async move {
            match step {
                0 => Some((Ok::<_, std::io::Error>(head), 1)),
                1 => {
                    actix_web::rt::time::sleep(Duration::from_secs(4)).await;
                    None
                }
                _ => None,
            }
        }
    });
    let stalled = app
        .patch(&ada, &created.location, 0, reqwest::Body::wrap_stream(body))
        .await;
    assert_error(stalled, 408, "upload_stalled").await;

    let head = app.head_offset(&ada, &created.location).await;
    assert_eq!(head.headers()["upload-offset"], "12");
    // Not 423: the stalled request let go of the upload.
    let rest = app
        .patch(&ada, &created.location, 12, clip[12..].to_vec())
        .await;
    assert_eq!(rest.status(), 204);
    assert_eq!(app.served_bytes(&ada, &created.video_id).await, clip);
}
