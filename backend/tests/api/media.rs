//! Display URLs: signed, expiring, with full Range support; and a sweep that nothing internal
//! ever reaches a client.

use crate::support::Reel;
use crate::support::{fixture, metadata};
use crate::support::{spawn_app, TestApp};
use reqwest::Client;

async fn ready_video(app: &TestApp) -> (Client, String, String, Vec<u8>) {
    let (client, chapter) = app.instructor_with_chapter("ada@example.com").await;
    let data = fixture("clip.mp4");
    let id = app
        .upload(&client, &chapter, "clip.mp4", &data, 1 << 20)
        .await;
    let video = app.settled_video(&client, &id).await;
    (
        client,
        id,
        video["display_url"].as_str().expect("url").to_string(),
        data,
    )
}

async fn get_range(app: &TestApp, url: &str, range: &str) -> reqwest::Response {
    reqwest::Client::new()
        .get(app.url(url))
        .header("Range", range)
        .send()
        .await
        .expect("sent")
}

#[actix_web::test]
async fn the_whole_video_is_served_with_type_validators_and_accept_ranges() {
    let app = spawn_app().await;
    let (_, _, url, data) = ready_video(&app).await;
    let res = reqwest::get(app.url(&url)).await.expect("sent");
    assert_eq!(res.status(), 200);
    let h = res.headers().clone();
    assert_eq!(h["content-type"], "video/mp4");
    assert_eq!(h["accept-ranges"], "bytes");
    assert!(h.contains_key("etag") && h.contains_key("last-modified"));
    assert_eq!(h["content-length"], data.len().to_string().as_str());
    assert_eq!(res.bytes().await.expect("body").as_ref(), data.as_slice());
    let head = reqwest::Client::new()
        .head(app.url(&url))
        .send()
        .await
        .expect("sent");
    assert_eq!(
        head.headers()["content-length"],
        data.len().to_string().as_str()
    );
}

#[actix_web::test]
async fn ranges_first_byte_middle_suffix_open_and_beyond_the_end() {
    let app = spawn_app().await;
    let (_, _, url, data) = ready_video(&app).await;
    let len = data.len();
    let cases = [
        ("bytes=0-0", 0, 0),
        ("bytes=100-199", 100, 199),
        ("bytes=-500", len - 500, len - 1),
        ("bytes=1000-", 1000, len - 1),
        ("bytes=1000-99999999", 1000, len - 1),
    ];
    for (range, start, end) in cases {
        let res = get_range(&app, &url, range).await;
        assert_eq!(res.status(), 206, "{range}");
        assert_eq!(
            res.headers()["content-range"],
            format!("bytes {start}-{end}/{len}").as_str(),
            "{range}"
        );
        assert_eq!(
            res.bytes().await.expect("body").as_ref(),
            &data[start..=end],
            "{range}"
        );
    }
    let beyond = get_range(&app, &url, &format!("bytes={len}-")).await;
    assert_eq!(beyond.status(), 416);
    assert_eq!(
        beyond.headers()["content-range"],
        format!("bytes */{len}").as_str()
    );
}

#[actix_web::test]
async fn if_range_serves_the_range_only_for_the_same_version() {
    let app = spawn_app().await;
    let (_, _, url, data) = ready_video(&app).await;
    let etag = reqwest::get(app.url(&url)).await.expect("sent").headers()["etag"]
        .to_str()
        .expect("ascii")
        .to_string();
    let client = reqwest::Client::new();
    let same = client
        .get(app.url(&url))
        .header("Range", "bytes=0-9")
        .header("If-Range", &etag)
        .send()
        .await
        .expect("sent");
    assert_eq!(same.status(), 206);
    let stale = client
        .get(app.url(&url))
        .header("Range", "bytes=0-9")
        .header("If-Range", "\"old\"")
        .send()
        .await
        .expect("sent");
    assert_eq!(stale.status(), 200);
    assert_eq!(stale.bytes().await.expect("body").len(), data.len());
}

#[actix_web::test]
async fn a_tampered_or_expired_signature_is_403_with_no_detail() {
    let app = spawn_app().await;
    let (_, id, url, _) = ready_video(&app).await;
    let tampered_sig = format!("{}x", url);
    let other_exp = url.replace("exp=", "exp=1");
    let expired = reel::services::signing::display_url(&app.state.secret, &id, 1_000);
    let unsigned = format!("/media/{id}");
    for bad in [tampered_sig, other_exp, expired, unsigned] {
        let res = reqwest::get(app.url(&bad)).await.expect("sent");
        assert_eq!(res.status(), 403, "{bad}");
        let body = res.text().await.expect("body");
        assert!(body.contains("\"forbidden\""), "{body}");
        assert!(
            !body.to_lowercase().contains("signature") && !body.contains("hmac"),
            "{body}"
        );
    }
}

#[actix_web::test]
async fn a_video_that_is_not_ready_has_no_display_url_and_its_id_cannot_be_played() {
    let app = spawn_app().await;
    let (client, chapter) = app.instructor_with_chapter("ada@example.com").await;
    let created = app.create_upload(&client, &chapter, "a.mp4", 100_000).await;
    let video: serde_json::Value = app
        .get_json(&client, &format!("/api/videos/{}", created.video_id))
        .await;
    assert_eq!(video["status"], "uploading");
    assert!(video["display_url"].is_null());
    let signed = reel::services::signing::display_url(
        &app.state.secret,
        &created.video_id,
        reel::clock::now_ms() / 1000,
    );
    assert_eq!(
        reqwest::get(app.url(&signed)).await.expect("sent").status(),
        404
    );
}

