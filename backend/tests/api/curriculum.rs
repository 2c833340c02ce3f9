//! Building a course in the browser: courses, chapters, titles, orders, moves and the
//! course's activity, each only for the course's owner.

use crate::support::Reel;
use crate::support::{assert_error, spawn_app, TestApp};
use diesel::prelude::*;
use reel::db::{self, schema::videos};
use reqwest::Client;
use serde_json::{json, Value};
use shared::dto::{ActivityPage, ChapterDto, CourseDto, VideoDto};

async fn send(req: reqwest::RequestBuilder) -> reqwest::Response {
    req.send().await.expect("sent")
}

async fn ok<T: serde::de::DeserializeOwned>(req: reqwest::RequestBuilder) -> T {
    let res = send(req).await;
    assert_eq!(res.status(), 200, "{:?}", res.text().await);
    res.json().await.expect("json")
}

async fn new_course(app: &TestApp, client: &Client, title: &str) -> CourseDto {
    ok(client
        .post(app.url("/api/courses"))
        .json(&json!({ "title": title })))
    .await
}

async fn add_chapter(app: &TestApp, client: &Client, course: &str, title: &str) -> ChapterDto {
    ok(client
        .post(app.url(&format!("/api/courses/{course}/chapters")))
        .json(&json!({ "title": title })))
    .await
}

async fn course_of(app: &TestApp, client: &Client, id: &str) -> CourseDto {
    let all: Vec<CourseDto> = app.get_json(client, "/api/courses").await;
    all.into_iter()
        .find(|c| c.id.as_str() == id)
        .expect("course listed")
}

fn chapter_ids(course: &CourseDto) -> Vec<String> {
    course.chapters.iter().map(|c| c.id.0.clone()).collect()
}

async fn video_ids(app: &TestApp, client: &Client, chapter: &str) -> Vec<String> {
    let videos: Vec<VideoDto> = app
        .get_json(client, &format!("/api/chapters/{chapter}/videos"))
        .await;
    videos.into_iter().map(|v| v.id.0).collect()
}

/// Every video row's position in a chapter, in order (listed or not).
async fn positions(app: &TestApp, chapter: &str) -> Vec<i32> {
    let chapter = chapter.to_string();
    db::run(&app.pool, move |conn| {
        Ok(videos::table
            .filter(videos::chapter_id.eq(chapter))
            .order(videos::position.asc())
            .select(videos::position)
            .load::<i32>(conn)?)
    })
    .await
    .expect("positions")
}

/// A signed-in instructor with a course of chapters "A", "B", "C".
async fn course_with_chapters(app: &TestApp, email: &str) -> (Client, CourseDto) {
    let client = app.signed_in(email).await;
    let course = new_course(app, &client, "Rust 101").await;
    for title in ["A", "B", "C"] {
        add_chapter(app, &client, course.id.as_str(), title).await;
    }
    let course = course_of(app, &client, course.id.as_str()).await;
    (client, course)
}

#[actix_web::test]
async fn an_instructor_creates_a_course_renames_it_and_adds_chapters_in_order() {
    let app = spawn_app().await;
    let ada = app.signed_in("ada@example.com").await;

    let course: CourseDto = ok(ada
        .post(app.url("/api/courses"))
        .json(&json!({ "title": "  Rust 101 ", "description": "Ownership first." })))
    .await;
    assert_eq!(course.title, "Rust 101", "trimmed");
    assert_eq!(course.description, "Ownership first.");
    assert!(course.chapters.is_empty());

    let renamed: CourseDto = ok(ada
        .patch(app.url(&format!("/api/courses/{}", course.id)))
        .json(&json!({ "title": "Rust 102" })))
    .await;
    assert_eq!(renamed.title, "Rust 102");
    assert_eq!(renamed.description, "Ownership first.", "untouched");

    for (i, title) in ["Intro", "Borrowing", "Lifetimes"].iter().enumerate() {
        let chapter = add_chapter(&app, &ada, course.id.as_str(), title).await;
        assert_eq!(chapter.position, i as i32);
        assert_eq!(chapter.video_count, 0);
    }
    let listed = course_of(&app, &ada, course.id.as_str()).await;
    let titles: Vec<&str> = listed.chapters.iter().map(|c| c.title.as_str()).collect();
    assert_eq!(titles, ["Intro", "Borrowing", "Lifetimes"]);
    assert_eq!(listed.title, "Rust 102");

    let intro = &listed.chapters[0];
    let chapter: ChapterDto = ok(ada
        .patch(app.url(&format!("/api/chapters/{}", intro.id)))
        .json(&json!({ "title": "Welcome" })))
    .await;
    assert_eq!((chapter.title.as_str(), chapter.position), ("Welcome", 0));
}

