//! What another site's page can make a signed-in browser do: nothing that changes anything
//! (a cross-site form or `text/plain` POST is refused before any action runs), read nothing
//! (CORS answers allowed origins only, and says "credentials" only to them), frame nothing.

use crate::support::Reel;
use crate::support::{assert_error, browser, spawn_app, spawn_app_with, TestApp};

const EVIL: &str = "http://courses.evil.example";

/// A signed-in browser with one deleted (restorable) video; returns it and the video's ID.
async fn with_deleted_video(app: &TestApp) -> (reqwest::Client, String) {
    let (client, chapter) = app.instructor_with_chapter("ada@example.com").await;
    let video = app
        .create_upload(&client, &chapter, "a.mp4", 1000)
        .await
        .video_id;
    let res = client
        .delete(app.url(&format!("/api/videos/{video}")))
        .send()
        .await
        .expect("sent");
    assert_eq!(res.status(), 200);
    (client, video)
}

async fn status_of(app: &TestApp, client: &reqwest::Client, video: &str) -> u16 {
    client
        .get(app.url(&format!("/api/videos/{video}")))
        .send()
        .await
        .expect("sent")
        .status()
        .as_u16()
}

#[actix_web::test]
async fn a_cross_site_form_or_text_post_changes_nothing() {
    let app = spawn_app().await;
    let (client, video) = with_deleted_video(&app).await;
    let restore = app.url(&format!("/api/videos/{video}/restore"));

    for (origin, content_type) in [
        (Some(EVIL), "text/plain"),
        (Some(EVIL), "application/x-www-form-urlencoded"),
        (Some("null"), "text/plain"),
        (Some(EVIL), "application/json"),
    ] {
        let mut req = client
            .post(&restore)
            .header("Content-Type", content_type)
            .body("x=1");
        if let Some(origin) = origin {
            req = req.header("Origin", origin);
        }
        let res = req.send().await.expect("sent");
        assert_error(res, 403, "cross_origin").await;
    }
    // An old browser that sends no Origin still sends its form's content type.
    let form = client
        .post(&restore)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body("x=1")
        .send()
        .await
        .expect("sent");
    assert_error(form, 415, "unsupported_media_type").await;
    assert_eq!(status_of(&app, &client, &video).await, 404, "still deleted");

    // Signing out from another site does not sign anyone out.
    let out = client
        .post(app.url("/api/auth/logout"))
        .header("Origin", EVIL)
        .header("Content-Type", "text/plain")
        .send()
        .await
        .expect("sent");
    assert_error(out, 403, "cross_origin").await;
    let me = client
        .get(app.url("/api/auth/me"))
        .send()
        .await
        .expect("sent");
    assert_eq!(me.status(), 200);

    // The app itself (its own origin, JSON) restores.
    let own = app.address.clone();
    let res = client
        .post(&restore)
        .header("Origin", own)
        .json(&serde_json::json!({}))
        .send()
        .await
        .expect("sent");
    assert_eq!(res.status(), 200);
    assert_eq!(status_of(&app, &client, &video).await, 200);
}

#[actix_web::test]
async fn a_chapter_restore_from_another_site_is_refused() {
    let app = spawn_app().await;
    let (client, chapter) = app.instructor_with_chapter("ada@example.com").await;
    let res = client
        .delete(app.url(&format!("/api/chapters/{chapter}")))
        .send()
        .await
        .expect("sent");
    assert_eq!(res.status(), 200);
    let res = client
        .post(app.url(&format!("/api/chapters/{chapter}/restore")))
        .header("Origin", EVIL)
        .header("Content-Type", "text/plain")
        .send()
        .await
        .expect("sent");
    assert_error(res, 403, "cross_origin").await;
    let videos = client
        .get(app.url(&format!("/api/chapters/{chapter}/videos")))
        .send()
        .await
        .expect("sent");
    assert_eq!(videos.status(), 404, "the chapter stays deleted");
}

