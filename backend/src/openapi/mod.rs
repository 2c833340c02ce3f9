//! The OpenAPI 3.1 description of the JSON API, served at `GET /api/openapi.json`.
//!
//! It is built from what the routes are built from: the `shared` action table gives each
//! action's method, path, summary and body schemas (derived from the very DTOs the handlers
//! use), so a new action is described the moment it is added to the table. [`routes`] adds
//! what is not an action: tus uploads, the media route and this document. A test checks that
//! every action in the table is in the document.

mod parts;
mod routes;

use parts::{error, json_body, json_response, path_param, JSON};
use shared::actions::{ActionInfo, Method, ALL};
use shared::openapi::{BodySchema, Components};
use utoipa::openapi::path::{HttpMethod, Operation, OperationBuilder, Paths};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityRequirement, SecurityScheme};
use utoipa::openapi::{ComponentsBuilder, InfoBuilder, OpenApi, OpenApiBuilder};

/// Where the document is served.
pub const PATH: &str = "/api/openapi.json";

/// The name of the session-cookie security scheme.
const SESSION: &str = "session";

/// Actions anyone may call; every other action needs the session cookie, so a new action is
/// described as protected unless it is added here.
const PUBLIC: [&str; 4] = ["Login", "Logout", "Health", "Refresh"];

/// The document as JSON for a server whose largest upload is `max_upload_bytes` (the one
/// figure of the configuration it states).
pub fn json(max_upload_bytes: u64) -> String {
    // Serialising plain data cannot fail; `{}` would still be valid JSON if it somehow did.
    serde_json::to_string(&document(max_upload_bytes)).unwrap_or_else(|_| "{}".into())
}

/// Builds the document.
pub fn document(max_upload_bytes: u64) -> OpenApi {
    let mut paths = Paths::new();
    let mut schemas = Components::new();
    for action in ALL {
        paths.add_path_operation(
            action.path,
            vec![http_method(action.method)],
            action_operation(action),
        );
        (action.schemas.components)(&mut schemas);
    }
    routes::add(&mut paths, max_upload_bytes);
    shared::ApiErrorBody::components(&mut schemas);
    schemas.sort_by(|a, b| a.0.cmp(&b.0));
    schemas.dedup_by(|a, b| a.0 == b.0);

    let components = ComponentsBuilder::new()
        .schemas_from_iter(schemas)
        .security_scheme(
            SESSION,
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                crate::http::SESSION_COOKIE,
                "The session cookie `POST /api/auth/login` sets (HttpOnly, SameSite=Lax).",
            ))),
        )
        .build();
    OpenApiBuilder::new()
        .info(
            InfoBuilder::new()
                .title("Reel")
                .version(env!("CARGO_PKG_VERSION"))
                .description(Some(
                    "Upload, watch and delete lecture videos. Every failure answers with \
                     `{\"code\": \"...\", \"message\": \"...\"}`: clients match on the stable \
                     `code`, people read the `message`.",
                )),
        )
        .paths(paths)
        .components(Some(components))
        .build()
}

fn http_method(method: Method) -> HttpMethod {
    match method {
        Method::Get => HttpMethod::Get,
        Method::Post => HttpMethod::Post,
        Method::Delete => HttpMethod::Delete,
        Method::Patch => HttpMethod::Patch,
    }
}

/// `ListChapterVideos` → `list_chapter_videos`.
fn operation_id(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    for (i, c) in name.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            out.push('_');
        }
        out.push(c.to_ascii_lowercase());
    }
    out
}

/// Groups operations by what they act on: `/api/chapters/{id}/videos` is about videos.
fn tag(path: &str) -> &'static str {
    if path.contains("/videos") {
        "videos"
    } else if path.starts_with("/api/auth") {
        "auth"
    } else if path.starts_with("/api/courses") {
        "courses"
    } else {
        "operations"
    }
}

/// The `{name}` segments of a path pattern.
fn path_params(path: &str) -> impl Iterator<Item = &str> {
    path.split('/')
        .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
}

