//! The backend serves the built browser app.

use crate::support::spawn_app;

#[actix_web::test]
async fn a_client_side_route_is_served_index_html_uncached() {
    let app = spawn_app().await;
    let res = reqwest::get(app.url("/courses/some-id"))
        .await
        .expect("sent");
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["cache-control"], "no-cache");
    assert!(res
        .text()
        .await
        .expect("body")
        .contains("<title>Reel</title>"));
}

#[actix_web::test]
async fn hashed_assets_are_cached_for_a_year_and_compressed() {
    let app = spawn_app().await;
    let res = reqwest::Client::new()
        .get(app.url("/app-0123abcd.js"))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .expect("sent");
    assert_eq!(res.status(), 200);
    assert!(res.headers()["cache-control"]
        .to_str()
        .expect("ascii")
        .contains("immutable"));
    assert_eq!(res.headers()["content-encoding"], "gzip");
}

#[actix_web::test]
async fn a_missing_asset_is_not_found_and_traversal_stays_inside_the_web_dir() {
    let app = spawn_app().await;
    assert_eq!(
        reqwest::get(app.url("/missing-123.js"))
            .await
            .expect("sent")
            .status(),
        404
    );
    // Both the raw and the encoded form: neither may reach the data directory.
    for path in [
        "/../data/secret.key",
        "/%2e%2e/data/secret.key",
        "/..%2fdata%2fsecret.key",
    ] {
        let res = reqwest::get(app.url(path)).await.expect("sent");
        let body = res.text().await.expect("body");
        assert!(
            !body.chars().all(|c| c.is_ascii_hexdigit()) || body.is_empty(),
            "{path} served the key"
        );
        assert!(!body.contains(&hex::encode(app.state.secret.expose())));
    }
}