#[actix_web::test]
async fn another_instructors_video_is_not_found() {
    let app = spawn_app().await;
    let (_, id, _, _) = ready_video(&app).await;
    let (bob, bobs_chapter) = app.instructor_with_chapter("bob@example.com").await;
    assert_eq!(
        bob.get(app.url(&format!("/api/videos/{id}")))
            .send()
            .await
            .expect("sent")
            .status(),
        404
    );
    let listed = app.chapter_videos(&bob, &bobs_chapter).await;
    assert!(listed.is_empty());
}

/// Records every response (status, headers, body) a client received.
#[derive(Default)]
struct Seen(Vec<String>);

impl Seen {
    async fn keep(&mut self, req: reqwest::RequestBuilder) -> reqwest::StatusCode {
        let res = req.send().await.expect("sent");
        let (status, headers) = (res.status(), format!("{:?}", res.headers()));
        let body = res.bytes().await.expect("body");
        // Video bytes are binary and may contain any byte sequence; only text is searched.
        let text = if body.len() > 4096 {
            String::new()
        } else {
            String::from_utf8_lossy(&body).into_owned()
        };
        self.0.push(format!("{status} {headers} {text}"));
        status
    }
}

/// Everything a client can receive in the upload and playback flows, good and bad, must be
/// free of storage keys, paths, the secret, SQL and stack traces.
#[actix_web::test]
async fn no_response_leaks_storage_keys_paths_secrets_or_internals() {
    let app = spawn_app().await;
    let (client, chapter) = app.instructor_with_chapter("ada@example.com").await;
    let data = fixture("clip.mp4");
    let mut seen = Seen::default();
    let tus = |r: reqwest::RequestBuilder| r.header("Tus-Resumable", "1.0.0");
    let chunk = |r: reqwest::RequestBuilder, offset: &str| {
        r.header("Tus-Resumable", "1.0.0")
            .header("Upload-Offset", offset)
            .header("Content-Type", "application/offset+octet-stream")
    };
    let create = app
        .tus_create(&client, &chapter, "clip.mp4", data.len())
        .await;
    let location = create.headers()["location"]
        .to_str()
        .expect("ascii")
        .to_string();
    let video_id = create.headers()["reel-video-id"]
        .to_str()
        .expect("ascii")
        .to_string();
    seen.0.push(format!("{:?}", create.headers()));

    seen.keep(tus(
        client.request(reqwest::Method::OPTIONS, app.url("/api/uploads"))
    ))
    .await;
    seen.keep(chunk(client.patch(app.url(&location)), "5").body("x"))
        .await;
    seen.keep(
        tus(client.patch(app.url(&location)))
            .header("Upload-Offset", "0")
            .header("Content-Type", "text/plain")
            .body("x"),
    )
    .await;
    seen.keep(
        chunk(client.patch(app.url(&location)), "0")
            .header("Upload-Checksum", "sha1 AAAA")
            .body(data[..100].to_vec()),
    )
    .await;
    assert_eq!(
        seen.keep(chunk(client.patch(app.url(&location)), "0").body(data.clone()))
            .await,
        204
    );
    seen.keep(tus(client.head(app.url(&location)))).await;
    seen.keep(chunk(client.patch(app.url("/api/uploads/does-not-exist")), "0").body("x"))
        .await;
    seen.keep(
        tus(client.post(app.url("/api/uploads")))
            .header("Upload-Length", "5")
            .header(
                "Upload-Metadata",
                metadata(&[("filename", "x.exe"), ("chapter_id", &chapter)]),
            ),
    )
    .await;
    seen.keep(
        client
            .post(app.url("/api/uploads"))
            .header("Upload-Length", "5"),
    )
    .await;
    let video = app.settled_video(&client, &video_id).await;
    let url = video["display_url"].as_str().expect("url").to_string();
    seen.0.push(video.to_string());
    seen.keep(client.get(app.url(&format!("/api/chapters/{chapter}/videos"))))
        .await;
    seen.keep(client.get(app.url(&url)).header("Range", "bytes=0-99"))
        .await;
    seen.keep(client.get(app.url(&url)).header("Range", "bytes=999999-"))
        .await;
    seen.keep(client.get(app.url(&format!("{url}0")))).await;
    seen.keep(client.get(app.url("/media/nope?exp=1&sig=abc")))
        .await;
    seen.keep(client.get(app.url("/api/videos/nope"))).await;
    let text = b"not a video at all, just text".repeat(4);
    let failed = app
        .create_upload(&client, &chapter, "notes.mp4", text.len())
        .await;
    seen.keep(chunk(client.patch(app.url(&failed.location)), "0").body(text.clone()))
        .await;
    seen.keep(client.get(app.url(&format!("/api/videos/{}", failed.video_id))))
        .await;

    let secret_hex = hex::encode(app.state.secret.expose());
    let data_dir = app.data_dir.to_string_lossy().to_string();
    let forbidden = [
        "courses/",
        "source.mp4",
        "objects/",
        "partial/",
        ".part",
        "storage_key",
        data_dir.as_str(),
        secret_hex.as_str(),
        "diesel",
        "sqlite",
        "select ",
        "insert into",
        "panicked",
        "backtrace",
        "src/",
        "localstorage",
        "memorystorage",
    ];
    assert!(seen.0.len() >= 18);
    for text in &seen.0 {
        let lower = text.to_lowercase();
        for needle in forbidden {
            assert!(
                !lower.contains(&needle.to_lowercase()),
                "a response leaks `{needle}`: {text}"
            );
        }
    }
}
