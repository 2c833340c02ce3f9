//! The error body every failed request returns: a stable machine-readable `code` that clients
//! match on, and a `message` for people. Neither ever carries internal detail (paths, SQL,
//! provider names, stack traces).

use serde::{Deserialize, Serialize};
use std::fmt;

/// Stable, snake_case error codes. Adding one is fine; renaming one breaks clients.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The request body is not valid JSON.
    MalformedJson,
    /// The request is well-formed but a field is missing or invalid.
    InvalidInput,
    /// The body is larger than the endpoint accepts.
    PayloadTooLarge,
    /// The request's content type is not one the endpoint accepts.
    UnsupportedMediaType,
    /// The caller is not signed in (or the session ended).
    Unauthenticated,
    /// Email and password did not match an account.
    InvalidCredentials,
    /// A refresh token that is unknown, expired or used before.
    InvalidRefreshToken,
    /// The thing does not exist, or the caller may not see it.
    NotFound,
    /// The HTTP method is not supported on this path.
    MethodNotAllowed,
    /// The request conflicts with the current state.
    Conflict,
    /// Too many requests; try again later.
    RateLimited,
    /// Something failed on the server; the message never says what.
    Internal,
    /// The server is starting up or shutting down.
    Unavailable,
    /// The link is invalid or has expired.
    Forbidden,
    /// The file kind is not one Reel accepts (checked before any byte is sent).
    UnsupportedFileType,
    /// The bytes are not a video Reel accepts (or it is damaged or incomplete).
    NotAVideo,
    /// The upload is larger than the server's limit or its declared length.
    UploadTooLarge,
    /// tus: `Upload-Offset` is not the server's offset.
    OffsetMismatch,
    /// tus: the chunk's checksum did not match; its bytes were discarded.
    ChecksumMismatch,
    /// tus: the checksum algorithm is not supported.
    ChecksumAlgorithmUnsupported,
    /// tus: the upload expired and its bytes were removed.
    UploadExpired,
    /// tus: another request is writing to this upload right now.
    UploadLocked,
    /// tus: the client speaks a protocol version this server does not.
    TusVersionUnsupported,
    /// tus: the request body broke off; the bytes that arrived are kept.
    UploadInterrupted,
    /// The delete grace period is over; the video cannot be restored.
    RestoreExpired,
    /// tus: `Upload-Metadata` is larger, or has more keys, than the server keeps.
    MetadataTooLarge,
    /// Too many failed sign-ins for this account or address; wait for `Retry-After`.
    TooManyAttempts,
    /// The instructor has as many unfinished uploads as allowed; finish or cancel some.
    TooManyUploads,
    /// The instructor's unfinished uploads already declare as many bytes as allowed.
    UploadQuotaExceeded,
    /// The server has no room for this upload right now.
    InsufficientStorage,
    /// tus: the request body stopped arriving; the bytes that arrived are kept.
    UploadStalled,
    /// A title is empty, longer than 200 characters or has a control character in it.
    InvalidTitle,
    /// The order was made from an out-of-date list; the body's `current_order` is the server's.
    StaleOrder,
    /// A request that changes something came from a page of another site (its `Origin` is
    /// neither Reel's own nor an allowed one).
    CrossOrigin,
}

impl ErrorCode {
    /// The code as it appears on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::MalformedJson => "malformed_json",
            Self::InvalidInput => "invalid_input",
            Self::PayloadTooLarge => "payload_too_large",
            Self::UnsupportedMediaType => "unsupported_media_type",
            Self::Unauthenticated => "unauthenticated",
            Self::InvalidCredentials => "invalid_credentials",
            Self::InvalidRefreshToken => "invalid_refresh_token",
            Self::NotFound => "not_found",
            Self::MethodNotAllowed => "method_not_allowed",
            Self::Conflict => "conflict",
            Self::RateLimited => "rate_limited",
            Self::Internal => "internal",
            Self::Unavailable => "unavailable",
            Self::Forbidden => "forbidden",
            Self::UnsupportedFileType => "unsupported_file_type",
            Self::NotAVideo => "not_a_video",
            Self::UploadTooLarge => "upload_too_large",
            Self::OffsetMismatch => "offset_mismatch",
            Self::ChecksumMismatch => "checksum_mismatch",
            Self::ChecksumAlgorithmUnsupported => "checksum_algorithm_unsupported",
            Self::UploadExpired => "upload_expired",
            Self::UploadLocked => "upload_locked",
            Self::TusVersionUnsupported => "tus_version_unsupported",
            Self::UploadInterrupted => "upload_interrupted",
            Self::RestoreExpired => "restore_expired",
            Self::MetadataTooLarge => "metadata_too_large",
            Self::TooManyAttempts => "too_many_attempts",
            Self::TooManyUploads => "too_many_uploads",
            Self::UploadQuotaExceeded => "upload_quota_exceeded",
            Self::InsufficientStorage => "insufficient_storage",
            Self::UploadStalled => "upload_stalled",
            Self::InvalidTitle => "invalid_title",
            Self::StaleOrder => "stale_order",
            Self::CrossOrigin => "cross_origin",
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The JSON body of every error response.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApiErrorBody {
    /// Stable machine-readable code.
    pub code: ErrorCode,
    /// A sentence for people, saying what to do next where there is something to do.
    pub message: String,
    /// With `stale_order` only: the IDs in the server's current order, to redraw from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_order: Option<Vec<String>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_codes_serialise_as_their_wire_names() {
        for code in [
            ErrorCode::MalformedJson,
            ErrorCode::InvalidInput,
            ErrorCode::PayloadTooLarge,
            ErrorCode::UnsupportedMediaType,
            ErrorCode::Unauthenticated,
            ErrorCode::InvalidCredentials,
            ErrorCode::InvalidRefreshToken,
            ErrorCode::NotFound,
            ErrorCode::MethodNotAllowed,
            ErrorCode::Conflict,
            ErrorCode::RateLimited,
            ErrorCode::Internal,
            ErrorCode::Unavailable,
            ErrorCode::Forbidden,
            ErrorCode::UnsupportedFileType,
            ErrorCode::NotAVideo,
            ErrorCode::UploadTooLarge,
            ErrorCode::OffsetMismatch,
            ErrorCode::ChecksumMismatch,
            ErrorCode::ChecksumAlgorithmUnsupported,
            ErrorCode::UploadExpired,
            ErrorCode::UploadLocked,
            ErrorCode::TusVersionUnsupported,
            ErrorCode::UploadInterrupted,
            ErrorCode::RestoreExpired,
            ErrorCode::MetadataTooLarge,
            ErrorCode::TooManyAttempts,
            ErrorCode::TooManyUploads,
            ErrorCode::UploadQuotaExceeded,
            ErrorCode::InsufficientStorage,
            ErrorCode::UploadStalled,
            ErrorCode::InvalidTitle,
            ErrorCode::StaleOrder,
            ErrorCode::CrossOrigin,
        ] {
            let json = serde_json::to_string(&code).expect("serialises");
            assert_eq!(json, format!("\"{}\"", code.as_str()));
        }
    }
}
