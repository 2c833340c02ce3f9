//! Deleting and restoring videos, and purging their bytes after the grace period.
//!
//! Order of steps, so a crash between any two leaves a state the janitor finishes:
//! 1. delete: one transaction marks the video `deleted` (remembering its status) with a
//!    `purge_after` time; its bytes and its upload stay (the upload's requests are stopped and
//!    refused while deleted), so a restore is instant and an upload goes on where it stopped;
//! 2. purge (janitor, after `purge_after`): delete the bytes (idempotent), then set
//!    `purged_at` and end a held upload (the janitor removes what it had staged). A crash after 2a re-runs 2a harmlessly; a failure bumps `purge_attempts`
//!    and pushes `purge_after` back with backoff. The row itself is never removed: it is the
//!    record of what is left to purge and, once purged, the tombstone for the audit trail.

use crate::db::{
    self,
    models::Video,
    status::{UploadState, VideoStatus},
};
use crate::services::audit::{self, Event, Origin};
use crate::services::storage::StorageKey;
use crate::services::upload_writers::{StopReason, UploadWriters};
use shared::ErrorCode;

/// What deleting, restoring and purging videos takes.
#[derive(Clone)]
pub struct Videos {
    /// The videos' rows.
    pub pool: crate::db::DbPool,
    /// Their bytes (purged).
    pub storage: crate::services::storage::SharedStorage,
    /// This instance's name in purge claims.
    pub instance: std::sync::Arc<str>,
    /// How long a deleted video can be restored.
    pub delete_grace_secs: u64,
    /// Requests writing here, stopped when their video is deleted.
    pub writers: UploadWriters,
    /// Where a restored video that was processing goes again.
    pub processing: crate::services::processing::Processing,
}

/// A refusal for one video.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// Missing, or not the caller's.
    NotFound,
    /// The grace period is over.
    RestoreExpired,
}

impl Refusal {
    /// The wire code.
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::NotFound => ErrorCode::NotFound,
            Self::RestoreExpired => ErrorCode::RestoreExpired,
        }
    }

    /// Words for people.
    pub fn message(&self) -> &'static str {
        match self {
            Self::NotFound => "This video does not exist or is not yours.",
            Self::RestoreExpired => {
                "The time to undo this delete has passed; the video was removed."
            }
        }
    }
}

/// Deletes the owner's videos among `ids` (all in one transaction); for each ID, until when it
/// can be restored (ms) or why it was refused. Deleting a deleted video succeeds again.
pub async fn delete(
    deps: &Videos,
    origin: &Origin,
    owner: &str,
    ids: Vec<String>,
) -> anyhow::Result<Vec<(String, Result<i64, Refusal>)>> {
    let now = crate::clock::now_ms();
    let grace = i64::try_from(deps.delete_grace_secs).unwrap_or(i64::MAX / 4) * 1000;
    let (owner_id, origin) = (owner.to_string(), origin.clone());
    // One transaction for the changes and their audit events: one commit per request, which
    // is what keeps the tail latency down when many deletes queue for SQLite's single writer.
    let results = db::write(&deps.pool, move |conn| {
        Ok(db::videos::delete_owned(
            conn,
            &owner_id,
            &ids,
            now,
            now + grace,
            |id, deleted| {
                let event = if deleted {
                    Event::new("video.deleted", "success")
                } else {
                    Event::new("video.delete", "denied")
                };
                event.actor(&owner_id).target(id).into_row(&origin)
            },
        )?)
    })
    .await?;
    let (results, stopped) = results;
    let results = results
        .into_iter()
        .map(|(id, until)| (id, until.ok_or(Refusal::NotFound)))
        .collect();
    // A PATCH still streaming into a deleted video's upload stops now, not at its last byte.
    for upload in stopped {
        deps.writers.stop(&upload, StopReason::Ended);
    }
    if grace == 0 {
        purge_due(deps).await?;
    }
    Ok(results)
}

/// Why a video restored without the upload its delete held is failed.
const UPLOAD_GONE: &str = "The upload stopped when the video was deleted. Upload the file again.";

