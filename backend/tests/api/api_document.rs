//! `GET /api/openapi.json` describes the whole JSON API to anyone, and the server keeps the
//! promises the document makes about methods.

use crate::support::{assert_error, spawn_app};
use shared::actions::ALL;

#[actix_web::test]
async fn the_openapi_document_is_public_json_naming_every_action() {
    let app = spawn_app().await;

    let res = reqwest::get(app.url("/api/openapi.json"))
        .await
        .expect("sent");

    assert_eq!(res.status(), 200);
    assert!(res.headers()["content-type"]
        .to_str()
        .expect("ascii")
        .starts_with("application/json"));
    let doc: serde_json::Value = res.json().await.expect("json");
    assert!(doc["openapi"].as_str().expect("version").starts_with("3."));
    for action in ALL {
        let method = action.method.as_str().to_lowercase();
        assert!(
            doc["paths"][action.path][&method].is_object(),
            "{} {} missing",
            action.method.as_str(),
            action.path
        );
    }
    assert_eq!(
        doc["paths"]["/api/uploads"]["post"]["parameters"]
            .as_array()
            .expect("parameters")
            .iter()
            .find(|p| p["name"] == "Upload-Length")
            .expect("Upload-Length")["schema"]["maximum"],
        10u64 << 30,
        "the document states this server's upload limit"
    );
}

#[actix_web::test]
async fn a_wrong_method_is_405_with_the_methods_that_would_work() {
    let app = spawn_app().await;
    let client = reqwest::Client::new();

    let put_video = client
        .put(app.url("/api/videos/some-id"))
        .send()
        .await
        .expect("sent");
    let allow = put_video.headers()["allow"]
        .to_str()
        .expect("ascii")
        .to_string();
    assert_error(put_video, 405, "method_not_allowed").await;
    assert_eq!(allow, "GET, PATCH, DELETE");

    let get_uploads = client
        .get(app.url("/api/uploads"))
        .send()
        .await
        .expect("sent");
    assert_eq!(get_uploads.headers()["allow"], "OPTIONS, POST");
    assert_error(get_uploads, 405, "method_not_allowed").await;

    let post_doc = client
        .post(app.url("/api/openapi.json"))
        .send()
        .await
        .expect("sent");
    assert_eq!(post_doc.headers()["allow"], "GET");
    assert_error(post_doc, 405, "method_not_allowed").await;
}

#[actix_web::test]
async fn sign_in_limits_count_characters_as_the_document_says() {
    let app = spawn_app().await;
    let client = reqwest::Client::new();

    // 300 characters, 600 bytes: within the documented 320.
    let long = app.login(&client, &"é".repeat(300), "wrong password").await;
    let too_long = app.login(&client, &"é".repeat(321), "wrong password").await;

    assert_error(long, 401, "invalid_credentials").await;
    assert_error(too_long, 400, "invalid_input").await;
}

#[actix_web::test]
async fn a_bulk_delete_of_more_ids_than_documented_is_refused_even_when_they_repeat() {
    let app = spawn_app().await;
    let client = app.signed_in("ada@example.com").await;
    let ids = vec!["same-id"; shared::dto::BULK_DELETE_MAX + 1];

    let res = client
        .post(app.url("/api/videos/bulk-delete"))
        .json(&serde_json::json!({ "ids": ids }))
        .send()
        .await
        .expect("sent");

    assert_error(res, 400, "invalid_input").await;
}
