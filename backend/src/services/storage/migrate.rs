//! `reel storage migrate --to s3|local`: copies every stored video from the provider in use
//! to the other one, checking each copy's sha256 against the source, one video at a time.
//! Interrupted, it is run again: videos whose copy is already there and right are skipped,
//! and a half-copied one starts over. The source is never changed.

use super::{Phase, Storage, StorageKey};
use crate::db::{self, DbPool};
use futures_util::StreamExt;
use sha2::{Digest, Sha256};

/// Where one video stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Copied and verified now.
    Copied,
    /// Its verified copy was there already (an earlier run).
    AlreadyThere,
    /// No finished object at the source (an unfinished upload, or purged).
    NothingStored,
}

/// One step, for the progress bar.
#[derive(Debug)]
pub struct Step {
    /// Videos handled so far.
    pub done: usize,
    /// Videos in all.
    pub total: usize,
    /// Bytes copied or found so far.
    pub bytes: u64,
    /// What happened to the last one.
    pub outcome: Outcome,
}

/// What a run did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Summary {
    /// Videos copied now.
    pub copied: usize,
    /// Videos whose copy was there already.
    pub already_there: usize,
    /// Videos with nothing finished to copy (unfinished uploads among them).
    pub nothing_stored: usize,
    /// Bytes of every finished video.
    pub bytes: u64,
}

/// Copies every video from `from` to `to`; calls `progress` after each.
pub async fn run(
    pool: &DbPool,
    from: &dyn Storage,
    to: &dyn Storage,
    mut progress: impl FnMut(&Step),
) -> anyhow::Result<Summary> {
    let keys = db::run(pool, |conn| {
        Ok(db::videos::storage_keys_oldest_first(conn)?)
    })
    .await?;
    let mut summary = Summary::default();
    for (i, key) in keys.iter().enumerate() {
        let key = StorageKey::from_stored(key.clone());
        let outcome = match from.size(&key).await? {
            None => Outcome::NothingStored,
            Some(len) => {
                summary.bytes += len;
                copy_one(from, to, &key, len).await?
            }
        };
        // A video's poster and thumbnail strip go with it, where it has them.
        for name in [
            crate::services::media::POSTER,
            crate::services::media::STRIP,
        ] {
            let picture = key.beside(name);
            if let Some(len) = from.size(&picture).await? {
                copy_one(from, to, &picture, len).await?;
            }
        }
        match outcome {
            Outcome::Copied => summary.copied += 1,
            Outcome::AlreadyThere => summary.already_there += 1,
            Outcome::NothingStored => summary.nothing_stored += 1,
        }
        progress(&Step {
            done: i + 1,
            total: keys.len(),
            bytes: summary.bytes,
            outcome,
        });
    }
    Ok(summary)
}

async fn sha256_of(storage: &dyn Storage, key: &StorageKey, len: u64) -> anyhow::Result<String> {
    let mut hasher = Sha256::new();
    let mut body = storage.read(key, 0..len).await?;
    while let Some(chunk) = body.next().await {
        hasher.update(chunk?);
    }
    Ok(hex::encode(hasher.finalize()))
}

async fn copy_one(
    from: &dyn Storage,
    to: &dyn Storage,
    key: &StorageKey,
    len: u64,
) -> anyhow::Result<Outcome> {
    let source = sha256_of(from, key, len).await?;
    if to.size(key).await? == Some(len) && sha256_of(to, key, len).await? == source {
        return Ok(Outcome::AlreadyThere);
    }
    // Whatever an interrupted run left at the target goes first.
    to.delete(key).await?;
    let body = from.read(key, 0..len).await?;
    let written = to
        .write_partial(key, 0, len, body, Phase::Progressive(None), None)
        .await?;
    if let Some(error) = written.body_error {
        anyhow::bail!("reading the source failed part way: {error}");
    }
    anyhow::ensure!(written.bytes == len, "the source ended early");
    to.complete(key).await?;
    let copied = sha256_of(to, key, len).await?;
    if copied != source {
        to.delete(key).await?;
        anyhow::bail!("a copy did not match its source (sha256); it was removed, run again");
    }
    Ok(Outcome::Copied)
}