fn action_operation(action: &ActionInfo) -> Operation {
    let mut lines = action.doc.lines().map(str::trim).filter(|l| !l.is_empty());
    let summary = lines.next().unwrap_or(action.name);
    let rest: Vec<&str> = lines.collect();
    let mut op = OperationBuilder::new()
        .operation_id(Some(operation_id(action.name)))
        .summary(Some(summary))
        .description((!rest.is_empty()).then(|| rest.join(" ")))
        .tag(tag(action.path));
    for name in path_params(action.path) {
        op = op.parameter(path_param(name, "A server-generated ID."));
    }
    if action.name == "CourseActivity" {
        op = op
            .parameter(parts::query_param(
                "before",
                false,
                parts::count().maximum(Some(i64::MAX)),
                "Only events older than this event ID (a page's `next_before`).",
            ))
            .parameter(parts::query_param(
                "kind",
                false,
                parts::string().enum_values(Some([
                    "upload", "delete", "restore", "purge", "edit", "move", "denied",
                ])),
                "Only events of this kind.",
            ));
    }
    if action.has_body() {
        op = op.request_body(Some(json_body((action.schemas.input)(), true)));
    }
    let mut ok = json_response("Done.", (action.schemas.output)());
    if matches!(action.name, "Login" | "Logout") {
        ok = ok.header(
            "Set-Cookie",
            parts::header(parts::string(), "The session cookie (cleared on sign-out)."),
        );
    }
    for (target, value) in links(action.name) {
        ok = ok.link(target, link(target, value));
    }
    op = op.response("200", ok.build());
    for (status, description) in error_statuses(action) {
        op = op.response(status, error(&description));
    }
    if !PUBLIC.contains(&action.name) {
        op = op.security(SecurityRequirement::new(SESSION, Vec::<String>::new()));
    }
    op.build()
}

/// Which operations an action's answer leads to, and the ID it hands them (OpenAPI links: they
/// tell a reader, and a tool like schemathesis, where the IDs come from).
fn links(action: &str) -> Vec<(&'static str, &'static str)> {
    const FIRST_COURSE: &str = "$response.body#/0/id";
    const FIRST_CHAPTER: &str = "$response.body#/0/chapters/0/id";
    const FIRST_VIDEO: &str = "$response.body#/0/id";
    const THIS_VIDEO: &str = "$response.body#/id";
    match action {
        "ListCourses" => vec![
            ("ListChapterVideos", FIRST_CHAPTER),
            ("RenameChapter", FIRST_CHAPTER),
            ("ReorderVideos", FIRST_CHAPTER),
            ("UpdateCourse", FIRST_COURSE),
            ("AddChapter", FIRST_COURSE),
            ("ReorderChapters", FIRST_COURSE),
            ("CourseActivity", FIRST_COURSE),
        ],
        "ListChapterVideos" => vec![
            ("GetVideo", FIRST_VIDEO),
            ("DeleteVideo", FIRST_VIDEO),
            ("RestoreVideo", FIRST_VIDEO),
        ],
        "GetVideo" | "RestoreVideo" => vec![("DeleteVideo", THIS_VIDEO)],
        "DeleteVideo" => vec![("RestoreVideo", THIS_VIDEO), ("GetVideo", THIS_VIDEO)],
        _ => Vec::new(),
    }
}

/// A link to the action named `target`, filling its `id` with `value`.
fn link(target: &str, value: &str) -> utoipa::openapi::link::Link {
    utoipa::openapi::link::LinkBuilder::new()
        .operation_id(operation_id(target))
        .parameter("id", value)
        .build()
}