#[actix_web::test]
async fn credentials_are_allowed_only_to_an_allowed_origin() {
    let lms = "https://lms.example.edu";
    let app = spawn_app_with(|c| c.allowed_origins = vec![lms.into()]).await;
    let get = |origin: Option<&str>| {
        let mut req = browser().get(app.url("/healthz"));
        if let Some(origin) = origin {
            req = req.header("Origin", origin);
        }
        req.send()
    };
    for origin in [None, Some(EVIL)] {
        let res = get(origin).await.expect("sent");
        assert!(!res.headers().contains_key("access-control-allow-origin"));
        assert!(
            !res.headers()
                .contains_key("access-control-allow-credentials"),
            "{origin:?}"
        );
    }
    let res = get(Some(lms)).await.expect("sent");
    assert_eq!(res.headers()["access-control-allow-origin"], lms);
    assert_eq!(res.headers()["access-control-allow-credentials"], "true");
}

#[actix_web::test]
async fn with_a_public_url_the_own_origin_is_that_url_whatever_the_host_header_says() {
    let public = "https://reel.example.edu";
    let app = spawn_app_with(|c| c.public_origin = Some(public.into())).await;
    let (client, video) = with_deleted_video(&app).await;
    let preflight = |origin: String| {
        browser()
            .request(reqwest::Method::OPTIONS, app.url("/api/courses"))
            .header("Origin", origin)
            .header("Access-Control-Request-Method", "GET")
            .send()
    };
    let public_answer = preflight(public.into()).await.expect("sent");
    assert_eq!(
        public_answer.headers()["access-control-allow-origin"],
        public
    );
    // The Host header is the client's to choose: it no longer makes an origin "own".
    let host = preflight(app.address.clone()).await.expect("sent");
    assert!(!host.headers().contains_key("access-control-allow-origin"));
    let res = client
        .post(app.url(&format!("/api/videos/{video}/restore")))
        .header("Origin", app.address.clone())
        .json(&serde_json::json!({}))
        .send()
        .await
        .expect("sent");
    assert_error(res, 403, "cross_origin").await;
    let res = client
        .post(app.url(&format!("/api/videos/{video}/restore")))
        .header("Origin", public)
        .json(&serde_json::json!({}))
        .send()
        .await
        .expect("sent");
    assert_eq!(res.status(), 200);
}

#[actix_web::test]
async fn no_page_of_the_app_may_be_framed_by_another_site() {
    let app = spawn_app().await;
    for path in [
        "/",
        "/courses",
        "/embed/chapter/x",
        "/lti/launch",
        "/lti/x/y",
    ] {
        let res = browser().get(app.url(path)).send().await.expect("sent");
        let csp = res.headers()["content-security-policy"]
            .to_str()
            .expect("ascii")
            .to_string();
        let ancestors = csp
            .split(';')
            .map(str::trim)
            .find(|d| d.starts_with("frame-ancestors"))
            .unwrap_or_else(|| panic!("{path}: no frame-ancestors in {csp}"));
        assert!(
            ancestors == "frame-ancestors 'self'" || ancestors == "frame-ancestors 'none'",
            "{path}: {ancestors}"
        );
    }
}

#[actix_web::test]
async fn bulk_delete_refuses_a_body_that_is_not_an_object_like_every_action() {
    let app = spawn_app().await;
    let (client, _) = app.instructor_with_chapter("ada@example.com").await;
    let mut messages = Vec::new();
    for path in ["/api/videos/bulk-delete", "/api/courses"] {
        let res = client
            .post(app.url(path))
            .json(&serde_json::json!([["x"]]))
            .send()
            .await
            .expect("sent");
        messages.push(assert_error(res, 400, "invalid_input").await);
    }
    assert_eq!(messages[0], messages[1]);
    assert!(
        !messages[0].contains("BulkDeleteRequest"),
        "{}",
        messages[0]
    );
}
