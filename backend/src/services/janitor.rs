//! The server's housekeeping: expire unfinished uploads whose time ran out, finish removing the
//! bytes of ended uploads, purge deleted videos after their grace period, sweep expired
//! sessions, and at start-up resume processing that a restart interrupted.

use crate::db;
use crate::services::{processing, uploads, videos};
use crate::state::AppState;
use std::time::Duration;

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
pub async fn run_once(state: &AppState) -> anyhow::Result<Report> {
    let now = crate::clock::now_ms();
    let due = db::run(&state.pool, move |conn| {
        Ok(db::uploads::expired(conn, now)?)
    })
    .await?;
    let mut report = Report::default();
    for (upload, video) in due {
        match uploads::expire(state, &upload, &video).await {
            Ok(()) => report.expired += 1,
            Err(error) => {
                tracing::warn!(upload = %upload.id, error = %error, "could not expire upload; retrying next pass")
            }
        }
    }
    let leftovers = db::run(&state.pool, |conn| Ok(db::uploads::uncleaned(conn)?)).await?;
    for (upload, video) in leftovers {
        if uploads::remove_bytes(state, &upload.id, &video.storage_key).await {
            report.cleaned += 1;
        }
    }
    let (purged, failed) = videos::purge_due(state).await?;
    report.purged = purged;
    report.purge_failures = failed;
    match state.storage.sweep().await {
        Ok(n) => report.storage_swept = n,
        Err(error) => tracing::warn!(%error, "storage sweep failed; retrying next pass"),
    }
    report.sessions_swept = db::write(&state.pool, move |conn| {
        db::throttles::sweep(conn, now, crate::services::throttle::FORGET_AFTER_MS)?;
        Ok(db::sessions::delete_expired(conn, now)?)
    })
    .await?;
    Ok(report)
}

/// Re-queues videos a restart left in `processing`.
pub async fn recover(state: &AppState) -> anyhow::Result<usize> {
    let stuck = db::run(&state.pool, |conn| Ok(db::videos::processing(conn)?)).await?;
    let n = stuck.len();
    for video in stuck {
        processing::spawn(state.clone(), video.id);
    }
    Ok(n)
}

/// Runs [`recover`] once, then [`run_once`] every `interval`, for the life of the server.
pub fn spawn(state: AppState, interval: Duration) {
    actix_web::rt::spawn(async move {
        if let Err(error) = recover(&state).await {
            tracing::error!(error = format!("{error:#}"), "janitor recovery failed");
        }
        loop {
            if let Err(error) = run_once(&state).await {
                tracing::error!(error = format!("{error:#}"), "janitor pass failed");
            }
            actix_web::rt::time::sleep(interval).await;
        }
    });
}
