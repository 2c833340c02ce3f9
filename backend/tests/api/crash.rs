//! Crash durability with the real `reel` binary: one upload streams while the server is
//! SIGKILLed at seeded random moments; after each restart HEAD must report what reached the
//! disk (never more, never going backwards, at most a flush step or two behind), and the
//! finished video must be byte-identical. `REEL_CRASH_SEED` replays a run; the seed is printed.

use crate::support::{paced_body, padded_mp4, sha256, Reel, Server};
use rand::{Rng, SeedableRng};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

const KILLS: usize = 20;
const MIB: u64 = 1 << 20;

#[actix_web::test]
async fn an_upload_survives_twenty_sigkills_mid_patch_byte_for_byte() {
    let seed = std::env::var("REEL_CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| rand::thread_rng().gen::<u64>());
    println!("crash harness seed: {seed} (REEL_CRASH_SEED={seed} replays it)");
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let root = tempfile::tempdir().expect("tempdir");
    let data_dir = root.path().join("data");
    let mut server = Server::new(&data_dir);
    let course = server.seed_instructor().await;
    let chapter = course.chapters[0].id.clone();
    let mut bytes = rand::rngs::StdRng::seed_from_u64(seed);
    let data = Arc::new(padded_mp4(48 * MIB as usize, |_| bytes.gen()));

    server.start().await;
    let client = server.signed_in().await;
    let created = server
        .create_upload(&client, &chapter, "lecture.mp4", data.len())
        .await;
    let (location, video_id) = (created.location, created.video_id);
    let partial = data_dir.join(format!(
        "media/partial/courses/{}/chapters/{chapter}/videos/{video_id}/source.mp4.part",
        course.course_id
    ));

    let (mut offset, mut kills, mut kept_bytes) = (0u64, 0, 0u64);
    println!("kill  sent_MiB  on_disk_MiB  head_before  head_after");
    while kills < KILLS && (offset as usize) < data.len() {
        let sent = Arc::new(AtomicU64::new(0));
        // About 5 MiB/s.
        let every = Duration::from_millis(25);
        let body = paced_body(
            data.clone(),
            offset as usize,
            128 << 10,
            every,
            sent.clone(),
        );
        let request = server
            .patch_request(&client, &location, offset as usize, body)
            .send();
        let in_flight = actix_web::rt::spawn(request);
        let delay = rng.gen_range(150..900);
        actix_web::rt::time::sleep(Duration::from_millis(delay)).await;
        if in_flight.is_finished() {
            let answer = in_flight
                .await
                .expect("joined")
                .map(|r| r.status().as_u16());
            if let Ok(423) = answer {
                // On PostgreSQL the killed instance's lease outlives it for one term; a tus
                // client tries again, and so does this one.
                actix_web::rt::time::sleep(Duration::from_millis(500)).await;
                continue;
            }
            break; // the rest arrived before the kill: nothing left to crash
        }
        server.kill();
        kills += 1;
        let _ = in_flight.await;
        let on_disk = std::fs::metadata(&partial).map_or(0, |m| m.len());

        server.start().await;
        let after = server.offset(&client, &location).await;
        println!(
            "{kills:>4}  {:>8.2}  {:>11.2}  {offset:>11}  {after:>10}",
            sent.load(Ordering::Relaxed) as f64 / MIB as f64,
            on_disk as f64 / MIB as f64
        );
        assert!(
            after >= offset,
            "seed {seed}: the offset went back from {offset} to {after}"
        );
        assert!(
            after <= on_disk,
            "seed {seed}: HEAD says {after} but only {on_disk} bytes are on disk"
        );
        // What reached the disk is kept, give or take the flush in progress and the one queued.
        assert!(
            on_disk - after <= 4 * MIB,
            "seed {seed}: {on_disk} bytes on disk but HEAD says {after}"
        );
        kept_bytes += after - offset;
        offset = after;
    }
    assert!(
        kills >= 10,
        "seed {seed}: only {kills} kills landed mid-PATCH"
    );
    assert!(
        kept_bytes > 0,
        "seed {seed}: no killed PATCH kept any bytes"
    );

    // The loop may have ended on a PATCH that finished before its kill: ask where it is.
    let offset = server.offset(&client, &location).await;
    if (offset as usize) < data.len() {
        // 423 while the last killed instance's lease runs out (PostgreSQL keeps it).
        let mut status = 423;
        for _ in 0..20 {
            let rest = data[offset as usize..].to_vec();
            let res = server
                .patch_request(&client, &location, offset as usize, rest)
                .send()
                .await
                .expect("sent");
            status = res.status().as_u16();
            if status != 423 {
                break;
            }
        }
        assert_eq!(status, 204, "seed {seed}");
    }
    let video = server.settled_video(&client, &video_id).await;
    assert_eq!(video["status"], "ready", "seed {seed}: {video}");
    let served = client
        .get(server.url(video["display_url"].as_str().expect("url")))
        .send()
        .await
        .expect("sent")
        .bytes()
        .await
        .expect("body");
    assert_eq!(sha256(&served), sha256(&data), "seed {seed}");
    println!(
        "crash harness: {kills} kills survived, {:.1} MiB kept by killed PATCHes",
        kept_bytes as f64 / MIB as f64
    );

    // A signed URL is a credential: a refused one is logged without its signature.
    let refused = client
        .get(server.url(&format!(
            "/media/{video_id}?exp=99&sig=c2VjcmV0LXNpZ25hdHVyZQ"
        )))
        .send()
        .await
        .expect("sent");
    assert_eq!(refused.status(), 403);
    server.kill();
    let log = std::fs::read_to_string(&server.log).expect("log");
    assert!(log.contains("sig=redacted"), "the refusal was logged");
    assert!(
        !log.contains("c2VjcmV0LXNpZ25hdHVyZQ"),
        "a signature reached the log"
    );
}
