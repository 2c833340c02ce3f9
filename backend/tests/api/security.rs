//! The holes a security probe found, each closed and kept closed: sign-in throttling, CORS by
//! scheme, security headers, private files, bounded tus metadata, audited denied reads,
//! sessions that end when they should.

use crate::support::Reel;
use crate::support::{assert_error, browser, spawn_app, spawn_app_with, PASSWORD};
use crate::support::{fixture, metadata};
use std::os::unix::fs::PermissionsExt;
use std::time::Duration;

#[actix_web::test]
async fn repeated_wrong_passwords_are_throttled_with_retry_after_and_the_right_one_works_after_the_wait(
) {
    let app = spawn_app().await;
    app.instructor("ada@example.com").await;
    let client = browser();
    for _ in 0..5 {
        let res = app
            .login(&client, "ada@example.com", "wrong password")
            .await;
        assert_error(res, 401, "invalid_credentials").await;
    }

    // Even the right password waits out the block, and the answer says how long.
    let res = app.login(&client, "ada@example.com", PASSWORD).await;
    let retry_after: u64 = res.headers()["retry-after"]
        .to_str()
        .expect("ascii")
        .parse()
        .expect("seconds");
    assert_eq!(retry_after, 1);
    let message = assert_error(res, 429, "too_many_attempts").await;
    assert!(message.contains("Wait 1 second"), "{message}");
    assert!(app.audited("auth.login", Some("throttled")).await);

    actix_web::rt::time::sleep(Duration::from_millis(1_100)).await;
    let res = app.login(&client, "ada@example.com", PASSWORD).await;
    assert_eq!(res.status(), 200);
    // Success forgets the failures: one more mistake is not blocked.
    let res = app.login(&client, "ada@example.com", "wrong again").await;
    assert_error(res, 401, "invalid_credentials").await;
}

#[actix_web::test]
async fn cors_allows_the_apps_own_origin_only_with_the_same_scheme() {
    let app = spawn_app().await;
    let port = app.address.rsplit(':').next().expect("port");
    let preflight = |origin: String| {
        browser()
            .request(reqwest::Method::OPTIONS, app.url("/api/courses"))
            .header("Origin", origin)
            .header("Access-Control-Request-Method", "GET")
            .send()
    };

    let same = preflight(format!("http://127.0.0.1:{port}"))
        .await
        .expect("sent");
    let https = preflight(format!("https://127.0.0.1:{port}"))
        .await
        .expect("sent");
    let other_port = preflight("http://127.0.0.1:1".to_string())
        .await
        .expect("sent");

    assert!(same.headers().contains_key("access-control-allow-origin"));
    assert!(!https.headers().contains_key("access-control-allow-origin"));
    assert!(!other_port
        .headers()
        .contains_key("access-control-allow-origin"));
}

#[actix_web::test]
async fn every_response_carries_the_security_headers_and_the_page_a_strict_policy() {
    let app = spawn_app_with(|c| c.cookie_secure = true).await;
    let loader = "import init from '/app.js'; await init();";
    std::fs::write(
        app.data_dir.parent().expect("root").join("web/index.html"),
        format!("<!doctype html><title>Reel</title><script type=\"module\">{loader}</script>"),
    )
    .expect("page");

    let api = browser()
        .get(app.url("/api/courses"))
        .send()
        .await
        .expect("sent");
    let page = browser()
        .get(app.url("/courses"))
        .send()
        .await
        .expect("sent");

    for res in [&api, &page] {
        let h = res.headers();
        assert_eq!(h["x-content-type-options"], "nosniff");
        assert_eq!(h["referrer-policy"], "same-origin");
        assert_eq!(h["cross-origin-opener-policy"], "same-origin");
        assert!(h["permissions-policy"]
            .to_str()
            .expect("ascii")
            .contains("camera=()"));
        assert!(h["strict-transport-security"]
            .to_str()
            .expect("ascii")
            .contains("max-age="));
    }
    assert!(api.headers()["content-security-policy"]
        .to_str()
        .expect("ascii")
        .contains("default-src 'none'"));
    let csp = page.headers()["content-security-policy"]
        .to_str()
        .expect("ascii");
    let hash = {
        use base64::Engine;
        use sha2::Digest;
        base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(loader))
    };
    assert!(csp.contains(&format!("'sha256-{hash}'")), "{csp}");
    assert!(csp.contains("'wasm-unsafe-eval'") && csp.contains("frame-ancestors 'self'"));
    let script_src = csp
        .split(';')
        .find(|d| d.trim().starts_with("script-src"))
        .expect("script-src");
    assert!(!script_src.contains("'unsafe-inline'"), "{csp}");
}

