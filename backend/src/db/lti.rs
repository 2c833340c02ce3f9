//! LTI 1.3 rows: registered platforms and their deployments, the tool's keys, logins in
//! progress, used nonces, and the Reel instructor and course behind an LMS user and context.

use crate::db::schema::{
    lti_contexts, lti_deployments, lti_keys, lti_logins, lti_nonces, lti_platforms, lti_users,
};
use crate::db::Conn;
use diesel::prelude::*;

/// A registered platform (an LMS installation, one client ID).
#[derive(Clone, Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = lti_platforms)]
pub struct Platform {
    /// Reel's ID for it.
    pub id: String,
    /// The `iss` its id_tokens carry.
    pub issuer: String,
    /// The client ID it gave Reel (the `aud` of its id_tokens).
    pub client_id: String,
    /// Its OIDC authorisation endpoint.
    pub auth_url: String,
    /// Where its signing keys are published.
    pub jwks_url: String,
    /// Its OAuth2 token endpoint (LTI Advantage services), when given.
    pub token_url: Option<String>,
    /// Origins that may frame Reel's LTI pages, space-separated.
    pub frame_origins: String,
    /// Registration time (ms).
    pub created_at: i64,
}

impl Platform {
    /// The origins that may frame Reel's LTI pages.
    pub fn frame_origins(&self) -> Vec<String> {
        self.frame_origins
            .split_whitespace()
            .map(str::to_string)
            .collect()
    }
}

/// One of the tool's RSA keys.
#[derive(Clone, Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = lti_keys)]
pub struct ToolKey {
    /// Key ID (the JWT header's `kid`).
    pub kid: String,
    /// The private key (PKCS#8 PEM), sealed with the server's secret key.
    pub sealed_private_key: String,
    /// Modulus, base64url.
    pub public_n: String,
    /// Exponent, base64url.
    pub public_e: String,
    /// Creation time (ms).
    pub created_at: i64,
    /// When a newer key replaced it (ms); it stays published for a day after.
    pub retired_at: Option<i64>,
}

/// A login started by a platform, waiting for its launch.
#[derive(Clone, Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = lti_logins)]
pub struct Login {
    /// sha256 of the `state` (hex).
    pub state_hash: String,
    /// The platform that started it.
    pub platform_id: String,
    /// The nonce the id_token must carry.
    pub nonce: String,
    /// Expiry (ms).
    pub expires_at: i64,
}

/// How long a retired key stays published (platforms cache JWKS).
pub const RETIRED_KEY_MS: i64 = 24 * 3600 * 1000;

/// Registers a platform with its deployments.
pub fn insert_platform(
    conn: &mut Conn,
    platform: &Platform,
    deployments: &[String],
) -> QueryResult<()> {
    conn.transaction(|conn| {
        diesel::insert_into(lti_platforms::table)
            .values(platform)
            .execute(conn)?;
        for deployment in deployments {
            diesel::insert_into(lti_deployments::table)
                .values((
                    lti_deployments::platform_id.eq(&platform.id),
                    lti_deployments::deployment_id.eq(deployment),
                ))
                .execute(conn)?;
        }
        Ok(())
    })
}

/// The platform with this issuer and client ID.
pub fn platform(conn: &mut Conn, issuer: &str, client_id: &str) -> QueryResult<Option<Platform>> {
    lti_platforms::table
        .filter(lti_platforms::issuer.eq(issuer))
        .filter(lti_platforms::client_id.eq(client_id))
        .select(Platform::as_select())
        .first(conn)
        .optional()
}

/// The platforms with this issuer (a login initiation may leave the client ID out).
pub fn platforms_of(conn: &mut Conn, issuer: &str) -> QueryResult<Vec<Platform>> {
    lti_platforms::table
        .filter(lti_platforms::issuer.eq(issuer))
        .select(Platform::as_select())
        .load(conn)
}

