//! The cache's bookkeeping, free of any browser API so it can be tested natively: entries with
//! data or error, staleness, de-duplicated fetches, invalidation, optimistic writes and
//! snapshots for rollback.
//!
//! Every write bumps the entry's sequence number; a fetch that started before a write finds its
//! ticket outdated when it lands and is dropped, so a slow response can never overwrite an
//! optimistic change.
//!
//! A mutation in flight holds its key ([`Cache::begin_mutation`] … [`Cache::end_mutation`]): a
//! fetch that starts meanwhile (a focus or interval refresh) may read the server before the
//! mutation lands there, so its answer is dropped too, and the key is fetched once more when
//! the last mutation on it has settled.
//!
//! An invalidation while a fetch is in flight (an upload created a video just after the list
//! was asked for) cannot join that fetch: its answer may predate the change. The answer is
//! still applied (it is newer than what is shown), and the key is fetched once more.

use std::collections::HashMap;
use std::hash::Hash;

/// One cached query.
#[derive(Clone, Debug)]
pub struct Entry<V, E> {
    /// The last good data.
    pub data: Option<V>,
    /// The last error, cleared by the next success.
    pub error: Option<E>,
    /// When `data` was written (ms).
    pub updated_at: f64,
    /// A fetch is in flight.
    pub fetching: bool,
    /// Marked stale by an invalidation.
    pub invalidated: bool,
    /// Mutations on this key whose server answer has not arrived yet.
    mutations: u32,
    /// A fetch ran while a mutation was in flight: its answer was not trusted.
    missed: bool,
    /// Invalidated while a fetch was in flight: that fetch's answer may predate the change.
    outdated: bool,
    seq: u64,
    /// The ticket of the mutation that began last on this key.
    newest_mutation: u64,
}

impl<V, E> Default for Entry<V, E> {
    fn default() -> Self {
        Self {
            data: None,
            error: None,
            updated_at: 0.0,
            fetching: false,
            invalidated: false,
            mutations: 0,
            missed: false,
            outdated: false,
            seq: 0,
            newest_mutation: 0,
        }
    }
}

/// Proof that a fetch was started, to hand back with its result.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ticket(u64);

/// Proof that a mutation began, to ask whether its outcome may still be written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MutationTicket(u64);

/// What became of a fetch's answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Landed {
    /// A write happened since the fetch started: the answer was not used.
    Dropped,
    /// The answer is the entry's data (or error) now.
    Applied,
    /// Applied, but the key was invalidated while the fetch was in flight: fetch it again.
    Outdated,
}

/// A saved copy of one entry's data, to restore on rollback.
#[derive(Clone, Debug)]
pub struct Snapshot<K, V> {
    key: K,
    data: Option<V>,
    updated_at: f64,
}

/// Cached queries by key.
#[derive(Debug)]
pub struct Cache<K, V, E> {
    entries: HashMap<K, Entry<V, E>>,
    next_seq: u64,
}

impl<K, V, E> Default for Cache<K, V, E> {
    fn default() -> Self {
        Self {
            entries: HashMap::new(),
            next_seq: 1,
        }
    }
}

impl<K: Eq + Hash + Clone, V: Clone, E: Clone> Cache<K, V, E> {
    /// The entry for `key`, if any.
    pub fn get(&self, key: &K) -> Option<&Entry<V, E>> {
        self.entries.get(key)
    }

    /// Whether `key` should be fetched now: never fetched, invalidated, or older than
    /// `stale_ms`, and no fetch already in flight.
    pub fn needs_fetch(&self, key: &K, now: f64, stale_ms: f64) -> bool {
        match self.entries.get(key) {
            None => true,
            Some(e) if e.fetching => false,
            Some(e) => {
                e.invalidated
                    || (e.data.is_none() && e.error.is_none())
                    || now - e.updated_at >= stale_ms
            }
        }
    }