#[actix_web::test]
async fn hsts_is_sent_only_when_the_site_is_served_over_https() {
    let app = spawn_app().await;
    let res = browser()
        .get(app.url("/healthz"))
        .send()
        .await
        .expect("sent");
    assert!(!res.headers().contains_key("strict-transport-security"));
}

#[actix_web::test]
async fn the_data_directory_is_private_and_every_file_in_it_is_0600() {
    let app = spawn_app().await;
    let (client, chapter) = app.instructor_with_chapter("ada@example.com").await;
    let clip = fixture("clip.mp4");
    let id = app
        .upload(&client, &chapter, "clip.mp4", &clip, clip.len())
        .await;
    assert_eq!(app.served_bytes(&client, &id).await, clip);
    // An unfinished upload too, so a partial file exists.
    let created = app
        .create_upload(&client, &chapter, "more.mp4", clip.len())
        .await;
    let res = app
        .patch(&client, &created.location, 0, clip[..1000].to_vec())
        .await;
    assert_eq!(res.status(), 204);

    let mut checked = 0;
    let mut stack = vec![app.data_dir.clone()];
    while let Some(dir) = stack.pop() {
        let mode = std::fs::metadata(&dir).expect("dir").permissions().mode() & 0o777;
        assert_eq!(mode, 0o700, "{}", dir.display());
        for entry in std::fs::read_dir(&dir).expect("list").flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let mode = entry.metadata().expect("file").permissions().mode() & 0o777;
                assert_eq!(mode, 0o600, "{}", path.display());
                checked += 1;
            }
        }
    }
    // On PostgreSQL (REEL_TEST_DATABASE) the database and the shared key are elsewhere.
    let expected = if app.pool.backend() == reel::db::Backend::Postgres {
        2
    } else {
        4
    };
    assert!(
        checked >= expected,
        "database, secret key and two video files: {checked}"
    );
}

#[actix_web::test]
async fn huge_or_many_keyed_upload_metadata_is_refused_before_anything_is_stored() {
    let app = spawn_app().await;
    let (client, chapter) = app.instructor_with_chapter("ada@example.com").await;
    let base = [
        ("filename", "a.mp4"),
        ("filetype", "video/mp4"),
        ("chapter_id", chapter.as_str()),
    ];
    let long_title = "x".repeat(5_000);
    let mut with_title = base.to_vec();
    with_title.push(("title", &long_title));
    let keys: Vec<String> = (0..40).map(|i| format!("k{i}")).collect();
    let mut many = base.to_vec();
    many.extend(keys.iter().map(|k| (k.as_str(), "v")));

    for pairs in [with_title, many] {
        let res = client
            .post(app.url("/api/uploads"))
            .header("Tus-Resumable", "1.0.0")
            .header("Upload-Length", "1000")
            .header("Upload-Metadata", metadata(&pairs))
            .send()
            .await
            .expect("sent");
        assert_error(res, 400, "metadata_too_large").await;
    }
    let list = app.chapter_videos(&client, &chapter).await;
    assert!(list.is_empty());
}