/// A platform by Reel's ID.
pub fn platform_by_id(conn: &mut Conn, id: &str) -> QueryResult<Option<Platform>> {
    lti_platforms::table
        .find(id)
        .select(Platform::as_select())
        .first(conn)
        .optional()
}

/// Every platform with its deployment IDs, oldest first.
pub fn list_platforms(conn: &mut Conn) -> QueryResult<Vec<(Platform, Vec<String>)>> {
    let platforms = lti_platforms::table
        .order(lti_platforms::created_at.asc())
        .select(Platform::as_select())
        .load(conn)?;
    platforms
        .into_iter()
        .map(|p| {
            let deployments = lti_deployments::table
                .filter(lti_deployments::platform_id.eq(&p.id))
                .select(lti_deployments::deployment_id)
                .order(lti_deployments::deployment_id.asc())
                .load(conn)?;
            Ok((p, deployments))
        })
        .collect()
}

/// Every origin any platform registered for framing.
pub fn all_frame_origins(conn: &mut Conn) -> QueryResult<Vec<String>> {
    let rows: Vec<String> = lti_platforms::table
        .select(lti_platforms::frame_origins)
        .load(conn)?;
    let mut out: Vec<String> = rows
        .iter()
        .flat_map(|r| r.split_whitespace().map(str::to_string))
        .collect();
    out.sort();
    out.dedup();
    Ok(out)
}

/// Removes a platform and everything that hangs on it but the instructors and courses its
/// launches created (they are Reel's data now). Returns whether it existed.
pub fn remove_platform(conn: &mut Conn, issuer: &str, client_id: &str) -> QueryResult<bool> {
    conn.transaction(|conn| {
        let Some(p) = platform(conn, issuer, client_id)? else {
            return Ok(false);
        };
        diesel::delete(lti_deployments::table.filter(lti_deployments::platform_id.eq(&p.id)))
            .execute(conn)?;
        diesel::delete(lti_logins::table.filter(lti_logins::platform_id.eq(&p.id)))
            .execute(conn)?;
        diesel::delete(lti_users::table.filter(lti_users::platform_id.eq(&p.id))).execute(conn)?;
        diesel::delete(lti_contexts::table.filter(lti_contexts::platform_id.eq(&p.id)))
            .execute(conn)?;
        diesel::delete(lti_platforms::table.find(&p.id)).execute(conn)?;
        Ok(true)
    })
}

/// Whether a deployment ID is registered for the platform.
pub fn deployment_registered(
    conn: &mut Conn,
    platform_id: &str,
    deployment_id: &str,
) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        lti_deployments::table
            .filter(lti_deployments::platform_id.eq(platform_id))
            .filter(lti_deployments::deployment_id.eq(deployment_id)),
    ))
    .get_result(conn)
}

/// Adds a key and retires the ones in use (they stay published for a day).
pub fn rotate_in(conn: &mut Conn, key: &ToolKey, now: i64) -> QueryResult<()> {
    conn.transaction(|conn| {
        diesel::update(lti_keys::table.filter(lti_keys::retired_at.is_null()))
            .set(lti_keys::retired_at.eq(now))
            .execute(conn)?;
        diesel::insert_into(lti_keys::table)
            .values(key)
            .execute(conn)?;
        Ok(())
    })
}

/// The key that signs now (the newest unretired one).
pub fn signing_key(conn: &mut Conn) -> QueryResult<Option<ToolKey>> {
    lti_keys::table
        .filter(lti_keys::retired_at.is_null())
        .order(lti_keys::created_at.desc())
        .select(ToolKey::as_select())
        .first(conn)
        .optional()
}

/// The keys to publish: the one in use and those retired less than a day ago.
pub fn published_keys(conn: &mut Conn, now: i64) -> QueryResult<Vec<ToolKey>> {
    lti_keys::table
        .filter(
            lti_keys::retired_at
                .is_null()
                .or(lti_keys::retired_at.gt(now - RETIRED_KEY_MS)),
        )
        .order(lti_keys::created_at.desc())
        .select(ToolKey::as_select())
        .load(conn)
}

