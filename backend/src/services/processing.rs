//! After the last byte: finish the object, probe it, and make the video `ready` (or `failed`
//! with a reason and its bytes removed). Runs in the background so the final PATCH answers at
//! once; the list shows `processing` meanwhile. Each video is claimed by one instance at a
//! time (`db::work`); a video whose instance died (or gave up for now) is claimed again by
//! any instance's [`spawn_worker`] once the claim expires, and every step is safe to repeat.

use crate::db::{self, models::Video, status::VideoStatus};
use crate::services::audit::{self, Event, Origin};
use crate::services::media;
use crate::services::storage::StorageKey;
use anyhow::Context;

/// What processing a finished upload takes.
#[derive(Clone)]
pub struct Processing {
    /// Where the videos' rows are.
    pub pool: crate::db::DbPool,
    /// Where their bytes are.
    pub storage: crate::services::storage::SharedStorage,
    /// Bounds how many are probed at once.
    pub probes: std::sync::Arc<crate::services::probe_queue::ProbeQueue>,
    /// This instance's name in processing claims.
    pub instance: std::sync::Arc<str>,
    /// Makes posters, when ffmpeg runs here.
    pub posters: Option<media::Posters>,
}

/// Waits before each retry of a processing that failed on our side (object storage briefly
/// unreachable, a completion S3 did not confirm).
const RETRY_AFTER: [u64; 4] = [1, 5, 30, 120];

/// How long a processing claim lasts unrenewed; renewed every third of it while it runs.
const CLAIM_MS: i64 = 30_000;
/// How often each instance looks for processing nobody holds.
const POLL: std::time::Duration = std::time::Duration::from_secs(2);

/// Claims `video_id` for processing and processes it on the current runtime, unless another
/// instance has it already.
pub fn spawn(deps: Processing, video_id: String) {
    actix_web::rt::spawn(async move {
        match claim(&deps, Some(video_id.clone())).await {
            Ok(claimed) if claimed.is_empty() => {}
            Ok(_) => run_claimed(deps, video_id).await,
            Err(error) => {
                tracing::warn!(%video_id, error = format!("{error:#}"), "could not claim processing; the worker retries")
            }
        }
    });
}

/// Claims, every [`POLL`], videos in `processing` that nobody holds (their instance died, or
/// gave up for a while) and processes them: what used to wait for a restart.
pub fn spawn_worker(deps: Processing) {
    actix_web::rt::spawn(async move {
        loop {
            match claim(&deps, None).await {
                Ok(claimed) => {
                    for video in claimed {
                        actix_web::rt::spawn(run_claimed(deps.clone(), video.id));
                    }
                }
                Err(error) => {
                    tracing::warn!(
                        error = format!("{error:#}"),
                        "could not look for processing to do"
                    )
                }
            }
            actix_web::rt::time::sleep(POLL).await;
        }
    });
}

async fn claim(deps: &Processing, only: Option<String>) -> anyhow::Result<Vec<Video>> {
    let holder = deps.instance.to_string();
    let limit = i64::try_from(crate::services::probe_queue::SLOTS).unwrap_or(2);
    db::write(&deps.pool, move |conn| {
        let now = db::clock_ms(conn)?;
        Ok(db::work::claim(
            conn,
            db::work::Job::Process,
            &holder,
            now,
            CLAIM_MS,
            limit,
            only.as_deref(),
        )?)
    })
    .await
}

/// Processes a claimed video, retrying a few times on faults of ours, renewing the claim
/// meanwhile. After the last retry the claim is left to expire: the video is tried again
/// (by any instance) a claim's length later.
async fn run_claimed(deps: Processing, video_id: String) {
    let keeper = {
        let (deps, id) = (deps.clone(), video_id.clone());
        actix_web::rt::spawn(async move {
            loop {
                actix_web::rt::time::sleep(std::time::Duration::from_millis(
                    u64::try_from(CLAIM_MS / 3).unwrap_or(10_000),
                ))
                .await;
                let (holder, video) = (deps.instance.to_string(), id.clone());
                let _ = db::write(&deps.pool, move |conn| {
                    let until = db::clock_ms(conn)? + CLAIM_MS;
                    Ok(db::work::renew(conn, &video, &holder, until)?)
                })
                .await;
            }
        })
    };
    let mut done = false;
    for pause in RETRY_AFTER.iter().map(|s| Some(*s)).chain([None]) {
        let Err(error) = process(&deps, &video_id).await else {
            done = true;
            break;
        };
        let Some(pause) = pause else {
            tracing::error!(%video_id, error = format!("{error:#}"), "processing failed; it is tried again later");
            break;
        };
        tracing::warn!(%video_id, error = format!("{error:#}"), "processing failed; retrying in {pause} s");
        actix_web::rt::time::sleep(std::time::Duration::from_secs(pause)).await;
    }
    keeper.abort();
    if done {
        let holder = deps.instance.to_string();
        let _ = db::write(&deps.pool, move |conn| {
            Ok(db::work::release(conn, &video_id, &holder)?)
        })
        .await;
    }
}

