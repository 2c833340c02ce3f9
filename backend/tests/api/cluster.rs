//! Several instances on one database and one storage, as behind a load balancer: every
//! request may land on any of them. (In one process here; `cluster_processes` kills and
//! stops real ones.) On PostgreSQL with `REEL_TEST_DATABASE=postgres`; on SQLite the
//! instances share the file, which shows the same rules hold there.

use crate::support::{browser, spawn_app_with, spawn_peer, Reel, TestApp};
use crate::support::{metadata, padded_mp4, sha256};
use bytes::Bytes;
use std::time::Duration;

const MIB: usize = 1 << 20;
/// Short, so takeovers happen within a test's patience.
const LEASE_MS: u64 = 2_000;

async fn two_instances() -> (TestApp, TestApp) {
    let a = spawn_app_with(|c| c.upload_lease_ms = LEASE_MS).await;
    let b = spawn_peer(&a, |_| {}).await;
    (a, b)
}

/// A signed-in client (a session made on one instance works on all) and a chapter.
async fn instructor(a: &TestApp) -> (reqwest::Client, String) {
    a.instructor_with_chapter("ada@example.com").await
}

#[actix_web::test]
async fn patches_alternating_between_instances_in_odd_sizes_complete_byte_for_byte() {
    let (a, b) = two_instances().await;
    let (client, chapter) = instructor(&a).await;
    let sizes = [1, 5 * MIB - 1, 5 * MIB, 5 * MIB + 1, 17 * MIB, 1];
    let data = padded_mp4(sizes.iter().sum::<usize>() + 7, |i| (i * 31 % 251) as u8);
    let created = b
        .create_upload(&client, &chapter, "lecture.mp4", data.len())
        .await;
    let (mut offset, instances) = (0, [&a, &b]);
    for (n, size) in sizes
        .iter()
        .copied()
        .chain([data.len() - sizes.iter().sum::<usize>()])
        .enumerate()
    {
        let on = instances[n % 2];
        let res = on
            .patch(
                &client,
                &created.location,
                offset,
                data[offset..offset + size].to_vec(),
            )
            .await;
        assert_eq!(res.status(), 204, "PATCH {n} of {size} B");
        offset += size;
        for app in instances {
            assert_eq!(
                app.offset(&client, &created.location).await as usize,
                offset
            );
        }
    }
    for app in instances {
        assert_eq!(
            sha256(&app.served_bytes(&client, &created.video_id).await),
            sha256(&data)
        );
    }
}

/// A body that sends `data` in 64 KiB pieces every 20 ms: a request that really streams.
fn streaming(data: Vec<u8>) -> reqwest::Body {
    let pieces = futures_util::stream::unfold(0, move |at| {
        let data = data.clone();
        async move {
            if at >= data.len() {
                return None;
            }
            actix_web::rt::time::sleep(Duration::from_millis(20)).await;
            let end = (at + (64 << 10)).min(data.len());
            Some((
                Ok::<_, std::io::Error>(Bytes::copy_from_slice(&data[at..end])),
                end,
            ))
        }
    });
    reqwest::Body::wrap_stream(pieces)
}

#[actix_web::test]
async fn two_simultaneous_patches_on_two_instances_one_wins_and_nothing_is_corrupted() {
    let (a, b) = two_instances().await;
    let (client, chapter) = instructor(&a).await;
    let data = padded_mp4(3 * MIB, |i| (i % 253) as u8);
    let created = a
        .create_upload(&client, &chapter, "lecture.mp4", data.len())
        .await;
    // ~2.5 s of streaming each, both from offset 0.
    // Each on a connection closed after its answer: the loser is answered before its body
    // is all sent, and a connection left like that must not go back to the pool.
    let first = actix_web::rt::spawn(
        a.patch_request(&client, &created.location, 0, streaming(data.clone()))
            .header("Connection", "close")
            .send(),
    );
    actix_web::rt::time::sleep(Duration::from_millis(150)).await;
    let second = actix_web::rt::spawn(
        b.patch_request(&client, &created.location, 0, streaming(data.clone()))
            .header("Connection", "close")
            .send(),
    );
    let mut statuses = vec![
        first
            .await
            .expect("joined")
            .expect("sent")
            .status()
            .as_u16(),
        second
            .await
            .expect("joined")
            .expect("sent")
            .status()
            .as_u16(),
    ];
    statuses.sort_unstable();
    assert!(
        statuses == [204, 409] || statuses == [204, 423],
        "exactly one wins: {statuses:?}"
    );
    assert_eq!(
        b.offset(&client, &created.location).await as usize,
        data.len()
    );
    assert_eq!(
        sha256(&b.served_bytes(&client, &created.video_id).await),
        sha256(&data)
    );
}

