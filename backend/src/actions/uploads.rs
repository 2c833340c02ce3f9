//! tus 1.0.0 at `/api/uploads` (OPTIONS, POST) and `/api/uploads/{upload_id}` (HEAD, PATCH,
//! DELETE): core, creation, creation-with-upload, termination, checksum and expiration. This
//! file speaks the protocol's headers and status codes; `services::uploads` does the work.

use crate::error::ApiError;
use crate::http::extract::CurrentInstructor;
use crate::services::audit::Origin;
use crate::services::storage::ByteStream;
use crate::services::tus::{self, ChecksumError};
use crate::services::uploads::{self, Chunk, NewUpload, UploadError};
use crate::state::AppState;
use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse, HttpResponseBuilder};
use futures_util::StreamExt;
use shared::actions::{upload_metadata as meta, UPLOADS_PATH, VIDEO_ID_HEADER};
use shared::ErrorCode;
use std::io;

const TUS_RESUMABLE: &str = "Tus-Resumable";

impl From<UploadError> for ApiError {
    fn from(e: UploadError) -> Self {
        use ErrorCode as C;
        use StatusCode as S;
        match e {
            UploadError::NotFound => ApiError::not_found(),
            UploadError::ChapterDeleted => ApiError::new(S::NOT_FOUND, C::NotFound, "This chapter was deleted, so nothing can be uploaded into it. Choose another chapter."),
            UploadError::Expired => ApiError::new(S::GONE, C::UploadExpired, "This upload expired and its data was removed. Start the upload again."),
            UploadError::Locked => ApiError::new(S::LOCKED, C::UploadLocked, "Another request is sending data to this upload. Try again in a moment."),
            UploadError::OffsetMismatch { .. } => ApiError::new(S::CONFLICT, C::OffsetMismatch, "The upload offset does not match the server's. Ask for the current offset (HEAD) and resume from there."),
            UploadError::ChecksumMismatch => ApiError::new(checksum_mismatch_status(), C::ChecksumMismatch, "The data was damaged on the way (checksum mismatch). Send this part again."),
            UploadError::TooLarge(m) => ApiError::new(S::PAYLOAD_TOO_LARGE, C::UploadTooLarge, m),
            UploadError::NotAVideo(m) => ApiError::new(S::UNSUPPORTED_MEDIA_TYPE, C::NotAVideo, m),
            UploadError::UnsupportedType(m) => ApiError::new(S::UNSUPPORTED_MEDIA_TYPE, C::UnsupportedFileType, m),
            UploadError::Invalid(m) => ApiError::invalid_input(m),
            UploadError::Conflict(m) => ApiError::new(S::CONFLICT, C::Conflict, m),
            UploadError::Interrupted => ApiError::new(S::BAD_REQUEST, C::UploadInterrupted, "The upload was interrupted. Resume it to send the rest."),
            UploadError::TooManyUploads(m) => ApiError::new(S::TOO_MANY_REQUESTS, C::TooManyUploads, m),
            UploadError::QuotaExceeded(m) => ApiError::new(S::PAYLOAD_TOO_LARGE, C::UploadQuotaExceeded, m),
            UploadError::InsufficientStorage(m) => ApiError::new(S::INSUFFICIENT_STORAGE, C::InsufficientStorage, m),
            UploadError::StorageUnavailable => ApiError::new(S::SERVICE_UNAVAILABLE, C::Unavailable, "Reel cannot store uploads right now. What arrived before is kept: resume the upload in a few minutes."),
            UploadError::Stalled => ApiError::new(S::REQUEST_TIMEOUT, C::UploadStalled, "No data arrived for a while, so the server ended this request. The bytes that arrived are kept: resume the upload."),
            UploadError::Internal(e) => ApiError::internal(e),
        }
    }
}

fn checksum_mismatch_status() -> StatusCode {
    // 460 Checksum Mismatch is tus's own status code.
    StatusCode::from_u16(460).unwrap_or(StatusCode::BAD_REQUEST)
}

fn header_str<'a>(req: &'a HttpRequest, name: &str) -> Option<&'a str> {
    req.headers().get(name).and_then(|v| v.to_str().ok())
}

