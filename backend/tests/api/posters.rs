//! Posters and thumbnail strips: made with ffmpeg from the real video, served through URLs
//! signed for that one picture, removed with the video; without ffmpeg, videos are still ready.

use crate::support::fixture;
use crate::support::{spawn_app, spawn_app_with, Reel};
use std::io::Write;
use std::process::{Command, Stdio};

/// A JPEG's width and height, from its start-of-frame marker.
fn jpeg_size(jpeg: &[u8]) -> (u16, u16) {
    let mut i = 2;
    while i + 9 < jpeg.len() {
        assert_eq!(jpeg[i], 0xFF, "a JPEG marker at {i}");
        let marker = jpeg[i + 1];
        let len = usize::from(u16::from_be_bytes([jpeg[i + 2], jpeg[i + 3]]));
        if (0xC0..=0xC2).contains(&marker) {
            let h = u16::from_be_bytes([jpeg[i + 5], jpeg[i + 6]]);
            let w = u16::from_be_bytes([jpeg[i + 7], jpeg[i + 8]]);
            return (w, h);
        }
        i += 2 + len;
    }
    panic!("no start-of-frame marker");
}

/// The picture's pixels as 8-bit gray, decoded by ffmpeg.
fn gray_pixels(jpeg: &[u8]) -> Vec<u8> {
    let mut child = Command::new("ffmpeg")
        .args([
            "-v", "error", "-i", "pipe:0", "-f", "rawvideo", "-pix_fmt", "gray", "pipe:1",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("ffmpeg runs (make test installs it)");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(jpeg)
        .expect("written");
    let out = child.wait_with_output().expect("decoded");
    assert!(out.status.success());
    out.stdout
}

#[actix_web::test]
async fn a_ready_video_has_a_real_poster_frame_and_a_thumbnail_strip_signed_for_each() {
    let app = spawn_app().await;
    let (ada, chapter) = app.instructor_with_chapter("ada@example.com").await;
    let id = app
        .upload(&ada, &chapter, "clip.mp4", &fixture("clip.mp4"), 1 << 20)
        .await;
    let video = app.settled_video(&ada, &id).await;
    assert_eq!(video["status"], "ready", "{video}");
    let poster_url = video["poster_url"].as_str().expect("a poster");
    let strip_url = video["thumbnails_url"].as_str().expect("a strip");

    let res = reqwest::get(app.url(poster_url)).await.expect("sent");
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "image/jpeg");
    let cache = res.headers()["cache-control"]
        .to_str()
        .expect("ascii")
        .to_string();
    assert!(
        cache.contains("max-age=") && cache.contains("private"),
        "{cache}"
    );
    let poster = res.bytes().await.expect("body");
    assert_eq!(
        jpeg_size(&poster),
        (320, 180),
        "the video's own size, under 640"
    );
    let pixels = gray_pixels(&poster);
    let mean = pixels.iter().map(|p| f64::from(*p)).sum::<f64>() / pixels.len() as f64;
    let spread =
        pixels.iter().max().copied().unwrap_or(0) - pixels.iter().min().copied().unwrap_or(0);
    assert!(
        mean > 20.0 && spread > 50,
        "not a uniform black frame: mean {mean}, spread {spread}"
    );

    let strip = reqwest::get(app.url(strip_url))
        .await
        .expect("sent")
        .bytes()
        .await
        .expect("body");
    let (w, h) = jpeg_size(&strip);
    assert_eq!(
        (w, h),
        (10 * 160, 90),
        "ten frames of 160 pixels side by side"
    );

    // A picture's signature reaches that picture only, and a signed URL works only as it was
    // handed out.
    let query = poster_url.split_once('?').expect("query").1;
    for other in [
        format!("/media/{id}/thumbnails?{query}"),
        format!("/media/{id}?{query}"),
        format!("/media/{id}/source?{query}"),
        format!("/media/{id}/poster"),
        format!("{poster_url}&extra=1"),
        format!(
            "{}&exp=1",
            video["display_url"].as_str().expect("display URL")
        ),
    ] {
        let res = reqwest::get(app.url(&other)).await.expect("sent");
        assert!(
            matches!(res.status().as_u16(), 403 | 404),
            "{other}: {}",
            res.status()
        );
    }
}

#[actix_web::test]
async fn posters_are_deleted_with_their_video() {
    let app = spawn_app_with(|config| config.delete_grace_secs = 0).await;
    let (ada, chapter) = app.instructor_with_chapter("ada@example.com").await;
    let id = app
        .upload(&ada, &chapter, "clip.mp4", &fixture("clip.mp4"), 1 << 20)
        .await;
    let video = app.settled_video(&ada, &id).await;
    let poster_url = video["poster_url"].as_str().expect("a poster").to_string();
    assert_eq!(app.stored_files(), 3, "source, poster and strip");
    let res = ada
        .delete(app.url(&format!("/api/videos/{id}")))
        .send()
        .await
        .expect("sent");
    assert_eq!(res.status(), 200);
    assert_eq!(app.stored_files(), 0, "purged at once with no grace period");
    let res = reqwest::get(app.url(&poster_url)).await.expect("sent");
    assert_eq!(res.status(), 404);
}

#[actix_web::test]
async fn without_ffmpeg_a_video_is_still_ready_and_shows_no_poster() {
    let app = spawn_app_with(|config| config.ffmpeg = "reel-test-no-such-ffmpeg".into()).await;
    let (ada, chapter) = app.instructor_with_chapter("ada@example.com").await;
    let id = app
        .upload(&ada, &chapter, "clip.webm", &fixture("clip.webm"), 1 << 20)
        .await;
    let video = app.settled_video(&ada, &id).await;
    assert_eq!(video["status"], "ready", "{video}");
    assert!(video["display_url"].is_string());
    assert!(
        video["poster_url"].is_null() && video["thumbnails_url"].is_null(),
        "{video}"
    );
    assert_eq!(app.stored_files(), 1, "the source only");
}

/// A video ffmpeg makes: `seconds` of picture whose brightness grows with time, and `audio`
/// seconds of tone (longer than the picture when it is).
fn brightening_video(dir: &std::path::Path, seconds: u32, audio: u32) -> std::path::PathBuf {
    let path = dir.join(format!("brightening-{seconds}-{audio}.mp4"));
    let picture =
        format!("color=c=black:s=320x180:r=25:d={seconds},geq=lum='T*200/{seconds}':cb=128:cr=128");
    let status = Command::new("ffmpeg")
        .args([
            "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i", &picture,
        ])
        .args(["-f", "lavfi", "-i", &format!("sine=duration={audio}")])
        .args(["-c:v", "libx264", "-preset", "ultrafast", "-g", "50"])
        .args(["-pix_fmt", "yuv420p", "-c:a", "aac"])
        .arg(&path)
        .status()
        .expect("ffmpeg runs (make test installs it)");
    assert!(status.success());
    path
}

/// The mean brightness of each of the strip's frames, left to right.
fn frame_brightness(strip: &[u8]) -> Vec<f64> {
    let (w, h) = jpeg_size(strip);
    let (w, h) = (usize::from(w), usize::from(h));
    let pixels = gray_pixels(strip);
    let frame = w / reel::services::media::STRIP_FRAMES as usize;
    (0..reel::services::media::STRIP_FRAMES as usize)
        .map(|f| {
            let sum: u64 = (0..h)
                .flat_map(|y| (f * frame..(f + 1) * frame).map(move |x| y * w + x))
                .map(|i| u64::from(pixels[i]))
                .sum();
            sum as f64 / (frame * h) as f64
        })
        .collect()
}

#[actix_web::test]
async fn the_strip_spreads_its_frames_over_the_video_even_when_the_picture_ends_early() {
    let posters = reel::services::media::Posters::detect("ffmpeg").expect("ffmpeg runs");
    let dir = tempfile::tempdir().expect("a directory");

    // Seeking: the frames come from across the whole video, darkest first.
    let video = brightening_video(dir.path(), 20, 20);
    let pictures = posters.make(&video, Some(20_000)).await.expect("pictures");
    assert_eq!(jpeg_size(&pictures.strip), (1600, 90));
    let light = frame_brightness(&pictures.strip);
    assert!(
        light.windows(2).all(|w| w[1] > w[0] + 5.0),
        "each frame is later than the one before it: {light:?}"
    );
    assert!(light[9] - light[0] > 100.0, "{light:?}");

    // Ten seconds of sound, five of picture: nothing to seek to past five seconds, so the
    // strip is decoded instead, and is still a whole strip.
    let video = brightening_video(dir.path(), 5, 10);
    let pictures = posters.make(&video, Some(10_000)).await.expect("pictures");
    assert_eq!(jpeg_size(&pictures.strip), (1600, 90));
    assert!(!pictures.poster.is_empty());
}

/// The real binary, started with a PATH that has no ffmpeg on it: it says so once, at start-up,
/// and a video uploaded to it still becomes ready, with no pictures.
#[actix_web::test]
async fn a_server_with_no_ffmpeg_on_its_path_says_so_once_and_videos_are_still_ready() {
    use crate::support::Server;
    let root = tempfile::tempdir().expect("tempdir");
    let empty = root.path().join("empty-path");
    std::fs::create_dir_all(&empty).expect("dir");
    let mut server =
        Server::new(&root.path().join("data")).with_env("PATH", &empty.to_string_lossy());
    let course = server.seed_instructor().await;
    server.start().await;

    let client = server.signed_in().await;
    let clip = fixture("clip.mp4");
    let chapter = course.chapters[0].id.clone();
    let id = server
        .upload(&client, &chapter, "clip.mp4", &clip, clip.len())
        .await;
    let video = server.settled_video(&client, &id).await;
    assert_eq!(video["status"], "ready", "{video}");
    assert!(
        video["poster_url"].is_null() && video["thumbnails_url"].is_null(),
        "{video}"
    );
    server.kill();
    let log = std::fs::read_to_string(root.path().join("data.log")).expect("the server's log");
    assert_eq!(log.matches("posters are off").count(), 1, "{log}");
}
