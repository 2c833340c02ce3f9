//! A video's delete as one PostgreSQL statement: mark the owner's video deleted, find its
//! upload (held for the grace period) and append the audit row, in data-modifying CTEs. One round trip instead of five
//! (BEGIN, three statements, COMMIT), which is most of what a delete costs the database when
//! several instances share it. SQLite, in-process and without round trips, keeps the
//! statements of [`super::videos::delete_owned`].

use crate::db::models::NewAuditEvent;
use crate::db::status::{UploadState, VideoStatus};
use diesel::pg::{Pg, PgConnection};
use diesel::prelude::*;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::sql_types::{Array, BigInt, Bool, Nullable, Text};

/// One delete: the values bound into the statement.
struct DeleteOne<'a> {
    owner_id: &'a str,
    video_id: &'a str,
    now: i64,
    purge_after: i64,
    event: &'a NewAuditEvent,
}

/// Marks [`DeleteOne`] as always the same SQL, so diesel prepares it once per connection and
/// PostgreSQL plans it once, not at every delete (diesel's `sql_query` is never cached).
struct DeleteOneId;

impl QueryId for DeleteOne<'_> {
    type QueryId = DeleteOneId;
    const HAS_STATIC_QUERY_ID: bool = true;
}

impl Query for DeleteOne<'_> {
    type SqlType = (Bool, Nullable<Array<Text>>);
}

impl RunQueryDsl<PgConnection> for DeleteOne<'_> {}

impl QueryFragment<Pg> for DeleteOne<'_> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        let e = self.event;
        out.push_sql("WITH deleted AS (UPDATE videos SET deleted_from = status, status = ");
        out.push_bind_param::<Text, _>(VideoStatus::Deleted.as_str())?;
        out.push_sql(", deleted_at = ");
        out.push_bind_param::<BigInt, _>(&self.now)?;
        out.push_sql(", purge_after = ");
        out.push_bind_param::<BigInt, _>(&self.purge_after)?;
        out.push_sql(", updated_at = ");
        out.push_bind_param::<BigInt, _>(&self.now)?;
        out.push_sql(" WHERE id = ");
        out.push_bind_param::<Text, _>(self.video_id)?;
        out.push_sql(" AND status <> ");
        out.push_bind_param::<Text, _>(VideoStatus::Deleted.as_str())?;
        out.push_sql(" AND status <> ");
        out.push_bind_param::<Text, _>(VideoStatus::Canceled.as_str())?;
        out.push_sql(
            " AND chapter_id IN (SELECT chapters.id FROM chapters \
             JOIN courses ON courses.id = chapters.course_id WHERE courses.owner_id = ",
        );
        out.push_bind_param::<Text, _>(self.owner_id)?;
        // The upload is held, not ended: the grace period's Undo lets it go on.
        out.push_sql(") RETURNING id), held AS (SELECT id FROM uploads");
        out.push_sql(" WHERE video_id IN (SELECT id FROM deleted) AND state = ");
        out.push_bind_param::<Text, _>(UploadState::Active.as_str())?;
        out.push_sql(
            "), logged AS (INSERT INTO audit_events \
             (at, actor, action, target, outcome, client_ip, request_id, details) SELECT ",
        );
        out.push_bind_param::<BigInt, _>(&e.at)?;
        out.push_sql(", ");
        out.push_bind_param::<Nullable<Text>, _>(&e.actor)?;
        out.push_sql(", ");
        out.push_bind_param::<Text, _>(&e.action)?;
        out.push_sql(", ");
        out.push_bind_param::<Nullable<Text>, _>(&e.target)?;
        out.push_sql(", ");
        out.push_bind_param::<Text, _>(&e.outcome)?;
        out.push_sql(", ");
        out.push_bind_param::<Nullable<Text>, _>(&e.client_ip)?;
        out.push_sql(", ");
        out.push_bind_param::<Nullable<Text>, _>(&e.request_id)?;
        out.push_sql(", ");
        out.push_bind_param::<Text, _>(&e.details)?;
        out.push_sql(
            " FROM deleted) \
             SELECT EXISTS (SELECT 1 FROM deleted), (SELECT array_agg(id) FROM held)",
        );
        Ok(())
    }
}

/// Deletes the owner's video unless it is deleted or canceled already, recording `event`
/// if it did; `Some(uploads held)` when it changed, `None` when nothing did.
pub fn delete_one(
    conn: &mut PgConnection,
    owner_id: &str,
    video_id: &str,
    now: i64,
    purge_after: i64,
    event: &NewAuditEvent,
) -> QueryResult<Option<Vec<String>>> {
    let (deleted, held): (bool, Option<Vec<String>>) = DeleteOne {
        owner_id,
        video_id,
        now,
        purge_after,
        event,
    }
    .get_result(conn)?;
    Ok(deleted.then(|| held.unwrap_or_default()))
}
