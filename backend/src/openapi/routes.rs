//! The routes that are not actions of the table: tus uploads (a protocol of headers, not JSON
//! bodies), the signed media route and the document itself.

use super::parts::{
    binary, bytes_body, count, empty_response, error, header, header_param, integer, path_param,
    query_param, string, CHUNK,
};
use super::SESSION;
use crate::services::tus;
use shared::actions::{upload_metadata as meta, UPLOADS_PATH, VIDEO_ID_HEADER};
use utoipa::openapi::path::{HttpMethod, OperationBuilder, Parameter, PathItem, Paths};
use utoipa::openapi::response::{Response, ResponseBuilder};
use utoipa::openapi::schema::ObjectBuilder;
use utoipa::openapi::security::SecurityRequirement;
use utoipa::openapi::Content;

/// Adds tus, media and the document's own path.
pub fn add(paths: &mut Paths, max_upload_bytes: u64) {
    let mut creation = PathItem::new(HttpMethod::Options, tus_options());
    creation.merge_operations(PathItem::new(
        HttpMethod::Post,
        tus_create(max_upload_bytes),
    ));
    paths.paths.insert(UPLOADS_PATH.to_string(), creation);

    let mut upload = PathItem::new(HttpMethod::Head, tus_head());
    upload.merge_operations(PathItem::new(HttpMethod::Patch, tus_patch()));
    upload.merge_operations(PathItem::new(HttpMethod::Delete, tus_terminate()));
    paths
        .paths
        .insert(format!("{UPLOADS_PATH}/{{upload_id}}"), upload);

    let mut signed = PathItem::new(HttpMethod::Get, media(false));
    signed.merge_operations(PathItem::new(HttpMethod::Head, media(true)));
    paths.paths.insert("/media/{video_id}".into(), signed);

    let mut pictures = PathItem::new(HttpMethod::Get, picture(false));
    pictures.merge_operations(PathItem::new(HttpMethod::Head, picture(true)));
    paths
        .paths
        .insert("/media/{video_id}/{picture}".into(), pictures);

    paths.paths.insert(
        super::PATH.into(),
        PathItem::new(HttpMethod::Get, document()),
    );
}

fn signed_in() -> SecurityRequirement {
    SecurityRequirement::new(SESSION, Vec::<String>::new())
}

fn tus_resumable() -> Parameter {
    header_param(
        "Tus-Resumable",
        true,
        string().enum_values(Some([tus::VERSION])),
        "The tus version the client speaks; anything but 1.0.0 is answered with 412.",
    )
}

fn upload_checksum() -> Parameter {
    header_param(
        "Upload-Checksum",
        false,
        string(),
        "`algorithm base64digest` of this request's body (sha1, sha256 or md5). A mismatch \
         discards the body's bytes (460); an unknown algorithm is 400.",
    )
}

fn upload_id() -> Parameter {
    path_param(
        "upload_id",
        "The upload's ID: the last segment of the creation response's `Location`.",
    )
}

/// Every tus response carries `Tus-Resumable`.
fn tus_ok(description: &str) -> ResponseBuilder {
    empty_response(description).header(
        "Tus-Resumable",
        header(string(), "The protocol version, 1.0.0."),
    )
}

fn offset_header() -> utoipa::openapi::header::Header {
    header(count(), "Bytes the server has stored.")
}

fn expires_header() -> utoipa::openapi::header::Header {
    header(
        string(),
        "HTTP-date after which an unfinished upload is removed.",
    )
}

/// HEAD answers carry no body, so their failures are bare statuses.
fn bare(description: &str) -> Response {
    empty_response(description).build()
}

