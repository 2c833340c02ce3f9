//! Building and writing audit events. Actions describe what happened; this fills in the time
//! and the request's origin and appends the row. A failed audit write is logged, never shown.

use crate::db::{self, models::NewAuditEvent, DbPool};

/// Where a request came from, for the audit trail.
#[derive(Clone, Debug, Default)]
pub struct Origin {
    /// The peer address.
    pub client_ip: Option<String>,
    /// The request id, also in the logs and the `x-request-id` header.
    pub request_id: Option<String>,
}

/// One audit event, described by an action.
#[derive(Clone, Debug)]
pub struct Event {
    /// Who (instructor ID, or the attempted email for failed sign-ins).
    pub actor: Option<String>,
    /// What, e.g. `auth.login`.
    pub action: &'static str,
    /// On what.
    pub target: Option<String>,
    /// `success`, `denied`, `failed` …
    pub outcome: &'static str,
    /// Extra JSON.
    pub details: serde_json::Value,
}

impl Event {
    /// An event with no target and no details.
    pub fn new(action: &'static str, outcome: &'static str) -> Self {
        Self {
            actor: None,
            action,
            target: None,
            outcome,
            details: serde_json::json!({}),
        }
    }

    /// Sets who.
    pub fn actor(mut self, actor: impl Into<String>) -> Self {
        self.actor = Some(actor.into());
        self
    }

    /// Sets on what.
    pub fn target(mut self, target: impl Into<String>) -> Self {
        self.target = Some(target.into());
        self
    }

    /// Sets extra details.
    pub fn details(mut self, details: serde_json::Value) -> Self {
        self.details = details;
        self
    }

    /// The row to insert, for actions that write their audit event in their own transaction.
    pub fn into_row(self, origin: &Origin) -> NewAuditEvent {
        NewAuditEvent {
            at: crate::clock::now_ms(),
            actor: self.actor,
            action: self.action.to_string(),
            target: self.target,
            outcome: self.outcome.to_string(),
            client_ip: origin.client_ip.clone(),
            request_id: origin.request_id.clone(),
            details: self.details.to_string(),
            repeats: 1,
        }
    }
}

/// Appends a refusal, counted on the previous row when the same one came within a minute
/// (`db::audit::record_repeated`): refusals are what an anonymous or hostile client can cause
/// at will, and they must not grow the trail at will.
pub async fn record_refusal(
    pool: &DbPool,
    origin: &Origin,
    event: Event,
    same: db::audit::SameWhen,
) {
    let row = event.into_row(origin);
    let action = row.action.clone();
    let result = db::write(pool, move |conn| {
        Ok(db::audit::record_repeated(
            conn,
            &row,
            same,
            db::audit::REPEAT_WINDOW_MS,
        )?)
    })
    .await;
    if let Err(error) = result {
        tracing::error!(%action, error = format!("{error:#}"), "audit write failed");
    }
}

/// Appends an event; failures are logged because the action itself has already happened.
pub async fn record(pool: &DbPool, origin: &Origin, event: Event) {
    let row = event.into_row(origin);
    let action = row.action.clone();
    let result = db::write(pool, move |conn| Ok(db::audit::record(conn, &row)?)).await;
    if let Err(error) = result {
        tracing::error!(%action, error = format!("{error:#}"), "audit write failed");
    }
}
