//! What anyone can make Reel write down: refusals are counted, not appended one by one, so
//! nobody can grow the audit trail at will; what the owner needs to see stays visible.

use crate::support::spawn_app;
use crate::support::Reel;
use serde_json::json;

#[actix_web::test]
async fn a_bulk_delete_of_500_unknown_ids_is_one_audit_row() {
    let app = spawn_app().await;
    let (client, _) = app.instructor_with_chapter("ada@example.com").await;
    let ids: Vec<String> = (0..500)
        .map(|i| format!("00000000-0000-4000-8000-{i:012}"))
        .collect();
    let before = app.audit_events().await.len();

    let res = client
        .post(app.url("/api/videos/bulk-delete"))
        .json(&json!({ "ids": ids }))
        .send()
        .await
        .expect("sent");

    assert_eq!(res.status(), 200);
    let events = app.audit_events().await;
    assert_eq!(events.len(), before + 1, "one row for the whole request");
    assert_eq!(events[0].outcome, "denied");
    assert_eq!(events[0].repeats, 500);
}

#[actix_web::test]
async fn repeated_denied_reads_of_someone_elses_video_are_one_row_the_owner_still_sees() {
    let app = spawn_app().await;
    let (ada, chapter) = app.instructor_with_chapter("ada@example.com").await;
    let video = app
        .create_upload(&ada, &chapter, "mine.mp4", 1000)
        .await
        .video_id;
    let mallory = app.signed_in("mallory@example.com").await;
    for _ in 0..30 {
        let res = mallory
            .get(app.url(&format!("/api/videos/{video}")))
            .send()
            .await
            .expect("sent");
        assert_eq!(res.status(), 404);
    }
    let denied: Vec<_> = app
        .audit_events()
        .await
        .into_iter()
        .filter(|e| e.outcome == "denied")
        .collect();
    assert_eq!(denied.len(), 1);
    assert_eq!(denied[0].repeats, 30);

    let courses: serde_json::Value = app.get_json(&ada, "/api/courses").await;
    let course = courses[0]["id"].as_str().expect("id");
    let feed: shared::dto::ActivityPage = app
        .get_json(&ada, &format!("/api/courses/{course}/activity?kind=denied"))
        .await;
    assert_eq!(feed.events.len(), 1);
    assert_eq!(feed.events[0].repeats, 30);
}

#[actix_web::test]
async fn a_terminated_upload_leaves_no_directory_behind() {
    let app = spawn_app().await;
    let (client, chapter) = app.instructor_with_chapter("ada@example.com").await;
    let data = crate::support::fixture("clip.mp4");
    let created = app
        .create_upload(&client, &chapter, "gone.mp4", data.len())
        .await;
    let res = app
        .patch(
            &client,
            &created.location,
            0,
            data[..data.len() / 2].to_vec(),
        )
        .await;
    assert_eq!(res.status(), 204);
    let res = app.terminate(&client, &created.location).await;
    assert_eq!(res.status(), 204);
    if app.s3.is_some() {
        return; // object storage has no directories
    }
    let mut dirs = vec![app.data_dir.join("media")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            assert!(
                !path.to_string_lossy().contains(&created.video_id),
                "left behind: {}",
                path.display()
            );
            if path.is_dir() {
                dirs.push(path);
            }
        }
    }
}
