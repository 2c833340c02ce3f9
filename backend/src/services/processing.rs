//! After the last byte: finish the object, probe it, and make the video `ready` (or `failed`
//! with a reason and its bytes removed). Runs in the background so the final PATCH answers at
//! once; the list shows `processing` meanwhile. A restart re-runs it for videos left in
//! `processing` (see `janitor::recover`), and every step is safe to repeat.

use crate::db::{self, models::Video, status::VideoStatus};
use crate::services::audit::{self, Event, Origin};
use crate::services::media;
use crate::services::storage::StorageKey;
use crate::state::AppState;
use anyhow::Context;

/// Waits before each retry of a processing that failed on our side (object storage briefly
/// unreachable, a completion S3 did not confirm).
const RETRY_AFTER: [u64; 4] = [1, 5, 30, 120];

/// Processes `video_id` on the current runtime, retrying a few times on faults of ours.
pub fn spawn(state: AppState, video_id: String) {
    actix_web::rt::spawn(async move {
        for pause in RETRY_AFTER.iter().map(|s| Some(*s)).chain([None]) {
            let Err(error) = process(&state, &video_id).await else {
                return;
            };
            let Some(pause) = pause else {
                tracing::error!(%video_id, error = format!("{error:#}"), "processing failed; it is retried at the next start");
                return;
            };
            tracing::warn!(%video_id, error = format!("{error:#}"), "processing failed; retrying in {pause} s");
            actix_web::rt::time::sleep(std::time::Duration::from_secs(pause)).await;
        }
    });
}

/// Probes one video. Returns an error only for faults of ours (storage, database), in which
/// case the video stays `processing` and is retried later.
pub async fn process(state: &AppState, video_id: &str) -> anyhow::Result<()> {
    let id = video_id.to_string();
    let Some(video) = db::run(&state.pool, move |conn| Ok(db::videos::by_id(conn, &id)?)).await?
    else {
        return Ok(());
    };
    if video.status != VideoStatus::Processing {
        return Ok(());
    }
    let instructor = {
        let id = video.id.clone();
        db::run(&state.pool, move |conn| {
            Ok(db::videos::upload_of(conn, &id)?)
        })
        .await?
        .map(|u| u.instructor_id)
    };
    let _turn = state
        .probes
        .turn(instructor.as_deref().unwrap_or_default())
        .await
        .context("probe queue closed")?;
    let key = StorageKey::from_stored(video.storage_key.clone());
    state
        .storage
        .complete(&key)
        .await
        .context("completing the stored object")?;
    let size = state
        .storage
        .size(&key)
        .await?
        .context("the completed object is missing")?;
    let mut reader = state.storage.open_seekable(&key).await?;
    let family = media::family_of(&video.content_type);
    // On threads of their own, one per probe slot: the windows a probe reads stay in those
    // threads' memory instead of in a fresh blocking thread's each time.
    static PROBE_THREADS: crate::threads::Pool =
        crate::threads::Pool::new("reel-probe", crate::services::probe_queue::SLOTS);
    let (sha256, probed) = PROBE_THREADS
        .run(move || {
            // A parser bug must not leave the video `processing` forever: a panic in a container
            // parser is a file we cannot read, said as such.
            let probed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                media::probe(&mut *reader, size, family)
            }))
            .unwrap_or_else(|_| Err(media::UNREADABLE.to_string()));
            let sha = media::sha256_hex(&mut *reader);
            (sha, probed)
        })
        .await
        .context("the probe thread stopped")?;
    let sha256 = sha256.context("hashing the stored object")?;
    let mut event = match probed {
        Ok(info) => {
            let ready = Video {
                size_bytes: i64::try_from(size).unwrap_or(i64::MAX),
                duration_ms: info.duration_ms,
                width: info.width,
                height: info.height,
                sha256: Some(sha256.clone()),
                ..video.clone()
            };
            db::write(&state.pool, move |conn| {
                Ok(db::videos::mark_ready(
                    conn,
                    &ready,
                    crate::clock::now_ms(),
                )?)
            })
            .await?;
            Event::new("upload.completed", "success").details(serde_json::json!({
                "size": size, "sha256": sha256, "duration_ms": info.duration_ms,
            }))
        }
        Err(reason) => {
            state
                .storage
                .delete(&key)
                .await
                .context("deleting a rejected file")?;
            let (id, why) = (video.id.clone(), reason.clone());
            db::write(&state.pool, move |conn| {
                Ok(db::videos::set_status(
                    conn,
                    &id,
                    &[VideoStatus::Processing],
                    VideoStatus::Failed,
                    Some(&why),
                    crate::clock::now_ms(),
                )?)
            })
            .await?;
            Event::new("upload.failed", "failed").details(serde_json::json!({ "reason": reason }))
        }
    };
    event = event.target(&video.id);
    if let Some(actor) = instructor {
        event = event.actor(actor);
    }
    audit::record(&state.pool, &Origin::default(), event).await;
    Ok(())
}