    /// Marks a fetch as started; `None` when one is already in flight (de-duplication).
    pub fn start_fetch(&mut self, key: &K) -> Option<Ticket> {
        let seq = self.bump();
        let entry = self.entries.entry(key.clone()).or_default();
        if entry.fetching {
            return None;
        }
        entry.fetching = true;
        entry.outdated = false;
        entry.seq = seq;
        if entry.mutations > 0 {
            entry.missed = true;
        }
        Some(Ticket(seq))
    }

    /// A mutation on `key` begins (call it with the optimistic change): fetches in flight and
    /// those that start before [`Cache::end_mutation`] are not applied.
    pub fn begin_mutation(&mut self, key: &K) -> MutationTicket {
        let seq = self.bump();
        let entry = self.entries.entry(key.clone()).or_default();
        if entry.fetching {
            entry.missed = true;
        }
        entry.mutations += 1;
        entry.fetching = false;
        entry.seq = seq;
        entry.newest_mutation = seq;
        MutationTicket(seq)
    }

    /// Whether the rollback of the mutation holding `ticket` may be written: only when no
    /// mutation on `key` began after it (its snapshot predates the newer optimistic change).
    /// When not, the key is fetched once more after the last mutation has settled.
    pub fn outcome_applies(&mut self, key: &K, ticket: MutationTicket) -> bool {
        let Some(entry) = self.entries.get_mut(key) else {
            return true;
        };
        if entry.newest_mutation == ticket.0 {
            return true;
        }
        entry.missed = true;
        false
    }

    /// A mutation on `key` has its server answer (and its rollback, if any, is written).
    /// Returns true when the key must be fetched again: this was the last mutation on it and
    /// a fetch was dropped meanwhile, so the data may lack other changes from the server.
    pub fn end_mutation(&mut self, key: &K) -> bool {
        let seq = self.bump();
        let Some(entry) = self.entries.get_mut(key) else {
            return false;
        };
        entry.mutations = entry.mutations.saturating_sub(1);
        if entry.fetching {
            entry.missed = true;
        }
        entry.fetching = false;
        entry.seq = seq;
        if entry.mutations > 0 || !entry.missed {
            return false;
        }
        entry.missed = false;
        entry.invalidated = true;
        true
    }

    /// Records a fetch's result, unless a write happened since the fetch started (then only
    /// the in-flight flag changes).
    pub fn finish_fetch(
        &mut self,
        key: &K,
        ticket: Ticket,
        result: Result<V, E>,
        now: f64,
    ) -> Landed {
        let Some(entry) = self.entries.get_mut(key) else {
            return Landed::Dropped;
        };
        if entry.seq != ticket.0 || entry.mutations > 0 {
            return Landed::Dropped;
        }
        entry.fetching = false;
        let outdated = std::mem::take(&mut entry.outdated);
        match result {
            Ok(data) => {
                entry.data = Some(data);
                entry.error = None;
                entry.updated_at = now;
                entry.invalidated = outdated;
            }
            Err(error) => entry.error = Some(error),
        }
        if outdated {
            Landed::Outdated
        } else {
            Landed::Applied
        }
    }

    /// Writes data directly (optimistic updates, or data a mutation returned).
    pub fn set_data(&mut self, key: &K, data: V, now: f64) {
        let seq = self.bump();
        let entry = self.entries.entry(key.clone()).or_default();
        entry.data = Some(data);
        entry.error = None;
        entry.updated_at = now;
        entry.fetching = false;
        entry.seq = seq;
    }

    /// Marks every key matching `pred` stale and returns them.
    pub fn invalidate(&mut self, pred: impl Fn(&K) -> bool) -> Vec<K> {
        self.entries
            .iter_mut()
            .filter(|(k, _)| pred(k))
            .map(|(k, e)| {
                e.invalidated = true;
                e.outdated |= e.fetching;
                k.clone()
            })
            .collect()
    }

    /// Saves `key`'s data for a later [`Cache::restore`].
    pub fn snapshot(&self, key: &K) -> Snapshot<K, V> {
        let entry = self.entries.get(key);
        Snapshot {
            key: key.clone(),
            data: entry.and_then(|e| e.data.clone()),
            updated_at: entry.map_or(0.0, |e| e.updated_at),
        }
    }

