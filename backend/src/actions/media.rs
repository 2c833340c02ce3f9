//! `GET|HEAD /media/{video_id}?exp=…&sig=…`: a ready video's bytes, with full Range support so
//! a `<video>` element can seek. The signature is the credential; a bad or expired one gets a
//! bare 403.

use crate::db;
use crate::error::{ApiError, ApiResult};
use crate::http::range::{self, Plan};
use crate::services::{signing, storage::StorageKey};
use crate::state::AppState;
use actix_web::http::{header, Method, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use shared::ErrorCode;
use std::time::{Duration, UNIX_EPOCH};

/// The query of a signed URL: exactly what was signed. Anything else in it (an extra or
/// repeated parameter) makes it a URL Reel never handed out, refused like a bad signature.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Signed {
    exp: i64,
    sig: String,
}

fn forbidden() -> ApiError {
    ApiError::new(
        StatusCode::FORBIDDEN,
        ErrorCode::Forbidden,
        "This link is invalid or has expired.",
    )
}

/// `inline` with a name made of the video's ID and its allowed extension only.
fn inline_disposition(video: &db::models::Video) -> String {
    let ext = shared::media::KINDS
        .iter()
        .find(|k| k.content_type == video.content_type)
        .map_or("mp4", |k| k.ext);
    format!("inline; filename=\"{}.{ext}\"", video.id)
}

/// `GET|HEAD /media/{video_id}/poster` and `…/thumbnails`: a ready video's JPEG pictures,
/// cached by the browser for as long as their URL works. The key is derived from the video's
/// own row, never from the request, so the URL reaches that one picture and nothing else.
pub async fn picture(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    query: Option<web::Query<Signed>>,
) -> ApiResult<HttpResponse> {
    let (video_id, which) = path.into_inner();
    let (object, name) = match which.as_str() {
        "poster" => (signing::Object::Poster, crate::services::media::POSTER),
        "thumbnails" => (signing::Object::Thumbnails, crate::services::media::STRIP),
        _ => return Err(ApiError::not_found()),
    };
    let Some(signed) = query else {
        return Err(forbidden());
    };
    let now = crate::clock::now_ms() / 1000;
    if !signing::verify_for(
        &state.secret,
        object,
        &video_id,
        signed.exp,
        &signed.sig,
        now,
    ) {
        return Err(forbidden());
    }
    let id = video_id.clone();
    let video = db::run(&state.pool, move |conn| Ok(db::videos::by_id(conn, &id)?))
        .await?
        .filter(|v| v.status == db::status::VideoStatus::Ready && v.has_poster)
        .ok_or_else(ApiError::not_found)?;
    let key = StorageKey::from_stored(video.storage_key).beside(name);
    let len = state
        .storage
        .size(&key)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let mut res = HttpResponse::Ok();
    res.insert_header((header::CONTENT_TYPE, "image/jpeg"))
        // The URL changes when it is re-signed; what one URL shows never changes.
        .insert_header((header::CACHE_CONTROL, "private, max-age=3600, immutable"))
        .insert_header((header::ETAG, format!("\"{}-{which}\"", video.id)))
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("inline; filename=\"{which}.jpg\""),
        ));
    if req.method() == Method::HEAD {
        let nothing = futures_util::stream::empty::<Result<bytes::Bytes, std::io::Error>>();
        return Ok(res.no_chunking(len).streaming(nothing));
    }
    let body = state.storage.read(&key, 0..len).await?;
    Ok(res.no_chunking(len).streaming(body))
}

/// Serves the bytes.
pub async fn serve(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    query: Option<web::Query<Signed>>,
) -> ApiResult<HttpResponse> {
    let video_id = path.into_inner();
    let Some(signed) = query else {
        return Err(forbidden());
    };
    if !signing::verify(
        &state.secret,
        &video_id,
        signed.exp,
        &signed.sig,
        crate::clock::now_ms() / 1000,
    ) {
        return Err(forbidden());
    }
    let id = video_id.clone();
    let video = db::run(&state.pool, move |conn| Ok(db::videos::by_id(conn, &id)?))
        .await?
        .filter(|v| v.status == db::status::VideoStatus::Ready)
        .ok_or_else(ApiError::not_found)?;
    let key = StorageKey::from_stored(video.storage_key.clone());
    let len = state
        .storage
        .size(&key)
        .await?
        .ok_or_else(ApiError::not_found)?;

    let etag = format!(
        "\"{}\"",
        video
            .sha256
            .as_deref()
            .map_or("0", |s| &s[..s.len().min(32)])
    );
    let modified =
        UNIX_EPOCH + Duration::from_secs(u64::try_from(video.updated_at / 1000).unwrap_or(0));
    let last_modified = httpdate::fmt_http_date(modified);
    let range_header = req
        .headers()
        .get(header::RANGE)
        .and_then(|v| v.to_str().ok());
    // If-Range: serve the range only if the client's copy is still this one.
    let if_range_ok = req
        .headers()
        .get(header::IF_RANGE)
        .and_then(|v| v.to_str().ok())
        .is_none_or(|v| v == etag || v == last_modified);
    let plan = if if_range_ok {
        range::plan(range_header, len)
    } else {
        Plan::Full
    };

    let mut res = match plan {
        Plan::Unsatisfiable => {
            return Ok(HttpResponse::RangeNotSatisfiable()
                .insert_header((header::CONTENT_RANGE, format!("bytes */{len}")))
                .insert_header((header::ACCEPT_RANGES, "bytes"))
                .finish());
        }
        Plan::Full => HttpResponse::Ok(),
        Plan::Partial { start, end } => {
            let mut b = HttpResponse::PartialContent();
            b.insert_header((header::CONTENT_RANGE, format!("bytes {start}-{end}/{len}")));
            b
        }
    };
    let (start, end_exclusive) = match plan {
        Plan::Partial { start, end } => (start, end + 1),
        _ => (0, len),
    };
    res.insert_header((header::CONTENT_TYPE, video.content_type.as_str()))
        .insert_header((header::ACCEPT_RANGES, "bytes"))
        .insert_header((header::ETAG, etag))
        .insert_header((header::LAST_MODIFIED, last_modified))
        .insert_header((header::CACHE_CONTROL, "private, max-age=3600"))
        // Played in the page, never saved under a name a client chose.
        .insert_header((header::CONTENT_DISPOSITION, inline_disposition(&video)))
        // Video is already compressed; keep the Compress middleware off it so Range stays exact.
        .insert_header((header::CONTENT_ENCODING, "identity"));
    let count = end_exclusive - start;
    if req.method() == Method::HEAD {
        // A sized body that is never polled: actix writes its length and, for HEAD, no bytes.
        let nothing = futures_util::stream::empty::<Result<bytes::Bytes, std::io::Error>>();
        return Ok(res.no_chunking(count).streaming(nothing));
    }
    let body = state.storage.read(&key, start..end_exclusive).await?;
    Ok(res.no_chunking(count).streaming(body))
}