/// tus headers a request may carry once: with two values the server would have to guess.
const SINGLE_HEADERS: [&str; 6] = [
    TUS_RESUMABLE,
    "Upload-Length",
    "Upload-Offset",
    "Upload-Metadata",
    "Upload-Checksum",
    "Upload-Defer-Length",
];

/// Every tus request but OPTIONS must speak our version (412 otherwise, with `Tus-Version`)
/// and send each tus header at most once (400).
fn version_mismatch(req: &HttpRequest) -> Option<HttpResponse> {
    match header_str(req, TUS_RESUMABLE) {
        Some(tus::VERSION) => SINGLE_HEADERS
            .iter()
            .find(|name| req.headers().get_all(**name).nth(1).is_some())
            .map(|name| {
                tus_error(ApiError::invalid_input(format!(
                    "`{name}` was sent more than once."
                )))
            }),
        _ => {
            let err = ApiError::new(
                StatusCode::PRECONDITION_FAILED,
                ErrorCode::TusVersionUnsupported,
                "This server speaks tus 1.0.0 (send `Tus-Resumable: 1.0.0`).",
            );
            let mut res = actix_web::ResponseError::error_response(&err);
            res.headers_mut().insert(
                header::HeaderName::from_static("tus-version"),
                header::HeaderValue::from_static(tus::VERSION),
            );
            Some(res)
        }
    }
}

fn parse_i64(req: &HttpRequest, name: &str) -> Result<Option<i64>, ApiError> {
    match header_str(req, name) {
        None => Ok(None),
        Some(v) => tus::parse_byte_count(v).map(Some).ok_or_else(|| {
            ApiError::invalid_input(format!("`{name}` must be a non-negative whole number."))
        }),
    }
}

fn tus_response(status: StatusCode) -> HttpResponseBuilder {
    let mut b = HttpResponse::build(status);
    b.insert_header((TUS_RESUMABLE, tus::VERSION))
        .insert_header((header::CACHE_CONTROL, "no-store"));
    b
}

fn is_chunk_body(req: &HttpRequest) -> bool {
    header_str(req, "content-type")
        .is_some_and(|ct| ct.trim().eq_ignore_ascii_case(tus::OFFSET_OCTET_STREAM))
}

fn body_stream(payload: web::Payload) -> ByteStream {
    Box::pin(payload.map(|item| {
        item.map_err(|e| io::Error::new(io::ErrorKind::ConnectionAborted, e.to_string()))
    }))
}

fn parse_checksum(req: &HttpRequest) -> Result<Option<(tus::ChunkHasher, Vec<u8>)>, ApiError> {
    let Some(value) = header_str(req, "upload-checksum") else {
        return Ok(None);
    };
    tus::parse_checksum(value).map(Some).map_err(|e| match e {
        ChecksumError::UnsupportedAlgorithm(a) => ApiError::new(
            StatusCode::BAD_REQUEST,
            ErrorCode::ChecksumAlgorithmUnsupported,
            format!("Checksum algorithm `{a}` is not supported; use sha1, sha256 or md5."),
        ),
        ChecksumError::Malformed => {
            ApiError::invalid_input("`Upload-Checksum` must be `algorithm base64digest`.")
        }
    })
}

/// Adds `Tus-Resumable` to an error response as the spec asks of every response.
fn tus_error(e: impl Into<ApiError>) -> HttpResponse {
    let mut res = actix_web::ResponseError::error_response(&e.into());
    res.headers_mut().insert(
        header::HeaderName::from_static("tus-resumable"),
        header::HeaderValue::from_static(tus::VERSION),
    );
    res
}

/// `OPTIONS /api/uploads`: what this server supports.
pub async fn options(state: web::Data<AppState>) -> HttpResponse {
    tus_response(StatusCode::NO_CONTENT)
        .insert_header(("Tus-Version", tus::VERSION))
        .insert_header(("Tus-Extension", tus::EXTENSIONS))
        .insert_header(("Tus-Checksum-Algorithm", tus::CHECKSUM_ALGORITHMS))
        .insert_header(("Tus-Max-Size", state.config.max_upload_bytes.to_string()))
        .finish()
}