    /// Puts a snapshot back (rollback of an optimistic change) and returns its key.
    pub fn restore(&mut self, snapshot: Snapshot<K, V>) -> K {
        let seq = self.bump();
        let entry = self.entries.entry(snapshot.key.clone()).or_default();
        entry.data = snapshot.data;
        entry.updated_at = snapshot.updated_at;
        entry.fetching = false;
        entry.seq = seq;
        snapshot.key
    }

    /// Forgets everything (sign-out).
    pub fn clear(&mut self) {
        self.entries.clear();
    }

    fn bump(&mut self) -> u64 {
        self.next_seq += 1;
        self.next_seq
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    type TestCache = Cache<&'static str, i32, String>;

    #[test]
    fn a_new_key_needs_a_fetch_and_a_second_fetch_is_deduplicated() {
        let mut cache = TestCache::default();
        assert!(cache.needs_fetch(&"a", 0.0, 1000.0));
        assert!(cache.start_fetch(&"a").is_some());
        assert!(!cache.needs_fetch(&"a", 0.0, 1000.0));
        assert!(cache.start_fetch(&"a").is_none());
    }

    #[test]
    fn fresh_data_is_not_refetched_until_stale_or_invalidated() {
        let mut cache = TestCache::default();
        let t = cache.start_fetch(&"a").expect("ticket");
        assert_eq!(cache.finish_fetch(&"a", t, Ok(1), 100.0), Landed::Applied);
        assert!(!cache.needs_fetch(&"a", 500.0, 1000.0));
        assert!(cache.needs_fetch(&"a", 1100.0, 1000.0));
        assert_eq!(cache.invalidate(|k| k.starts_with('a')), vec!["a"]);
        assert!(cache.needs_fetch(&"a", 500.0, 1000.0));
    }

    #[test]
    fn an_error_keeps_the_last_good_data() {
        let mut cache = TestCache::default();
        let t = cache.start_fetch(&"a").expect("ticket");
        cache.finish_fetch(&"a", t, Ok(1), 0.0);
        let t = cache.start_fetch(&"a").expect("ticket");
        cache.finish_fetch(&"a", t, Err("down".into()), 1.0);
        let entry = cache.get(&"a").expect("entry");
        assert_eq!(entry.data, Some(1));
        assert_eq!(entry.error.as_deref(), Some("down"));
    }

    #[test]
    fn a_fetch_that_started_before_an_optimistic_write_is_dropped() {
        let mut cache = TestCache::default();
        let t = cache.start_fetch(&"a").expect("ticket");
        cache.set_data(&"a", 42, 1.0);
        assert_eq!(cache.finish_fetch(&"a", t, Ok(7), 2.0), Landed::Dropped);
        assert_eq!(cache.get(&"a").and_then(|e| e.data), Some(42));
    }

    #[test]
    fn a_fetch_that_starts_while_a_mutation_is_in_flight_is_dropped_then_refetched() {
        let mut cache = TestCache::default();
        cache.set_data(&"a", 3, 0.0);
        cache.begin_mutation(&"a");
        cache.set_data(&"a", 2, 1.0);
        // A refresh asks the server before the mutation reached it: the answer is the old 3.
        let t = cache.start_fetch(&"a").expect("ticket");
        assert_eq!(cache.finish_fetch(&"a", t, Ok(3), 2.0), Landed::Dropped);
        assert_eq!(cache.get(&"a").and_then(|e| e.data), Some(2));
        // Settled: fetch again, for whatever else changed on the server meanwhile.
        assert!(cache.end_mutation(&"a"));
        assert!(cache.needs_fetch(&"a", 3.0, 1000.0));
        let t = cache.start_fetch(&"a").expect("ticket");
        assert_eq!(cache.finish_fetch(&"a", t, Ok(2), 4.0), Landed::Applied);
    }

    #[test]
    fn a_fetch_still_in_flight_when_the_mutation_ends_is_dropped() {
        let mut cache = TestCache::default();
        cache.set_data(&"a", 3, 0.0);
        cache.begin_mutation(&"a");
        let t = cache.start_fetch(&"a").expect("ticket");
        assert!(cache.end_mutation(&"a"));
        assert_eq!(cache.finish_fetch(&"a", t, Ok(3), 2.0), Landed::Dropped);
        assert!(cache.start_fetch(&"a").is_some(), "a new fetch can start");
    }

    #[test]
    fn a_mutation_with_no_fetch_meanwhile_needs_no_refetch() {
        let mut cache = TestCache::default();
        cache.set_data(&"a", 3, 0.0);
        cache.begin_mutation(&"a");
        cache.begin_mutation(&"a");
        let t = cache.start_fetch(&"a").expect("ticket");
        assert_eq!(cache.finish_fetch(&"a", t, Ok(3), 1.0), Landed::Dropped);
        assert!(
            !cache.end_mutation(&"a"),
            "another mutation is still in flight"
        );
        assert!(cache.end_mutation(&"a"), "the last one settles: refetch");
        let t = cache.start_fetch(&"a").expect("ticket");
        assert_eq!(cache.finish_fetch(&"a", t, Ok(3), 2.0), Landed::Applied);
        cache.begin_mutation(&"a");
        assert!(!cache.end_mutation(&"a"));
        assert!(!cache.needs_fetch(&"a", 3.0, 1000.0));
    }

    #[test]
    fn an_invalidation_while_a_fetch_is_in_flight_fetches_once_more() {
        let mut cache = TestCache::default();
        let t = cache.start_fetch(&"a").expect("ticket");
        // The server changed after the list was asked for: the answer in flight lacks it.
        assert_eq!(cache.invalidate(|_| true), vec!["a"]);
        assert!(cache.start_fetch(&"a").is_none(), "still de-duplicated");
        assert_eq!(cache.finish_fetch(&"a", t, Ok(1), 1.0), Landed::Outdated);
        assert_eq!(cache.get(&"a").and_then(|e| e.data), Some(1));
        assert!(cache.needs_fetch(&"a", 2.0, 1000.0));
        let t = cache.start_fetch(&"a").expect("ticket");
        assert_eq!(cache.finish_fetch(&"a", t, Ok(2), 3.0), Landed::Applied);
        assert!(!cache.needs_fetch(&"a", 4.0, 1000.0));
    }

    #[test]
    fn restore_puts_the_snapshot_back() {
        let mut cache = TestCache::default();
        cache.set_data(&"a", 1, 0.0);
        let snap = cache.snapshot(&"a");
        cache.set_data(&"a", 2, 1.0);
        assert_eq!(cache.restore(snap), "a");
        assert_eq!(cache.get(&"a").and_then(|e| e.data), Some(1));
    }

    #[test]
    fn invalidate_only_touches_matching_keys() {
        let mut cache = TestCache::default();
        cache.set_data(&"videos/1", 1, 0.0);
        cache.set_data(&"courses", 2, 0.0);
        let hit = cache.invalidate(|k| k.starts_with("videos/"));
        assert_eq!(hit, vec!["videos/1"]);
        assert!(!cache.needs_fetch(&"courses", 1.0, 1000.0));
    }

    #[test]
    fn only_the_newest_mutation_rolls_back_and_the_key_is_refetched_after() {
        let mut cache = TestCache::default();
        let first = cache.begin_mutation(&"a");
        let second = cache.begin_mutation(&"a");
        assert!(
            !cache.outcome_applies(&"a", first),
            "an older rollback is skipped"
        );
        assert!(!cache.end_mutation(&"a"), "one still in flight");
        assert!(cache.outcome_applies(&"a", second));
        assert!(
            cache.end_mutation(&"a"),
            "something was skipped: fetch again"
        );
        let alone = cache.begin_mutation(&"a");
        assert!(cache.outcome_applies(&"a", alone));
        assert!(
            !cache.end_mutation(&"a"),
            "nothing skipped, nothing to fetch"
        );
    }
}
