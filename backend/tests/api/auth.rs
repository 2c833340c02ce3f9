use crate::support::{assert_error, browser, spawn_app, PASSWORD};

#[actix_web::test]
async fn signing_in_sets_an_http_only_same_site_session_cookie() {
    let app = spawn_app().await;
    app.instructor("ada@example.com").await;
    let client = browser();

    let res = app.login(&client, "ada@example.com", PASSWORD).await;

    assert_eq!(res.status(), 200);
    let cookie = res
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .expect("cookie")
        .to_string();
    assert!(cookie.starts_with("reel_session="), "{cookie}");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    assert!(cookie.contains("Path=/"), "{cookie}");
    let me: serde_json::Value = res.json().await.expect("json");
    assert_eq!(me["email"], "ada@example.com");

    let me = client
        .get(app.url("/api/auth/me"))
        .send()
        .await
        .expect("sent");
    assert_eq!(me.status(), 200);
    let me: serde_json::Value = me.json().await.expect("json");
    assert!(
        me["undo_secs"].as_u64().is_some(),
        "the app says how long Undo lasts: {me}"
    );
}

#[actix_web::test]
async fn email_is_matched_case_insensitively() {
    let app = spawn_app().await;
    app.instructor("Grace@Example.com").await;
    let res = app
        .login(&browser(), "  GRACE@example.COM ", PASSWORD)
        .await;
    assert_eq!(res.status(), 200);
}

#[actix_web::test]
async fn a_wrong_password_and_an_unknown_email_get_the_same_generic_answer() {
    let app = spawn_app().await;
    app.instructor("ada@example.com").await;

    let wrong_password = app
        .login(&browser(), "ada@example.com", "nope-nope-nope")
        .await;
    let unknown_email = app.login(&browser(), "who@example.com", PASSWORD).await;

    assert!(wrong_password.headers().get("set-cookie").is_none());
    let a = assert_error(wrong_password, 401, "invalid_credentials").await;
    let b = assert_error(unknown_email, 401, "invalid_credentials").await;
    assert_eq!(a, b);
}

#[actix_web::test]
async fn every_sign_in_success_and_failure_is_audited() {
    let app = spawn_app().await;
    let ada = app.instructor("ada@example.com").await;
    app.login(&browser(), "ada@example.com", "wrong-password")
        .await;
    app.login(&browser(), "ada@example.com", PASSWORD).await;

    let events = app.audit_events().await;

    let logins: Vec<_> = events.iter().filter(|e| e.action == "auth.login").collect();
    assert_eq!(logins.len(), 2);
    let success = logins
        .iter()
        .find(|e| e.outcome == "success")
        .expect("success event");
    assert_eq!(success.actor.as_deref(), Some(ada.id.as_str()));
    let denied = logins
        .iter()
        .find(|e| e.outcome == "denied")
        .expect("denied event");
    assert_eq!(denied.actor.as_deref(), Some("ada@example.com"));
    for e in logins {
        assert_eq!(e.client_ip.as_deref(), Some("127.0.0.1"));
        assert!(e.request_id.as_deref().is_some_and(|id| !id.is_empty()));
    }
}

#[actix_web::test]
async fn signing_out_ends_the_session_on_the_server() {
    let app = spawn_app().await;
    app.instructor("ada@example.com").await;
    let res = app.login(&browser(), "ada@example.com", PASSWORD).await;
    let cookie = res.headers()["set-cookie"]
        .to_str()
        .expect("ascii")
        .split(';')
        .next()
        .expect("pair")
        .to_string();
    let raw = reqwest::Client::new();

    let out = raw
        .post(app.url("/api/auth/logout"))
        .header("cookie", &cookie)
        .json(&serde_json::json!({}))
        .send()
        .await
        .expect("sent");

    assert_eq!(out.status(), 200);
    let cleared = out.headers()["set-cookie"]
        .to_str()
        .expect("ascii")
        .to_string();
    assert!(cleared.contains("Max-Age=0"), "{cleared}");
    // Replaying the old cookie no longer works: the session is gone, not just the cookie.
    let me = raw
        .get(app.url("/api/auth/me"))
        .header("cookie", &cookie)
        .send()
        .await
        .expect("sent");
    assert_error(me, 401, "unauthenticated").await;
    assert!(app
        .audit_events()
        .await
        .iter()
        .any(|e| e.action == "auth.logout"));
}

#[actix_web::test]
async fn me_without_a_session_or_with_a_forged_one_is_unauthenticated() {
    let app = spawn_app().await;
    let raw = reqwest::Client::new();
    let none = raw.get(app.url("/api/auth/me")).send().await.expect("sent");
    assert_error(none, 401, "unauthenticated").await;
    let forged = raw
        .get(app.url("/api/auth/me"))
        .header("cookie", "reel_session=abc123")
        .send()
        .await
        .expect("sent");
    assert_error(forged, 401, "unauthenticated").await;
}

#[actix_web::test]
async fn empty_credentials_are_invalid_input_not_a_failed_sign_in() {
    let app = spawn_app().await;
    let res = app.login(&browser(), "", "").await;
    assert_error(res, 400, "invalid_input").await;
}
