//! Access and refresh tokens, for a browser that keeps no cookie of Reel's (inside an LMS's
//! frame with third-party cookies blocked). An access token is a short session, sent as
//! `Authorization: Bearer`; a refresh token, good once, buys the next pair. The first refresh
//! token of a family is handed over by the LTI launch.

use crate::db::models::Session;
use crate::db::refresh_tokens::{self, RefreshToken, Spent};
use crate::db::{self, DbPool};
use crate::services::tokens;
use shared::dto::TokenPair;

/// How long a refresh token lasts (the LMS launches again for the next visit).
pub const REFRESH_MS: i64 = 8 * 3600 * 1000;

/// Why a refresh was refused.
#[derive(Debug, PartialEq, Eq)]
pub enum Refused {
    /// Unknown or expired.
    Unknown,
    /// Used before: the family is revoked (the instructor's ID, for the audit trail).
    Reused(String),
}

/// A new family for `instructor_id`: its first refresh token.
pub async fn start_family(pool: &DbPool, instructor_id: &str) -> anyhow::Result<String> {
    let token = tokens::new_token();
    let row = RefreshToken {
        token_hash: tokens::token_hash(&token),
        family: tokens::new_id(),
        instructor_id: instructor_id.to_string(),
        access_session_id: None,
        expires_at: crate::clock::now_ms() + REFRESH_MS,
        used_at: None,
    };
    db::write(pool, move |conn| Ok(refresh_tokens::insert(conn, &row)?)).await?;
    Ok(token)
}

/// Spends `refresh` for a new access token (valid `access_secs`) and the next refresh token.
pub async fn refresh(
    pool: &DbPool,
    refresh: &str,
    access_secs: u64,
) -> anyhow::Result<Result<TokenPair, Refused>> {
    let hash = tokens::token_hash(refresh);
    let (access, next) = (tokens::new_token(), tokens::new_token());
    let (access_hash, next_hash) = (tokens::token_hash(&access), tokens::token_hash(&next));
    let access_ms = i64::try_from(access_secs).unwrap_or(i64::MAX / 4) * 1000;
    let outcome = db::write(pool, move |conn| {
        db::write_tx(conn, |conn| {
            let now = crate::clock::now_ms();
            let spent = match refresh_tokens::spend(conn, &hash, now)? {
                Spent::Fresh(row) => row,
                Spent::Unknown => return Ok(Err(Refused::Unknown)),
                Spent::Reused { instructor_id } => return Ok(Err(Refused::Reused(instructor_id))),
            };
            db::sessions::insert(
                conn,
                &Session {
                    id: access_hash.clone(),
                    instructor_id: spent.instructor_id.clone(),
                    created_at: now,
                    expires_at: now + access_ms,
                },
            )?;
            // Access tokens are sessions that end within minutes: swept here, as sign-in
            // sweeps the cookie's.
            db::sessions::delete_expired(conn, now)?;
            refresh_tokens::delete_expired(conn, now)?;
            refresh_tokens::insert(
                conn,
                &RefreshToken {
                    token_hash: next_hash,
                    family: spent.family,
                    instructor_id: spent.instructor_id,
                    access_session_id: Some(access_hash),
                    expires_at: now + REFRESH_MS,
                    used_at: None,
                },
            )?;
            Ok::<_, diesel::result::Error>(Ok(()))
        })
        .map_err(anyhow::Error::from)
    })
    .await?;
    Ok(outcome.map(|()| TokenPair {
        access_token: access,
        refresh_token: next,
        expires_in_secs: access_secs,
    }))
}