fn tus_options() -> OperationBuilder {
    OperationBuilder::new()
        .operation_id(Some("tus_options"))
        .summary(Some("What this tus server supports."))
        .tag("uploads")
        .response(
            "204",
            tus_ok("The protocol's capabilities.")
                .header("Tus-Version", header(string(), "Versions spoken: 1.0.0."))
                .header(
                    "Tus-Extension",
                    header(string(), "Supported extensions, comma-separated."),
                )
                .header(
                    "Tus-Checksum-Algorithm",
                    header(string(), "Checksum algorithms accepted."),
                )
                .header("Tus-Max-Size", header(count(), "Largest upload, in bytes."))
                .build(),
        )
}

fn tus_create(max_upload_bytes: u64) -> OperationBuilder {
    let metadata = format!(
        "Comma-separated `key base64value` pairs: `{}` and `{}` are required, `{}` and `{}` \
         optional. The file kind must be one Reel accepts (415 otherwise).",
        meta::FILENAME,
        meta::CHAPTER_ID,
        meta::FILETYPE,
        meta::TITLE
    );
    OperationBuilder::new()
        .operation_id(Some("tus_create"))
        .summary(Some(
            "Create an upload (tus creation, creation-with-upload).",
        ))
        .description(Some(
            "Creates the video (status `uploading`) in the chapter named by the metadata. A \
             body of `application/offset+octet-stream` is the upload's first bytes.",
        ))
        .tag("uploads")
        .parameter(tus_resumable())
        .parameter(header_param(
            "Upload-Length",
            true,
            count().minimum(Some(1)).maximum(Some(max_upload_bytes)),
            "The file's size in bytes; at most `Tus-Max-Size`.",
        ))
        .parameter(header_param("Upload-Metadata", true, string(), &metadata))
        .parameter(upload_checksum())
        .request_body(Some(bytes_body(
            CHUNK,
            false,
            "The first bytes of the file (creation-with-upload).",
        )))
        .response(
            "201",
            tus_ok("Created.")
                .header("Location", header(string(), "The upload's URL."))
                .header(VIDEO_ID_HEADER, header(string(), "The new video's ID."))
                .link(
                    "GetVideo",
                    utoipa::openapi::link::LinkBuilder::new()
                        .operation_id("get_video")
                        .parameter("id", format!("$response.header.{VIDEO_ID_HEADER}"))
                        .build(),
                )
                .header("Upload-Expires", expires_header())
                .header(
                    "Upload-Offset",
                    header(count(), "Bytes stored from the body, when one was sent."),
                )
                .build(),
        )
        .response(
            "400",
            error(
                "`invalid_input`: a header or metadata value is missing, malformed or sent \
                 twice, or the file name is a path or holds control characters; the \
                 metadata is larger or has more keys than the server keeps; \
                 `checksum_algorithm_unsupported`; `upload_interrupted`.",
            ),
        )
        .response("401", error("`unauthenticated`."))
        .response(
            "404",
            error("`not_found`: the chapter does not exist or is not the caller's."),
        )
        .response(
            "412",
            error("`tus_version_unsupported`: `Tus-Resumable` is not 1.0.0."),
        )
        .response(
            "413",
            error(
                "`upload_too_large`: over the server's limit or the declared length, or over \
                 the bytes the caller's unfinished uploads may declare together.",
            ),
        )
        .response(
            "415",
            error(
                "`unsupported_file_type`: not a kind of file Reel takes; `not_a_video`: the \
                 first bytes are not a video Reel accepts.",
            ),
        )
        .response(
            "429",
            error("The caller has as many unfinished uploads as the server allows at once."),
        )
        .response(
            "460",
            error("`checksum_mismatch`: the body's bytes were discarded."),
        )
        .response(
            "503",
            error("`unavailable`: storage cannot take uploads right now; try again later."),
        )
        .response(
            "507",
            error("The server has no room for an upload this large right now."),
        )
        .security(signed_in())
}