#[actix_web::test]
async fn bad_titles_are_refused_with_invalid_title_and_change_nothing() {
    let app = spawn_app().await;
    let (ada, course) = course_with_chapters(&app, "ada@example.com").await;
    let chapter = &course.chapters[0].id;
    let long = "x".repeat(201);
    for bad in ["", "   ", "two\nlines", "tab\there", "nul\0", long.as_str()] {
        let res = send(
            ada.post(app.url("/api/courses"))
                .json(&json!({ "title": bad })),
        )
        .await;
        let message = assert_error(res, 400, "invalid_title").await;
        assert!(!message.is_empty());
        let res = send(
            ada.patch(app.url(&format!("/api/courses/{}", course.id)))
                .json(&json!({ "title": bad })),
        )
        .await;
        assert_error(res, 400, "invalid_title").await;
        let res = send(
            ada.post(app.url(&format!("/api/courses/{}/chapters", course.id)))
                .json(&json!({ "title": bad })),
        )
        .await;
        assert_error(res, 400, "invalid_title").await;
        let res = send(
            ada.patch(app.url(&format!("/api/chapters/{chapter}")))
                .json(&json!({ "title": bad })),
        )
        .await;
        assert_error(res, 400, "invalid_title").await;
    }
    let res = send(
        ada.post(app.url("/api/courses"))
            .json(&json!({ "title": 7 })),
    )
    .await;
    assert_error(res, 400, "invalid_input").await;
    let now = course_of(&app, &ada, course.id.as_str()).await;
    assert_eq!(now, course, "nothing changed");
    let all: Vec<CourseDto> = app.get_json(&ada, "/api/courses").await;
    assert_eq!(all.len(), 1, "no course was created");
}

#[actix_web::test]
async fn another_instructors_course_chapter_and_video_are_not_found() {
    let app = spawn_app().await;
    let (ada, course) = course_with_chapters(&app, "ada@example.com").await;
    let chapter = course.chapters[0].id.0.clone();
    let video = app
        .create_upload(&ada, &chapter, "a.mp4", 1000)
        .await
        .video_id;
    let mallory = app.signed_in("mallory@example.com").await;
    let own = new_course(&app, &mallory, "Mine").await;
    let own_chapter = add_chapter(&app, &mallory, own.id.as_str(), "Mine").await;
    let c = course.id.as_str();
    let attempts = [
        mallory
            .patch(app.url(&format!("/api/courses/{c}")))
            .json(&json!({ "title": "x" })),
        mallory
            .post(app.url(&format!("/api/courses/{c}/chapters")))
            .json(&json!({ "title": "x" })),
        mallory
            .post(app.url(&format!("/api/courses/{c}/chapters/order")))
            .json(&json!({ "ids": chapter_ids(&course) })),
        mallory.get(app.url(&format!("/api/courses/{c}/activity"))),
        mallory
            .patch(app.url(&format!("/api/chapters/{chapter}")))
            .json(&json!({ "title": "x" })),
        mallory
            .post(app.url(&format!("/api/chapters/{chapter}/videos/order")))
            .json(&json!({ "ids": [video] })),
        mallory
            .patch(app.url(&format!("/api/videos/{video}")))
            .json(&json!({ "title": "x" })),
        // Nor does Ada move her video into a chapter of Mallory's.
        ada.patch(app.url(&format!("/api/videos/{video}")))
            .json(&json!({ "chapter_id": own_chapter.id })),
        mallory
            .patch(app.url("/api/courses/no-such-course"))
            .json(&json!({ "title": "x" })),
    ];
    for attempt in attempts {
        assert_error(send(attempt).await, 404, "not_found").await;
    }
    let now = course_of(&app, &ada, c).await;
    assert_eq!(now.title, "Rust 101");
    assert_eq!(chapter_ids(&now), chapter_ids(&course));
    assert_eq!(video_ids(&app, &ada, &chapter).await, [video]);
    let page: ActivityPage = app
        .get_json(&ada, &format!("/api/courses/{c}/activity?kind=denied"))
        .await;
    assert!(
        page.events.len() >= 7,
        "Ada sees the denied attempts on her course: {:?}",
        page.events
    );
    assert!(
        page.events.iter().all(|e| e.actor_name.is_none()),
        "not hers"
    );
}

