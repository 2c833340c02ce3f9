//! The server's housekeeping: expire unfinished uploads whose time ran out, finish removing the
//! bytes of ended uploads, purge deleted videos after their grace period, sweep expired
//! sessions. Every instance runs it: purges are claimed video by video, and the rest of a
//! pass by one instance at a time (`db::work`), so nothing is cleaned twice.

use crate::db;
use crate::services::{uploads, videos};
use std::time::Duration;

/// What the janitor takes.
#[derive(Clone)]
pub struct Janitor {
    /// The rows it cleans.
    pub pool: crate::db::DbPool,
    /// The storage it sweeps.
    pub storage: crate::services::storage::SharedStorage,
    /// This instance's name in the pass's claim.
    pub instance: std::sync::Arc<str>,
    /// How often it runs (its claim on a pass lasts three of these).
    pub janitor_interval_secs: u64,
    /// Purges deleted videos.
    pub videos: super::videos::Videos,
    /// Expires and cleans uploads.
    pub uploads: super::uploads::Uploads,
}

/// What one pass did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Report {
    /// Uploads expired.
    pub expired: usize,
    /// Ended uploads whose leftover bytes were removed.
    pub cleaned: usize,
    /// Deleted videos purged.
    pub purged: usize,
    /// Purges that failed (retried later).
    pub purge_failures: usize,
    /// Expired sessions removed.
    pub sessions_swept: usize,
    /// Leftovers the storage provider removed (S3 temporary objects, abandoned multipart
    /// uploads).
    pub storage_swept: usize,
}

/// One pass over everything that is due.
pub async fn run_once(deps: &Janitor) -> anyhow::Result<Report> {
    let mut report = Report::default();
    let (purged, failed) = videos::purge_due(&deps.videos).await?;
    report.purged = purged;
    report.purge_failures = failed;
    let now = crate::clock::now_ms();
    // Held for three intervals: the holder renews it every pass; if it dies, another
    // instance takes the passes over.
    let hold =
        i64::try_from(deps.janitor_interval_secs.saturating_mul(3000)).unwrap_or(i64::MAX / 4);
    let holder = deps.instance.to_string();
    let ours = db::write(&deps.pool, move |conn| {
        Ok(db::work::take_pass(conn, "janitor", &holder, now, hold)?)
    })
    .await?;
    if !ours {
        return Ok(report);
    }
    let due = db::run(&deps.pool, move |conn| Ok(db::uploads::expired(conn, now)?)).await?;
    for (upload, video) in due {
        match uploads::expire(&deps.uploads, &upload, &video).await {
            Ok(()) => report.expired += 1,
            Err(error) => {
                tracing::warn!(upload = %upload.id, error = %error, "could not expire upload; retrying next pass")
            }
        }
    }
    let leftovers = db::run(&deps.pool, |conn| Ok(db::uploads::uncleaned(conn)?)).await?;
    for (upload, video) in leftovers {
        if uploads::remove_bytes(&deps.uploads, &upload.id, &video.storage_key).await {
            report.cleaned += 1;
        }
    }
    match deps.storage.sweep().await {
        Ok(n) => report.storage_swept = n,
        Err(error) => tracing::warn!(%error, "storage sweep failed; retrying next pass"),
    }
    report.sessions_swept = db::write(&deps.pool, move |conn| {
        db::throttles::sweep(conn, now, crate::services::throttle::FORGET_AFTER_MS)?;
        Ok(db::sessions::delete_expired(conn, now)?)
    })
    .await?;
    Ok(report)
}

/// Runs [`run_once`] every `interval`, for the life of the server.
pub fn spawn(deps: Janitor, interval: Duration) {
    actix_web::rt::spawn(async move {
        loop {
            if let Err(error) = run_once(&deps).await {
                tracing::error!(error = format!("{error:#}"), "janitor pass failed");
            }
            actix_web::rt::time::sleep(interval).await;
        }
    });
}