/// `POST /api/uploads`: creation (and creation-with-upload).
pub async fn create(
    req: HttpRequest,
    state: web::Data<AppState>,
    origin: Origin,
    current: Option<CurrentInstructor>,
    payload: web::Payload,
) -> HttpResponse {
    if let Some(res) = version_mismatch(&req) {
        return res;
    }
    match create_inner(&req, &state, &origin, current, payload).await {
        Ok(res) => res,
        Err(e) => tus_error(e),
    }
}

async fn create_inner(
    req: &HttpRequest,
    state: &AppState,
    origin: &Origin,
    current: Option<CurrentInstructor>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let current = current.ok_or_else(ApiError::unauthenticated)?;
    if header_str(req, "upload-defer-length").is_some() {
        return Err(ApiError::invalid_input(
            "Deferred upload length is not supported; send `Upload-Length`.",
        ));
    }
    let length = parse_i64(req, "upload-length")?
        .ok_or_else(|| ApiError::invalid_input("`Upload-Length` is required."))?;
    let metadata_raw = header_str(req, "upload-metadata")
        .unwrap_or_default()
        .to_string();
    if !tus::metadata_within_limits(&metadata_raw) {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            ErrorCode::MetadataTooLarge,
            format!(
                "`Upload-Metadata` may hold at most {} keys and {} bytes.",
                tus::MAX_METADATA_KEYS,
                tus::MAX_METADATA_BYTES
            ),
        ));
    }
    let metadata = tus::parse_metadata(&metadata_raw).map_err(ApiError::invalid_input)?;
    let required = |key: &str| {
        metadata
            .get(key)
            .filter(|v| !v.trim().is_empty())
            .cloned()
            .ok_or_else(|| ApiError::invalid_input(format!("Upload metadata `{key}` is required.")))
    };
    let new = NewUpload {
        instructor_id: current.instructor.id.clone(),
        chapter_id: required(meta::CHAPTER_ID)?,
        length,
        filename: required(meta::FILENAME)?,
        filetype: metadata.get(meta::FILETYPE).cloned().unwrap_or_default(),
        title: metadata.get(meta::TITLE).cloned(),
        metadata_raw,
    };
    // Refuse a bad first chunk before anything is created, so a refusal leaves nothing behind.
    let first_chunk = is_chunk_body(req);
    let checksum = if first_chunk {
        parse_checksum(req)?
    } else {
        None
    };
    if first_chunk && parse_i64(req, "content-length")?.is_some_and(|len| len > length) {
        return Err(UploadError::TooLarge(
            "More bytes were sent than the upload's declared length.".into(),
        )
        .into());
    }
    let (upload, video) = uploads::create(&state.uploads(), origin, new).await?;
    let mut res = tus_response(StatusCode::CREATED);
    res.insert_header((header::LOCATION, format!("{UPLOADS_PATH}/{}", upload.id)))
        .insert_header((VIDEO_ID_HEADER, video.id.clone()))
        .insert_header(("Upload-Expires", tus::http_date(upload.expires_at)));
    // creation-with-upload: the first chunk rides along with the creation request.
    if first_chunk {
        let chunk = Chunk {
            offset: 0,
            checksum,
        };
        let recorded = match uploads::write_chunk(
            &state.uploads(),
            origin,
            &upload,
            &video,
            chunk,
            body_stream(payload),
        )
        .await
        {
            Ok(recorded) => recorded,
            // Refused bytes already failed the video, with the reason for its owner.
            Err(e @ UploadError::NotAVideo(_)) => return Err(e.into()),
            // The error answer carries no `Location`, so nobody could resume or end this
            // upload: end it now rather than leave an orphan until it expires.
            Err(e) => {
                if let Err(cleanup) =
                    uploads::terminate(&state.uploads(), origin, &upload, &video).await
                {
                    tracing::warn!(error = %cleanup, "could not end an upload whose first chunk failed");
                }
                return Err(e.into());
            }
        };
        res.insert_header(("Upload-Offset", recorded.offset.to_string()))
            .insert_header(("Upload-Expires", tus::http_date(recorded.expires_at)));
    }
    Ok(res.finish())
}

