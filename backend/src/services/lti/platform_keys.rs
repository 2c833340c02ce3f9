//! The platforms' JWK sets, fetched from their `jwks_url` and cached per URL for an hour; a
//! `kid` the cache does not know is fetched for once more (a platform rotated its key), no
//! more often than every ten seconds per URL, so a stream of forged `kid`s cannot make Reel
//! hammer the platform.

use super::Refusal;
use jsonwebtoken::jwk::JwkSet;
use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

const FRESH: Duration = Duration::from_secs(3600);
const REFETCH_AFTER: Duration = Duration::from_secs(10);
/// A JWK set is a few kilobytes; more is not one.
const MAX_BYTES: usize = 256 * 1024;

struct Cached {
    set: JwkSet,
    at: Instant,
}

fn cache() -> &'static Mutex<HashMap<String, Cached>> {
    static CACHE: OnceLock<Mutex<HashMap<String, Cached>>> = OnceLock::new();
    CACHE.get_or_init(Default::default)
}

fn cached(url: &str) -> Option<(JwkSet, Instant)> {
    let cache = cache().lock().unwrap_or_else(|p| p.into_inner());
    cache.get(url).map(|c| (c.set.clone(), c.at))
}

async fn fetch(url: &str) -> Result<JwkSet, Refusal> {
    let unreachable = |e: String| Refusal::new("lti_platform_unreachable", format!("{url}: {e}"));
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .redirect(reqwest::redirect::Policy::limited(2))
        .build()
        .map_err(|e| unreachable(e.to_string()))?;
    let res = client
        .get(url)
        .send()
        .await
        .map_err(|e| unreachable(e.to_string()))?;
    if !res.status().is_success() {
        return Err(unreachable(format!("status {}", res.status())));
    }
    if res.content_length().is_some_and(|n| n as usize > MAX_BYTES) {
        return Err(unreachable("the JWK set is too large".into()));
    }
    let body = res.bytes().await.map_err(|e| unreachable(e.to_string()))?;
    if body.len() > MAX_BYTES {
        return Err(unreachable("the JWK set is too large".into()));
    }
    let set: JwkSet =
        serde_json::from_slice(&body).map_err(|e| unreachable(format!("not a JWK set: {e}")))?;
    cache().lock().unwrap_or_else(|p| p.into_inner()).insert(
        url.to_string(),
        Cached {
            set: set.clone(),
            at: Instant::now(),
        },
    );
    Ok(set)
}

/// The platform's keys, such that `kid` is among them if the platform publishes it.
pub async fn keys_with(url: &str, kid: Option<&str>) -> Result<JwkSet, Refusal> {
    match cached(url) {
        Some((set, at)) if at.elapsed() < FRESH => {
            let known = kid.is_none_or(|k| set.find(k).is_some());
            if known || at.elapsed() < REFETCH_AFTER {
                return Ok(set);
            }
            fetch(url).await
        }
        _ => fetch(url).await,
    }
}