/// Brings a deleted video back as it was, within the grace period: an upload it held goes on.
pub async fn restore(
    deps: &Videos,
    origin: &Origin,
    owner: &str,
    id: &str,
) -> anyhow::Result<Result<Video, Refusal>> {
    let (owner_id, video_id, now) = (owner.to_string(), id.to_string(), crate::clock::now_ms());
    let outcome = db::write(&deps.pool, move |conn| {
        let Some(video) = db::videos::owned(conn, &owner_id, &video_id)? else {
            return Ok(Err(Refusal::NotFound));
        };
        if video.status != VideoStatus::Deleted {
            // Restoring what is not deleted changes nothing: safe for client retries.
            return Ok(if video.status == VideoStatus::Canceled {
                Err(Refusal::NotFound)
            } else {
                Ok(video)
            });
        }
        if video.purged_at.is_some() || video.purge_after.is_some_and(|t| t <= now) {
            return Ok(Err(Refusal::RestoreExpired));
        }
        let (status, reason) = match video.deleted_from {
            // The delete held the upload: it goes on from where it stopped (or, when its last
            // bytes landed meanwhile, the file is checked now).
            Some(VideoStatus::Uploading) => match db::uploads::of_video(conn, &video.id)? {
                Some(u) if u.state == UploadState::Active && u.expires_at > now => {
                    (VideoStatus::Uploading, None)
                }
                Some(u) if u.state == UploadState::Completed => (VideoStatus::Processing, None),
                Some(u) => {
                    // Its time ran out while deleted: ended here (the janitor removes its
                    // bytes), so a later expiry cannot turn the failed video into canceled.
                    db::uploads::end(conn, &u, UploadState::Expired, now)?;
                    (VideoStatus::Failed, Some(UPLOAD_GONE))
                }
                None => (VideoStatus::Failed, Some(UPLOAD_GONE)),
            },
            None => (VideoStatus::Failed, Some(UPLOAD_GONE)),
            Some(other) => (other, video.failure_reason.as_deref()),
        };
        db::videos::mark_restored(conn, &video.id, status, reason, now)?;
        Ok(db::videos::by_id(conn, &video.id)?.ok_or(Refusal::NotFound))
    })
    .await?;
    match &outcome {
        Ok(_) => {
            let event = Event::new("video.restored", "success");
            audit::record(&deps.pool, origin, event.actor(owner).target(id)).await;
        }
        Err(_) => {
            let event = Event::new("video.restore", "denied")
                .actor(owner)
                .target(id);
            let same = db::audit::SameWhen::Everything;
            audit::record_refusal(&deps.pool, origin, event, same).await;
        }
    }
    if let Ok(video) = &outcome {
        if video.status == VideoStatus::Processing {
            crate::services::processing::spawn(deps.processing.clone(), video.id.clone());
        }
    }
    Ok(outcome)
}

/// Deletes a video's source and, beside it, its poster and thumbnail strip (deleting what is
/// not there succeeds, so a purge that failed half way is repeated whole).
async fn delete_with_pictures(deps: &Videos, key: &StorageKey) -> std::io::Result<()> {
    for name in [
        crate::services::media::POSTER,
        crate::services::media::STRIP,
    ] {
        deps.storage.delete(&key.beside(name)).await?;
    }
    deps.storage.delete(key).await
}

/// Delay before retry `attempts` of a failed purge: 10 s doubling, at most an hour.
pub fn purge_backoff_ms(attempts: i32) -> i64 {
    (10_000i64 << attempts.clamp(0, 10)).min(3_600_000)
}

/// How long an instance holds the purges it claimed before another may take them over.
const PURGE_HOLD_MS: i64 = 5 * 60 * 1000;

/// Purges every deleted video whose grace period is over and that no other instance is
/// purging; returns (purged, failed).
pub async fn purge_due(deps: &Videos) -> anyhow::Result<(usize, usize)> {
    let now = crate::clock::now_ms();
    let holder = deps.instance.to_string();
    let due = db::write(&deps.pool, move |conn| {
        Ok(db::work::claim(
            conn,
            db::work::Job::Purge,
            &holder,
            now,
            PURGE_HOLD_MS,
            200,
            None,
        )?)
    })
    .await?;
    let (mut purged, mut failed) = (0, 0);
    for video in due {
        let key = StorageKey::from_stored(video.storage_key.clone());
        match delete_with_pictures(deps, &key).await {
            Ok(()) => {
                let (id, holder) = (video.id.clone(), deps.instance.to_string());
                db::write(&deps.pool, move |conn| {
                    db::videos::mark_purged(conn, &id, crate::clock::now_ms())?;
                    Ok(db::work::release(conn, &id, &holder)?)
                })
                .await?;
                audit::record(
                    &deps.pool,
                    &Origin::default(),
                    Event::new("video.purged", "success").target(&video.id),
                )
                .await;
                purged += 1;
            }
            Err(error) => {
                let attempts = video.purge_attempts + 1;
                let retry_at = crate::clock::now_ms() + purge_backoff_ms(attempts);
                let (id, holder) = (video.id.clone(), deps.instance.to_string());
                db::write(&deps.pool, move |conn| {
                    db::videos::purge_failed(conn, &id, attempts, retry_at)?;
                    Ok(db::work::release(conn, &id, &holder)?)
                })
                .await?;
                tracing::warn!(video = %video.id, attempts, %error, "purge failed; retrying later");
                audit::record(
                    &deps.pool,
                    &Origin::default(),
                    Event::new("video.purge", "failed")
                        .target(&video.id)
                        .details(serde_json::json!({ "attempts": attempts })),
                )
                .await;
                failed += 1;
            }
        }
    }
    Ok((purged, failed))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn purge_backoff_doubles_and_is_capped() {
        assert_eq!(purge_backoff_ms(0), 10_000);
        assert_eq!(purge_backoff_ms(1), 20_000);
        assert_eq!(purge_backoff_ms(3), 80_000);
        assert_eq!(purge_backoff_ms(30), 3_600_000);
    }
}
