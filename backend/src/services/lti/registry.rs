//! The operator's side: registering, listing and removing platforms, and the tool's keys
//! (`reel admin add-lti-platform`, `list-lti-platforms`, `remove-lti-platform`,
//! `rotate-lti-key`).

use super::keys;
use crate::admin::AdminError;
use crate::config::SecretKey;
use crate::db::lti::{self, Platform, ToolKey};
use crate::db::{self, DbPool};
use serde::Serialize;

/// What an operator gives to register a platform.
#[derive(Clone, Debug, Default)]
pub struct NewPlatform {
    /// The platform's issuer (`iss`).
    pub issuer: String,
    /// The client ID the platform gave Reel.
    pub client_id: String,
    /// Deployment IDs (one at least).
    pub deployment_ids: Vec<String>,
    /// OIDC authorisation endpoint.
    pub auth_url: String,
    /// The platform's JWK set.
    pub jwks_url: String,
    /// OAuth2 token endpoint.
    pub token_url: Option<String>,
    /// Origins that may frame Reel's LTI pages.
    pub frame_origins: Vec<String>,
}

/// A platform as the admin commands print it, with the URLs to give the LMS.
#[derive(Debug, Serialize)]
pub struct RegisteredPlatform {
    /// Reel's ID for it.
    pub id: String,
    /// Issuer.
    pub issuer: String,
    /// Client ID.
    pub client_id: String,
    /// Deployment IDs.
    pub deployment_ids: Vec<String>,
    /// Authorisation endpoint.
    pub auth_url: String,
    /// The platform's JWK set.
    pub platform_jwks_url: String,
    /// Token endpoint.
    pub token_url: Option<String>,
    /// Origins that may frame Reel.
    pub frame_origins: Vec<String>,
    /// OIDC login initiation URL (give it to the LMS).
    pub login_url: String,
    /// Launch (redirect) URL.
    pub launch_url: String,
    /// Reel's public keys.
    pub jwks_url: String,
    /// Deep Linking URL.
    pub deep_link_url: String,
}

/// The tool's URL for `path`: absolute under `REEL_PUBLIC_URL` when set.
pub fn tool_url(public_origin: Option<&str>, path: &str) -> String {
    format!("{}{path}", public_origin.unwrap_or(""))
}

fn http_url(what: &str, url: &str) -> Result<String, AdminError> {
    let url = url.trim();
    let ok = (url.starts_with("https://") || url.starts_with("http://"))
        && url.len() <= 2000
        && !url.contains(char::is_whitespace);
    if ok {
        Ok(url.to_string())
    } else {
        Err(AdminError::Invalid(format!(
            "{what} must be an http:// or https:// URL, not `{url}`"
        )))
    }
}

/// `scheme://host[:port]`, lower-cased, nothing after.
fn origin(url: &str) -> Result<String, AdminError> {
    let bad = || {
        AdminError::Invalid(format!(
            "--frame-origin must be an origin such as https://lms.example.edu (no path), not `{url}`"
        ))
    };
    let url = url.trim().trim_end_matches('/');
    let (scheme, rest) = url.split_once("://").ok_or_else(bad)?;
    let scheme = scheme.to_ascii_lowercase();
    if (scheme != "http" && scheme != "https")
        || rest.is_empty()
        || rest.contains(['/', '?', '#', '@', ' ', '\'', ';', ','])
    {
        return Err(bad());
    }
    Ok(format!("{scheme}://{}", rest.to_ascii_lowercase()))
}

fn present(p: Platform, deployment_ids: Vec<String>, public: Option<&str>) -> RegisteredPlatform {
    RegisteredPlatform {
        frame_origins: p.frame_origins(),
        id: p.id,
        issuer: p.issuer,
        client_id: p.client_id,
        deployment_ids,
        auth_url: p.auth_url,
        platform_jwks_url: p.jwks_url,
        token_url: p.token_url,
        login_url: tool_url(public, "/lti/login"),
        launch_url: tool_url(public, "/lti/launch"),
        jwks_url: tool_url(public, "/lti/jwks"),
        deep_link_url: tool_url(public, "/lti/launch"),
    }
}