/// Records a login in progress.
pub fn insert_login(conn: &mut Conn, login: &Login) -> QueryResult<()> {
    diesel::insert_into(lti_logins::table)
        .values(login)
        .execute(conn)
        .map(|_| ())
}

/// Takes (and so ends) the unexpired login with this state hash: a state is good once.
pub fn take_login(conn: &mut Conn, state_hash: &str, now: i64) -> QueryResult<Option<Login>> {
    conn.transaction(|conn| {
        let found = lti_logins::table
            .find(state_hash)
            .filter(lti_logins::expires_at.gt(now))
            .select(Login::as_select())
            .first(conn)
            .optional()?;
        let gone = diesel::delete(lti_logins::table.find(state_hash)).execute(conn)?;
        // Two launches with one state on two instances: only the one that deleted it goes on.
        Ok(found.filter(|_| gone == 1))
    })
}

/// Uses a nonce: false when it was used before (on any instance).
pub fn use_nonce(
    conn: &mut Conn,
    platform_id: &str,
    nonce: &str,
    expires_at: i64,
) -> QueryResult<bool> {
    let inserted = crate::db::on_backend!(conn, c => diesel::insert_into(lti_nonces::table)
        .values((
            lti_nonces::platform_id.eq(platform_id),
            lti_nonces::nonce.eq(nonce),
            lti_nonces::expires_at.eq(expires_at),
        ))
        .on_conflict_do_nothing()
        .execute(c))?;
    Ok(inserted == 1)
}

/// Whether a launch used this nonce already (on any instance, for any platform).
pub fn nonce_used(conn: &mut Conn, nonce: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        lti_nonces::table.filter(lti_nonces::nonce.eq(nonce)),
    ))
    .get_result(conn)
}

/// Forgets logins and nonces past their time (a nonce is kept past its token's expiry, so a
/// replay is refused as expired after that).
pub fn delete_expired(conn: &mut Conn, now: i64) -> QueryResult<usize> {
    let a =
        diesel::delete(lti_logins::table.filter(lti_logins::expires_at.le(now))).execute(conn)?;
    let b =
        diesel::delete(lti_nonces::table.filter(lti_nonces::expires_at.le(now))).execute(conn)?;
    Ok(a + b)
}

/// The instructor an LMS user maps to.
pub fn instructor_of(
    conn: &mut Conn,
    platform_id: &str,
    subject: &str,
) -> QueryResult<Option<String>> {
    lti_users::table
        .find((platform_id, subject))
        .select(lti_users::instructor_id)
        .first(conn)
        .optional()
}

/// Maps an LMS user to an instructor.
pub fn link_user(
    conn: &mut Conn,
    platform_id: &str,
    subject: &str,
    instructor_id: &str,
) -> QueryResult<()> {
    diesel::insert_into(lti_users::table)
        .values((
            lti_users::platform_id.eq(platform_id),
            lti_users::subject.eq(subject),
            lti_users::instructor_id.eq(instructor_id),
        ))
        .execute(conn)
        .map(|_| ())
}

/// The course an LMS context maps to.
pub fn course_of(
    conn: &mut Conn,
    platform_id: &str,
    context_id: &str,
) -> QueryResult<Option<String>> {
    lti_contexts::table
        .find((platform_id, context_id))
        .select(lti_contexts::course_id)
        .first(conn)
        .optional()
}

/// Maps an LMS context to a course.
pub fn link_context(
    conn: &mut Conn,
    platform_id: &str,
    context_id: &str,
    course_id: &str,
) -> QueryResult<()> {
    diesel::insert_into(lti_contexts::table)
        .values((
            lti_contexts::platform_id.eq(platform_id),
            lti_contexts::context_id.eq(context_id),
            lti_contexts::course_id.eq(course_id),
        ))
        .execute(conn)
        .map(|_| ())
}
