//! Holding an upload's lease for the life of a PATCH (`db::leases` stores it).
//!
//! A PATCH takes the lease before it reads the body, renews it every fifth of the term while
//! the body streams, and releases it when done. A PATCH that finds the lease held asks the
//! holder to let go and waits up to half a term; the holder lets go only if its own body has
//! gone quiet (its client is likely gone: the asker is that client retrying), so of two
//! requests that really stream at once the first wins and the second gets a 423. A lease of
//! a dead instance expires after one term.

use crate::db::DbPool;
use crate::db::{self, leases::Fence, leases::Renewal};
use crate::services::upload_writers::{StopReason, UploadWriters};
use std::cell::Cell;
use std::rc::Rc;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// What holding upload leases takes.
#[derive(Clone)]
pub struct Leases {
    /// The database the leases are in.
    pub pool: DbPool,
    /// This instance's name, the holder of the leases it takes.
    pub instance: Arc<str>,
    /// How long a lease lasts unless renewed.
    pub term_ms: u64,
    /// This instance's writers, told to stop when their lease is wanted or gone.
    pub writers: UploadWriters,
}

fn term_ms(deps: &Leases) -> i64 {
    i64::try_from(deps.term_ms).unwrap_or(10_000)
}

/// Takes the lease of `upload_id` without waiting (a background catch-up: someone else
/// writing is as good).
pub async fn try_take(deps: &Leases, upload_id: &str) -> anyhow::Result<Option<Fence>> {
    let (id, holder, term) = (
        upload_id.to_string(),
        deps.instance.to_string(),
        term_ms(deps),
    );
    db::write(&deps.pool, move |conn| {
        Ok(db::leases::take(conn, &id, &holder, term)?)
    })
    .await
}

/// Why [`take`] got no lease.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NotTaken {
    /// Another request kept it (answer 423).
    Held,
    /// The upload ended meanwhile (terminated, expired, its video or chapter deleted): no
    /// request will write to it again.
    Ended,
}

/// Takes the lease of `upload_id`, asking a holder to let go and waiting half a term for it.
pub async fn take(deps: &Leases, upload_id: &str) -> anyhow::Result<Result<Fence, NotTaken>> {
    let deadline = Instant::now() + Duration::from_millis(deps.term_ms / 2);
    let mut asked = false;
    loop {
        if let Some(fence) = try_take(deps, upload_id).await? {
            return Ok(Ok(fence));
        }
        if !asked {
            let id = upload_id.to_string();
            let active = db::write(&deps.pool, move |conn| {
                db::leases::ask_release(conn, &id)?;
                Ok(db::leases::is_active(conn, &id)?)
            })
            .await?;
            if !active {
                return Ok(Err(NotTaken::Ended));
            }
            asked = true;
        }
        if Instant::now() >= deadline {
            return Ok(Err(NotTaken::Held));
        }
        actix_web::rt::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Lets the lease go; a failure only means it expires on its own.
pub async fn release(deps: &Leases, fence: Fence) {
    let id = fence.upload_id.clone();
    if let Err(error) = db::write(&deps.pool, move |conn| {
        Ok(db::leases::release(conn, &fence)?)
    })
    .await
    {
        tracing::warn!(upload = %id, error = format!("{error:#}"), "could not release an upload lease; it expires");
    }
}

/// Stops the renewals when dropped, also when the request's future is dropped before it
/// could release the lease (the lease then simply expires).
pub struct Keeper(tokio::task::JoinHandle<()>);

impl Drop for Keeper {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Renews `fence` every fifth of the term until the returned [`Keeper`] drops. Tells the
/// writer to stop when the lease is lost (or the upload ended elsewhere), or when it is asked
/// for while the body has been quiet since `last_byte` for a renewal period.
pub fn keep(deps: Leases, fence: Fence, last_byte: Rc<Cell<Instant>>) -> Keeper {
    Keeper(actix_web::rt::spawn(async move {
        let term = term_ms(&deps);
        let every = Duration::from_millis(u64::try_from(term / 5).unwrap_or(1000).max(20));
        loop {
            actix_web::rt::time::sleep(every).await;
            let f = fence.clone();
            let renewed = db::write(&deps.pool, move |conn| {
                Ok(db::leases::renew(conn, &f, term)?)
            })
            .await;
            let why = match renewed {
                Ok(Renewal::Held) => continue,
                Ok(Renewal::Asked) if last_byte.get().elapsed() < every => continue,
                Ok(Renewal::Asked) => StopReason::Yielded,
                Ok(Renewal::Lost) => StopReason::LeaseLost,
                Err(error) => {
                    // The lease may run out meanwhile; the fence then refuses our records.
                    tracing::warn!(upload = %fence.upload_id, error = format!("{error:#}"), "could not renew an upload lease");
                    continue;
                }
            };
            tracing::info!(upload = %fence.upload_id, reason = ?why, "stopping a PATCH: its lease is wanted or gone");
            deps.writers.stop(&fence.upload_id, why);
            return;
        }
    }))
}
