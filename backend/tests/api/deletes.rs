//! Deleting videos: at once from every list, restorable within the grace period, purged after
//! it (with retries when storage fails), idempotent, and never touching anyone else's.

use crate::support::fixture;
use crate::support::Reel;
use crate::support::{assert_error, spawn_app, spawn_app_on, spawn_app_with, TestApp};
use reel::services::storage::{MemoryStorage, StorageKey};
use reqwest::Client;
use std::sync::Arc;

async fn ready(app: &TestApp, client: &Client, chapter: &str, name: &str) -> serde_json::Value {
    let id = app
        .upload(client, chapter, name, &fixture("clip.mp4"), 1 << 20)
        .await;
    let video = app.settled_video(client, &id).await;
    assert_eq!(video["status"], "ready");
    video
}

async fn delete(app: &TestApp, client: &Client, id: &str) -> reqwest::Response {
    client
        .delete(app.url(&format!("/api/videos/{id}")))
        .send()
        .await
        .expect("sent")
}

async fn restore(app: &TestApp, client: &Client, id: &str) -> reqwest::Response {
    client
        .post(app.url(&format!("/api/videos/{id}/restore")))
        .json(&serde_json::json!({}))
        .send()
        .await
        .expect("sent")
}

async fn listed(app: &TestApp, client: &Client, chapter: &str) -> Vec<String> {
    let list = app.chapter_videos(client, chapter).await;
    list.iter()
        .map(|v| v["id"].as_str().expect("id").to_string())
        .collect()
}

#[actix_web::test]
async fn a_deleted_video_leaves_every_list_and_its_display_url_stops_serving() {
    let app = spawn_app().await;
    let (client, chapter) = app.instructor_with_chapter("ada@example.com").await;
    let video = ready(&app, &client, &chapter, "a.mp4").await;
    let (id, url) = (
        video["id"].as_str().expect("id"),
        video["display_url"].as_str().expect("url"),
    );
    assert_eq!(
        reqwest::get(app.url(url)).await.expect("sent").status(),
        200
    );

    let res = delete(&app, &client, id).await;

    assert_eq!(res.status(), 200);
    let body: serde_json::Value = res.json().await.expect("json");
    assert_eq!(body["ok"], true);
    assert!(body["restorable_until"].is_string());
    assert!(listed(&app, &client, &chapter).await.is_empty());
    assert_eq!(
        client
            .get(app.url(&format!("/api/videos/{id}")))
            .send()
            .await
            .expect("sent")
            .status(),
        404
    );
    assert_eq!(
        reqwest::get(app.url(url)).await.expect("sent").status(),
        404
    );
    assert_eq!(
        app.stored_files(),
        3,
        "bytes, poster and strip stay during the grace period"
    );
    assert!(app
        .audit_events()
        .await
        .iter()
        .any(|e| e.action == "video.deleted" && e.target.as_deref() == Some(id)));
}

#[actix_web::test]
async fn restore_within_the_grace_period_brings_the_video_back_unchanged() {
    let app = spawn_app().await;
    let (client, chapter) = app.instructor_with_chapter("ada@example.com").await;
    let video = ready(&app, &client, &chapter, "a.mp4").await;
    let id = video["id"].as_str().expect("id");
    delete(&app, &client, id).await;

    let res = restore(&app, &client, id).await;

    assert_eq!(res.status(), 200);
    let back: serde_json::Value = res.json().await.expect("json");
    for field in [
        "id",
        "title",
        "status",
        "size_bytes",
        "duration_ms",
        "width",
        "height",
        "created_at",
    ] {
        assert_eq!(back[field], video[field], "{field}");
    }
    assert_eq!(listed(&app, &client, &chapter).await, vec![id.to_string()]);
    let served = reqwest::get(app.url(back["display_url"].as_str().expect("url")))
        .await
        .expect("sent");
    assert_eq!(served.status(), 200);
    assert!(app.audited("video.restored", None).await);
}

#[actix_web::test]
async fn after_the_grace_period_the_bytes_are_purged_and_a_tombstone_remains() {
    let app = spawn_app_with(|c| c.delete_grace_secs = 1).await;
    let (client, chapter) = app.instructor_with_chapter("ada@example.com").await;
    let id = ready(&app, &client, &chapter, "a.mp4").await["id"]
        .as_str()
        .expect("id")
        .to_string();
    delete(&app, &client, &id).await;
    actix_web::rt::time::sleep(std::time::Duration::from_millis(1100)).await;

    let report = reel::services::janitor::run_once(&app.state.janitor())
        .await
        .expect("janitor");

    assert_eq!(report.purged, 1);
    assert_eq!(app.stored_files(), 0);
    let row = reel::db::run(&app.pool, move |conn| {
        Ok(reel::db::videos::by_id(conn, &id)?)
    })
    .await
    .expect("db")
    .expect("tombstone");
    assert_eq!(row.status, reel::db::status::VideoStatus::Deleted);
    assert!(row.purged_at.is_some());
    assert_error(
        restore(&app, &client, &row.id).await,
        410,
        "restore_expired",
    )
    .await;
    assert!(app.audited("video.purged", None).await);
}

