//! Text from clients on its way into a query. PostgreSQL refuses a NUL character in any text
//! value (SQLite stores it), so a NUL in an ID or an email would be a database error, a 500:
//! a lookup with one finds nothing, as it would on SQLite, and text that is kept (audit rows,
//! throttle keys) keeps a visible U+FFFD in its place.

use std::borrow::Cow;

/// `text` as a lookup key, or `None` when no stored row can have it.
pub fn matchable(text: &str) -> Option<&str> {
    (!text.contains('\0')).then_some(text)
}

/// `text` as it may be stored on both backends.
pub fn storable(text: &str) -> Cow<'_, str> {
    if text.contains('\0') {
        Cow::Owned(text.replace('\0', "\u{FFFD}"))
    } else {
        Cow::Borrowed(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_nul_matches_nothing_and_is_stored_visibly() {
        assert_eq!(matchable("abc"), Some("abc"));
        assert_eq!(matchable("a\0c"), None);
        assert_eq!(storable("a\0c"), "a\u{FFFD}c");
        assert!(matches!(storable("abc"), Cow::Borrowed("abc")));
    }
}
