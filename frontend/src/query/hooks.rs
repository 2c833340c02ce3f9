//! `use_query`: the one way components read server data.

use super::client::{Fetcher, Value};
use super::{QueryClient, QueryKey};
use crate::api::ClientError;
use std::future::Future;
use std::rc::Rc;
use yew::prelude::*;

/// What a component sees of one query.
#[derive(Clone, Debug)]
pub struct QueryState<T> {
    /// The data, once there is some (kept while a refetch runs or after an error).
    pub data: Option<Rc<T>>,
    /// The last error.
    pub error: Option<ClientError>,
    /// A fetch is in flight.
    pub fetching: bool,
}

impl<T> QueryState<T> {
    /// True while there is nothing to show yet.
    pub fn is_loading(&self) -> bool {
        self.data.is_none() && self.error.is_none()
    }
}

/// Reads `key`, fetching it with `fetch` when it is missing or stale, and re-renders the
/// component whenever the entry changes.
///
/// ```text
/// let courses = use_query(QueryKey::Courses, api::courses::list);
/// if let Some(list) = &courses.data { /* render */ }
/// ```
#[hook]
pub fn use_query<T, F, Fut>(key: QueryKey, fetch: F) -> QueryState<T>
where
    T: 'static,
    F: Fn() -> Fut + 'static,
    Fut: Future<Output = Result<T, ClientError>> + 'static,
{
    let client = use_context::<QueryClient>().unwrap_or_default();
    let update = use_force_update();
    let fetcher: Fetcher = {
        let fetch = Rc::new(fetch);
        Rc::new(move || {
            let fetch = fetch.clone();
            Box::pin(async move { fetch().await.map(|v| Rc::new(v) as Value) })
        })
    };
    {
        let client = client.clone();
        use_effect_with(key.clone(), move |key| {
            let subscription = client.subscribe(
                key,
                fetcher,
                Callback::from(move |()| update.force_update()),
            );
            client.ensure_fresh(key);
            move || drop(subscription)
        });
    }
    let (data, error, fetching) = client.read(&key);
    QueryState {
        data: data.and_then(|v| v.downcast::<T>().ok()),
        error,
        fetching,
    }
}