#[actix_web::test]
async fn chapters_take_a_new_order_and_a_stale_one_is_a_409_with_the_current_order() {
    let app = spawn_app().await;
    let (ada, course) = course_with_chapters(&app, "ada@example.com").await;
    let [a, b, c] = <[String; 3]>::try_from(chapter_ids(&course)).expect("three");
    let url = app.url(&format!("/api/courses/{}/chapters/order", course.id));

    let moved: CourseDto = ok(ada
        .post(&url)
        .json(&json!({ "ids": [c, a, b], "expected": [a, b, c] })))
    .await;
    assert_eq!(chapter_ids(&moved), [c.clone(), a.clone(), b.clone()]);
    let positions: Vec<i32> = moved.chapters.iter().map(|ch| ch.position).collect();
    assert_eq!(positions, [0, 1, 2]);

    // Another tab still shows A, B, C.
    let res = send(
        ada.post(&url)
            .json(&json!({ "ids": [b, a, c], "expected": [a, b, c] })),
    )
    .await;
    assert_eq!(res.status(), 409);
    let body: Value = res.json().await.expect("json");
    assert_eq!(body["code"], "stale_order");
    assert_eq!(body["current_order"], json!([c, a, b]));
    // An order that leaves a chapter out, or names one that is not the course's.
    for ids in [
        json!([a, b]),
        json!([a, b, c, "other"]),
        json!([a, b, "other"]),
    ] {
        assert_error(
            send(ada.post(&url).json(&json!({ "ids": ids }))).await,
            409,
            "stale_order",
        )
        .await;
    }
    assert_error(
        send(ada.post(&url).json(&json!({ "ids": [a, a, b] }))).await,
        400,
        "invalid_input",
    )
    .await;
    assert_eq!(
        chapter_ids(&course_of(&app, &ada, course.id.as_str()).await),
        [c, a, b]
    );
}

#[actix_web::test]
async fn concurrent_reorders_and_new_chapters_leave_positions_dense_and_unique() {
    let app = spawn_app().await;
    let (ada, course) = course_with_chapters(&app, "ada@example.com").await;
    let ids = chapter_ids(&course);
    let url = app.url(&format!("/api/courses/{}/chapters/order", course.id));
    let orders: Vec<Vec<String>> = (0..6)
        .map(|i| {
            let mut order = ids.clone();
            order.rotate_left(i % 3);
            if i % 2 == 1 {
                order.reverse();
            }
            order
        })
        .collect();
    let reorders = orders.iter().map(|order| {
        let req = ada.post(&url).json(&json!({ "ids": order }));
        async move { send(req).await.status().as_u16() }
    });
    let adds = (0..4).map(|i| {
        let req = ada
            .post(app.url(&format!("/api/courses/{}/chapters", course.id)))
            .json(&json!({ "title": format!("New {i}") }));
        async move { send(req).await.status().as_u16() }
    });
    let (reordered, added) = futures_util::future::join(
        futures_util::future::join_all(reorders),
        futures_util::future::join_all(adds),
    )
    .await;
    assert!(added.iter().all(|s| *s == 200), "{added:?}");
    // A reorder that lost the race against a new chapter no longer names them all.
    assert!(
        reordered.iter().all(|s| *s == 200 || *s == 409),
        "{reordered:?}"
    );
    let now = course_of(&app, &ada, course.id.as_str()).await;
    let positions: Vec<i32> = now.chapters.iter().map(|ch| ch.position).collect();
    assert_eq!(positions, (0..7).collect::<Vec<i32>>());
}

