//! The append-only audit trail.

use crate::db::models::{AuditEvent, NewAuditEvent};
use crate::db::schema::audit_events;
use crate::db::Conn;
use diesel::prelude::*;

/// Appends one event.
pub fn record(conn: &mut Conn, event: &NewAuditEvent) -> QueryResult<()> {
    diesel::insert_into(audit_events::table)
        .values(&storable_event(event))
        .execute(conn)
        .map(|_| ())
}

/// The event with every text made storable (an ID from a URL may hold a NUL).
pub(crate) fn storable_event(event: &NewAuditEvent) -> NewAuditEvent {
    use crate::db::text::storable;
    let keep = |t: &Option<String>| t.as_deref().map(|t| storable(t).into_owned());
    NewAuditEvent {
        actor: keep(&event.actor),
        action: storable(&event.action).into_owned(),
        target: keep(&event.target),
        outcome: storable(&event.outcome).into_owned(),
        client_ip: keep(&event.client_ip),
        request_id: keep(&event.request_id),
        details: storable(&event.details).into_owned(),
        ..*event
    }
}

/// The most recent events, newest first (for operators and tests).
pub fn recent(conn: &mut Conn, limit: i64) -> QueryResult<Vec<AuditEvent>> {
    audit_events::table
        .order(audit_events::id.desc())
        .limit(limit)
        .select(AuditEvent::as_select())
        .load(conn)
}