/// Makes and stores the poster and thumbnail strip of a video whose probe passed. The video
/// becomes ready either way: a failure is logged and the list keeps its placeholder.
async fn make_posters(deps: &Processing, video: &Video) {
    let Some(posters) = &deps.posters else {
        return;
    };
    if let Err(error) = store_posters(deps, posters, video).await {
        tracing::warn!(video = %video.id, error = format!("{error:#}"), "no poster for this video");
    }
}

async fn store_posters(
    deps: &Processing,
    posters: &media::Posters,
    video: &Video,
) -> anyhow::Result<()> {
    let key = StorageKey::from_stored(video.storage_key.clone());
    // ffmpeg reads a file: local disk's own, or a temporary copy (the object may be in S3).
    let file = deps
        .storage
        .file_for_tools(&key)
        .await
        .context("a file of the video for ffmpeg")?;
    let pictures = posters
        .make(file.path(), video.duration_ms)
        .await
        .map_err(anyhow::Error::msg)?;
    drop(file);
    deps.storage
        .put(&key.beside(media::POSTER), pictures.poster.into())
        .await
        .context("storing the poster")?;
    deps.storage
        .put(&key.beside(media::STRIP), pictures.strip.into())
        .await
        .context("storing the thumbnail strip")?;
    let id = video.id.clone();
    db::write(&deps.pool, move |conn| {
        Ok(db::videos::mark_has_poster(conn, &id)?)
    })
    .await?;
    Ok(())
}

/// Probes one video. Returns an error only for faults of ours (storage, database), in which
/// case the video stays `processing` and is retried later.
pub async fn process(deps: &Processing, video_id: &str) -> anyhow::Result<()> {
    let id = video_id.to_string();
    let Some(video) = db::run(&deps.pool, move |conn| Ok(db::videos::by_id(conn, &id)?)).await?
    else {
        return Ok(());
    };
    if video.status != VideoStatus::Processing {
        return Ok(());
    }
    let instructor = {
        let id = video.id.clone();
        db::run(&deps.pool, move |conn| {
            Ok(db::videos::upload_of(conn, &id)?)
        })
        .await?
        .map(|u| u.instructor_id)
    };
    let _turn = deps
        .probes
        .turn(instructor.as_deref().unwrap_or_default())
        .await
        .context("probe queue closed")?;
    let key = StorageKey::from_stored(video.storage_key.clone());
    deps.storage
        .complete(&key)
        .await
        .context("completing the stored object")?;
    let size = deps
        .storage
        .size(&key)
        .await?
        .context("the completed object is missing")?;
    let mut reader = deps.storage.open_seekable(&key).await?;
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
            // Before `ready`, so a ready video shows its poster from the first time it is listed.
            make_posters(deps, &ready).await;
            let holder = deps.instance.to_string();
            db::write(&deps.pool, move |conn| {
                Ok(db::write_tx(conn, |conn| {
                    db::videos::mark_ready(conn, &ready, crate::clock::now_ms())?;
                    release_with_the_status(conn, &ready.id, &holder)
                })?)
            })
            .await?;
            Event::new("upload.completed", "success").details(serde_json::json!({
                "size": size, "sha256": sha256, "duration_ms": info.duration_ms,
            }))
        }
        Err(reason) => {
            deps.storage
                .delete(&key)
                .await
                .context("deleting a rejected file")?;
            let (id, why) = (video.id.clone(), reason.clone());
            let holder = deps.instance.to_string();
            db::write(&deps.pool, move |conn| {
                Ok(db::write_tx(conn, |conn| {
                    db::videos::set_status(
                        conn,
                        &id,
                        &[VideoStatus::Processing],
                        VideoStatus::Failed,
                        Some(&why),
                        crate::clock::now_ms(),
                    )?;
                    release_with_the_status(conn, &id, &holder)
                })?)
            })
            .await?;
            Event::new("upload.failed", "failed").details(serde_json::json!({ "reason": reason }))
        }
    };
    event = event.target(&video.id);
    if let Some(actor) = instructor {
        event = event.actor(actor);
    }
    audit::record(&deps.pool, &Origin::default(), event).await;
    Ok(())
}

/// Ends this instance's processing claim in the transaction that leaves `processing`: whoever
/// sees the video `ready` or `failed` may claim it at once (a delete with no grace period
/// purges it in the same request instead of leaving it to the janitor's next pass).
fn release_with_the_status(
    conn: &mut db::Conn,
    video_id: &str,
    holder: &str,
) -> diesel::QueryResult<()> {
    db::work::release(conn, video_id, holder).map(drop)
}
