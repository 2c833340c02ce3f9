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

/// How long identical events (refusals, reorders) are counted on one row.
pub const REPEAT_WINDOW_MS: i64 = 60_000;

/// What makes two refusals the same, for [`record_repeated`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SameWhen {
    /// Same action, outcome, address, actor and target.
    Everything,
    /// Same action, outcome and address, whoever the actor and whatever the target: for
    /// refusals anyone can cause in any number (throttled sign-ins with made-up emails).
    SameAddress,
}

/// Appends an event, or, when the same one was recorded less than `window_ms` ago, counts it
/// on that row (`repeats`, `last_at`) instead: one row per window, however many times it is
/// repeated (refusals; bursts of reorders).
pub fn record_repeated(
    conn: &mut Conn,
    event: &NewAuditEvent,
    same: SameWhen,
    window_ms: i64,
) -> QueryResult<()> {
    let event = storable_event(event);
    crate::db::write_tx(conn, |conn| {
        let mut earlier = audit_events::table
            .filter(audit_events::action.eq(&event.action))
            .filter(audit_events::outcome.eq(&event.outcome))
            .filter(audit_events::at.ge(event.at - window_ms))
            .order(audit_events::id.desc())
            .select(audit_events::id)
            .into_boxed();
        earlier = match &event.client_ip {
            Some(ip) => earlier.filter(audit_events::client_ip.eq(ip)),
            None => earlier.filter(audit_events::client_ip.is_null()),
        };
        if same == SameWhen::Everything {
            earlier = match &event.actor {
                Some(actor) => earlier.filter(audit_events::actor.eq(actor)),
                None => earlier.filter(audit_events::actor.is_null()),
            };
            earlier = match &event.target {
                Some(target) => earlier.filter(audit_events::target.eq(target)),
                None => earlier.filter(audit_events::target.is_null()),
            };
        }
        match earlier.first::<i64>(conn).optional()? {
            Some(id) => diesel::update(audit_events::table.find(id))
                .set((
                    audit_events::repeats.eq(audit_events::repeats + event.repeats),
                    audit_events::last_at.eq(event.at),
                ))
                .execute(conn)
                .map(drop),
            None => diesel::insert_into(audit_events::table)
                .values(&event)
                .execute(conn)
                .map(drop),
        }
    })
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
