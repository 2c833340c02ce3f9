//! `GET /api/courses/{id}/activity`: the course's audit trail for its owner, newest first,
//! in pages, by kind. It says what happened to which course, chapter or video, by ID and
//! title, which chapters a move or an upload went between, and why an upload failed; nothing of the event's other details (sizes, hashes,
//! addresses) leaves the server.

use crate::db::{self, activity::Filter, models::AuditEvent};
use crate::error::ApiResult;
use crate::http::extract::CurrentInstructor;
use crate::services::audit::Origin;
use crate::state::AppState;
use actix_web::web;
use serde::Deserialize;
use shared::dto::{ActivityEventDto, ActivityKind, ActivityPage, ACTIVITY_PAGE};
use std::collections::HashMap;

/// The query string.
#[derive(Debug, Deserialize)]
pub struct ActivityQuery {
    /// Only events older than this event ID (one of `next_before`, never negative).
    pub before: Option<u64>,
    /// Only events of this kind.
    pub kind: Option<ActivityKind>,
}

/// The actions of each kind (denied attempts are their own kind, whatever the action).
fn actions_of(kind: ActivityKind) -> &'static [&'static str] {
    match kind {
        ActivityKind::Upload => &[
            "upload.create",
            "upload.created",
            "upload.completed",
            "upload.failed",
            "upload.terminated",
            "upload.expired",
        ],
        ActivityKind::Delete => &["video.deleted", "chapter.deleted"],
        ActivityKind::Restore => &["video.restored", "chapter.restored"],
        ActivityKind::Purge => &["video.purged", "video.purge"],
        ActivityKind::Edit => &[
            "course.created",
            "course.updated",
            "chapter.added",
            "chapter.renamed",
            "video.renamed",
        ],
        ActivityKind::Move => &["video.moved", "chapters.reordered", "videos.reordered"],
        ActivityKind::Denied => &[],
    }
}

const KINDS: [ActivityKind; 6] = [
    ActivityKind::Upload,
    ActivityKind::Delete,
    ActivityKind::Restore,
    ActivityKind::Purge,
    ActivityKind::Edit,
    ActivityKind::Move,
];

fn kind_of(event: &AuditEvent) -> ActivityKind {
    if event.outcome == "denied" {
        return ActivityKind::Denied;
    }
    KINDS
        .into_iter()
        .find(|kind| actions_of(*kind).contains(&event.action.as_str()))
        .unwrap_or(if event.action.starts_with("upload.") {
            ActivityKind::Upload
        } else {
            ActivityKind::Edit
        })
}

/// The chapters an event names in its details, by ID: (from, to). A move names both; an
/// upload's start names the chapter it goes to.
fn chapters_of(event: &AuditEvent) -> (Option<String>, Option<String>) {
    let field = |name: &str| {
        serde_json::from_str::<serde_json::Value>(&event.details)
            .ok()
            .and_then(|d| d.get(name).and_then(|v| v.as_str()).map(str::to_string))
    };
    match event.action.as_str() {
        "video.moved" => (field("from"), field("to")),
        "upload.created" => (None, field("chapter_id")),
        _ => (None, None),
    }
}

fn to_dto(
    event: AuditEvent,
    titles: &HashMap<String, String>,
    owner: &(String, String),
) -> ActivityEventDto {
    let kind = kind_of(&event);
    let (from, to) = chapters_of(&event);
    let title_of = |id: Option<String>| id.and_then(|id| titles.get(&id).cloned());
    // Only the instructor's own words about a failed upload; never sizes, hashes or addresses.
    let reason = (event.action == "upload.failed")
        .then(|| serde_json::from_str::<serde_json::Value>(&event.details).ok())
        .flatten()
        .and_then(|d| d.get("reason").and_then(|r| r.as_str()).map(str::to_string));
    ActivityEventDto {
        id: event.id,
        at: crate::clock::rfc3339(event.at),
        kind,
        target_title: event.target.as_ref().and_then(|t| titles.get(t).cloned()),
        target_id: event.target,
        actor_name: (event.actor.as_deref() == Some(owner.0.as_str())).then(|| owner.1.clone()),
        action: event.action,
        outcome: event.outcome,
        reason,
        from_chapter: title_of(from),
        to_chapter: title_of(to),
        repeats: event.repeats,
    }
}

/// `GET /api/courses/{id}/activity?before=&kind=`.
pub async fn list(
    state: web::Data<AppState>,
    origin: Origin,
    current: CurrentInstructor,
    path: web::Path<String>,
    query: web::Query<ActivityQuery>,
) -> ApiResult<web::Json<ActivityPage>> {
    let course = super::access::owned_course(
        &state,
        &origin,
        "course.activity",
        &current,
        path.into_inner(),
    )
    .await?;
    let ActivityQuery { before, kind } = query.into_inner();
    let before = before
        .map(i64::try_from)
        .transpose()
        .map_err(|_| crate::error::ApiError::invalid_input("`before` is not an event ID."))?;
    let limit = ACTIVITY_PAGE as i64 + 1;
    let (mut events, titles) = db::run(&state.pool, move |conn| {
        let filter = match kind {
            None => Filter::All,
            Some(ActivityKind::Denied) => Filter::Denied,
            Some(kind) => Filter::Actions(actions_of(kind)),
        };
        let events = db::activity::for_course(conn, &course.id, before, filter, limit)?;
        let chapters: Vec<String> = events
            .iter()
            .flat_map(|e| {
                let (from, to) = chapters_of(e);
                [from, to]
            })
            .flatten()
            .collect();
        let targets: Vec<&str> = events
            .iter()
            .filter_map(|e| e.target.as_deref())
            .chain(chapters.iter().map(String::as_str))
            .collect();
        let titles = db::activity::titles_of(conn, &targets)?;
        Ok((events, titles))
    })
    .await?;
    let more = events.len() > ACTIVITY_PAGE;
    events.truncate(ACTIVITY_PAGE);
    let next_before = more.then(|| events.last().map(|e| e.id)).flatten();
    let owner = (
        current.instructor.id.clone(),
        current.instructor.name.clone(),
    );
    Ok(web::Json(ActivityPage {
        events: events
            .into_iter()
            .map(|e| to_dto(e, &titles, &owner))
            .collect(),
        next_before,
    }))
}
