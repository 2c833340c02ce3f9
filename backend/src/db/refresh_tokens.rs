//! Refresh tokens for the access tokens of a browser that keeps no cookie (inside an LMS's
//! frame): only their sha256 is stored; each is good once; a used one presented again revokes
//! its whole family.

use crate::db::schema::{lti_refresh_tokens as rt, sessions};
use crate::db::Conn;
use diesel::prelude::*;

/// A refresh token's row.
#[derive(Clone, Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = rt)]
pub struct RefreshToken {
    /// sha256 of the token (hex).
    pub token_hash: String,
    /// The chain of tokens it belongs to (one per launch).
    pub family: String,
    /// Whose it is.
    pub instructor_id: String,
    /// The access token (a session ID) issued with it.
    pub access_session_id: Option<String>,
    /// Expiry (ms).
    pub expires_at: i64,
    /// When it was exchanged (ms).
    pub used_at: Option<i64>,
}

/// What presenting a refresh token came to.
#[derive(Debug)]
pub enum Spent {
    /// It was good: here is its row (now used).
    Fresh(RefreshToken),
    /// Unknown or expired.
    Unknown,
    /// Used before: its family is revoked now.
    Reused {
        /// Whose family it was.
        instructor_id: String,
    },
}

/// Stores a refresh token.
pub fn insert(conn: &mut Conn, token: &RefreshToken) -> QueryResult<()> {
    diesel::insert_into(rt::table)
        .values(token)
        .execute(conn)
        .map(|_| ())
}

/// Spends a refresh token (one conditional update decides between two instances).
pub fn spend(conn: &mut Conn, token_hash: &str, now: i64) -> QueryResult<Spent> {
    crate::db::write_tx(conn, |conn| {
        let Some(row) = rt::table
            .find(token_hash)
            .select(RefreshToken::as_select())
            .first(conn)
            .optional()?
        else {
            return Ok(Spent::Unknown);
        };
        let taken = diesel::update(rt::table.find(token_hash).filter(rt::used_at.is_null()))
            .set(rt::used_at.eq(now))
            .execute(conn)?;
        if taken == 0 {
            revoke_family(conn, &row.family, now)?;
            return Ok(Spent::Reused {
                instructor_id: row.instructor_id,
            });
        }
        if row.expires_at <= now {
            return Ok(Spent::Unknown);
        }
        Ok(Spent::Fresh(RefreshToken {
            used_at: Some(now),
            ..row
        }))
    })
}

/// Signing out with an access token ends its whole family (its refresh token included).
pub fn revoke_family_of(conn: &mut Conn, access_session_id: &str, now: i64) -> QueryResult<()> {
    let family: Option<String> = rt::table
        .filter(rt::access_session_id.eq(access_session_id))
        .select(rt::family)
        .first(conn)
        .optional()?;
    match family {
        Some(family) => revoke_family(conn, &family, now),
        None => Ok(()),
    }
}

/// Ends every access token of a family and uses up its refresh tokens.
fn revoke_family(conn: &mut Conn, family: &str, now: i64) -> QueryResult<()> {
    let access: Vec<Option<String>> = rt::table
        .filter(rt::family.eq(family))
        .select(rt::access_session_id)
        .load(conn)?;
    let access: Vec<String> = access.into_iter().flatten().collect();
    diesel::delete(sessions::table.filter(sessions::id.eq_any(&access))).execute(conn)?;
    diesel::update(
        rt::table
            .filter(rt::family.eq(family))
            .filter(rt::used_at.is_null()),
    )
    .set(rt::used_at.eq(now))
    .execute(conn)?;
    Ok(())
}

/// Forgets refresh tokens a day past their expiry (a reuse after that is only "unknown").
pub fn delete_expired(conn: &mut Conn, now: i64) -> QueryResult<usize> {
    diesel::delete(rt::table.filter(rt::expires_at.le(now - 24 * 3600 * 1000))).execute(conn)
}