#[actix_web::test]
async fn a_client_that_went_silent_on_one_instance_resumes_on_another() {
    let (a, b) = two_instances().await;
    let (client, chapter) = instructor(&a).await;
    let data = padded_mp4(2 * MIB, |i| (i % 241) as u8);
    let created = a
        .create_upload(&client, &chapter, "lecture.mp4", data.len())
        .await;
    // The first connection sends 1 MiB, then nothing: its network died.
    let head = Bytes::copy_from_slice(&data[..MIB]);
    let silent = futures_util::stream::unfold(0, move |step| {
        let head = head.clone();
        async move {
            match step {
                0 => Some((Ok::<_, std::io::Error>(head), 1)),
                _ => {
                    std::future::pending::<()>().await;
                    None
                }
            }
        }
    });
    let stuck = actix_web::rt::spawn(
        a.patch_request(
            &client,
            &created.location,
            0,
            reqwest::Body::wrap_stream(silent),
        )
        .send(),
    );
    actix_web::rt::time::sleep(Duration::from_millis(300)).await;
    // The client retries on another instance, as tus clients do: HEAD, then PATCH; a 409
    // means the first request's bytes were recorded meanwhile, so ask again.
    let started = std::time::Instant::now();
    let mut done = false;
    for _ in 0..10 {
        let offset = b.offset(&client, &created.location).await as usize;
        let res = b
            .patch(&client, &created.location, offset, data[offset..].to_vec())
            .await;
        match res.status().as_u16() {
            204 => {
                done = true;
                break;
            }
            409 | 423 => continue,
            other => panic!("unexpected {other}"),
        }
    }
    assert!(done, "the retry never got the upload");
    assert!(
        started.elapsed() < Duration::from_millis(4 * LEASE_MS),
        "took {:?}",
        started.elapsed()
    );
    let stuck = stuck.await.expect("joined");
    assert!(stuck.is_err() || stuck.is_ok_and(|r| r.status() != 204));
    assert_eq!(
        sha256(&a.served_bytes(&client, &created.video_id).await),
        sha256(&data)
    );
}

#[actix_web::test]
async fn deletes_and_restores_are_seen_by_every_instance_at_once() {
    let (a, b) = two_instances().await;
    let c = spawn_peer(&a, |_| {}).await;
    let (client, chapter) = instructor(&a).await;
    let clip = crate::support::fixture("clip.mp4");
    let id = a
        .upload(&client, &chapter, "clip.mp4", &clip, clip.len())
        .await;
    assert_eq!(b.settled_video(&client, &id).await["status"], "ready");

    let deleted = client
        .delete(b.url(&format!("/api/videos/{id}")))
        .send()
        .await
        .expect("sent");
    assert_eq!(deleted.status(), 200);
    for app in [&a, &b, &c] {
        let res = client
            .get(app.url(&format!("/api/videos/{id}")))
            .send()
            .await
            .expect("sent");
        assert_eq!(res.status(), 404, "the deleted video is gone everywhere");
        assert!(app.chapter_videos(&client, &chapter).await.is_empty());
    }
    let restored = client
        .post(c.url(&format!("/api/videos/{id}/restore")))
        .send()
        .await
        .expect("sent");
    assert_eq!(restored.status(), 200);
    for app in [&a, &b, &c] {
        assert_eq!(app.chapter_videos(&client, &chapter).await.len(), 1);
    }
}