#[actix_web::test]
async fn a_video_is_renamed_reordered_and_moved_to_the_end_of_another_chapter() {
    let app = spawn_app().await;
    let (ada, course) = course_with_chapters(&app, "ada@example.com").await;
    let (a, b) = (
        course.chapters[0].id.0.clone(),
        course.chapters[1].id.0.clone(),
    );
    let mut first = Vec::new();
    for name in ["1.mp4", "2.mp4", "3.mp4"] {
        first.push(app.create_upload(&ada, &a, name, 1000).await.video_id);
    }
    let other = app.create_upload(&ada, &b, "b.mp4", 1000).await.video_id;
    assert_eq!(
        video_ids(&app, &ada, &a).await,
        first,
        "uploads go to the end"
    );

    let renamed: VideoDto = ok(ada
        .patch(app.url(&format!("/api/videos/{}", first[0])))
        .json(&json!({ "title": " Welcome " })))
    .await;
    assert_eq!(renamed.title, "Welcome");
    let res = send(
        ada.patch(app.url(&format!("/api/videos/{}", first[0])))
            .json(&json!({ "title": "a\u{7}b" })),
    )
    .await;
    assert_error(res, 400, "invalid_title").await;

    let order_url = app.url(&format!("/api/chapters/{a}/videos/order"));
    let reordered: Vec<VideoDto> = ok(ada.post(&order_url).json(&json!({
        "ids": [first[2], first[0], first[1]], "expected": first,
    })))
    .await;
    let got: Vec<&str> = reordered.iter().map(|v| v.id.as_str()).collect();
    assert_eq!(got, [&first[2], &first[0], &first[1]]);
    let res = send(
        ada.post(&order_url)
            .json(&json!({ "ids": first, "expected": first })),
    )
    .await;
    assert_eq!(res.status(), 409, "made from the old order");

    let moved: VideoDto = ok(ada
        .patch(app.url(&format!("/api/videos/{}", first[0])))
        .json(&json!({ "chapter_id": b })))
    .await;
    assert_eq!(moved.chapter_id.as_str(), b);
    assert_eq!(moved.title, "Welcome");
    assert_eq!(video_ids(&app, &ada, &b).await, [other, first[0].clone()]);
    assert_eq!(
        video_ids(&app, &ada, &a).await,
        [first[2].clone(), first[1].clone()]
    );
    assert_eq!(positions(&app, &a).await, [0, 1], "the gap is closed");
    assert_eq!(positions(&app, &b).await, [0, 1]);
    let now = course_of(&app, &ada, course.id.as_str()).await;
    let counts: Vec<i64> = now.chapters.iter().map(|c| c.video_count).collect();
    assert_eq!(counts, [2, 2, 0]);
    // The activity names both chapters of the move, by title.
    let moves: shared::dto::ActivityPage = app
        .get_json(
            &ada,
            &format!("/api/courses/{}/activity?kind=move", course.id),
        )
        .await;
    let move_entry = moves
        .events
        .iter()
        .find(|e| e.action == "video.moved")
        .expect("the move");
    let title_of = |id: &str| {
        now.chapters
            .iter()
            .find(|c| c.id.as_str() == id)
            .map(|c| c.title.clone())
    };
    assert_eq!(move_entry.from_chapter, title_of(&a));
    assert_eq!(move_entry.to_chapter, title_of(&b));

    // Not to a chapter of another course, even her own.
    let elsewhere = new_course(&app, &ada, "Elsewhere").await;
    let far = add_chapter(&app, &ada, elsewhere.id.as_str(), "Far").await;
    let res = send(
        ada.patch(app.url(&format!("/api/videos/{}", first[1])))
            .json(&json!({ "chapter_id": far.id })),
    )
    .await;
    assert_error(res, 400, "invalid_input").await;
    assert_eq!(
        video_ids(&app, &ada, &a).await,
        [first[2].clone(), first[1].clone()]
    );
}

#[actix_web::test]
async fn concurrent_uploads_and_moves_into_a_chapter_keep_its_positions_dense_and_unique() {
    let app = spawn_app().await;
    let (ada, course) = course_with_chapters(&app, "ada@example.com").await;
    let (a, b) = (
        course.chapters[0].id.0.clone(),
        course.chapters[1].id.0.clone(),
    );
    let mut in_b = Vec::new();
    for i in 0..4 {
        in_b.push(
            app.create_upload(&ada, &b, &format!("b{i}.mp4"), 1000)
                .await
                .video_id,
        );
    }
    let uploads = (0..6).map(|i| {
        let (app, ada, a) = (&app, &ada, &a);
        async move {
            app.tus_create(ada, a, &format!("a{i}.mp4"), 1000)
                .await
                .status()
                .as_u16()
        }
    });
    let moves = in_b.iter().map(|id| {
        let req = ada
            .patch(app.url(&format!("/api/videos/{id}")))
            .json(&json!({ "chapter_id": a }));
        async move { send(req).await.status().as_u16() }
    });
    let (created, moved) = futures_util::future::join(
        futures_util::future::join_all(uploads),
        futures_util::future::join_all(moves),
    )
    .await;
    assert!(created.iter().all(|s| *s == 201), "{created:?}");
    assert!(moved.iter().all(|s| *s == 200), "{moved:?}");
    assert_eq!(positions(&app, &a).await, (0..10).collect::<Vec<i32>>());
    assert!(positions(&app, &b).await.is_empty());
}

