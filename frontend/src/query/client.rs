//! The browser side of the cache: who is subscribed to which key, how each key is fetched, and
//! re-rendering subscribers when an entry changes.

use super::cache::{Cache, Landed, MutationTicket, Snapshot};
use super::QueryKey;
use crate::api::ClientError;
use std::any::Any;
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use yew::Callback;

/// Cached values are type-erased; `use_query` knows each key's type and downcasts.
pub(crate) type Value = Rc<dyn Any>;
type Fetch = Pin<Box<dyn Future<Output = Result<Value, ClientError>>>>;
pub(crate) type Fetcher = Rc<dyn Fn() -> Fetch>;

/// How long data counts as fresh.
pub const STALE_MS: f64 = 30_000.0;

/// Re-render callbacks by key, each with an ID to unsubscribe by.
type Subscribers = HashMap<QueryKey, Vec<(u64, Callback<()>)>>;

#[derive(Default)]
struct Inner {
    cache: RefCell<Cache<QueryKey, Value, ClientError>>,
    subscribers: RefCell<Subscribers>,
    fetchers: RefCell<HashMap<QueryKey, Fetcher>>,
    next_id: Cell<u64>,
}

/// The app's query cache, shared through a Yew context.
#[derive(Clone, Default)]
pub struct QueryClient(Rc<Inner>);

impl PartialEq for QueryClient {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

/// Unsubscribes when dropped.
pub struct Subscription {
    client: QueryClient,
    key: QueryKey,
    id: u64,
}

impl Drop for Subscription {
    fn drop(&mut self) {
        if let Some(list) = self.client.0.subscribers.borrow_mut().get_mut(&self.key) {
            list.retain(|(id, _)| *id != self.id);
        }
    }
}

fn now() -> f64 {
    js_sys::Date::now()
}

impl QueryClient {
    /// Registers how `key` is fetched and subscribes `on_change` to it.
    pub(crate) fn subscribe(
        &self,
        key: &QueryKey,
        fetcher: Fetcher,
        on_change: Callback<()>,
    ) -> Subscription {
        let id = self.0.next_id.get() + 1;
        self.0.next_id.set(id);
        self.0.fetchers.borrow_mut().insert(key.clone(), fetcher);
        self.0
            .subscribers
            .borrow_mut()
            .entry(key.clone())
            .or_default()
            .push((id, on_change));
        Subscription {
            client: self.clone(),
            key: key.clone(),
            id,
        }
    }

    /// Fetches `key` if it is missing, stale or invalidated and not already being fetched.
    pub fn ensure_fresh(&self, key: &QueryKey) {
        if self.0.cache.borrow().needs_fetch(key, now(), STALE_MS) {
            self.fetch(key);
        }
    }

    fn fetch(&self, key: &QueryKey) {
        let Some(fetcher) = self.0.fetchers.borrow().get(key).cloned() else {
            return;
        };
        let Some(ticket) = self.0.cache.borrow_mut().start_fetch(key) else {
            return;
        };
        self.notify(key);
        let client = self.clone();
        let key = key.clone();
        wasm_bindgen_futures::spawn_local(async move {
            let result = fetcher().await;
            let landed = client
                .0
                .cache
                .borrow_mut()
                .finish_fetch(&key, ticket, result, now());
            if landed != Landed::Dropped {
                client.notify(&key);
            }
            if landed == Landed::Outdated {
                client.invalidate(move |k| *k == key);
            }
        });
    }

    /// The raw entry parts for `key`: (data, error, fetching).
    pub(crate) fn read(&self, key: &QueryKey) -> (Option<Value>, Option<ClientError>, bool) {
        let cache = self.0.cache.borrow();
        match cache.get(key) {
            Some(e) => (e.data.clone(), e.error.clone(), e.fetching),
            None => (None, None, false),
        }
    }

    /// The data cached for `key`, if any and of type `T`.
    pub fn get<T: 'static>(&self, key: &QueryKey) -> Option<Rc<T>> {
        self.read(key).0.and_then(|v| v.downcast::<T>().ok())
    }

    /// Replaces `key`'s data with `f` of it (an optimistic change); no-op when nothing is cached.
    pub fn update<T: 'static>(&self, key: &QueryKey, f: impl FnOnce(&T) -> T) {
        if let Some(current) = self.get::<T>(key) {
            self.set_data(key, f(&current));
        }
    }

    /// Refetches what someone is looking at and that went stale (window focus, interval).
    pub fn refresh_watched(&self) {
        let watched: Vec<QueryKey> = self
            .0
            .subscribers
            .borrow()
            .iter()
            .filter(|(_, subs)| !subs.is_empty())
            .map(|(k, _)| k.clone())
            .collect();
        for key in watched {
            self.ensure_fresh(&key);
        }
    }

    /// Writes data for `key` (an optimistic change, or what a mutation returned).
    pub fn set_data<T: 'static>(&self, key: &QueryKey, data: T) {
        self.set_value(key, Rc::new(data));
    }

    /// [`QueryClient::set_data`] with the value already erased.
    pub(crate) fn set_value(&self, key: &QueryKey, data: Value) {
        self.0.cache.borrow_mut().set_data(key, data, now());
        self.notify(key);
    }

    /// A mutation on `key` begins: until [`QueryClient::end_mutation`], no fetch may
    /// overwrite the optimistic data with an answer the server gave before the change.
    pub fn begin_mutation(&self, key: &QueryKey) -> MutationTicket {
        self.0.cache.borrow_mut().begin_mutation(key)
    }

    /// Whether a mutation's rollback may be written: no newer one began on `key`.
    pub fn outcome_applies(&self, key: &QueryKey, ticket: MutationTicket) -> bool {
        self.0.cache.borrow_mut().outcome_applies(key, ticket)
    }

    /// A mutation on `key` has settled; refetches it if a refresh was dropped meanwhile.
    pub fn end_mutation(&self, key: &QueryKey) {
        let refetch = self.0.cache.borrow_mut().end_mutation(key);
        if refetch {
            let key = key.clone();
            self.invalidate(move |k| *k == key);
        }
    }

    /// Saves `key`'s data for a rollback.
    pub fn snapshot(&self, key: &QueryKey) -> Snapshot<QueryKey, Value> {
        self.0.cache.borrow().snapshot(key)
    }

    /// Rolls back to a snapshot.
    pub fn restore(&self, snapshot: Snapshot<QueryKey, Value>) {
        let key = self.0.cache.borrow_mut().restore(snapshot);
        self.notify(&key);
    }

    /// Marks matching keys stale and refetches those someone is looking at.
    pub fn invalidate(&self, pred: impl Fn(&QueryKey) -> bool) {
        let keys = self.0.cache.borrow_mut().invalidate(pred);
        for key in keys {
            let watched = self
                .0
                .subscribers
                .borrow()
                .get(&key)
                .is_some_and(|l| !l.is_empty());
            if watched {
                self.fetch(&key);
            }
        }
    }

    /// Forgets all server data (sign-out), re-rendering every subscriber.
    pub fn clear(&self) {
        self.0.cache.borrow_mut().clear();
        let keys: Vec<QueryKey> = self.0.subscribers.borrow().keys().cloned().collect();
        for key in keys {
            self.notify(&key);
        }
    }

    fn notify(&self, key: &QueryKey) {
        let callbacks: Vec<Callback<()>> = self
            .0
            .subscribers
            .borrow()
            .get(key)
            .map(|l| l.iter().map(|(_, cb)| cb.clone()).collect())
            .unwrap_or_default();
        for cb in callbacks {
            cb.emit(());
        }
    }
}
