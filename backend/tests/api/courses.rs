use crate::support::fixture;
use crate::support::Reel;
use crate::support::{assert_error, spawn_app};

#[actix_web::test]
async fn courses_lists_only_the_callers_courses_with_chapters_in_order() {
    let app = spawn_app().await;
    let ada = app.signed_in("ada@example.com").await;
    app.instructor("bob@example.com").await;
    let mine = app
        .course(
            "ada@example.com",
            "Rust 101",
            &["Ownership", "Borrowing", "Lifetimes"],
        )
        .await;
    app.course("bob@example.com", "Bob's secret course", &["Hidden"])
        .await;

    let res = ada.get(app.url("/api/courses")).send().await.expect("sent");

    assert_eq!(res.status(), 200);
    let courses: Vec<shared::dto::CourseDto> = res.json().await.expect("json");
    assert_eq!(courses.len(), 1);
    assert_eq!(courses[0].id.as_str(), mine.course_id);
    let titles: Vec<&str> = courses[0]
        .chapters
        .iter()
        .map(|c| c.title.as_str())
        .collect();
    assert_eq!(titles, ["Ownership", "Borrowing", "Lifetimes"]);
}

#[actix_web::test]
async fn an_instructor_with_no_courses_gets_an_empty_list() {
    let app = spawn_app().await;
    let ada = app.signed_in("ada@example.com").await;
    let courses: Vec<serde_json::Value> = app.get_json(&ada, "/api/courses").await;
    assert!(courses.is_empty());
}

#[actix_web::test]
async fn courses_needs_a_session() {
    let app = spawn_app().await;
    let res = reqwest::get(app.url("/api/courses")).await.expect("sent");
    assert_error(res, 401, "unauthenticated").await;
}

#[actix_web::test]
async fn each_chapter_says_how_many_videos_it_lists() {
    let app = spawn_app().await;
    let ada = app.signed_in("ada@example.com").await;
    let course = app
        .course("ada@example.com", "Rust 101", &["Ownership", "Borrowing"])
        .await;
    let first = course.chapters[0].id.clone();
    app.upload(&ada, &first, "a.mp4", &fixture("clip.mp4"), 1 << 20)
        .await;
    app.create_upload(&ada, &first, "b.mp4", 1000).await;
    let ended = app.create_upload(&ada, &first, "c.mp4", 1000).await;
    let res = app.terminate(&ada, &ended.location).await;
    assert_eq!(res.status(), 204);

    let courses: Vec<shared::dto::CourseDto> = app.get_json(&ada, "/api/courses").await;

    let counts: Vec<i64> = courses[0].chapters.iter().map(|c| c.video_count).collect();
    assert_eq!(counts, [2, 0], "a terminated upload is not counted");
}
