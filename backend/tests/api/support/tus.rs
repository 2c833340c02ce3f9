//! A small tus client for the tests (the real-client test uses tus-js-client, in e2e/).

use base64::Engine;
use reqwest::{Client, Response};

pub const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");

pub fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!("{FIXTURES}/{name}")).expect("fixture")
}

/// The fixture MP4 grown to `len` bytes by a trailing `free` box of `fill(i)` bytes: a real
/// video of any size for tests that need many bytes.
pub fn padded_mp4(len: usize, fill: impl FnMut(usize) -> u8) -> Vec<u8> {
    let mut data = fixture("clip.mp4");
    let pad = len - data.len();
    data.extend_from_slice(&u32::try_from(pad).expect("fits").to_be_bytes());
    data.extend_from_slice(b"free");
    data.extend((0..pad - 8).map(fill));
    data
}

/// A request body sending `data[from..]` in `piece`-byte pieces, one every `every`, adding
/// what it handed over to `sent`: a client on a slow network.
pub fn paced_body(
    data: std::sync::Arc<Vec<u8>>,
    from: usize,
    piece: usize,
    every: std::time::Duration,
    sent: std::sync::Arc<std::sync::atomic::AtomicU64>,
) -> reqwest::Body {
    let pieces = futures_util::stream::unfold(from, move |at| {
        let (data, sent) = (data.clone(), sent.clone());
        async move {
            if at >= data.len() {
                return None;
            }
            actix_web::rt::time::sleep(every).await;
            let end = (at + piece).min(data.len());
            sent.fetch_add((end - at) as u64, std::sync::atomic::Ordering::Relaxed);
            Some((
                Ok::<_, std::io::Error>(bytes::Bytes::copy_from_slice(&data[at..end])),
                end,
            ))
        }
    });
    reqwest::Body::wrap_stream(pieces)
}

pub fn metadata(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| {
            format!(
                "{k} {}",
                base64::engine::general_purpose::STANDARD.encode(v)
            )
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// A created upload.
pub struct Created {
    pub location: String,
    pub video_id: String,
}

/// A Reel to talk to: the app in-process ([`super::TestApp`]) or a real process
/// ([`super::Server`]). The tus and API requests every suite makes, written once.
pub trait Reel {
    /// The absolute URL of `path` on this Reel.
    fn url(&self, path: &str) -> String;

    /// A tus creation for `filename` in `chapter`, `length` bytes, no body.
    async fn tus_create(
        &self,
        client: &Client,
        chapter: &str,
        filename: &str,
        length: usize,
    ) -> Response {
        client
            .post(self.url("/api/uploads"))
            .header("Tus-Resumable", "1.0.0")
            .header("Upload-Length", length.to_string())
            .header(
                "Upload-Metadata",
                metadata(&[
                    ("filename", filename),
                    ("filetype", "video/mp4"),
                    ("chapter_id", chapter),
                ]),
            )
            .send()
            .await
            .expect("sent")
    }

    /// [`Reel::tus_create`] that must succeed: where the upload is and its video's ID.
    async fn create_upload(
        &self,
        client: &Client,
        chapter: &str,
        filename: &str,
        length: usize,
    ) -> Created {
        let res = self.tus_create(client, chapter, filename, length).await;
        assert_eq!(res.status(), 201, "creation failed: {:?}", res.text().await);
        Created {
            location: header(&res, "location"),
            video_id: header(&res, "reel-video-id"),
        }
    }

    /// A PATCH of `body` at `offset`, to send when the caller chooses.
    fn patch_request(
        &self,
        client: &Client,
        location: &str,
        offset: usize,
        body: impl Into<reqwest::Body>,
    ) -> reqwest::RequestBuilder {
        client
            .patch(self.url(location))
            .header("Tus-Resumable", "1.0.0")
            .header("Upload-Offset", offset.to_string())
            .header("Content-Type", "application/offset+octet-stream")
            .body(body)
    }

    /// A PATCH of `body` at `offset`, sent.
    async fn patch(
        &self,
        client: &Client,
        location: &str,
        offset: usize,
        body: impl Into<reqwest::Body>,
    ) -> Response {
        self.patch_request(client, location, offset, body)
            .send()
            .await
            .expect("sent")
    }

    /// A HEAD of the upload.
    async fn head_offset(&self, client: &Client, location: &str) -> Response {
        client
            .head(self.url(location))
            .header("Tus-Resumable", "1.0.0")
            .send()
            .await
            .expect("sent")
    }

    /// The upload's offset, which HEAD must answer.
    async fn offset(&self, client: &Client, location: &str) -> u64 {
        let res = self.head_offset(client, location).await;
        assert_eq!(res.status(), 200, "HEAD");
        header(&res, "upload-offset").parse().expect("a number")
    }

    /// A tus termination.
    async fn terminate(&self, client: &Client, location: &str) -> Response {
        client
            .delete(self.url(location))
            .header("Tus-Resumable", "1.0.0")
            .send()
            .await
            .expect("sent")
    }

    /// Uploads `data` in `chunk`-sized PATCHes and returns the video ID.
    async fn upload(
        &self,
        client: &Client,
        chapter: &str,
        filename: &str,
        data: &[u8],
        chunk: usize,
    ) -> String {
        let created = self
            .create_upload(client, chapter, filename, data.len())
            .await;
        let mut offset = 0;
        while offset < data.len() {
            let end = (offset + chunk).min(data.len());
            let res = self
                .patch(
                    client,
                    &created.location,
                    offset,
                    data[offset..end].to_vec(),
                )
                .await;
            assert_eq!(res.status(), 204, "{:?}", res.text().await);
            offset = end;
        }
        created.video_id
    }

    /// The videos a chapter lists for this client.
    async fn chapter_videos(&self, client: &Client, chapter: &str) -> Vec<serde_json::Value> {
        client
            .get(self.url(&format!("/api/chapters/{chapter}/videos")))
            .send()
            .await
            .expect("sent")
            .json()
            .await
            .expect("json")
    }

    /// Polls the video (up to a minute) until it is neither uploading nor processing, and
    /// returns its JSON (`{"status": "not_found"}` once it is gone).
    async fn settled_video(&self, client: &Client, video_id: &str) -> serde_json::Value {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        while std::time::Instant::now() < deadline {
            let res = client
                .get(self.url(&format!("/api/videos/{video_id}")))
                .send()
                .await
                .expect("sent");
            if res.status() == 404 {
                return serde_json::json!({ "status": "not_found" });
            }
            let video: serde_json::Value = res.json().await.expect("json");
            if video["status"] != "processing" && video["status"] != "uploading" {
                return video;
            }
            actix_web::rt::time::sleep(std::time::Duration::from_millis(25)).await;
        }
        panic!("video {video_id} never finished processing");
    }

    /// Waits for the video to be processed and returns the bytes its display URL serves.
    async fn served_bytes(&self, client: &Client, video_id: &str) -> Vec<u8> {
        let video = self.settled_video(client, video_id).await;
        let url = video["display_url"]
            .as_str()
            .expect("a ready video has a display URL");
        client
            .get(self.url(url))
            .send()
            .await
            .expect("sent")
            .bytes()
            .await
            .expect("body")
            .to_vec()
    }
}

/// A response header that must be there, as text.
pub fn header(res: &Response, name: &str) -> String {
    res.headers()[name].to_str().expect("ascii").to_string()
}

pub fn sha256(data: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(data))
}