#[actix_web::test]
async fn a_zero_grace_period_purges_at_once() {
    let app = spawn_app_with(|c| c.delete_grace_secs = 0).await;
    let (client, chapter) = app.instructor_with_chapter("ada@example.com").await;
    let id = ready(&app, &client, &chapter, "a.mp4").await["id"]
        .as_str()
        .expect("id")
        .to_string();
    assert_eq!(delete(&app, &client, &id).await.status(), 200);
    assert_eq!(app.stored_files(), 0);
}

/// The moment a video shows `ready`, its processing claim is over, so a delete right then is
/// purged in its own request (the claim used to end just after, and a quick delete was left
/// to the janitor's next pass).
#[actix_web::test]
async fn a_video_deleted_the_moment_it_is_ready_is_purged_at_once() {
    use diesel::prelude::*;
    use reel::db::schema::videos;
    use reel::db::status::VideoStatus;
    let app = spawn_app_with(|c| c.delete_grace_secs = 0).await;
    let (client, chapter) = app.instructor_with_chapter("ada@example.com").await;
    let id = app
        .upload(&client, &chapter, "a.mp4", &fixture("clip.mp4"), 1 << 20)
        .await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    let holder = loop {
        let video = id.clone();
        let (status, holder) = reel::db::run(&app.pool, move |conn| {
            Ok(videos::table
                .find(&video)
                .select((videos::status, videos::process_holder))
                .first::<(VideoStatus, Option<String>)>(conn)?)
        })
        .await
        .expect("db");
        if status != VideoStatus::Processing {
            assert_eq!(status, VideoStatus::Ready);
            break holder;
        }
        assert!(std::time::Instant::now() < deadline, "still processing");
    };
    assert_eq!(holder, None, "no claim is left on a ready video");
    assert_eq!(delete(&app, &client, &id).await.status(), 200);
    assert_eq!(app.stored_files(), 0);
}

#[actix_web::test]
async fn deleting_an_already_deleted_video_succeeds_again() {
    let app = spawn_app().await;
    let (client, chapter) = app.instructor_with_chapter("ada@example.com").await;
    let id = ready(&app, &client, &chapter, "a.mp4").await["id"]
        .as_str()
        .expect("id")
        .to_string();
    assert_eq!(delete(&app, &client, &id).await.status(), 200);
    let again = delete(&app, &client, &id).await;
    assert_eq!(again.status(), 200);
    assert_eq!(
        again.json::<serde_json::Value>().await.expect("json")["ok"],
        true
    );
}

#[actix_web::test]
async fn another_instructors_video_is_not_found_untouched_and_audited() {
    let app = spawn_app().await;
    let (ada, chapter) = app.instructor_with_chapter("ada@example.com").await;
    let id = ready(&app, &ada, &chapter, "a.mp4").await["id"]
        .as_str()
        .expect("id")
        .to_string();
    let bob = app.signed_in("bob@example.com").await;

    assert_error(delete(&app, &bob, &id).await, 404, "not_found").await;
    assert_error(restore(&app, &bob, &id).await, 404, "not_found").await;

    assert_eq!(listed(&app, &ada, &chapter).await, vec![id.clone()]);
    assert!(app.audited("video.delete", Some("denied")).await);
}

