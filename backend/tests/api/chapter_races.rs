//! A chapter deleted at the moment something is added to it: every addition either lands
//! before the delete (and goes with the chapter) or is refused, on SQLite and PostgreSQL. No
//! live video or active upload stays in a deleted chapter, the quota they held is free, and
//! their bytes are purged.

use crate::support::Reel;
use crate::support::{metadata, padded_mp4};
use crate::support::{spawn_app_with, TestApp};
use diesel::prelude::*;
use reel::db::schema::{uploads, videos};
use serde_json::json;

/// A tus creation that sends its first bytes too, so a straggler would leave a file behind.
async fn create_with_bytes(
    app: &TestApp,
    client: &reqwest::Client,
    chapter: &str,
    data: &[u8],
) -> u16 {
    client
        .post(app.url("/api/uploads"))
        .header("Tus-Resumable", "1.0.0")
        .header("Upload-Length", (data.len() * 2).to_string())
        .header("Content-Type", "application/offset+octet-stream")
        .header(
            "Upload-Metadata",
            metadata(&[
                ("filename", "race.mp4"),
                ("filetype", "video/mp4"),
                ("chapter_id", chapter),
            ]),
        )
        .body(data.to_vec())
        .send()
        .await
        .expect("sent")
        .status()
        .as_u16()
}

/// Video rows in `chapter` that are not deleted or canceled, and active uploads of its videos.
async fn live_in(app: &TestApp, chapter: &str) -> (i64, i64) {
    let chapter = chapter.to_string();
    reel::db::run(&app.pool, move |conn| {
        use reel::db::status::VideoStatus;
        let live: i64 = videos::table
            .filter(videos::chapter_id.eq(&chapter))
            .filter(videos::status.ne(VideoStatus::Deleted))
            .filter(videos::status.ne(VideoStatus::Canceled))
            .count()
            .get_result(conn)?;
        let active: i64 = uploads::table
            .inner_join(videos::table)
            .filter(videos::chapter_id.eq(&chapter))
            .filter(uploads::state.eq(reel::db::status::UploadState::Active))
            .count()
            .get_result(conn)?;
        Ok((live, active))
    })
    .await
    .expect("read")
}

#[actix_web::test]
async fn additions_racing_a_chapter_delete_land_before_it_or_are_refused() {
    let app = spawn_app_with(|c| {
        c.delete_grace_secs = 0;
        c.max_active_uploads = 100;
    })
    .await;
    let (client, first) = app.instructor_with_chapter("ada@example.com").await;
    let ada = reel::db::run(&app.pool, |conn| {
        Ok(reel::db::instructors::by_email(conn, "ada@example.com")?)
    })
    .await
    .expect("read")
    .expect("ada")
    .id;
    let data = padded_mp4(64 * 1024, |i| (i % 251) as u8);
    for round in 0..5 {
        let course: serde_json::Value = app.get_json(&client, "/api/courses").await;
        let course_id = course[0]["id"].as_str().expect("course").to_string();
        let doomed: serde_json::Value = client
            .post(app.url(&format!("/api/courses/{course_id}/chapters")))
            .json(&json!({ "title": format!("Doomed {round}") }))
            .send()
            .await
            .expect("sent")
            .json()
            .await
            .expect("json");
        let doomed = doomed["id"].as_str().expect("id").to_string();
        let mut movers = Vec::new();
        for _ in 0..3 {
            movers.push(
                app.create_upload(&client, &first, "mover.mp4", 1000)
                    .await
                    .video_id,
            );
        }

        let creations = futures_util::future::join_all(
            (0..3).map(|_| create_with_bytes(&app, &client, &doomed, &data)),
        );
        let moves = futures_util::future::join_all(movers.iter().map(|id| {
            client
                .patch(app.url(&format!("/api/videos/{id}")))
                .json(&json!({ "chapter_id": doomed }))
                .send()
        }));
        let delete = client
            .delete(app.url(&format!("/api/chapters/{doomed}")))
            .send();
        let (created, moved, deleted) = futures_util::join!(creations, moves, delete);

        assert_eq!(deleted.expect("sent").status(), 200, "round {round}");
        for status in created {
            // Created, refused, or created and ended by the delete before its first bytes.
            assert!(
                [201, 404, 409].contains(&status),
                "round {round}: creation {status}"
            );
        }
        for res in moved {
            let status = res.expect("sent").status().as_u16();
            assert!(
                status == 200 || status == 404,
                "round {round}: move {status}"
            );
        }
        assert_eq!(live_in(&app, &doomed).await, (0, 0), "round {round}");
    }
    // Nothing holds the quota: only the movers that stayed behind are unfinished.
    let (count, _) = reel::db::run(&app.pool, move |conn| {
        Ok(reel::db::uploads::in_flight(
            conn,
            &ada,
            reel::clock::now_ms(),
        )?)
    })
    .await
    .expect("read");
    let (left_behind, _) = live_in(&app, &first).await;
    assert_eq!(count, left_behind);
    // And no bytes stay: the grace period is over, the deleted chapter's uploads are purged.
    reel::services::videos::purge_due(&app.state.videos())
        .await
        .expect("purged");
    assert_eq!(app.stored_files(), 0);
}