#[actix_web::test]
async fn reading_another_instructors_video_or_chapter_is_not_found_and_audited() {
    let app = spawn_app().await;
    let (owner, chapter) = app.instructor_with_chapter("ada@example.com").await;
    let clip = fixture("clip.mp4");
    let id = app
        .upload(&owner, &chapter, "clip.mp4", &clip, clip.len())
        .await;
    let mallory = app.signed_in("mallory@example.com").await;

    let video = mallory
        .get(app.url(&format!("/api/videos/{id}")))
        .send()
        .await
        .expect("sent");
    assert_error(video, 404, "not_found").await;
    let list = mallory
        .get(app.url(&format!("/api/chapters/{chapter}/videos")))
        .send()
        .await
        .expect("sent");
    assert_error(list, 404, "not_found").await;

    let events = app.audit_events().await;
    for (action, target) in [("video.read", &id), ("chapter.read", &chapter)] {
        assert!(
            events.iter().any(|e| e.action == action
                && e.outcome == "denied"
                && e.target.as_deref() == Some(target.as_str())),
            "{action} not audited"
        );
    }
}

#[actix_web::test]
async fn a_media_response_is_inline_under_a_name_the_server_chose() {
    let app = spawn_app().await;
    let (client, chapter) = app.instructor_with_chapter("ada@example.com").await;
    let clip = fixture("clip.webm");
    let created = app
        .create_upload(&client, &chapter, "evil\"; x=y.webm", clip.len())
        .await;
    // The uploader's name is only ever a title; the file is served under its ID.
    let res = app.patch(&client, &created.location, 0, clip.clone()).await;
    assert_eq!(res.status(), 204);
    let video = app.settled_video(&client, &created.video_id).await;
    let res = client
        .get(app.url(video["display_url"].as_str().expect("url")))
        .send()
        .await
        .expect("sent");
    assert_eq!(
        res.headers()["content-disposition"],
        format!("inline; filename=\"{}.webm\"", created.video_id).as_str()
    );
    assert_eq!(res.headers()["x-content-type-options"], "nosniff");
}

#[actix_web::test]
async fn the_janitor_sweeps_expired_sessions() {
    let app = spawn_app().await;
    let ada = app.instructor("ada@example.com").await;
    let pool = app.pool.clone();
    reel::db::write(&pool, move |conn| {
        let old = reel::db::models::Session {
            id: "expired-session".into(),
            instructor_id: ada.id.clone(),
            created_at: 0,
            expires_at: 1,
        };
        Ok(reel::db::sessions::insert(conn, &old)?)
    })
    .await
    .expect("inserted");

    reel::services::janitor::run_once(&app.state.janitor())
        .await
        .expect("pass");

    // This pass or the one the server ran at start-up removed it.
    let left = reel::db::run(&app.pool, |conn| {
        use diesel::prelude::*;
        use reel::db::schema::sessions;
        Ok(sessions::table
            .filter(sessions::id.eq("expired-session"))
            .count()
            .get_result::<i64>(conn)?)
    })
    .await
    .expect("counted");
    assert_eq!(left, 0);
}

#[actix_web::test]
async fn changing_the_password_ends_every_session_and_signing_out_ends_the_session_everywhere() {
    let app = spawn_app().await;
    let laptop = app.signed_in("ada@example.com").await;
    let phone = browser();
    assert_eq!(
        app.login(&phone, "ada@example.com", PASSWORD)
            .await
            .status(),
        200
    );

    let changed = reel::admin::set_password(&app.pool, "ada@example.com", "a brand new passphrase")
        .await
        .expect("changed");

    assert_eq!(changed.sessions_ended, 2);
    for client in [&laptop, &phone] {
        let me = client
            .get(app.url("/api/auth/me"))
            .send()
            .await
            .expect("sent");
        assert_error(me, 401, "unauthenticated").await;
    }
    let old = app.login(&browser(), "ada@example.com", PASSWORD).await;
    assert_eq!(old.status(), 401);

    // Sign-out: the cookie a thief copied stops working too.
    let client = browser();
    let res = app
        .login(&client, "ada@example.com", "a brand new passphrase")
        .await;
    let cookie = res.headers()["set-cookie"]
        .to_str()
        .expect("ascii")
        .split(';')
        .next()
        .expect("pair")
        .to_string();
    client
        .post(app.url("/api/auth/logout"))
        .send()
        .await
        .expect("sent");
    let stolen = reqwest::Client::new()
        .get(app.url("/api/auth/me"))
        .header("cookie", cookie)
        .send()
        .await
        .expect("sent");
    assert_error(stolen, 401, "unauthenticated").await;
}
