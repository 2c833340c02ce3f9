//! The video library's feedback: which rows are selected, which have an operation in flight,
//! and which failed to delete (with the reason). The videos themselves live in the query cache.

use std::collections::{HashMap, HashSet};
use yewdux::prelude::*;

/// Selection, pending flags and per-row errors.
#[derive(Clone, Debug, Default, PartialEq, Store)]
pub struct LibraryStore {
    /// Selected video IDs.
    pub selected: HashSet<String>,
    /// The row a shift-click extends from.
    pub anchor: Option<String>,
    /// Video IDs with a delete or restore in flight.
    pub pending: HashSet<String>,
    /// Video IDs whose delete failed, with why.
    pub errors: HashMap<String, String>,
}

impl LibraryStore {
    /// A click on a row's checkbox: toggles it, or with shift selects the range from the last
    /// clicked row to this one in `order` (the list as shown).
    pub fn click(&mut self, id: &str, shift: bool, order: &[String]) {
        let anchor_index = self
            .anchor
            .as_ref()
            .and_then(|a| order.iter().position(|x| x == a));
        let index = order.iter().position(|x| x == id);
        match (shift, anchor_index, index) {
            (true, Some(a), Some(b)) => {
                let (from, to) = if a <= b { (a, b) } else { (b, a) };
                for x in &order[from..=to] {
                    self.selected.insert(x.clone());
                }
            }
            _ => {
                if !self.selected.remove(id) {
                    self.selected.insert(id.to_string());
                }
            }
        }
        self.anchor = Some(id.to_string());
    }

    /// Selects every row of `order`, or clears the selection if all are selected already.
    pub fn toggle_all(&mut self, order: &[String]) {
        if order.iter().all(|id| self.selected.contains(id)) && !order.is_empty() {
            for id in order {
                self.selected.remove(id);
            }
        } else {
            self.selected.extend(order.iter().cloned());
        }
    }

    /// How many of `order` are selected.
    pub fn count_in(&self, order: &[String]) -> usize {
        order
            .iter()
            .filter(|id| self.selected.contains(*id))
            .count()
    }

    /// Marks operations as in flight (and forgets old errors and selection for those rows).
    pub fn begin(&mut self, ids: &[String]) {
        for id in ids {
            self.pending.insert(id.clone());
            self.selected.remove(id);
            self.errors.remove(id);
        }
    }

    /// Marks operations as done; `failed` rows keep their reason.
    pub fn finish(&mut self, ids: &[String], failed: &[(String, String)]) {
        for id in ids {
            self.pending.remove(id);
        }
        for (id, why) in failed {
            self.errors.insert(id.clone(), why.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn order() -> Vec<String> {
        ["a", "b", "c", "d", "e"]
            .iter()
            .map(|s| s.to_string())
            .collect()
    }

    #[test]
    fn a_click_toggles_and_a_shift_click_selects_the_range() {
        let mut s = LibraryStore::default();
        s.click("b", false, &order());
        s.click("d", true, &order());
        assert_eq!(s.count_in(&order()), 3);
        assert!(s.selected.contains("c"));
        s.click("c", false, &order());
        assert!(!s.selected.contains("c"));
        s.click("a", true, &order());
        assert_eq!(
            s.count_in(&order()),
            4,
            "a range upwards from the last click"
        );
    }

    #[test]
    fn select_all_selects_everything_then_nothing() {
        let mut s = LibraryStore::default();
        s.click("a", false, &order());
        s.toggle_all(&order());
        assert_eq!(s.count_in(&order()), 5);
        s.toggle_all(&order());
        assert_eq!(s.count_in(&order()), 0);
    }

    #[test]
    fn pending_rows_leave_the_selection_and_failures_keep_their_reason() {
        let mut s = LibraryStore::default();
        s.toggle_all(&order());
        let ids = vec!["a".to_string(), "b".to_string()];
        s.begin(&ids);
        assert!(s.pending.contains("a") && !s.selected.contains("a"));
        s.finish(&ids, &[("b".into(), "Server down".into())]);
        assert!(s.pending.is_empty());
        assert_eq!(s.errors.get("b").map(String::as_str), Some("Server down"));
    }
}
