//! What the polite live region says: the result of a keyboard move ("Moved “Lighting” to
//! position 2 of 3"), for screen-reader users who cannot see the row move.

use yewdux::prelude::*;

/// The live region's text.
#[derive(Clone, Debug, Default, PartialEq, Store)]
pub struct AnnounceStore {
    /// The last announcement.
    pub text: String,
    /// Bumped each time, so the same sentence twice is still announced.
    pub count: u32,
}

/// Says `text` in the live region.
pub fn announce(text: impl Into<String>) {
    let text = text.into();
    super::dispatch::<AnnounceStore>().reduce_mut(|s| {
        s.text = text;
        s.count += 1;
    });
}