#[actix_web::test]
async fn bulk_delete_reports_each_id_and_touches_only_the_callers_videos() {
    let app = spawn_app().await;
    let (ada, chapter) = app.instructor_with_chapter("ada@example.com").await;
    let (bob, bobs_chapter) = app.instructor_with_chapter("bob@example.com").await;
    let mine = ready(&app, &ada, &chapter, "a.mp4").await["id"]
        .as_str()
        .expect("id")
        .to_string();
    let gone = ready(&app, &ada, &chapter, "b.mp4").await["id"]
        .as_str()
        .expect("id")
        .to_string();
    let kept = ready(&app, &ada, &chapter, "c.mp4").await["id"]
        .as_str()
        .expect("id")
        .to_string();
    let theirs = ready(&app, &bob, &bobs_chapter, "d.mp4").await["id"]
        .as_str()
        .expect("id")
        .to_string();
    delete(&app, &ada, &gone).await;

    let res = ada
        .post(app.url("/api/videos/bulk-delete"))
        .json(&serde_json::json!({ "ids": [mine, theirs, "no-such-video", gone, mine] }))
        .send()
        .await
        .expect("sent");

    assert_eq!(res.status(), 200);
    let body: serde_json::Value = res.json().await.expect("json");
    let results = body["results"].as_array().expect("results");
    let summary: Vec<(String, bool, serde_json::Value)> = results
        .iter()
        .map(|r| {
            (
                r["id"].as_str().expect("id").to_string(),
                r["ok"].as_bool().expect("ok"),
                r["code"].clone(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        vec![
            (mine.clone(), true, serde_json::Value::Null),
            (theirs.clone(), false, serde_json::json!("not_found")),
            (
                "no-such-video".to_string(),
                false,
                serde_json::json!("not_found")
            ),
            (gone.clone(), true, serde_json::Value::Null),
        ],
        "one result per distinct ID, in order"
    );
    assert_eq!(listed(&app, &ada, &chapter).await, vec![kept]);
    assert_eq!(listed(&app, &bob, &bobs_chapter).await, vec![theirs]);
}

#[actix_web::test]
async fn bulk_delete_needs_one_to_five_hundred_ids() {
    let app = spawn_app().await;
    let (ada, _) = app.instructor_with_chapter("ada@example.com").await;
    let none = ada
        .post(app.url("/api/videos/bulk-delete"))
        .json(&serde_json::json!({ "ids": [] }))
        .send()
        .await
        .expect("sent");
    assert_error(none, 400, "invalid_input").await;
    let ids: Vec<String> = (0..501).map(|n| format!("id-{n}")).collect();
    let many = ada
        .post(app.url("/api/videos/bulk-delete"))
        .json(&serde_json::json!({ "ids": ids }))
        .send()
        .await
        .expect("sent");
    assert!(assert_error(many, 400, "invalid_input")
        .await
        .contains("500"));
}

#[actix_web::test]
async fn a_failing_purge_is_retried_and_loses_nothing() {
    let storage = MemoryStorage::default();
    let app = spawn_app_on(|c| c.delete_grace_secs = 0, Some(Arc::new(storage.clone()))).await;
    let (client, chapter) = app.instructor_with_chapter("ada@example.com").await;
    let video = ready(&app, &client, &chapter, "a.mp4").await;
    let id = video["id"].as_str().expect("id").to_string();
    let key = {
        let id = id.clone();
        let row = reel::db::run(&app.pool, move |conn| {
            Ok(reel::db::videos::by_id(conn, &id)?)
        })
        .await
        .expect("db")
        .expect("row");
        StorageKey::from_stored(row.storage_key)
    };
    storage.fail_next_deletes(1);

    assert_eq!(delete(&app, &client, &id).await.status(), 200);

    let lookup = id.clone();
    let row = reel::db::run(&app.pool, move |conn| {
        Ok(reel::db::videos::by_id(conn, &lookup)?)
    })
    .await
    .expect("db")
    .expect("row");
    assert_eq!(row.status, reel::db::status::VideoStatus::Deleted);
    assert!(row.purged_at.is_none(), "still recorded as left to purge");
    assert_eq!(row.purge_attempts, 1);
    assert!(
        row.purge_after.expect("retry time") > reel::clock::now_ms(),
        "retried later, with backoff"
    );
    assert!(storage.contains(&key), "nothing was lost or half-removed");

    // The backoff elapses (moved forward here rather than waited for); the janitor retries.
    let due = id.clone();
    reel::db::run(&app.pool, move |conn| {
        use diesel::prelude::*;
        use reel::db::schema::videos;
        diesel::update(videos::table.find(&due))
            .set(videos::purge_after.eq(0i64))
            .execute(conn)?;
        Ok(())
    })
    .await
    .expect("db");
    let report = reel::services::janitor::run_once(&app.state.janitor())
        .await
        .expect("janitor");

    assert_eq!((report.purged, report.purge_failures), (1, 0));
    assert!(!storage.contains(&key));
    let row = reel::db::run(&app.pool, move |conn| {
        Ok(reel::db::videos::by_id(conn, &id)?)
    })
    .await
    .expect("db")
    .expect("row");
    assert!(row.purged_at.is_some());
}

#[actix_web::test]
async fn a_video_deleted_mid_upload_holds_its_upload_and_undo_lets_it_go_on() {
    let app = spawn_app().await;
    let (client, chapter) = app.instructor_with_chapter("ada@example.com").await;
    let data = fixture("clip.mp4");
    let created = app
        .create_upload(&client, &chapter, "a.mp4", data.len())
        .await;
    app.patch(&client, &created.location, 0, data[..5000].to_vec())
        .await;

    assert_eq!(delete(&app, &client, &created.video_id).await.status(), 200);
    // While deleted, nothing reaches the upload.
    let head = app.head_offset(&client, &created.location).await;
    assert_eq!(head.status(), 404);
    let refused = app
        .patch(&client, &created.location, 5000, data[5000..6000].to_vec())
        .await;
    assert_eq!(refused.status(), 404);

    let back: serde_json::Value = restore(&app, &client, &created.video_id)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(back["status"], "uploading", "{back}");
    assert_eq!(app.offset(&client, &created.location).await, 5000);
    let rest = app
        .patch(&client, &created.location, 5000, data[5000..].to_vec())
        .await;
    assert_eq!(rest.status(), 204);
    let video = app.settled_video(&client, &created.video_id).await;
    assert_eq!(video["status"], "ready");
}

#[actix_web::test]
async fn a_held_upload_leaves_room_under_the_quota() {
    let app = spawn_app_with(|c| c.max_active_uploads = 1).await;
    let (client, chapter) = app.instructor_with_chapter("ada@example.com").await;
    let first = app.create_upload(&client, &chapter, "a.mp4", 1000).await;
    let res = app.tus_create(&client, &chapter, "b.mp4", 1000).await;
    assert_ne!(res.status(), 201, "one unfinished upload is the quota");
    assert_eq!(delete(&app, &client, &first.video_id).await.status(), 200);
    // Deleted (and held for Undo), it no longer takes the place of a new one.
    app.create_upload(&client, &chapter, "b.mp4", 1000).await;
}

#[actix_web::test]
async fn a_held_upload_that_expired_comes_back_failed_and_stays_failed() {
    let app = spawn_app().await;
    let (client, chapter) = app.instructor_with_chapter("ada@example.com").await;
    let created = app.create_upload(&client, &chapter, "a.mp4", 1000).await;
    assert_eq!(delete(&app, &client, &created.video_id).await.status(), 200);
    let video = created.video_id.clone();
    reel::db::run(&app.pool, move |conn| {
        use diesel::prelude::*;
        use reel::db::schema::uploads;
        diesel::update(uploads::table.filter(uploads::video_id.eq(&video)))
            .set(uploads::expires_at.eq(1))
            .execute(conn)?;
        Ok(())
    })
    .await
    .expect("db");

    let back: serde_json::Value = restore(&app, &client, &created.video_id)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(back["status"], "failed", "{back}");
    reel::services::janitor::run_once(&app.state.janitor())
        .await
        .expect("janitor");
    let now = app.settled_video(&client, &created.video_id).await;
    assert_eq!(
        now["status"], "failed",
        "not canceled by a later expiry: {now}"
    );
}

#[actix_web::test]
async fn the_purge_ends_a_held_upload_and_its_bytes_go() {
    let app = spawn_app_with(|c| c.delete_grace_secs = 0).await;
    let (client, chapter) = app.instructor_with_chapter("ada@example.com").await;
    let data = fixture("clip.mp4");
    let created = app
        .create_upload(&client, &chapter, "a.mp4", data.len())
        .await;
    app.patch(&client, &created.location, 0, data[..5000].to_vec())
        .await;

    assert_eq!(delete(&app, &client, &created.video_id).await.status(), 200);
    // No grace: purged at once, so it comes back no more, and its upload has ended.
    let res = restore(&app, &client, &created.video_id).await;
    assert_error(res, 410, "restore_expired").await;
    reel::services::janitor::run_once(&app.state.janitor())
        .await
        .expect("janitor");
    assert_eq!(app.stored_files(), 0);
    assert_eq!(
        app.head_offset(&client, &created.location).await.status(),
        404
    );
}

#[actix_web::test]
async fn the_janitor_removes_bytes_that_a_crash_left_behind_an_ended_upload() {
    let app = spawn_app().await;
    let (client, chapter) = app.instructor_with_chapter("ada@example.com").await;
    let created = app.create_upload(&client, &chapter, "a.mp4", 100_000).await;
    app.patch(
        &client,
        &created.location,
        0,
        fixture("clip.mp4")[..5000].to_vec(),
    )
    .await;
    // A crash between the state change and the byte removal: ended in the database, bytes left.
    let upload_id = created.location.rsplit('/').next().expect("id").to_string();
    reel::db::run(&app.pool, move |conn| {
        use diesel::prelude::*;
        use reel::db::schema::uploads;
        diesel::update(uploads::table.find(&upload_id))
            .set(uploads::state.eq("terminated"))
            .execute(conn)?;
        Ok(())
    })
    .await
    .expect("db");
    assert_eq!(app.stored_files(), 1);

    let report = reel::services::janitor::run_once(&app.state.janitor())
        .await
        .expect("janitor");

    assert_eq!(report.cleaned, 1);
    assert_eq!(app.stored_files(), 0);
}