/// Registers a platform (and makes the tool's key if there is none yet).
pub async fn add_platform(
    pool: &DbPool,
    secret: &SecretKey,
    public: Option<&str>,
    new: NewPlatform,
) -> Result<RegisteredPlatform, AdminError> {
    let issuer = new.issuer.trim().to_string();
    let client_id = new.client_id.trim().to_string();
    if issuer.is_empty() || issuer.len() > 2000 {
        return Err(AdminError::Invalid("--issuer must not be empty".into()));
    }
    if client_id.is_empty() || client_id.len() > 2000 {
        return Err(AdminError::Invalid("--client-id must not be empty".into()));
    }
    let mut deployments: Vec<String> = new
        .deployment_ids
        .iter()
        .map(|d| d.trim().to_string())
        .filter(|d| !d.is_empty())
        .collect();
    deployments.sort();
    deployments.dedup();
    if deployments.is_empty() {
        return Err(AdminError::Invalid(
            "give at least one --deployment-id".into(),
        ));
    }
    let frame_origins = new
        .frame_origins
        .iter()
        .map(|o| origin(o))
        .collect::<Result<Vec<_>, _>>()?;
    let platform = Platform {
        id: crate::services::tokens::new_id(),
        issuer,
        client_id,
        auth_url: http_url("--auth-url", &new.auth_url)?,
        jwks_url: http_url("--jwks-url", &new.jwks_url)?,
        token_url: new
            .token_url
            .as_deref()
            .map(|u| http_url("--token-url", u))
            .transpose()?,
        frame_origins: frame_origins.join(" "),
        created_at: crate::clock::now_ms(),
    };
    ensure_key(pool, secret).await?;
    let (row, deps) = (platform.clone(), deployments.clone());
    let taken = db::write(pool, move |conn| {
        if lti::platform(conn, &row.issuer, &row.client_id)?.is_some() {
            return Ok(true);
        }
        lti::insert_platform(conn, &row, &deps)?;
        Ok(false)
    })
    .await?;
    if taken {
        return Err(AdminError::Invalid(format!(
            "a platform with issuer `{}` and client ID `{}` is registered already; remove it first",
            platform.issuer, platform.client_id
        )));
    }
    Ok(present(platform, deployments, public))
}

/// Every registered platform.
pub async fn list_platforms(
    pool: &DbPool,
    public: Option<&str>,
) -> Result<Vec<RegisteredPlatform>, AdminError> {
    let rows = db::run(pool, |conn| Ok(lti::list_platforms(conn)?)).await?;
    Ok(rows
        .into_iter()
        .map(|(p, d)| present(p, d, public))
        .collect())
}

/// Removes a platform; an unknown one is an error the operator sees.
pub async fn remove_platform(
    pool: &DbPool,
    issuer: &str,
    client_id: &str,
) -> Result<(), AdminError> {
    let (i, c) = (issuer.to_string(), client_id.to_string());
    let removed = db::write(pool, move |conn| Ok(lti::remove_platform(conn, &i, &c)?)).await?;
    if removed {
        Ok(())
    } else {
        Err(AdminError::Invalid(format!(
            "no platform with issuer `{issuer}` and client ID `{client_id}` is registered"
        )))
    }
}

/// The key that signs now, made on first use.
pub async fn ensure_key(pool: &DbPool, secret: &SecretKey) -> anyhow::Result<ToolKey> {
    if let Some(key) = db::run(pool, |conn| Ok(lti::signing_key(conn)?)).await? {
        return Ok(key);
    }
    let fresh = keys::generate(secret, crate::clock::now_ms())?;
    let row = fresh.clone();
    // Two instances starting at once: the second's insert finds the first's key and keeps it.
    db::write(pool, move |conn| {
        if let Some(key) = lti::signing_key(conn)? {
            return Ok(key);
        }
        lti::rotate_in(conn, &row, row.created_at)?;
        Ok(row)
    })
    .await
}

/// Adds a new key; the old one stays published for a day (platforms cache JWK sets).
pub async fn rotate_key(pool: &DbPool, secret: &SecretKey) -> anyhow::Result<ToolKey> {
    let fresh = keys::generate(secret, crate::clock::now_ms())?;
    let row = fresh.clone();
    db::write(pool, move |conn| {
        Ok(lti::rotate_in(conn, &row, row.created_at)?)
    })
    .await?;
    Ok(fresh)
}
