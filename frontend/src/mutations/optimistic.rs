//! The one shape every curriculum change has, like deletes: the change is written to the query
//! cache in the click's frame, the request goes out, and a refusal puts the cache back exactly as
//! it was and says why. Orders carry the order the browser saw; when another tab changed it
//! first, the server answers `409 stale_order` with its order, which the loser's view takes at
//! once, and the loser is told.

use crate::api::ClientError;
use crate::query::{QueryClient, QueryKey, Value};
use crate::stores::{toast, ToastKind};
use shared::ErrorCode;
use std::any::Any;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

/// Runs one optimistic change of the data under `key`.
///
/// `change` makes the new data from the cached one (nothing happens when nothing is cached);
/// `send` is the request; `settle` writes what the server answered; `refused` runs after the
/// rollback, to correct further (a stale order) and to say what happened.
pub fn run<T, R, Fut>(
    client: &QueryClient,
    key: QueryKey,
    change: impl FnOnce(&T) -> T,
    send: Fut,
    settle: impl FnOnce(&QueryClient, R) + 'static,
    refused: impl FnOnce(&QueryClient, &ClientError) + 'static,
) where
    T: 'static,
    R: 'static,
    Fut: Future<Output = Result<R, ClientError>> + 'static,
{
    let Some(current) = client.get::<T>(&key) else {
        return;
    };
    let next: Value = Rc::new(change(&current));
    // Everything below is type-erased, so each caller adds only its own closures to the bundle.
    let send: Request = Box::pin(async move { send.await.map(|r| Box::new(r) as Answer) });
    let settle: Settle = Box::new(move |client, answer| {
        if let Ok(r) = answer.downcast::<R>() {
            settle(client, *r);
        }
    });
    start(client, key, next, send, settle, Box::new(refused));
}

type Answer = Box<dyn Any>;
type Request = Pin<Box<dyn Future<Output = Result<Answer, ClientError>>>>;
type Settle = Box<dyn FnOnce(&QueryClient, Answer)>;
type Refused = Box<dyn FnOnce(&QueryClient, &ClientError)>;

fn start(
    client: &QueryClient,
    key: QueryKey,
    next: Value,
    send: Request,
    settle: Settle,
    refused: Refused,
) {
    let snapshot = client.snapshot(&key);
    let ticket = client.begin_mutation(&key);
    client.set_value(&key, next);
    let client = client.clone();
    wasm_bindgen_futures::spawn_local(async move {
        match send.await {
            Ok(answer) => settle(&client, answer),
            Err(e) => {
                // A rollback to before this change would also wipe a newer change off the
                // screen: only the newest change rolls back, and the data is fetched again
                // once all have settled.
                if client.outcome_applies(&key, ticket) {
                    client.restore(snapshot);
                }
                refused(&client, &e);
            }
        }
        client.end_mutation(&key);
    });
}

/// The usual refusal: a toast that names what failed and the server's reason.
pub fn say_refused(what: String) -> impl FnOnce(&QueryClient, &ClientError) + 'static {
    move |_, e| toast(ToastKind::Error, format!("{what} {}", e.message()))
}

/// The order the server has now, when it refused an order as stale.
pub fn current_order(e: &ClientError) -> Option<Vec<String>> {
    match e {
        ClientError::Api { body, .. } if body.code == ErrorCode::StaleOrder => {
            body.current_order.clone()
        }
        _ => None,
    }
}

/// What the loser of a concurrent reorder is told.
pub const STALE_ORDER: &str =
    "Someone changed this order in another tab or window first. This is the order now; make your change again if you still want it.";

/// `list` with the item at `from` moved to `to` (both clamped to the list).
pub fn moved<T: Clone>(list: &[T], from: usize, to: usize) -> Vec<T> {
    let mut out = list.to_vec();
    if from >= out.len() {
        return out;
    }
    let item = out.remove(from);
    out.insert(to.min(out.len()), item);
    out
}

/// `list` in the order `ids` gives; items `ids` does not name keep their relative order at
/// the end (they appeared after the server answered).
pub fn ordered_by<T: Clone>(list: &[T], ids: &[String], id_of: impl Fn(&T) -> String) -> Vec<T> {
    // No sort: a stable sort's code is sizeable in the bundle, and lists are short.
    let named = |item: &&T| ids.contains(&id_of(item));
    let mut out: Vec<T> = ids
        .iter()
        .filter_map(|id| list.iter().find(|item| id_of(item) == *id).cloned())
        .collect();
    out.extend(list.iter().filter(|item| !named(item)).cloned());
    out
}

/// A temporary ID for a row the server has not answered for yet; such rows show as pending.
pub fn pending_id() -> String {
    thread_local! { static NEXT: std::cell::Cell<u32> = const { std::cell::Cell::new(0) }; }
    NEXT.with(|n| {
        n.set(n.get() + 1);
        format!("{PENDING}{}", n.get())
    })
}

/// The prefix of [`pending_id`]s.
pub const PENDING: &str = "pending-";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moving_an_item_shifts_the_others() {
        assert_eq!(moved(&[1, 2, 3, 4], 0, 2), vec![2, 3, 1, 4]);
        assert_eq!(moved(&[1, 2, 3, 4], 3, 0), vec![4, 1, 2, 3]);
        assert_eq!(moved(&[1, 2, 3], 1, 9), vec![1, 3, 2]);
        assert_eq!(moved(&[1, 2, 3], 7, 0), vec![1, 2, 3]);
    }

    #[test]
    fn the_servers_order_wins_and_unknown_items_go_last() {
        let ids: Vec<String> = ["c", "a", "b"].iter().map(|s| s.to_string()).collect();
        let list = vec!["a", "b", "new", "c"];
        assert_eq!(
            ordered_by(&list, &ids, |s| s.to_string()),
            vec!["c", "a", "b", "new"]
        );
    }

    #[test]
    fn pending_ids_are_unique_and_marked() {
        let (a, b) = (pending_id(), pending_id());
        assert_ne!(a, b);
        assert!(a.starts_with(PENDING));
    }
}