fn tus_head() -> OperationBuilder {
    OperationBuilder::new()
        .operation_id(Some("tus_head"))
        .summary(Some("The offset to resume from."))
        .tag("uploads")
        .parameter(upload_id())
        .parameter(tus_resumable())
        .response(
            "200",
            tus_ok("The upload's state.")
                .header("Upload-Offset", offset_header())
                .header("Upload-Length", header(count(), "The declared length."))
                .header(
                    "Upload-Metadata",
                    header(string(), "The creation metadata, as sent."),
                )
                .header("Upload-Expires", expires_header())
                .header("Cache-Control", header(string(), "no-store"))
                .build(),
        )
        .response("401", bare("No session."))
        .response(
            "404",
            bare("No such upload, it was terminated, or it is not the caller's."),
        )
        .response(
            "410",
            bare("The upload expired and its bytes were removed."),
        )
        .response("412", bare("`Tus-Resumable` is not 1.0.0."))
        .security(signed_in())
}

fn tus_patch() -> OperationBuilder {
    OperationBuilder::new()
        .operation_id(Some("tus_patch"))
        .summary(Some("Append bytes at `Upload-Offset`."))
        .description(Some(
            "The last byte completes the upload and hands the video to processing.",
        ))
        .tag("uploads")
        .parameter(upload_id())
        .parameter(tus_resumable())
        .parameter(header_param(
            "Upload-Offset",
            true,
            count(),
            "Where these bytes go: the server's current offset (from HEAD).",
        ))
        .parameter(upload_checksum())
        .request_body(Some(bytes_body(CHUNK, true, "The next bytes of the file.")))
        .response(
            "204",
            tus_ok("Stored.")
                .header("Upload-Offset", offset_header())
                .header("Upload-Expires", expires_header())
                .build(),
        )
        .response(
            "400",
            error(
                "`invalid_input`: a header is missing, malformed or sent twice; \
                 `checksum_algorithm_unsupported`; `upload_interrupted`: the body broke off \
                 (the bytes that arrived are kept).",
            ),
        )
        .response("401", error("`unauthenticated`."))
        .response("404", error("`not_found`."))
        .response(
            "409",
            error("`offset_mismatch`: resume from the offset HEAD reports; `conflict`: the upload has ended."),
        )
        .response("410", error("`upload_expired`."))
        .response("412", error("`tus_version_unsupported`."))
        .response(
            "413",
            error("`upload_too_large`: more bytes than the declared length."),
        )
        .response(
            "415",
            error(
                "`unsupported_media_type`: the body is not `application/offset+octet-stream`; \
                 `not_a_video`: the first bytes are not a video.",
            ),
        )
        .response("423", error("`upload_locked`: another request is writing to it."))
        .response(
            "408",
            error("The body stopped arriving; the bytes that arrived are kept."),
        )
        .response("460", error("`checksum_mismatch`: the bytes were discarded."))
        .response(
            "503",
            error("`unavailable`: storage cannot take bytes right now; resume later."),
        )
        .response("507", error("The server's storage is full; resume later."))
        .security(signed_in())
}

fn tus_terminate() -> OperationBuilder {
    OperationBuilder::new()
        .operation_id(Some("tus_terminate"))
        .summary(Some(
            "Cancel an unfinished upload and remove its bytes (tus termination).",
        ))
        .tag("uploads")
        .parameter(upload_id())
        .parameter(tus_resumable())
        .response("204", tus_ok("Terminated.").build())
        .response("401", error("`unauthenticated`."))
        .response("404", error("`not_found`."))
        .response(
            "409",
            error("`conflict`: the upload finished; delete the video instead."),
        )
        .response("410", error("`upload_expired`."))
        .response("412", error("`tus_version_unsupported`."))
        .response("423", error("`upload_locked`."))
        .security(signed_in())
}

