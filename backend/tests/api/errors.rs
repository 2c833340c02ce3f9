//! Bad input gets a clear 4xx with a stable code, never a 500 and never actix's plain text.

use crate::support::{assert_error, spawn_app};

async fn post_raw(
    app: &crate::support::TestApp,
    path: &str,
    ct: &str,
    body: impl Into<reqwest::Body>,
) -> reqwest::Response {
    reqwest::Client::new()
        .post(app.url(path))
        .header("content-type", ct)
        .body(body)
        .send()
        .await
        .expect("sent")
}

#[actix_web::test]
async fn malformed_json_is_malformed_json() {
    let app = spawn_app().await;
    let res = post_raw(&app, "/api/auth/login", "application/json", r#"{"email": "#).await;
    assert_error(res, 400, "malformed_json").await;
}

#[actix_web::test]
async fn a_missing_field_is_invalid_input_naming_the_field() {
    let app = spawn_app().await;
    let res = post_raw(
        &app,
        "/api/auth/login",
        "application/json",
        r#"{"email": "a@b.c"}"#,
    )
    .await;
    let message = assert_error(res, 400, "invalid_input").await;
    assert!(message.contains("password"), "{message}");
}

#[actix_web::test]
async fn a_field_of_the_wrong_type_is_invalid_input() {
    let app = spawn_app().await;
    let res = post_raw(
        &app,
        "/api/auth/login",
        "application/json",
        r#"{"email": 5, "password": []}"#,
    )
    .await;
    assert_error(res, 400, "invalid_input").await;
}

#[actix_web::test]
async fn a_body_that_is_not_json_is_unsupported_media_type() {
    let app = spawn_app().await;
    let res = post_raw(&app, "/api/auth/login", "text/plain", "email=a&password=b").await;
    assert_error(res, 415, "unsupported_media_type").await;
}

#[actix_web::test]
async fn an_oversized_body_is_payload_too_large() {
    let app = spawn_app().await;
    let huge = format!(
        r#"{{"email": "a@b.c", "password": "{}"}}"#,
        "x".repeat(200 * 1024)
    );
    let res = post_raw(&app, "/api/auth/login", "application/json", huge).await;
    assert_error(res, 413, "payload_too_large").await;
}

#[actix_web::test]
async fn an_unknown_api_route_is_a_json_not_found() {
    let app = spawn_app().await;
    let res = reqwest::get(app.url("/api/no/such/thing"))
        .await
        .expect("sent");
    assert_error(res, 404, "not_found").await;
    let res = post_raw(&app, "/api/nothing", "application/json", "{}").await;
    assert_error(res, 404, "not_found").await;
}

#[actix_web::test]
async fn the_wrong_method_is_a_json_method_not_allowed() {
    let app = spawn_app().await;
    let res = reqwest::Client::new()
        .delete(app.url("/api/auth/login"))
        .send()
        .await
        .expect("sent");
    assert_error(res, 405, "method_not_allowed").await;
    let res = reqwest::get(app.url("/api/auth/logout"))
        .await
        .expect("sent");
    assert_error(res, 405, "method_not_allowed").await;
}

#[actix_web::test]
async fn healthz_answers_ok_with_a_request_id() {
    let app = spawn_app().await;
    let res = reqwest::get(app.url("/healthz")).await.expect("sent");
    assert_eq!(res.status(), 200);
    assert!(res.headers().contains_key("x-request-id"));
    let body: serde_json::Value = res.json().await.expect("json");
    assert_eq!(body["status"], "ok");
}

#[actix_web::test]
async fn error_responses_carry_no_internal_detail() {
    let app = spawn_app().await;
    let data_dir = app.data_dir.to_string_lossy().to_string();
    let probes = [
        post_raw(&app, "/api/auth/login", "application/json", "{").await,
        post_raw(&app, "/api/auth/login", "application/json", "{}").await,
        post_raw(&app, "/api/auth/login", "text/plain", "x").await,
        reqwest::get(app.url("/api/unknown")).await.expect("sent"),
        reqwest::get(app.url("/api/courses")).await.expect("sent"),
    ];
    for res in probes {
        let headers = format!("{:?}", res.headers()).to_lowercase();
        let body = res.text().await.expect("body").to_lowercase();
        for needle in [
            "diesel",
            "sqlite",
            "select ",
            "panicked",
            "backtrace",
            "src/",
            data_dir.to_lowercase().as_str(),
            "actix",
        ] {
            assert!(!body.contains(needle), "body leaks `{needle}`: {body}");
            assert!(
                !headers.contains(needle),
                "headers leak `{needle}`: {headers}"
            );
        }
    }
}