/// `HEAD /api/uploads/{id}`: the offset to resume from.
pub async fn head(
    req: HttpRequest,
    state: web::Data<AppState>,
    origin: Origin,
    current: Option<CurrentInstructor>,
    path: web::Path<String>,
) -> HttpResponse {
    if let Some(res) = version_mismatch(&req) {
        return res;
    }
    let result = async {
        let current = current.ok_or_else(ApiError::unauthenticated)?;
        let (upload, _) =
            uploads::load(&state.uploads(), &origin, &current.instructor.id, &path).await?;
        let mut res = tus_response(StatusCode::OK);
        res.insert_header(("Upload-Offset", upload.upload_offset.to_string()))
            .insert_header(("Upload-Length", upload.upload_length.to_string()));
        if !upload.metadata.is_empty() {
            res.insert_header(("Upload-Metadata", upload.metadata.clone()));
        }
        if upload.state == crate::db::status::UploadState::Active {
            res.insert_header(("Upload-Expires", tus::http_date(upload.expires_at)));
        }
        Ok::<_, ApiError>(res.finish())
    }
    .await;
    result.unwrap_or_else(|e| {
        // HEAD responses carry no body; the status says it all.
        tus_error(e).set_body(actix_web::body::BoxBody::new(()))
    })
}

/// `PATCH /api/uploads/{id}`: append a chunk at `Upload-Offset`.
pub async fn patch(
    req: HttpRequest,
    state: web::Data<AppState>,
    origin: Origin,
    current: Option<CurrentInstructor>,
    path: web::Path<String>,
    payload: web::Payload,
) -> HttpResponse {
    if let Some(res) = version_mismatch(&req) {
        return res;
    }
    let result = async {
        if !is_chunk_body(&req) {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                ErrorCode::UnsupportedMediaType,
                "Send upload data as `Content-Type: application/offset+octet-stream`.",
            ));
        }
        let current = current.ok_or_else(ApiError::unauthenticated)?;
        let offset = parse_i64(&req, "upload-offset")?
            .ok_or_else(|| ApiError::invalid_input("`Upload-Offset` is required."))?;
        let checksum = parse_checksum(&req)?;
        let (upload, video) =
            uploads::load(&state.uploads(), &origin, &current.instructor.id, &path).await?;
        if let Some(len) = parse_i64(&req, "content-length")? {
            // Checked: a huge `Upload-Offset` plus the body's length must not overflow.
            if offset
                .checked_add(len)
                .is_none_or(|end| end > upload.upload_length)
            {
                return Err(UploadError::TooLarge(
                    "More bytes were sent than the upload's declared length.".into(),
                )
                .into());
            }
        }
        let recorded = uploads::write_chunk(
            &state.uploads(),
            &origin,
            &upload,
            &video,
            Chunk { offset, checksum },
            body_stream(payload),
        )
        .await?;
        Ok(tus_response(StatusCode::NO_CONTENT)
            .insert_header(("Upload-Offset", recorded.offset.to_string()))
            .insert_header(("Upload-Expires", tus::http_date(recorded.expires_at)))
            .finish())
    }
    .await;
    result.unwrap_or_else(tus_error)
}

/// `DELETE /api/uploads/{id}`: termination.
pub async fn terminate(
    req: HttpRequest,
    state: web::Data<AppState>,
    origin: Origin,
    current: Option<CurrentInstructor>,
    path: web::Path<String>,
) -> HttpResponse {
    if let Some(res) = version_mismatch(&req) {
        return res;
    }
    let result = async {
        let current = current.ok_or_else(ApiError::unauthenticated)?;
        let (upload, video) =
            uploads::load(&state.uploads(), &origin, &current.instructor.id, &path).await?;
        uploads::terminate(&state.uploads(), &origin, &upload, &video).await?;
        Ok::<_, ApiError>(tus_response(StatusCode::NO_CONTENT).finish())
    }
    .await;
    result.unwrap_or_else(tus_error)
}
