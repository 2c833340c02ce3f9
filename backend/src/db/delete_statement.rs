//! A video's delete as one PostgreSQL statement: mark the owner's video deleted, end its
//! upload and append the audit row, in data-modifying CTEs. One round trip instead of five
//! (BEGIN, three statements, COMMIT), which is most of what a delete costs the database when
//! several instances share it. SQLite, in-process and without round trips, keeps the
//! statements of [`super::videos::delete_owned`].

use crate::db::models::NewAuditEvent;
use crate::db::status::{UploadState, VideoStatus};
use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Bool, Nullable, Text};

const SQL: &str = "\
WITH deleted AS (
  UPDATE videos SET deleted_from = status, status = $1, deleted_at = $2, purge_after = $3,
         updated_at = $2
   WHERE id = $4 AND status <> $1 AND status <> $5
     AND chapter_id IN (SELECT chapters.id FROM chapters
                          JOIN courses ON courses.id = chapters.course_id
                         WHERE courses.owner_id = $6)
  RETURNING id
), ended AS (
  UPDATE uploads SET state = $7, updated_at = $2
   WHERE video_id IN (SELECT id FROM deleted) AND state = $8
  RETURNING id
), logged AS (
  INSERT INTO audit_events (at, actor, action, target, outcome, client_ip, request_id, details)
  SELECT $9, $10, $11, $12, $13, $14, $15, $16 FROM deleted
)
SELECT EXISTS (SELECT 1 FROM deleted) AS deleted, (SELECT array_agg(id) FROM ended) AS ended";

#[derive(QueryableByName)]
struct Outcome {
    #[diesel(sql_type = Bool)]
    deleted: bool,
    #[diesel(sql_type = Nullable<Array<Text>>)]
    ended: Option<Vec<String>>,
}

/// Deletes the owner's video unless it is deleted or canceled already, recording `event`
/// if it did; `Some(uploads ended)` when it changed, `None` when nothing did.
pub fn delete_one(
    conn: &mut PgConnection,
    owner_id: &str,
    video_id: &str,
    now: i64,
    purge_after: i64,
    event: &NewAuditEvent,
) -> QueryResult<Option<Vec<String>>> {
    let outcome: Outcome = diesel::sql_query(SQL)
        .bind::<Text, _>(VideoStatus::Deleted.as_str())
        .bind::<BigInt, _>(now)
        .bind::<BigInt, _>(purge_after)
        .bind::<Text, _>(video_id)
        .bind::<Text, _>(VideoStatus::Canceled.as_str())
        .bind::<Text, _>(owner_id)
        .bind::<Text, _>(UploadState::Terminated.as_str())
        .bind::<Text, _>(UploadState::Active.as_str())
        .bind::<BigInt, _>(event.at)
        .bind::<Nullable<Text>, _>(event.actor.as_deref())
        .bind::<Text, _>(&event.action)
        .bind::<Nullable<Text>, _>(event.target.as_deref())
        .bind::<Text, _>(&event.outcome)
        .bind::<Nullable<Text>, _>(event.client_ip.as_deref())
        .bind::<Nullable<Text>, _>(event.request_id.as_deref())
        .bind::<Text, _>(&event.details)
        .get_result(conn)?;
    Ok(outcome
        .deleted
        .then(|| outcome.ended.unwrap_or_default()))
}