fn media(head: bool) -> OperationBuilder {
    let body = |description: &str| {
        let mut response = ResponseBuilder::new()
            .description(description)
            .header("Accept-Ranges", header(string(), "bytes"))
            .header("ETag", header(string(), "The video's version."))
            .header(
                "Last-Modified",
                header(string(), "HTTP-date of the video's last change."),
            );
        if !head {
            response = response.content("video/*", Content::new(Some(binary())));
        }
        response
    };
    let failure = |description: &str| {
        if head {
            bare(description)
        } else {
            error(description)
        }
    };
    OperationBuilder::new()
        .operation_id(Some(if head { "media_head" } else { "media_get" }))
        .summary(Some(if head {
            "A ready video's size and type, without its bytes."
        } else {
            "A ready video's bytes, with HTTP Range support."
        }))
        .description(Some(
            "The URL (a `display_url` from a video) is signed and expires: it is the \
             credential, so no session is needed.",
        ))
        .tag("media")
        .parameter(path_param("video_id", "The video's ID."))
        .parameter(query_param(
            "exp",
            true,
            integer(),
            "When the URL expires, Unix seconds.",
        ))
        .parameter(query_param(
            "sig",
            true,
            string(),
            "The URL's signature (base64url).",
        ))
        .parameter(header_param(
            "Range",
            false,
            string(),
            "One byte range (`bytes=0-99`, `bytes=100-`, `bytes=-100`); anything else is \
             answered with the whole video.",
        ))
        .parameter(header_param(
            "If-Range",
            false,
            string(),
            "Serve the range only if the video is still this ETag or date.",
        ))
        .response("200", body("The whole video.").build())
        .response(
            "206",
            body("The requested range.")
                .header(
                    "Content-Range",
                    header(string(), "`bytes first-last/size`."),
                )
                .build(),
        )
        .response(
            "403",
            failure("`forbidden`: the signature is wrong or the URL expired."),
        )
        .response(
            "404",
            failure("`not_found`: the video is not (or no longer) ready."),
        )
        .response(
            "416",
            empty_response("The range starts past the end.")
                .header("Content-Range", header(string(), "`bytes */size`."))
                .build(),
        )
}

fn picture(head: bool) -> OperationBuilder {
    let mut ok = ResponseBuilder::new()
        .description("The JPEG.")
        .header("ETag", header(string(), "The picture's version."))
        .header(
            "Cache-Control",
            header(string(), "`private, max-age=3600, immutable`."),
        );
    if !head {
        ok = ok.content("image/jpeg", Content::new(Some(binary())));
    }
    let failure = |description: &str| {
        if head {
            bare(description)
        } else {
            error(description)
        }
    };
    OperationBuilder::new()
        .operation_id(Some(if head { "picture_head" } else { "picture_get" }))
        .summary(Some(if head {
            "A ready video's poster or thumbnail strip: its size, without its bytes."
        } else {
            "A ready video's poster or thumbnail strip (JPEG)."
        }))
        .description(Some(
            "The URL (a video's `poster_url` or `thumbnails_url`) is signed for that one \
             picture and expires: it is the credential, so no session is needed.",
        ))
        .tag("media")
        .parameter(path_param("video_id", "The video's ID."))
        .parameter(super::parts::path_choice(
            "picture",
            &["poster", "thumbnails"],
            "Which picture.",
        ))
        .parameter(query_param(
            "exp",
            true,
            integer(),
            "When the URL expires, Unix seconds.",
        ))
        .parameter(query_param(
            "sig",
            true,
            string(),
            "The URL's signature (base64url).",
        ))
        .response("200", ok.build())
        .response(
            "403",
            failure("`forbidden`: the signature is wrong, for another picture, or expired."),
        )
        .response(
            "404",
            failure("`not_found`: no such picture, or the video has none (yet)."),
        )
}

fn document() -> OperationBuilder {
    OperationBuilder::new()
        .operation_id(Some("openapi"))
        .summary(Some(
            "This document: the OpenAPI description of the JSON API.",
        ))
        .tag("operations")
        .response(
            "200",
            super::parts::json_response("The document.", ObjectBuilder::new().into()).build(),
        )
}