#[actix_web::test]
async fn a_session_and_an_upload_made_on_one_instance_work_on_another() {
    let (a, b) = two_instances().await;
    let (client, chapter) = instructor(&a).await;
    let res = client
        .post(b.url("/api/uploads"))
        .header("Tus-Resumable", "1.0.0")
        .header("Upload-Length", "10")
        .header(
            "Upload-Metadata",
            metadata(&[("filename", "a.mp4"), ("chapter_id", chapter.as_str())]),
        )
        .send()
        .await
        .expect("sent");
    assert_eq!(res.status(), 201);
    let fresh = browser();
    let res = fresh.get(b.url("/api/courses")).send().await.expect("sent");
    assert_eq!(res.status(), 401);
}

#[actix_web::test]
async fn janitors_on_every_instance_purge_each_video_once() {
    let a = spawn_app_with(|c| {
        c.upload_lease_ms = LEASE_MS;
        c.delete_grace_secs = 1;
    })
    .await;
    let b = spawn_peer(&a, |_| {}).await;
    let (client, chapter) = instructor(&a).await;
    let clip = crate::support::fixture("clip.mp4");
    let mut ids = Vec::new();
    for n in 0..4 {
        let id = a
            .upload(
                &client,
                &chapter,
                &format!("clip{n}.mp4"),
                &clip,
                clip.len(),
            )
            .await;
        assert_eq!(a.settled_video(&client, &id).await["status"], "ready");
        ids.push(id);
    }
    let res = client
        .post(a.url("/api/videos/bulk-delete"))
        .json(&serde_json::json!({ "ids": ids }))
        .send()
        .await
        .expect("sent");
    assert_eq!(res.status(), 200);
    actix_web::rt::time::sleep(Duration::from_millis(1200)).await;
    let (ja, jb) = (a.state.janitor(), b.state.janitor());
    let (ra, rb) = futures_util::join!(
        reel::services::janitor::run_once(&ja),
        reel::services::janitor::run_once(&jb)
    );
    let (ra, rb) = (ra.expect("pass"), rb.expect("pass"));
    assert_eq!(ra.purged + rb.purged, ids.len(), "{ra:?} {rb:?}");
    let purges = a
        .audit_events()
        .await
        .into_iter()
        .filter(|e| e.action == "video.purged")
        .count();
    assert_eq!(purges, ids.len());
}

#[actix_web::test]
async fn processing_claimed_by_an_instance_that_died_is_taken_up_by_another() {
    let (a, b) = two_instances().await;
    let (client, chapter) = instructor(&a).await;
    let clip = crate::support::fixture("clip.mp4");
    let id = a
        .upload(&client, &chapter, "clip.mp4", &clip, clip.len())
        .await;
    assert_eq!(a.settled_video(&client, &id).await["status"], "ready");
    // As if an instance had claimed it, back in `processing`, and died.
    let video = id.clone();
    reel::db::write(&b.pool, move |conn| {
        use diesel::prelude::*;
        use reel::db::schema::videos;
        let now = reel::db::clock_ms(conn)?;
        diesel::update(videos::table.find(&video))
            .set((
                videos::status.eq(reel::db::status::VideoStatus::Processing),
                videos::process_holder.eq("an-instance-that-died"),
                videos::process_until.eq(now + 2_500),
            ))
            .execute(conn)?;
        Ok(())
    })
    .await
    .expect("claimed");
    actix_web::rt::time::sleep(Duration::from_millis(1000)).await;
    let video: serde_json::Value = b.get_json(&client, &format!("/api/videos/{id}")).await;
    assert_eq!(video["status"], "processing", "a live claim is left alone");
    let mut status = serde_json::Value::Null;
    for _ in 0..100 {
        let video: serde_json::Value = b.get_json(&client, &format!("/api/videos/{id}")).await;
        status = video["status"].clone();
        if status == "ready" {
            break;
        }
        actix_web::rt::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(status, "ready", "nobody took the processing up");
}