/// The failures an action can answer with, each with the codes it carries.
fn error_statuses(action: &ActionInfo) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    if action.has_body() {
        out.push((
            "400",
            "`malformed_json`: the body is not JSON; `invalid_input`: a field is missing, of \
             the wrong type or out of range."
                .to_string(),
        ));
        out.push((
            "413",
            format!(
                "`payload_too_large`: the body is over {} KiB.",
                crate::http::errors::JSON_LIMIT / 1024
            ),
        ));
        out.push((
            "415",
            format!("`unsupported_media_type`: the body is not `{JSON}`."),
        ));
    }
    match action.name {
        "Login" => {
            out.push((
                "401",
                "`invalid_credentials`: the email and password match no account.".into(),
            ));
            out.push(("429", "Too many sign-in attempts; try again later.".into()));
        }
        "Refresh" => {
            out.push((
                "401",
                "`invalid_refresh_token`: unknown, expired or used before (which ends every \
                 token of its launch)."
                    .into(),
            ));
        }
        name if !PUBLIC.contains(&name) => {
            out.push(("401", "`unauthenticated`: no session, or it ended.".into()));
        }
        _ => {}
    }
    if path_params(action.path).next().is_some() {
        out.push((
            "404",
            "`not_found`: no such thing, or it is not the caller's.".into(),
        ));
    }
    if action.name == "CourseActivity" {
        out.push((
            "400",
            "`invalid_input`: `before` is not an event ID or `kind` not a kind.".into(),
        ));
    }
    if action.name.starts_with("Reorder") {
        out.push((
            "409",
            "`stale_order`: the order names other IDs than the server has, or `expected` is \
             not the server's order; `current_order` is the order now."
                .into(),
        ));
    }
    if matches!(action.name, "RestoreVideo" | "RestoreChapter") {
        out.push((
            "410",
            "`restore_expired`: the delete grace period is over.".into(),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const MAX: u64 = 200 << 20;

    fn doc() -> serde_json::Value {
        serde_json::from_str(&json(MAX)).expect("the document is JSON")
    }

    #[test]
    fn every_action_in_the_table_is_in_the_document() {
        let doc = doc();
        for action in ALL {
            let method = action.method.as_str().to_lowercase();
            let op = &doc["paths"][action.path][&method];
            assert!(
                op.is_object(),
                "{} {} is missing",
                action.method.as_str(),
                action.path
            );
            assert_eq!(op["operationId"], operation_id(action.name));
            assert!(op["responses"]["200"].is_object());
        }
    }

    #[test]
    fn links_lead_to_operations_that_exist() {
        let doc = doc();
        let ids: Vec<String> = doc["paths"]
            .as_object()
            .expect("paths")
            .values()
            .flat_map(|item| item.as_object().expect("path item").values())
            .filter_map(|op| op["operationId"].as_str().map(String::from))
            .collect();
        let mut seen = 0;
        for item in doc["paths"].as_object().expect("paths").values() {
            for op in item.as_object().expect("path item").values() {
                for response in op["responses"]
                    .as_object()
                    .into_iter()
                    .flat_map(|r| r.values())
                {
                    for link in response["links"]
                        .as_object()
                        .into_iter()
                        .flat_map(|l| l.values())
                    {
                        let target = link["operationId"].as_str().expect("operationId");
                        assert!(ids.iter().any(|id| id == target), "no operation {target}");
                        seen += 1;
                    }
                }
            }
        }
        assert!(seen >= 7, "only {seen} links");
    }

    #[test]
    fn documented_limits_are_the_servers() {
        let doc = doc();
        let ids = &doc["components"]["schemas"]["BulkDeleteRequest"]["properties"]["ids"];
        assert_eq!(ids["maxItems"], shared::dto::BULK_DELETE_MAX);
        assert_eq!(ids["minItems"], 1);
        let login = &doc["components"]["schemas"]["LoginRequest"]["properties"];
        assert_eq!(login["email"]["maxLength"], 320);
        assert_eq!(login["password"]["maxLength"], 1024);
    }

    #[test]
    fn tus_media_and_the_document_itself_are_described() {
        let doc = doc();
        let paths = &doc["paths"];
        for (path, method) in [
            ("/api/uploads", "options"),
            ("/api/uploads", "post"),
            ("/api/uploads/{upload_id}", "head"),
            ("/api/uploads/{upload_id}", "patch"),
            ("/api/uploads/{upload_id}", "delete"),
            ("/media/{video_id}", "get"),
            ("/media/{video_id}", "head"),
            (PATH, "get"),
        ] {
            assert!(
                paths[path][method].is_object(),
                "{method} {path} is missing"
            );
        }
        let post = &paths["/api/uploads"]["post"];
        let headers: Vec<&str> = post["parameters"]
            .as_array()
            .expect("parameters")
            .iter()
            .filter_map(|p| p["name"].as_str())
            .collect();
        for h in ["Tus-Resumable", "Upload-Length", "Upload-Metadata"] {
            assert!(headers.contains(&h), "{h} missing from {headers:?}");
        }
        let length = post["parameters"]
            .as_array()
            .expect("parameters")
            .iter()
            .find(|p| p["name"] == "Upload-Length")
            .expect("Upload-Length");
        assert_eq!(length["schema"]["maximum"], MAX);
        let created = &post["responses"]["201"]["headers"];
        assert!(created["Location"].is_object() && created["Reel-Video-Id"].is_object());
    }

    #[test]
    fn errors_are_described_with_every_code() {
        let doc = doc();
        let schemas = &doc["components"]["schemas"];
        assert_eq!(
            schemas["ApiErrorBody"]["properties"]["code"]["$ref"],
            "#/components/schemas/ErrorCode"
        );
        let codes = schemas["ErrorCode"]["enum"].as_array().expect("enum");
        for code in [
            "not_found",
            "invalid_input",
            "upload_expired",
            "restore_expired",
        ] {
            assert!(codes.iter().any(|c| c == code), "{code} missing");
        }
        let not_found = &doc["paths"]["/api/videos/{id}"]["get"]["responses"]["404"];
        assert_eq!(
            not_found["content"][JSON]["schema"]["$ref"],
            "#/components/schemas/ApiErrorBody"
        );
    }

    #[test]
    fn signed_in_actions_need_the_session_cookie_and_public_ones_do_not() {
        let doc = doc();
        let paths = &doc["paths"];
        assert!(paths["/api/courses"]["get"]["security"].is_array());
        assert!(paths["/api/courses"]["get"]["responses"]["401"].is_object());
        assert!(paths["/api/auth/login"]["post"]["security"].is_null());
        assert!(paths["/healthz"]["get"]["security"].is_null());
        assert_eq!(
            doc["components"]["securitySchemes"][SESSION]["in"],
            "cookie"
        );
    }

    #[test]
    fn the_document_never_names_a_storage_detail() {
        let text = json(MAX).to_lowercase();
        for needle in [
            "storage_key",
            "bucket",
            "sqlite",
            "password_hash",
            "data_dir",
        ] {
            assert!(!text.contains(needle), "the document mentions {needle}");
        }
    }
}