#[actix_web::test]
async fn the_activity_feed_pages_newest_first_filters_by_kind_and_names_no_storage_detail() {
    let app = spawn_app().await;
    let (ada, course) = course_with_chapters(&app, "ada@example.com").await;
    let chapter = course.chapters[0].id.0.clone();
    let video = app
        .create_upload(&ada, &chapter, "a.mp4", 1000)
        .await
        .video_id;
    for i in 0..55 {
        let res = send(
            ada.patch(app.url(&format!("/api/videos/{video}")))
                .json(&json!({ "title": format!("Take {i}") })),
        )
        .await;
        assert_eq!(res.status(), 200);
    }
    let res = send(ada.delete(app.url(&format!("/api/videos/{video}")))).await;
    assert_eq!(res.status(), 200);
    let base = format!("/api/courses/{}/activity", course.id);

    let first: ActivityPage = app.get_json(&ada, &base).await;
    assert_eq!(first.events.len(), 50);
    assert_eq!(first.events[0].action, "video.deleted");
    assert_eq!(first.events[1].action, "video.renamed");
    assert_eq!(first.events[1].target_title.as_deref(), Some("Take 54"));
    assert_eq!(
        first.events[1].actor_name.as_deref(),
        Some("Test Instructor")
    );
    assert!(
        first.events.windows(2).all(|w| w[0].id > w[1].id),
        "newest first"
    );
    let before = first.next_before.expect("more");
    let second: ActivityPage = app.get_json(&ada, &format!("{base}?before={before}")).await;
    // 55 renames, the delete, the upload, the course and its three chapters.
    assert_eq!(second.events.len(), 61 - 50);
    assert!(second.next_before.is_none());
    assert!(second.events.iter().all(|e| e.id < before));
    let last = second.events.last().expect("oldest");
    assert_eq!(last.action, "course.created");

    let uploads: ActivityPage = app.get_json(&ada, &format!("{base}?kind=upload")).await;
    let actions: Vec<&str> = uploads.events.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["upload.created"]);
    // An upload names the chapter it went into, by title.
    assert_eq!(
        uploads.events[0].to_chapter.as_deref(),
        Some(course.chapters[0].title.as_str())
    );
    let deletes: ActivityPage = app.get_json(&ada, &format!("{base}?kind=delete")).await;
    assert_eq!(deletes.events.len(), 1);
    let body = send(ada.get(app.url(&base)))
        .await
        .text()
        .await
        .expect("text");
    for secret in ["storage_key", "sha256", "media/", "127.0.0.1", "request_id"] {
        assert!(!body.contains(secret), "{secret} in {body}");
    }
    for bad in [
        "?kind=nope",
        "?before=abc",
        "?before=-1",
        "?before=9223372036854775808",
    ] {
        assert_error(
            send(ada.get(app.url(&format!("{base}{bad}")))).await,
            400,
            "invalid_input",
        )
        .await;
    }
}

#[actix_web::test]
async fn deleting_a_chapter_deletes_its_videos_and_undo_brings_both_back_where_they_were() {
    let app = spawn_app().await;
    let (ada, course) = course_with_chapters(&app, "ada@example.com").await;
    let [a, b, c] = <[String; 3]>::try_from(chapter_ids(&course)).expect("three");
    let gone_before = app.create_upload(&ada, &b, "x.mp4", 1000).await.video_id;
    let kept = app.create_upload(&ada, &b, "y.mp4", 1000).await.video_id;
    let res = send(ada.delete(app.url(&format!("/api/videos/{gone_before}")))).await;
    assert_eq!(res.status(), 200);
    let mallory = app.signed_in("mallory@example.com").await;
    for attempt in [
        mallory.delete(app.url(&format!("/api/chapters/{b}"))),
        mallory.post(app.url(&format!("/api/chapters/{b}/restore"))),
    ] {
        assert_error(send(attempt).await, 404, "not_found").await;
    }

    let deleted: Value = ok(ada.delete(app.url(&format!("/api/chapters/{b}")))).await;
    assert_eq!(deleted["videos_deleted"], 1);
    assert!(deleted["restorable_until"].is_string());
    let now = course_of(&app, &ada, course.id.as_str()).await;
    assert_eq!(chapter_ids(&now), [a.clone(), c.clone()]);
    let positions: Vec<i32> = now.chapters.iter().map(|ch| ch.position).collect();
    assert_eq!(positions, [0, 1]);
    for gone in [
        ada.get(app.url(&format!("/api/chapters/{b}/videos"))),
        ada.get(app.url(&format!("/api/videos/{kept}"))),
        ada.patch(app.url(&format!("/api/chapters/{b}")))
            .json(&json!({ "title": "x" })),
        ada.delete(app.url(&format!("/api/chapters/{b}"))),
    ] {
        assert_error(send(gone).await, 404, "not_found").await;
    }
    assert_eq!(
        app.tus_create(&ada, &b, "z.mp4", 1000).await.status(),
        404,
        "no upload into it"
    );
    // The course's chapters can be reordered without it meanwhile.
    let _: CourseDto = ok(ada
        .post(app.url(&format!("/api/courses/{}/chapters/order", course.id)))
        .json(&json!({ "ids": [c, a] })))
    .await;

    let back: ChapterDto = ok(ada.post(app.url(&format!("/api/chapters/{b}/restore")))).await;
    assert_eq!((back.position, back.video_count), (1, 1));
    let now = course_of(&app, &ada, course.id.as_str()).await;
    assert_eq!(chapter_ids(&now), [c.clone(), b.clone(), a.clone()]);
    assert_eq!(
        video_ids(&app, &ada, &b).await,
        [kept],
        "what was deleted before stays deleted"
    );
    let again: ChapterDto = ok(ada.post(app.url(&format!("/api/chapters/{b}/restore")))).await;
    assert_eq!(again, back, "restoring twice changes nothing");

    let base = format!("/api/courses/{}/activity", course.id);
    let deletes: ActivityPage = app.get_json(&ada, &format!("{base}?kind=delete")).await;
    let actions: Vec<&str> = deletes.events.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        ["video.deleted", "chapter.deleted", "video.deleted"]
    );
    let restores: ActivityPage = app.get_json(&ada, &format!("{base}?kind=restore")).await;
    let actions: Vec<&str> = restores.events.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["video.restored", "chapter.restored"]);
}

#[actix_web::test]
async fn a_chapter_cannot_come_back_after_the_grace_period() {
    let app = crate::support::spawn_app_with(|config| config.delete_grace_secs = 0).await;
    let (ada, course) = course_with_chapters(&app, "ada@example.com").await;
    let b = course.chapters[1].id.0.clone();
    app.create_upload(&ada, &b, "y.mp4", 1000).await;
    let _: Value = ok(ada.delete(app.url(&format!("/api/chapters/{b}")))).await;
    let res = send(ada.post(app.url(&format!("/api/chapters/{b}/restore")))).await;
    assert_error(res, 410, "restore_expired").await;
    assert_eq!(
        course_of(&app, &ada, course.id.as_str())
            .await
            .chapters
            .len(),
        2
    );
}

#[actix_web::test]
async fn a_burst_of_reorders_is_one_activity_entry_that_counts_them() {
    let app = spawn_app().await;
    let (ada, course) = course_with_chapters(&app, "ada@example.com").await;
    let [a, b, c] = <[String; 3]>::try_from(chapter_ids(&course)).expect("three");
    let url = app.url(&format!("/api/courses/{}/chapters/order", course.id));
    // Dragging C to the top one step at a time, then back down: four reorders in a row.
    for ids in [
        json!([a, c, b]),
        json!([c, a, b]),
        json!([a, c, b]),
        json!([a, b, c]),
    ] {
        let _: CourseDto = ok(ada.post(&url).json(&json!({ "ids": ids }))).await;
    }
    let page: shared::dto::ActivityPage = app
        .get_json(
            &ada,
            &format!("/api/courses/{}/activity?kind=move", course.id),
        )
        .await;
    let reorders: Vec<_> = page
        .events
        .iter()
        .filter(|e| e.action == "chapters.reordered")
        .collect();
    assert_eq!(reorders.len(), 1, "{:?}", page.events);
    assert_eq!(reorders[0].repeats, 4);
}
